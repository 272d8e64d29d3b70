/**
 * The warehouse path of the pipeline: the goal check, readiness, feature declaration and the
 * training examples all computed by SQL where the events are; only the examples (one row per
 * eligible profile and cutoff) come back, and the model is then built exactly as for events
 * in memory (trainOnExamples), so the same events give the same model bytes.
 */
import { InputError } from '../errors';
import type { MappingOptions } from '../events/mapping';
import { type DataRange, checkAsOf, planCutoffsInRange } from '../features/cutoffs';
import type { CutoffCounts } from '../features/examples';
import { declareFeatures } from '../features/generate';
import { buildWarehouseExamples, judgeWarehouseCutoffs, warehouseDataRange, warehouseEventTypes } from '../features/sql';
import { checkGoalAgainstData, goalDataProblems } from '../goal/check';
import { describeGoal } from '../goal/describe';
import { parseGoal } from '../goal/parse';
import { type ReadinessData, type ReadinessReport, assessReadinessOf } from '../goal/readiness';
import type { Goal } from '../goal/schema';
import { type ReadinessSettings, type TrainOutcome, type TrainSettings, parseMoment, refuseUnready, trainOnExamples } from '../pipeline';
import { parseLearnerChoice } from '../learn/train';
import type { WorkHooks } from '../util/progress';
import { type WarehouseClient, openEvents } from './client';
import { SqlValues } from './dialect';
import { compareStrings } from '../events/table';
import type { EventActivity } from '../monitor/reference';
import type { EventColumns } from './columns';
import type { WarehouseSource } from './source';
import { shapeTable, warehouseFeatureStats, warehouseTypes } from './stats';

/** Runs `work` with an open connection and the table's columns, closing it after. */
export async function withWarehouse<T>(source: WarehouseSource, mapping: MappingOptions | undefined, work: (client: WarehouseClient, columns: EventColumns) => Promise<T>): Promise<T> {
	const { client, columns } = await openEvents(source, mapping);
	try {
		return await work(client, columns);
	} finally {
		await client.close();
	}
}

/** Readiness data counted in the warehouse: what assessReadiness reads of a table. */
async function warehouseReadinessData(client: WarehouseClient, columns: EventColumns, goal: Goal, asOf: number | undefined): Promise<ReadinessData> {
	const table = shapeTable(columns, await warehouseTypes(client, columns));
	const mismatches = goalDataProblems(goal, table);
	const range = await warehouseDataRange(client, columns, asOf);
	let planned: number[] | undefined;
	let planError: unknown;
	try {
		planned = planCutoffsInRange(range, goal, { asOf });
	} catch (error) {
		planError = error;
	}
	const counts: CutoffCounts[] = planned && mismatches.length === 0 ? await judgeWarehouseCutoffs(client, columns, goal, planned) : [];
	const allTypes = await warehouseEventTypes(client, columns, { ...goal, exclusions: [] });
	const keptTypes = mismatches.length === 0 ? await warehouseEventTypes(client, columns, goal) : allTypes;
	const distinct = await distinctValues(client, columns, goal);
	return {
		range,
		mismatches,
		cutoffs: () => {
			if (!planned) throw planError;
			return planned;
		},
		judge: () => counts,
		typeVolumes: (forGoal) => (forGoal ? keptTypes : allTypes),
		distinctValues: (field) => distinct.get(field),
	};
}

/** Distinct values of the goal's text profile attributes (an identifier-like one gets a warning). */
async function distinctValues(client: WarehouseClient, columns: EventColumns, goal: Goal): Promise<Map<string, number>> {
	const fields = goal.profileAttributes.map((attribute) => columns.attributes.find((candidate) => candidate.name === attribute.field && candidate.kind === 'category')).filter((a) => a !== undefined);
	const out = new Map<string, number>();
	if (fields.length === 0) return out;
	const [row] = await client.rows(`SELECT ${fields.map((field, i) => `${columns.dialect.countDistinct(field.expr)} AS d${i}`).join(', ')} FROM ${columns.table} WHERE ${columns.valid}`, []);
	fields.forEach((field, i) => out.set(field.name, Number(row[`d${i}`])));
	return out;
}

/** Checks the goal against the warehouse's fields and types and assesses readiness there. */
export async function assessWarehouse(client: WarehouseClient, columns: EventColumns, goalInput: unknown, settings: ReadinessSettings = {}): Promise<{ goal: Goal; inWords: string; readiness: ReadinessReport }> {
	const goal = parseGoal(goalInput);
	checkGoalAgainstData(goal, shapeTable(columns, await warehouseTypes(client, columns)));
	const asOf = parseMoment(settings.asOf);
	checkAsOf(asOf);
	const data = await warehouseReadinessData(client, columns, goal, asOf);
	const readiness = assessReadinessOf(data, goal, { asOf, minPositives: settings.minPositives, minNegatives: settings.minNegatives });
	return { goal, inWords: describeGoal(goal), readiness };
}

/**
 * Trains a model on a warehouse table: the same model (trees, calibration, report) as
 * trainModel on the same events loaded into memory.
 */
export async function trainWarehouse(client: WarehouseClient, columns: EventColumns, goalInput: unknown, settings: TrainSettings = {}, hooks?: WorkHooks): Promise<TrainOutcome> {
	parseLearnerChoice(settings.learner ?? 'auto');
	const { goal, readiness } = await assessWarehouse(client, columns, goalInput, settings);
	refuseUnready(goal, readiness);
	const asOf = parseMoment(settings.asOf);
	const declarations = declareFeatures(await warehouseFeatureStats(client, columns, goal, { asOf }), goal, { asOf });
	const range: DataRange | undefined = await warehouseDataRange(client, columns, asOf);
	const cutoffs = planCutoffsInRange(range, goal, { asOf });
	hooks?.onProgress?.({ stage: 'computing features in the warehouse', done: 0, total: cutoffs.length, unit: 'cutoffs' });
	const examples = await buildWarehouseExamples(client, columns, goal, declarations, cutoffs);
	if (examples.data.rows === 0) throw new InputError(`No profile is eligible at any cutoff in ${client.source.table}.`, 'no-examples');
	const last = cutoffs[cutoffs.length - 1];
	const activity = await warehouseActivity(client, columns, last, range?.end ?? last);
	return trainOnExamples({ goal, readiness, declarations, examples, range, asOf, activity }, settings, hooks);
}

/** As tableActivity: profiles with an event by the cutoff, event types by the end (every event counts). */
async function warehouseActivity(client: WarehouseClient, columns: EventColumns, cutoff: number, end: number): Promise<EventActivity> {
	const values = new SqlValues(columns.dialect);
	const [row] = await client.rows(`SELECT ${columns.dialect.countDistinct(columns.profile)} AS n FROM ${columns.table} WHERE ${columns.valid} AND ${columns.timeMs} <= ${values.value(cutoff)}`, values.params);
	const typeValues = new SqlValues(columns.dialect);
	const types = await client.rows(`SELECT DISTINCT ${columns.eventType} AS type FROM ${columns.table} WHERE ${columns.valid} AND ${columns.timeMs} <= ${typeValues.value(end)}`, typeValues.params);
	return { activeProfiles: Number(row.n), eventTypes: types.map((entry) => String(entry.type)).sort(compareStrings) };
}
