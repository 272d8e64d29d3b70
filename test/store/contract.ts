/**
 * What every store backend must do, run once per backend (folder, PostgreSQL): versioning,
 * latest, listing, name checks, memberships, and two processes writing at once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { InputError } from '../../core/errors';
import type { Store, StoreConfig } from '../../core/store';
import { openStore } from '../../core/store';
import { writerMembers, writerModelText } from './concurrent-writer';

/** Names that must never be accepted: they would leave their folder, hide, or not be portable. */
export const escapingNames = [
	'../x',
	'..',
	'.',
	'a/b',
	'a\\b',
	'/etc/passwd',
	'C:\\models\\x',
	'.hidden',
	'',
	'a\0b',
	'a b',
	'x'.repeat(101),
	'con',
	'NUL.json',
	'name\n',
	'~',
];

export function storeContract(label: string, freshConfig: () => Promise<StoreConfig>): void {
	describe(`the ${label} store`, () => {
		let store: Store;
		let config: StoreConfig;
		beforeEach(async () => {
			config = await freshConfig();
			store = await openStore(config);
		});
		afterEach(async () => {
			await store.close();
		});

		it('numbers the versions of a name 1, 2, 3 in the order they are saved', async () => {
			const first = await store.saveModel('churn', '{"v":1}', { auc: 0.7 });
			const second = await store.saveModel('churn', '{"v":2}', { auc: 0.8 });
			const other = await store.saveModel('buyers', '{"v":1}', {});
			const third = await store.saveModel('churn', '{"v":3}', { auc: 0.75 });
			assert.deepEqual([first.version, second.version, third.version, other.version], [1, 2, 3, 1]);
		});

		it('loads the latest version by default and a given version byte for byte', async () => {
			const texts = ['{"text":"first"}', '{\n\t"text": "été ☀️ 客户"\n}\n', '{"text":"third"}'];
			for (const text of texts) await store.saveModel('churn', text, {});
			const latest = await store.loadModel('churn');
			assert.equal(latest.text, texts[2]);
			assert.equal(latest.info.version, 3);
			assert.equal((await store.loadModel('churn', 'latest')).info.version, 3);
			const second = await store.loadModel('churn', 2);
			assert.equal(second.text, texts[1]);
			assert.equal(second.info.bytes, Buffer.byteLength(texts[1], 'utf8'));
			assert.match(second.info.checksum, /^[0-9a-f]{64}$/);
		});

		it('lists the versions of a name oldest first, with the metrics each was saved with', async () => {
			await store.saveModel('churn', '{}', { auc: 0.71, grade: 'fair', learner: 'gbdt' });
			await store.saveModel('churn', '{}', { auc: 0.83, grade: 'good', learner: 'forest', note: null, calibrated: true });
			const versions = await store.listVersions('churn');
			assert.deepEqual(
				versions.map((info) => [info.name, info.version, info.summary]),
				[
					['churn', 1, { auc: 0.71, grade: 'fair', learner: 'gbdt' }],
					['churn', 2, { auc: 0.83, grade: 'good', learner: 'forest', note: null, calibrated: true }],
				],
			);
			assert.ok(versions.every((info) => !Number.isNaN(Date.parse(info.savedAt)) && info.savedAt.endsWith('Z')));
			assert.deepEqual(await store.listVersions('never-saved'), []);
		});

		it('lists every model by name with its latest version', async () => {
			await store.saveModel('zeta', '{}', { auc: 0.6 });
			await store.saveModel('alpha', '{}', { auc: 0.7 });
			await store.saveModel('alpha', '{"b":1}', { auc: 0.9 });
			const models = await store.listModels();
			assert.deepEqual(
				models.map((model) => [model.name, model.latest.version, model.latest.summary.auc]),
				[
					['alpha', 2, 0.9],
					['zeta', 1, 0.6],
				],
			);
		});

		it('says which models exist when asked for a name never saved', async () => {
			await store.saveModel('buyers', '{}', {});
			await assert.rejects(
				store.loadModel('churn'),
				(error: Error) => error instanceof InputError && /No model named "churn"/.test(error.message) && /Saved models: buyers/.test(error.message),
			);
		});

		it('names the versions there are when asked for one that does not exist', async () => {
			for (let i = 0; i < 3; i++) await store.saveModel('churn', '{}', {});
			await assert.rejects(store.loadModel('churn', 7), /Model "churn" has no version 7 .*its versions are 1–3/);
			await assert.rejects(store.loadModel('churn', 0), /not a version: use a whole number from 1, or "latest"/);
			await assert.rejects(store.loadModel('churn', 1.5), /not a version/);
		});

		it('refuses names that could leave their folder, saying what names are allowed', async () => {
			for (const name of escapingNames) {
				const allowed = /not allowed: .*letters, digits, dashes, underscores and dots, not starting with a dot/;
				await assert.rejects(store.saveModel(name, '{}', {}), allowed, `saveModel(${JSON.stringify(name)})`);
				await assert.rejects(store.loadModel(name), allowed, `loadModel(${JSON.stringify(name)})`);
				await assert.rejects(store.listVersions(name), allowed, `listVersions(${JSON.stringify(name)})`);
				await assert.rejects(store.saveMembership(name, ['p1'], '2024-01-01T00:00:00Z'), allowed, `saveMembership(${JSON.stringify(name)})`);
				await assert.rejects(store.loadMembership(name), allowed, `loadMembership(${JSON.stringify(name)})`);
			}
			assert.deepEqual(await store.listModels(), []);
		});

		it('accepts names with letters, digits, dashes, underscores and inner dots', async () => {
			for (const name of ['churn', 'Churn_30d', 'buyers.v2', '2024-q1', 'a', 'x'.repeat(100), '_x', '-x']) {
				assert.equal((await store.saveModel(name, '{}', {})).version, 1, name);
			}
		});

		it('refuses model text that is not JSON, and a summary metric that is not a finite number, before saving anything', async () => {
			await assert.rejects(store.saveModel('churn', 'not json', {}), /The model "churn" to save is not JSON/);
			await assert.rejects(store.saveModel('churn', '  ', {}), /is empty/);
			await assert.rejects(
				store.saveModel('churn', '{}', { auc: Number.NaN }),
				/summary is not valid at "auc": a metric must be text \(up to 1000 characters\), a finite number, true\/false or null/,
			);
			assert.deepEqual(await store.listVersions('churn'), []);
			assert.equal((await store.saveModel('churn', '{}', {})).version, 1);
		});

		it("refuses to save a model under another model's name", async () => {
			await assert.rejects(
				store.saveModel('churn', '{"name":"buyers","v":1}', {}),
				(error: Error) =>
					error instanceof InputError &&
					error.code === 'model-name-mismatch' &&
					/The model to save as "churn" is a model named "buyers"/.test(error.message),
			);
			assert.deepEqual(await store.listVersions('churn'), []);
			assert.equal((await store.saveModel('churn', '{"name":"churn"}', {})).version, 1);
		});

		it('has no membership for a segment never run, and gives back a saved one with its run time', async () => {
			assert.equal(await store.loadMembership('vip'), undefined);
			await store.saveMembership('vip', ['p3', 'p1', 'p2'], '2024-05-01T06:00:00.000Z');
			assert.deepEqual(await store.loadMembership('vip'), { members: ['p3', 'p1', 'p2'], runAt: '2024-05-01T06:00:00.000Z' });
			await store.saveMembership('vip', [], '2024-05-02T06:00:00.000Z');
			assert.deepEqual(await store.loadMembership('vip'), { members: [], runAt: '2024-05-02T06:00:00.000Z' });
		});

		it('refuses a membership that lists a profile twice or has a run time that is not a date', async () => {
			await assert.rejects(store.saveMembership('vip', ['p1', 'p2', 'p1'], '2024-05-01T00:00:00Z'), /Profile "p1" appears twice .* \(at 3\)/);
			await assert.rejects(store.saveMembership('vip', ['p1', ''], '2024-05-01T00:00:00Z'), /Member 2 of segment "vip" is "", not a profile id/);
			await assert.rejects(store.saveMembership('vip', ['p1'], 'yesterday'), /run time "yesterday" of segment "vip" is not an ISO 8601 date-time/);
			assert.equal(await store.loadMembership('vip'), undefined);
		});

		it('lets two runs of one segment hold its lease one after the other, from two store connections, and frees it when a run fails', async () => {
			const other = await openStore(config);
			try {
				const events: string[] = [];
				const hold = (who: string, holder: Store, ms: number) =>
					holder.withSegmentLease('vip', async () => {
						events.push(`${who} in`);
						await new Promise((resolve) => setTimeout(resolve, ms));
						events.push(`${who} out`);
						return who;
					});
				const results = await Promise.all([hold('a', store, 400), hold('b', other, 50), store.withSegmentLease('other-segment', async () => 'c')]);
				assert.deepEqual(results, ['a', 'b', 'c']);
				assert.ok(
					(events[0] === 'a in' && events[1] === 'a out') || (events[0] === 'b in' && events[1] === 'b out'),
					`the runs overlapped: ${events.join(', ')}`,
				);
				await assert.rejects(
					store.withSegmentLease('vip', async () => {
						throw new Error('delivery failed');
					}),
					/delivery failed/,
				);
				assert.equal(await other.withSegmentLease('vip', async () => 'free again'), 'free again');
			} finally {
				await other.close();
			}
		});

		it('keeps a membership of 1,000,000 profile ids intact', async function () {
			this.timeout(120000);
			const members = Array.from({ length: 1_000_000 }, (_, i) => `profile-${(i * 7919) % 1_000_003}`);
			await store.saveMembership('everyone', members, '2024-05-01T00:00:00Z');
			const loaded = await store.loadMembership('everyone');
			assert.ok(loaded);
			assert.equal(loaded.members.length, 1_000_000);
			assert.deepEqual(loaded.members, members);
		});

		it('gives two processes saving the same name at once distinct version numbers without gaps, every one intact', async function () {
			this.timeout(180000);
			const count = 25;
			const readersSaw: string[] = [];
			const writers = ['A', 'B'].map((writer) => startWriter({ config, name: 'shared', segment: 'shared-seg', writer, count }));
			await Promise.all(writers.map((writer) => writer.ready));
			const done = Promise.all(writers.map((writer) => writer.finished));
			for (const writer of writers) writer.go();
			// Read while they write: a reader must never see a half-written model or membership.
			let finished = false;
			void done.finally(() => (finished = true)).catch(() => undefined);
			while (!finished) {
				try {
					const latest = await store.loadModel('shared');
					readersSaw.push(JSON.parse(latest.text).writer as string);
				} catch (error) {
					if (!/No model named "shared"/.test((error as Error).message)) throw error;
				}
				const membership = await store.loadMembership('shared-seg');
				if (membership) assert.ok(membership.members.length >= 2000);
			}
			const results = await done;

			const versions = await store.listVersions('shared');
			assert.deepEqual(
				versions.map((info) => info.version),
				Array.from({ length: 2 * count }, (_, i) => i + 1),
			);
			assert.deepEqual(
				[...results[0].versions, ...results[1].versions].sort((a, b) => a - b),
				Array.from({ length: 2 * count }, (_, i) => i + 1),
			);
			const seen = new Set<string>();
			for (const info of versions) {
				const { text } = await store.loadModel('shared', info.version);
				const body = JSON.parse(text) as { writer: string; index: number };
				assert.equal(text, writerModelText(body.writer, body.index));
				assert.deepEqual(info.summary, { writer: body.writer, index: body.index });
				seen.add(`${body.writer}:${body.index}`);
			}
			assert.equal(seen.size, 2 * count);
			const last = await store.loadMembership('shared-seg');
			assert.ok(last);
			const [writer, index] = last.members[0].split('-');
			assert.deepEqual(last.members, writerMembers(writer, Number(index)));
			assert.ok(readersSaw.length > 0, 'the reader read while the writers wrote');
		});
	});
}

interface Writer {
	ready: Promise<void>;
	finished: Promise<{ versions: number[] }>;
	go(): void;
}

function startWriter(task: { config: StoreConfig; name: string; segment: string; writer: string; count: number }): Writer {
	const child = spawn(process.execPath, [path.join(__dirname, 'concurrent-writer.js'), JSON.stringify(task)], { stdio: ['pipe', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	let readyResolve: () => void = () => undefined;
	const ready = new Promise<void>((resolve) => (readyResolve = resolve));
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
		if (stdout.startsWith('ready\n')) readyResolve();
	});
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const finished = new Promise<{ versions: number[] }>((resolve, reject) => {
		child.on('exit', (code) => {
			if (code !== 0) {
				readyResolve();
				reject(new Error(`writer ${task.writer} exited with ${code}: ${stderr}`));
				return;
			}
			resolve(JSON.parse(stdout.slice('ready\n'.length)) as { versions: number[] });
		});
	});
	return { ready, finished, go: () => child.stdin.end('go\n') };
}
