import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openStore, type Store } from '../../core/store';
import { escapingNames, storeContract } from './contract';

const outputRoot = path.resolve('test-output', 'store');

function freshFolder(): string {
	const dir = path.join(outputRoot, `folder-${process.pid}-${randomBytes(4).toString('hex')}`);
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

storeContract('folder', async () => ({ kind: 'folder', path: freshFolder() }));

describe('the folder store on disk', () => {
	let root: string;
	let store: Store;
	beforeEach(async () => {
		root = freshFolder();
		store = await openStore({ kind: 'folder', path: root });
	});
	afterEach(() => store.close());

	it('takes over the lease of a segment run that died (not renewed for 2 minutes), and keeps a live one', async () => {
		const file = path.join(root, 'segments', 'vip.lease');
		fs.mkdirSync(path.dirname(file), { recursive: true });
		fs.writeFileSync(file, JSON.stringify({ token: 'dead', holder: 'process 1 on gone' }));
		const old = new Date(Date.now() - 121_000);
		fs.utimesSync(file, old, old);
		assert.equal(await store.withSegmentLease('vip', async () => JSON.parse(fs.readFileSync(file, 'utf8')).token !== 'dead'), true);
		assert.ok(!fs.existsSync(file), 'the lease is gone once the run is done');
		fs.writeFileSync(file, JSON.stringify({ token: 'alive', holder: 'process 2 on here' }));
		let entered = false;
		const waiting = store.withSegmentLease('vip', async () => (entered = true));
		await new Promise((resolve) => setTimeout(resolve, 500));
		assert.equal(entered, false, 'a run went in while another held the lease');
		fs.rmSync(file);
		await waiting;
		assert.equal(entered, true);
	});

	it('keeps each version as its model JSON beside a meta file whose checksum sha256sum would print', async () => {
		const text = '{"model":"churn","trees":[1,2,3]}';
		await store.saveModel('churn', text, { auc: 0.8 });
		const dir = path.join(root, 'models', 'churn');
		assert.deepEqual(fs.readdirSync(dir).sort(), ['v000001.json', 'v000001.meta.json']);
		assert.equal(fs.readFileSync(path.join(dir, 'v000001.json'), 'utf8'), text);
		const meta = JSON.parse(fs.readFileSync(path.join(dir, 'v000001.meta.json'), 'utf8'));
		assert.equal(
			meta.checksum,
			createHash('sha256')
				.update(fs.readFileSync(path.join(dir, 'v000001.json')))
				.digest('hex'),
		);
		assert.deepEqual(
			{ name: meta.name, version: meta.version, bytes: meta.bytes, summary: meta.summary },
			{ name: 'churn', version: 1, bytes: text.length, summary: { auc: 0.8 } },
		);
	});

	it('leaves no temporary files behind after saving models and memberships', async () => {
		for (let i = 0; i < 3; i++) await store.saveModel('churn', `{"i":${i}}`, {});
		await store.saveMembership('vip', ['a', 'b'], '2024-01-01T00:00:00Z');
		await store.saveMembership('vip', ['a'], '2024-01-02T00:00:00Z');
		const all = [...fs.readdirSync(path.join(root, 'models', 'churn')), ...fs.readdirSync(path.join(root, 'segments'))];
		assert.deepEqual(
			all.filter((file) => file.endsWith('.tmp')),
			[],
		);
		assert.deepEqual(fs.readdirSync(path.join(root, 'segments')), ['vip.json']);
	});

	it('refuses a model file changed after saving, naming the model, version, file and what to do', async () => {
		await store.saveModel('churn', '{"weights":[0.1,0.2]}', {});
		await store.saveModel('churn', '{"weights":[0.3,0.4]}', {});
		const file = path.join(root, 'models', 'churn', 'v000002.json');
		fs.writeFileSync(file, '{"weights":[9.9,0.4]}');
		await assert.rejects(store.loadModel('churn'), (error: Error & { code?: string }) => {
			assert.equal(error.code, 'model-corrupted');
			assert.match(error.message, /Version 2 of model "churn" is corrupted/);
			assert.ok(error.message.includes(file), 'names the file');
			assert.match(error.message, /Load another version, restore it from a backup, or train and save the model again/);
			return true;
		});
		assert.equal((await store.loadModel('churn', 1)).text, '{"weights":[0.1,0.2]}');
	});

	it("refuses a model copied into another model's folder, naming both", async () => {
		await store.saveModel('buyers', '{"name":"buyers"}', {});
		fs.cpSync(path.join(root, 'models', 'buyers'), path.join(root, 'models', 'churn'), { recursive: true });
		for (const file of ['v000001.meta.json']) {
			const meta = path.join(root, 'models', 'churn', file);
			fs.writeFileSync(meta, fs.readFileSync(meta, 'utf8').replace('"name": "buyers"', '"name": "churn"'));
		}
		await assert.rejects(
			store.loadModel('churn'),
			(error: Error & { code?: string }) =>
				error.code === 'model-name-mismatch' &&
				/Version 1 of model "churn" .* is a model named "buyers".*copied or renamed into another model's place/.test(error.message),
		);
	});

	it('refuses a model file cut short, even when what is left is valid JSON', async () => {
		await store.saveModel('churn', '{"a":1} ', {});
		fs.writeFileSync(path.join(root, 'models', 'churn', 'v000001.json'), '{"a":1}');
		await assert.rejects(store.loadModel('churn', 1), /is corrupted .* 7 bytes, but .* 8 bytes were recorded/);
	});

	it('refuses a damaged meta file with the place and what to do', async () => {
		await store.saveModel('churn', '{}', {});
		const meta = path.join(root, 'models', 'churn', 'v000001.meta.json');
		fs.writeFileSync(meta, fs.readFileSync(meta, 'utf8').slice(0, 40));
		await assert.rejects(
			store.loadModel('churn'),
			(error: Error) => error.message.includes(meta) && /metadata of version 1 of model "churn" is damaged/.test(error.message),
		);
	});

	it('skips a version whose save never finished, and explains it when that version is asked for', async () => {
		await store.saveModel('churn', '{"v":1}', {});
		fs.writeFileSync(path.join(root, 'models', 'churn', 'v000002.json'), '{"v":2,"half');
		assert.equal((await store.loadModel('churn')).info.version, 1);
		assert.deepEqual(
			(await store.listVersions('churn')).map((info) => info.version),
			[1],
		);
		await assert.rejects(store.loadModel('churn', 2), /Version 2 of model "churn" was not finished saving/);
		// The next save does not reuse the number of the interrupted one.
		assert.equal((await store.saveModel('churn', '{"v":3}', {})).version, 3);
	});

	it('refuses a membership file that was changed by hand, saying how to start afresh', async () => {
		await store.saveMembership('vip', ['p1', 'p2'], '2024-01-01T00:00:00Z');
		const file = path.join(root, 'segments', 'vip.json');
		fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"p2"', '"p9"'));
		await assert.rejects(
			store.loadMembership('vip'),
			(error: Error) =>
				/membership of segment "vip" is corrupted/.test(error.message) &&
				error.message.includes(file) &&
				/delete it to start the segment afresh/.test(error.message),
		);
		fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 30));
		await assert.rejects(store.loadMembership('vip'), /is corrupted/);
	});

	it('writes nothing outside its folder whatever name is tried', async () => {
		const parent = path.dirname(root);
		const before = fs.readdirSync(parent).sort();
		for (const name of escapingNames) {
			await store.saveModel(name, '{}', {}).catch(() => undefined);
			await store.saveMembership(name, ['p'], '2024-01-01T00:00:00Z').catch(() => undefined);
		}
		assert.deepEqual(fs.readdirSync(parent).sort(), before);
		assert.deepEqual(fs.readdirSync(path.join(root, 'models')), []);
		assert.deepEqual(fs.readdirSync(path.join(root, 'segments')), []);
	});

	it('ignores stray files and folders that are not models when listing', async () => {
		await store.saveModel('churn', '{}', {});
		fs.mkdirSync(path.join(root, 'models', '.cache'));
		fs.writeFileSync(path.join(root, 'models', 'notes.txt'), 'hello');
		fs.mkdirSync(path.join(root, 'models', 'empty'));
		assert.deepEqual(
			(await store.listModels()).map((model) => model.name),
			['churn'],
		);
	});

	it('refuses to open a store where a file stands in place of the folder', async () => {
		const file = path.join(root, 'not-a-folder');
		fs.writeFileSync(file, 'x');
		await assert.rejects(openStore({ kind: 'folder', path: file }), /Could not open the model store folder/);
		await assert.rejects(openStore({ kind: 'folder', path: ' ' }), /folder is not set/);
	});
});
