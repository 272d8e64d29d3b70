import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { forestFromJson, growForest, libraryMatrix, trainForest, defaultForestOptions } from '../../core/learn/forest';
import { forestContributions } from '../../core/explain/forest';
import { auc } from '../../core/evaluate/auc';
import { synthetic } from './fixtures';

describe('random forest', function () {
	this.timeout(120_000);
	const small = { ...defaultForestOptions, trees: 12 };

	it("converts every library tree exactly: our trees vote as the library's trees do, missing values included", async () => {
		const data = synthetic({ rows: 250, seed: 21, missingShare: 0.2, missingEffect: 1 });
		const { trees, library } = await growForest(data, small, 77);
		const probe = synthetic({ rows: 200, seed: 22, missingShare: 0.2, missingEffect: 1 });
		const votes = library.predictionValues(libraryMatrix(probe)) as unknown as { get(r: number, t: number): number };
		for (let r = 0; r < probe.rows; r++) {
			trees.forEach((tree, t) => {
				let node = 0;
				while (tree.left[node] !== -1) {
					const x = probe.columns[tree.feature[node]][r];
					node = (Number.isNaN(x) ? tree.missingLeft[node] === 1 : x <= tree.threshold[node]) ? tree.left[node] : tree.right[node];
				}
				assert.equal(tree.value[node] * small.trees, votes.get(r, t), `row ${r}, tree ${t}`);
			});
		}
	});

	it("counts every tree's vote (the library's predictProbability drops the first)", async () => {
		const data = synthetic({ rows: 200, seed: 23 });
		const model = await trainForest(data, { trees: 7 }, { seed: 3 });
		const share = model.predictVoteShare(data);
		for (let r = 0; r < data.rows; r++) {
			const sevenths = share[r] * 7;
			assert.ok(Math.abs(sevenths - Math.round(sevenths)) < 1e-9, `row ${r}: ${share[r]} is not a count of 7 votes`);
		}
		assert.ok(
			share.some((s) => s > 0.99),
			'some rows get all 7 votes',
		);
	});

	it('keeps training row counts as covers: the root holds every fitted row and children sum to their parent', async () => {
		const data = synthetic({ rows: 300, seed: 24 });
		const model = await trainForest(data, small, { seed: 3 });
		for (const tree of model.trees) {
			assert.equal(tree.cover[0], 300);
			for (let node = 0; node < tree.left.length; node++) {
				if (tree.left[node] === -1) continue;
				assert.equal(tree.cover[tree.left[node]] + tree.cover[tree.right[node]], tree.cover[node]);
				assert.ok(tree.cover[tree.left[node]] > 0 && tree.cover[tree.right[node]] > 0);
			}
		}
	});

	it('trains and scores end to end, with raw scores the clipped logit of the vote share', async () => {
		const data = synthetic({ rows: 400, seed: 25 });
		const model = await trainForest(data, small, { seed: 3 });
		const test = synthetic({ rows: 400, seed: 26 });
		const raw = model.predictRaw(test);
		const share = model.predictVoteShare(test);
		assert.ok(auc(test.label, raw) > 0.7, `AUC ${auc(test.label, raw)}`);
		const half = 0.5 / small.trees;
		for (let r = 0; r < test.rows; r++) {
			const p = Math.min(1 - half, Math.max(half, share[r]));
			assert.ok(Math.abs(raw[r] - Math.log(p / (1 - p))) < 1e-12);
		}
	});

	it('explains a row in log-odds: contributions plus the expected value equal the raw output', async () => {
		const data = synthetic({ rows: 300, seed: 27, missingShare: 0.1, missingEffect: 1 });
		const model = await trainForest(data, small, { seed: 3 });
		const raw = model.predictRaw(data);
		for (let r = 0; r < 40; r++) {
			const { expected, contributions } = forestContributions(model, (f) => data.columns[f][r]);
			assert.ok(Math.abs(contributions.reduce((a, b) => a + b, expected) - raw[r]) < 1e-9, `row ${r}`);
		}
	});

	it('gives the same JSON for the same seed, and reads it back with the same predictions', async () => {
		const data = synthetic({ rows: 200, seed: 28 });
		const a = await trainForest(data, small, { seed: 9 });
		const b = await trainForest(data, small, { seed: 9 });
		const c = await trainForest(data, small, { seed: 10 });
		assert.equal(JSON.stringify(a.toJSON()), JSON.stringify(b.toJSON()));
		assert.notEqual(JSON.stringify(a.toJSON()), JSON.stringify(c.toJSON()));
		const back = forestFromJson(JSON.parse(JSON.stringify(a.toJSON())));
		assert.deepEqual(back.predictRaw(data), a.predictRaw(data));
	});

	it('fits a seeded subsample of maxRows rows on larger data and says so', async () => {
		const data = synthetic({ rows: 600, seed: 29 });
		const model = await trainForest(data, { ...small, maxRows: 150 }, { seed: 3 });
		assert.equal(model.fittedRows, 150);
		assert.equal(model.trainingRows, 600);
		assert.equal(model.trees[0].cover[0], 150);
	});

	it('refuses a damaged tree in its JSON', async () => {
		const data = synthetic({ rows: 150, seed: 30 });
		const json = JSON.parse(JSON.stringify((await trainForest(data, { ...small, trees: 3 }, { seed: 3 })).toJSON()));
		json.trees[1].left[0] = 0;
		assert.throws(
			() => forestFromJson(json),
			(error: Error) => error instanceof InputError && /trees\.1 node 0/.test(error.message),
		);
	});
});
