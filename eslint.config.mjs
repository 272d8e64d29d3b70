// Lint for the whole package: typescript-eslint everywhere, plus n8n's official community-node
// rules (@n8n/eslint-plugin-community-nodes) on the n8n nodes, the credentials and package.json.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { n8nCommunityNodesPlugin as n8nCommunityNodes } from '@n8n/eslint-plugin-community-nodes';

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
		languageOptions: {
			globals: {
				require: 'readonly',
				module: 'writable',
				process: 'readonly',
				__dirname: 'readonly',
				console: 'readonly',
				Buffer: 'readonly',
				setTimeout: 'readonly',
				clearTimeout: 'readonly',
				RED: 'readonly',
				$: 'readonly',
			},
		},
	},
	{
		// Editor-side script Node-RED serves to the browser.
		files: ['resources/**/*.js'],
		languageOptions: { globals: { window: 'readonly' } },
		// Node-RED reads a validator's returned message only from a two-argument function: (v, _opt).
		rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
	},
	{
		// n8n's official community-node rules (as n8n's own node CLI lints). The set without n8n
		// Cloud's extra limits: this package needs runtime dependencies (zod, pg, the learners)
		// and file access, so it is for self-hosted n8n, not n8n Cloud's verified nodes.
		files: ['nodes/n8n/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		...n8nCommunityNodes.configs.recommendedWithoutN8nCloudSupport,
		rules: {
			...n8nCommunityNodes.configs.recommendedWithoutN8nCloudSupport.rules,
			// Cloud-only checks: runtime dependencies are how the engine ships, and `prepare`
			// builds dist/ for installs from a clone (a packed tarball carries dist/ and never runs it).
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			'@n8n/community-nodes/no-forbidden-lifecycle-scripts': 'off',
		},
	},
	{
		// A versioned node's implementation takes its icon from the base description it is given
		// (spread in its constructor); the rule checks the icon on the base class beside it.
		files: ['nodes/n8n/*/v*/*.node.ts'],
		rules: { '@n8n/community-nodes/icon-validation': 'off' },
	},
	{
		files: ['package.json'],
		// Parsed as a JavaScript expression, as n8n's own starter does, so the rules see an object.
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
);
