/**
 * What the Propensity node editors in Node-RED share (served to the editor as
 * resources/n8n-nodes-propensity/editor.js): the checks a dialog runs before deploy.
 * The runtime checks the same inputs again in core/ with its own messages.
 */
(function () {
	window.PropensityEditor = {
		/** The store's rule for names (they become file names): see core/store/names.ts. */
		storeName: /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/,

		/** True when `value` is a whole number from `least` to `most` (no upper bound when absent); blank is `blankOk`. */
		wholeNumber: function (value, least, most, blankOk) {
			var text = value === undefined || value === null ? '' : String(value).trim();
			if (text === '') return !!blankOk;
			var number = Number(text);
			return Number.isInteger(number) && number >= least && (most === undefined || number <= most);
		}
	};
})();
