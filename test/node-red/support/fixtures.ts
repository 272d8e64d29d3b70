/**
 * Shared data for the Node-RED suites: simulated shop events written once per run, loaded
 * once, and a model trained once on them, so each suite tests its node rather than waiting
 * for the steps before it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadEvents, trainModel, type LoadResult, type TrainOutcome } from '../../../core/pipeline';
import type { GoalInput } from '../../../core/goal/schema';
import { writeSimulation } from '../../../core/simulate';

/** test-output/node-red at the repository root (tests run from dist/test/node-red/support). */
export const outputDir = path.resolve(__dirname, '../../../../test-output/node-red');

/** A fresh, empty folder under test-output/node-red. */
export function freshDir(name: string): string {
	const dir = path.join(outputDir, name);
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

export const purchaseGoal: GoalInput = {
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 45 }] },
};

/** Readiness minimums low enough for the small simulated shop. */
export const smallMinimums = { minPositives: 50, minNegatives: 50 };

let events: Promise<{ file: string; loaded: LoadResult }> | undefined;
let model: Promise<TrainOutcome> | undefined;

/** 1,500 simulated customers (about 59,000 events) as a CSV file, and loaded. */
export function simulatedEvents(): Promise<{ file: string; loaded: LoadResult }> {
	events ??= (async () => {
		fs.mkdirSync(outputDir, { recursive: true });
		const file = path.join(outputDir, 'shop-1500.csv');
		await writeSimulation({ profiles: 1500, seed: 7, format: 'csv', out: file });
		return { file, loaded: await loadEvents({ kind: 'file', path: file }) };
	})();
	return events;
}

/** A gradient-boosted model of the purchase goal on the simulated events. */
export function trainedModel(): Promise<TrainOutcome> {
	model ??= simulatedEvents().then(({ loaded }) => trainModel(loaded.table, purchaseGoal, { learner: 'gbdt', ...smallMinimums }));
	return model;
}
