/**
 * Installing, as a new user does it: from a fresh clone in a shell where npx cannot prompt
 * (npm's yes=false, no terminal), and from the packed tarball into n8n, Node-RED and the command
 * line. `npm ci` itself is run by CI (.ci/run, with npm_config_yes=false); these tests pin what
 * makes that work, so a change that would break it fails here first.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as {
	name: string;
	version: string;
	scripts: Record<string, string>;
	devDependencies: Record<string, string>;
	peerDependencies: Record<string, string>;
};
const lock = JSON.parse(read('package-lock.json')) as {
	packages: Record<string, { hasInstallScript?: boolean; peerDependencies?: Record<string, string>; version?: string }>;
};

describe('installing from a clone', () => {
	it('runs no dependency install script, so npm install works where npx cannot ask (yes=false, no terminal)', () => {
		const scripted = Object.entries(lock.packages)
			.filter(([, entry]) => entry.hasInstallScript)
			.map(([name]) => name);
		assert.deepEqual(scripted, [], `packages with install scripts: ${scripted.join(', ')}`);
		for (const hook of ['preinstall', 'install', 'postinstall']) assert.equal(packageJson.scripts[hook], undefined, `package.json has no ${hook} script`);
	});

	it("lints with n8n's official community-node rules, not the plugin whose preinstall needed npx", () => {
		assert.equal(packageJson.devDependencies['eslint-plugin-n8n-nodes-base'], undefined);
		assert.equal(lock.packages['node_modules/eslint-plugin-n8n-nodes-base'], undefined);
		const plugin = lock.packages['node_modules/@n8n/eslint-plugin-community-nodes'];
		assert.ok(plugin, 'the plugin is in the lock file');
		assert.equal(packageJson.devDependencies['@n8n/eslint-plugin-community-nodes'], plugin.version, 'pinned exactly');
		// Its peer is an exact eslint version: the one installed must be it, or npm ci would refuse the tree.
		assert.equal(packageJson.devDependencies.eslint, plugin.peerDependencies?.eslint);
		assert.match(read('eslint.config.mjs'), /from '@n8n\/eslint-plugin-community-nodes'/);
	});

	it('proves it in CI: .ci/run installs with npm_config_yes=false and no workaround', () => {
		const run = read('.ci/run');
		assert.match(run, /^export npm_config_yes=false$/m);
		assert.doesNotMatch(run, /npm_config_yes=true/);
		assert.match(run, /^npm ci /m);
	});

	it('documents the packed tarball route into n8n, Node-RED and the command line beside the registry routes', () => {
		const readme = read('README.md');
		const install = readme.slice(readme.indexOf('## Install\n'), readme.indexOf('\n## ', readme.indexOf('## Install\n') + 5));
		const tarball = `${packageJson.name}-${packageJson.version}.tgz`;
		assert.match(install, /npm install && npm pack/);
		assert.ok(install.includes(tarball), `names the file npm pack writes (${tarball})`);
		assert.match(install, /~\/\.n8n\/nodes && npm install "\$tarball"/);
		assert.match(install, /~\/\.node-red && npm install "\$tarball"/);
		assert.match(install, /npm install -g "\$tarball" && propensity help/);
		assert.match(install, /From the registry \(once published\)/);
		assert.match(install, /Community Nodes/);
	});
});
