/**
 * What the Propensity node editors in Node-RED share (served to the editor as
 * resources/n8n-nodes-propensity/editor.js): the checks a dialog runs before deploy.
 * The runtime checks the same inputs again in core/ with its own messages.
 */
(function () {
	window.PropensityEditor = {
		/**
		 * The store's rule for names (they become file names), as core/store/names.ts holds it: 1 to
		 * 100 letters, digits, dashes, underscores and dots, not starting with a dot, and not a Windows
		 * device name. test/architecture/lists.test.ts pins the two together.
		 */
		storeName: /^(?!(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$)[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/i,

		/**
		 * The settings of a dialog that takes its model from msg.model or from the store by name
		 * (score profiles, explain factors): written once here, so the two dialogs cannot drift.
		 */
		modelSourceDefaults: function () {
			var editor = this;
			return {
				modelFrom: { value: 'msg' },
				store: {
					value: '',
					type: 'propensity-store',
					required: false,
					validate: function (v, _opt) {
						return this.modelFrom !== 'store' || (!!v && v !== '_ADD_') || 'pick the model store to load the model from';
					},
				},
				modelName: {
					value: '',
					validate: function (v, opt) {
						if (this.modelFrom !== 'store') return true;
						var type = $('#node-input-modelNameType').val() || this.modelNameType || 'str';
						if (type !== 'str') return RED.validators.typedInput({ typeField: 'modelNameType' }).call(this, v, opt);
						return editor.storeName.test(v || '') || 'the name the model was saved under, e.g. purchase-30d';
					},
				},
				modelNameType: { value: 'str' },
				modelVersion: {
					value: 'latest',
					validate: function (v, _opt) {
						return !v || v === 'latest' || editor.wholeNumber(v, 1, undefined, true) || '"latest" or a version number';
					},
				},
			};
		},

		/** True when `value` is a whole number from `least` to `most` (no upper bound when absent); blank is `blankOk`. */
		wholeNumber: function (value, least, most, blankOk) {
			var text = value === undefined || value === null ? '' : String(value).trim();
			if (text === '') return !!blankOk;
			var number = Number(text);
			return Number.isInteger(number) && number >= least && (most === undefined || number <= most);
		},
	};
})();
