/**
 * The boosted trees' default settings against alternatives, on the benchmark's table (oracle
 * data, 30 features): fit time, trees kept by early stopping, and test AUC, per setting, with the
 * oracle's own AUC as the ceiling. Measures before any default changes (issue 18).
 *
 *   node dist/bench/settings.js [--rows 100000] [--repeat 2]
 *
 * Each round fits every setting once, in turn, so all see the same machine load; the fastest fit
 * of each counts (models are the same every round: the same data, options and seed).
 */
import { parseArgs } from 'node:util';
import { auc } from '../core/evaluate/auc';
import { defaultGbdtOptions, trainGbdt, type GbdtOptions } from '../core/learn/gbdt';
import { oracleData } from '../test/support/gbdtOracle';

const SETTINGS: Record<string, Partial<GbdtOptions>> = {
	'default (depth 3, lr 0.1)': {},
	'depth 4': { maxDepth: 4 },
	'depth 6': { maxDepth: 6 },
	'leaf-wise, 31 leaves, depth ≤ 8': { growth: 'leafwise', maxDepth: 8 },
	'leaf-wise, 15 leaves, depth ≤ 6': { growth: 'leafwise', maxLeaves: 15, maxDepth: 6 },
	'learning rate 0.2': { learningRate: 0.2 },
};

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, repeat: { type: 'string', default: '2' } } });
	const rows = Number(values.rows);
	const train = oracleData(rows, 1).data;
	const validation = oracleData(Math.round(rows / 5), 2).data;
	const test = oracleData(100_000, 3);
	const fits = new Map<string, number[]>();
	const results = new Map<string, { trees: number; auc: number }>();
	for (let round = 0; round < Math.max(1, Number(values.repeat)); round++) {
		for (const [name, options] of Object.entries(SETTINGS)) {
			const started = process.hrtime.bigint();
			const model = await trainGbdt(train, { ...options, threads: 2 }, { seed: 1, validation });
			fits.set(name, [...(fits.get(name) ?? []), Number(process.hrtime.bigint() - started) / 1e9]);
			results.set(name, { trees: model.trees.length, auc: auc(test.data.label, model.predictRaw(test.data)) });
		}
	}
	console.log(
		`${rows.toLocaleString('en-US')} training rows, ${validation.rows.toLocaleString('en-US')} validation (early stopping ${defaultGbdtOptions.earlyStoppingRounds} rounds), 100,000 test rows; oracle AUC ${auc(test.data.label, test.probability).toFixed(4)}`,
	);
	for (const [name, runs] of fits) {
		const result = results.get(name) as { trees: number; auc: number };
		console.log(
			`  ${name.padEnd(34)} fit ${Math.min(...runs).toFixed(2)} s (runs ${runs.map((r) => r.toFixed(2)).join(', ')})  trees ${String(result.trees).padStart(4)}  test AUC ${result.auc.toFixed(4)}`,
		);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
