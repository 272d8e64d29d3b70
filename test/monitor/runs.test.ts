import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openStore, type ScoringRunRecord, type Store, type StoreConfig } from '../../core/store';
import { InputError } from '../../core/errors';
import { testPostgres } from '../support/postgres';

let fresh = 0;

function record(scoreDate: string, scored = 3, model = 'buyers'): ScoringRunRecord {
	const ids = Array.from({ length: scored }, (_, i) => `p${i}`);
	return {
		format: 'propensity-scoring-run',
		formatVersion: 1,
		model,
		modelVersion: 2,
		goalChecksum: null,
		propensityType: 'conversion',
		scoreDate,
		boundaries: { mediumFrom: 25, highFrom: 75 },
		profilesActive: scored + 1,
		scored,
		profileId: ids,
		probability: ids.map((_, i) => (i + 0.5) / scored),
		score: ids.map((_, i) => Math.round(((i + 0.5) / scored) * 100)),
		bucket: ids.map((_, i) => ((i + 0.5) / scored >= 0.75 ? 'h' : (i + 0.5) / scored >= 0.25 ? 'm' : 'l')).join(''),
		features: [{ feature: 'purchase_count_30d', counts: [1, 2, 0] }],
		eventTypes: { purchase: 4, view: 10 },
	};
}

function runsContract(label: string, config: () => Promise<StoreConfig>): void {
	describe(`remembered scoring runs in the ${label} store`, function () {
		this.timeout(120_000);
		let store: Store;

		beforeEach(async () => {
			store = await openStore(await config());
		});
		afterEach(async () => {
			await store.close();
		});

		it('gives back a remembered run exactly as it was saved, listed with its score date, version and size', async () => {
			const saved = await store.saveRun(record('2026-05-01T00:00:00.000Z', 1000));
			const listed = await store.listRuns('buyers');
			assert.equal(listed.length, 1);
			assert.deepEqual(listed[0], saved);
			assert.equal(saved.scoreDate, '2026-05-01T00:00:00.000Z');
			assert.equal(saved.modelVersion, 2);
			assert.equal(saved.scored, 1000);
			assert.deepEqual(await store.loadRun('buyers', saved.id), record('2026-05-01T00:00:00.000Z', 1000));
		});

		it('keeps only the latest runs of a name when told how many, oldest deleted first, other names untouched', async () => {
			await store.saveRun(record('2026-01-01T00:00:00.000Z', 2, 'other'));
			for (let d = 1; d <= 5; d++) await store.saveRun(record(`2026-05-0${d}T00:00:00.000Z`), 3);
			const kept = await store.listRuns('buyers');
			assert.deepEqual(
				kept.map((run) => run.scoreDate.slice(0, 10)),
				['2026-05-03', '2026-05-04', '2026-05-05'],
			);
			assert.equal((await store.listRuns('other')).length, 1);
			assert.deepEqual(await store.listRuns('never-scored'), []);
		});

		it('refuses a run whose columns do not match, a bad retention and an unknown run, naming the fix', async () => {
			const bad = { ...record('2026-05-01T00:00:00.000Z'), bucket: 'hh' };
			await assert.rejects(
				store.saveRun(bad),
				(error: unknown) => error instanceof InputError && error.code === 'bad-scoring-run' && /bucket/.test(error.message),
			);
			await assert.rejects(
				store.saveRun(record('2026-05-01T00:00:00.000Z'), 0),
				(error: unknown) => error instanceof InputError && error.code === 'bad-keep-runs',
			);
			await assert.rejects(store.loadRun('buyers', '../../etc/passwd'), (error: unknown) => error instanceof InputError && error.code === 'bad-run-id');
			await assert.rejects(store.saveRun({ ...record('2026-05-01T00:00:00.000Z'), model: '../x' }), (error: unknown) => error instanceof InputError);
		});
	});
}

runsContract('folder', async () => ({ kind: 'folder', path: path.resolve('test-output', 'monitor-runs', `${process.pid}-${++fresh}`) }));
runsContract('PostgreSQL', async () => {
	const server = await testPostgres();
	const { host, port, user, password, database } = server;
	return { kind: 'postgres', connection: { host, port, user, password, database }, schema: `runs_${process.pid}_${++fresh}` };
});

describe('a remembered run in a folder store', () => {
	it('is one gzip-compressed file, and a damaged one is refused with its path', async () => {
		const root = path.resolve('test-output', 'monitor-runs', `${process.pid}-damaged`);
		fs.rmSync(root, { recursive: true, force: true });
		const store = await openStore({ kind: 'folder', path: root });
		const saved = await store.saveRun(record('2026-05-01T00:00:00.000Z', 50));
		const dir = path.join(root, 'runs', 'buyers');
		const files = fs.readdirSync(dir);
		assert.deepEqual(files, [`${saved.id}.run.json.gz`]);
		const file = path.join(dir, files[0]);
		const bytes = fs.readFileSync(file);
		assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b], 'gzip');
		fs.writeFileSync(file, bytes.subarray(0, bytes.length - 10));
		await assert.rejects(
			store.loadRun('buyers', saved.id),
			(error: unknown) => error instanceof InputError && error.code === 'run-corrupted' && error.message.includes(file),
		);
	});
});
