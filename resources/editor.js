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
		 * With `blankName`, a blank model name is valid: explain factors then takes the model
		 * that scored the run in the scores table, as its runtime does.
		 */
		modelSourceDefaults: function (options) {
			var editor = this;
			var blankName = !!(options && options.blankName);
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
						if (blankName && String(v || '').trim() === '') return true;
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

		/** Where a dialog's template takes the model-source rows (see includeModelSource). */
		modelSourceMarker: '<!-- propensity: model source rows -->',

		/**
		 * The form rows of the model-source settings above (Model, Store, Model name, Version), for
		 * score profiles and explain factors. `from` names the node msg.model comes from; with
		 * `blankName`, a tip says what a blank name does. Rows shown only for the store carry
		 * propensity-model-store, which prepareModelSource toggles.
		 */
		modelSourceRows: function (options) {
			var from = (options && options.from) || 'train model';
			var blankTip =
				options && options.blankName
					? '<div class="form-tips propensity-model-store">On a table in place, a blank <b>Model name</b> takes the model that scored the run.</div>'
					: '';
			return [
				'<div class="form-row">',
				'<label for="node-input-modelFrom"><i class="fa fa-cube"></i> Model</label>',
				'<select id="node-input-modelFrom">',
				'<option value="msg">msg.model (from ' + from + ')</option>',
				'<option value="store">from the model store, by name</option>',
				'</select>',
				'</div>',
				'<div class="form-row propensity-model-store">',
				'<label for="node-input-store"><i class="fa fa-archive"></i> Store</label>',
				'<input type="text" id="node-input-store">',
				'</div>',
				'<div class="form-row propensity-model-store">',
				'<label for="node-input-modelName">Model name</label>',
				'<input type="text" id="node-input-modelName" placeholder="purchase-30d">',
				'<input type="hidden" id="node-input-modelNameType">',
				'</div>',
				blankTip,
				'<div class="form-row propensity-model-store">',
				'<label for="node-input-modelVersion">Version</label>',
				'<input type="text" id="node-input-modelVersion" placeholder="latest" style="width: 80px">',
				'</div>',
			].join('\n');
		},

		/**
		 * Puts the model-source rows into the dialog template of node `type`, where its marker is.
		 * Call it from the node's script: Node-RED adds a package's templates to the page before it
		 * runs the package's scripts, and reads a template only when its dialog opens.
		 */
		includeModelSource: function (type, options) {
			var template = $('script[data-template-name="' + type + '"]');
			var text = template.length === 1 ? template.text() : '';
			if (text.indexOf(this.modelSourceMarker) < 0) throw new Error('Propensity: the dialog template of ' + type + ' has no model-source marker.');
			template.text(text.replace(this.modelSourceMarker, this.modelSourceRows(options)));
		},

		/** Sets up the model-source rows when the dialog opens (call from oneditprepare): the name's typed input, and the store rows shown only for the store. */
		prepareModelSource: function () {
			$('#node-input-modelName').typedInput({ default: 'str', typeField: '#node-input-modelNameType', types: ['str', 'msg', 'flow', 'global', 'env'] });
			$('#node-input-modelFrom')
				.on('change', function () {
					$('.propensity-model-store').toggle($(this).val() === 'store');
				})
				.trigger('change');
		},

		/**
		 * The scores table score profiles writes and build segment and explain factors read when
		 * the setting is blank: the core's defaultScoresTable (test/architecture/lists.test.ts
		 * pins the two together).
		 */
		defaultScoresTable: 'propensity_scores',

		/**
		 * The "Scores table" setting of score profiles, build segment and explain factors: blank
		 * (the default), TABLE, or SCHEMA.TABLE on PostgreSQL, each name as the core's
		 * scoresTableName and quoteName accept it.
		 */
		scoresTableSetting: function () {
			return {
				value: this.defaultScoresTable,
				validate: function (v, _opt) {
					var name = String(v === undefined || v === null ? '' : v).trim();
					return (
						name === '' ||
						/^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/.test(name) ||
						'TABLE, or SCHEMA.TABLE on PostgreSQL (letters, digits, underscores)'
					);
				},
			};
		},

		/** Shows the default scores table in the dialog's Scores table box when it is left blank (call from oneditprepare). */
		prepareScoresTable: function () {
			$('#node-input-scoresTable').attr('placeholder', this.defaultScoresTable);
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
