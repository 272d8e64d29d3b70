import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
	classWeights,
	correctForSample,
	defaultMemoryBudgetMb,
	examplesCap,
	keptBySample,
	parseMemoryBudget,
	planSample,
	recordSample,
	sampleHash,
	sampleRecordSchema,
} from '../../core/features/sample';
import { rowsOf, selectRows } from '../../core/learn/dataset';
import { validationMetrics } from '../../core/evaluate/metrics';
import fs from 'node:fs';
import path from 'node:path';

/** docs/warehouse.md, where the default cap and budget are stated for users. */
const warehouseDocs = fs.readFileSync(path.resolve(__dirname, '../../../docs/warehouse.md'), 'utf8');

describe('sample plans and corrections', () => {
	it('keeps everything under the cap, and refuses a cap that is not a whole number of rows', () => {
		assert.equal(planSample(10, 90, 100, 1), undefined);
		assert.throws(() => planSample(10, 90, 1.5, 1), /maxExamples is 1.5/);
		assert.throws(() => planSample(10, 90, 0, 1), /at least 2/);
	});

	it('keeps every positive and fills the rest of the cap with negatives, by hash', () => {
		const plan = planSample(1000, 99_000, 10_000, 3) as NonNullable<ReturnType<typeof planSample>>;
		assert.equal(plan.positiveThreshold, 2 ** 32);
		let kept = 0;
		for (let i = 0; i < 99_000; i++) if (keptBySample(plan, `p${i}`, false)) kept++;
		assert.ok(Math.abs(kept - 9000) < 300, `${kept} negatives kept, about 9,000 expected`);
		assert.equal(keptBySample(plan, 'p1', true), true);
	});

	it('gives negatives at least half the cap when positives alone would fill it', () => {
		const plan = planSample(90_000, 10_000, 10_000, 1) as NonNullable<ReturnType<typeof planSample>>;
		assert.ok(Math.abs(plan.positiveThreshold / 2 ** 32 - 5000 / 90_000) < 1e-9);
		assert.ok(Math.abs(plan.negativeThreshold / 2 ** 32 - 0.5) < 1e-9);
	});

	it('caps the examples by default at what docs/warehouse.md says, at 85 features', () => {
		const stated = /By default[^.]*?the cap is ([\d,]+) rows at 85 features/.exec(warehouseDocs.replace(/\s+/g, ' '));
		assert.ok(stated, 'docs/warehouse.md states the default cap ("By default … the cap is N rows at 85 features")');
		const rows = Number(stated[1].replace(/,/g, ''));
		assert.equal(examplesCap({}, 85).maxExamples, rows);
		assert.equal(examplesCap({}, 85).memoryBudgetMb, defaultMemoryBudgetMb);
	});

	it('lifts the budget with null, and reads a budget as a host gives it: blank for the default, none or 0 for none, whole megabytes', () => {
		assert.deepEqual(examplesCap({ memoryBudgetMb: null }, 85), { maxExamples: 2_000_000 });
		assert.deepEqual(examplesCap({ memoryBudgetMb: null, maxExamples: 5000 }, 85), { maxExamples: 5000 });
		assert.equal(parseMemoryBudget(undefined, 'budget'), undefined);
		assert.equal(parseMemoryBudget('  ', 'budget'), undefined);
		assert.equal(parseMemoryBudget('none', 'budget'), null);
		assert.equal(parseMemoryBudget(' NONE ', 'budget'), null);
		assert.equal(parseMemoryBudget(0, 'budget'), null);
		assert.equal(parseMemoryBudget('0', 'budget'), null);
		assert.equal(parseMemoryBudget(384, 'budget'), 384);
		assert.equal(parseMemoryBudget('384', 'budget'), 384);
		assert.throws(
			() => parseMemoryBudget('lots', '--memory-budget'),
			/--memory-budget is "lots"; give whole megabytes from 1 to 1000000 .* none to lift the budget/,
		);
		assert.throws(() => parseMemoryBudget(2.5, 'The memory budget'), /The memory budget is "2.5"/);
		assert.throws(() => parseMemoryBudget(-1, 'budget'), /budget is "-1"/);
	});

	it('lowers the cap to the rows the memory budget holds, and says so in the record', () => {
		// Without a budget, maxExamples (2,000,000 rows) is the cap.
		assert.deepEqual(examplesCap({ memoryBudgetMb: null }, 85), { maxExamples: 2_000_000 });
		// 256 MB at 85 features: 256 × 2^20 ÷ (85 × 12 + 128) bytes a row.
		assert.deepEqual(examplesCap({ memoryBudgetMb: 256 }, 85), { maxExamples: 233_828, memoryBudgetMb: 256 });
		// Few features, or a smaller maxExamples: maxExamples stays the cap.
		assert.deepEqual(examplesCap({ memoryBudgetMb: 512 }, 10), { maxExamples: 2_000_000 });
		assert.deepEqual(examplesCap({ maxExamples: 1000, memoryBudgetMb: null }, 85), { maxExamples: 1000 });
		assert.deepEqual(examplesCap({ memoryBudgetMb: 4096 }, 85), { maxExamples: 2_000_000 });
		const cap = examplesCap({ memoryBudgetMb: 1 }, 100);
		assert.deepEqual(cap, { maxExamples: Math.floor(2 ** 20 / 1328), memoryBudgetMb: 1 });
		const plan = planSample(100, 9900, cap, 1) as NonNullable<ReturnType<typeof planSample>>;
		assert.equal(plan.maxExamples, cap.maxExamples);
		const record = recordSample(plan, { positives: 100, negatives: 9900 }, { positives: 100, negatives: 1200 });
		assert.equal(record.memoryBudgetMb, 1);
		assert.ok(sampleRecordSchema.safeParse(record).success);
		// A cap set by maxExamples records no budget, as before.
		assert.equal(
			'memoryBudgetMb' in
				recordSample(
					planSample(100, 9900, 1000, 1) as NonNullable<ReturnType<typeof planSample>>,
					{ positives: 100, negatives: 9900 },
					{ positives: 100, negatives: 900 },
				),
			false,
		);
		assert.throws(() => examplesCap({ memoryBudgetMb: 0.5 }, 85), /memoryBudgetMb is 0.5; give the megabytes .* at least 1/);
		assert.throws(() => examplesCap({ memoryBudgetMb: NaN }, 85), /memoryBudgetMb is NaN/);
	});

	it('splits a run of consecutive rows as views of the same memory, other rows as copies', () => {
		const data = { rows: 5, featureNames: ['x'], columns: [Float32Array.from([0, 1, 2, 3, 4])], label: Uint8Array.from([0, 1, 0, 1, 1]) };
		const run = rowsOf(data, [2, 3, 4]);
		assert.deepEqual(Array.from(run.columns[0]), [2, 3, 4]);
		assert.deepEqual(Array.from(run.label), [0, 1, 1]);
		assert.equal(run.rows, 3);
		assert.equal(run.columns[0].buffer, data.columns[0].buffer, 'a run is a view');
		const scattered = rowsOf(data, [0, 2, 3]);
		assert.deepEqual(scattered, selectRows(data, [0, 2, 3]));
		assert.notEqual(scattered.columns[0].buffer, data.columns[0].buffer, 'scattered rows are copied');
		assert.equal(rowsOf(data, []).rows, 0);
	});

	it('hashes MD5 of "seed:id" as UTF-8, first four bytes big-endian', () => {
		const digest = createHash('md5').update('7:Zoë', 'utf8').digest('hex');
		assert.equal(sampleHash('Zoë', 7), parseInt(digest.slice(0, 8), 16));
		assert.notEqual(sampleHash('Zoë', 7), sampleHash('Zoë', 8));
	});

	it('divides the odds back by what the sample did to them', () => {
		const plan = planSample(100, 9900, 1000, 1) as NonNullable<ReturnType<typeof planSample>>;
		const record = recordSample(plan, { positives: 100, negatives: 9900 }, { positives: 100, negatives: 900 });
		assert.deepEqual(classWeights(record), { positive: 1, negative: 11 });
		// In the sample, 100 positives among 1,000 rows: 10%; among everything, 100 of 10,000: 1%.
		assert.ok(Math.abs(correctForSample(0.1, record) - 100 / 10_000) < 1e-12);
		assert.equal(correctForSample(0.3, undefined), 0.3);
	});

	it('weighs log loss, Brier score, base rate and the calibration curve by the rows each stands for', () => {
		const labels = [1, 0, 0, 1];
		const probabilities = [0.8, 0.2, 0.4, 0.6];
		const weights = [1, 3, 3, 1];
		const weighted = validationMetrics(labels, probabilities, probabilities, weights);
		const expanded = validationMetrics([1, 0, 0, 0, 0, 0, 0, 1], [0.8, 0.2, 0.2, 0.2, 0.4, 0.4, 0.4, 0.6], [0.8, 0.2, 0.2, 0.2, 0.4, 0.4, 0.4, 0.6]);
		assert.equal(weighted.baseRate, 0.25);
		assert.ok(Math.abs((weighted.logLoss as number) - (expanded.logLoss as number)) < 1e-12);
		assert.ok(Math.abs((weighted.brier as number) - (expanded.brier as number)) < 1e-12);
		assert.equal(weighted.auc, expanded.auc);
		const rate = (points: typeof weighted.calibration) => points.reduce((sum, p) => sum + p.actualRate, 0);
		assert.ok(rate(weighted.calibration) > 0);
	});
});
