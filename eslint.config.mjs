// Lint for the whole package: typescript-eslint everywhere, plus n8n's community-node
// rules on the n8n nodes, the credentials and package.json.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const n8nRules = (config) => config.rules;

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'demo-output/**', 'test-output/**', 'bench-output/**'] },
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, ...tseslint.configs.recommended],
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['**/*.js', '**/*.mjs'],
		extends: [js.configs.recommended],
		languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', RED: 'readonly', $: 'readonly' } },
	},
	{
		// Editor-side script Node-RED serves to the browser.
		files: ['resources/**/*.js'],
		languageOptions: { globals: { window: 'readonly' } },
		// Node-RED reads a validator's returned message only from a two-argument function: (v, _opt).
		rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
	},
	{
		files: ['nodes/n8n/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: n8nRules(n8nNodesBase.configs.nodes),
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: n8nRules(n8nNodesBase.configs.credentials),
	},
	{
		files: ['package.json'],
		// Parsed as a JavaScript expression, as n8n's own starter does, so the rules see an object.
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: n8nRules(n8nNodesBase.configs.community),
	},
);
