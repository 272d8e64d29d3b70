/**
 * Monitoring on events in a warehouse: Monitor Model's backtests judged where the events are.
 * A run scored into the warehouse kept its rows in the scores table, so they are read from
 * there (the table's history: one run among the runs appended); a run scored in process kept
 * them in the store. Either way the outcome of each scored profile at the score date is judged
 * by SQL, with the same rules as training (buildWarehouseExamples' labels), and only the ids
 * and labels of the eligible profiles come back, never the events.
 */
import { InputError } from '../errors';
import { bucketNames, type MonitorEvents, type RunOutcomes } from '../monitor/backtest';
import type { Bucket } from '../score/types';
import type { ScoringRunRecord } from '../store/runs';
import type { WarehouseClient } from './client';
import type { EventColumns } from './columns';
import { SqlValues, dialectOf } from './dialect';
import { buildWarehouseExamples, numberOf, warehouseDataRange } from './examples';
import { describeScoresTable, runCondition, scoresTableChoice, scoresTableName, scoresTableText } from './scores';
import { withThousands } from '../util/counts';

/** The events of a warehouse table, for monitorRuns. */
export async function warehouseEvents(client: WarehouseClient, columns: EventColumns): Promise<MonitorEvents> {
	const range = await warehouseDataRange(client, columns);
	return {
		range,
		async outcomes(record, goal, scoreDate) {
			const judged = await buildWarehouseExamples(client, columns, goal, [], [scoreDate]);
			const labelOf = new Map(judged.profileIds.map((id, r) => [id, judged.data.label[r]]));
			const outcomes = new OutcomeCollector(labelOf);
			if (record.warehouse) await eachWarehouseScore(client, record, (id, probability, bucket) => outcomes.add(id, probability, bucket));
			else for (let i = 0; i < record.scored; i++) outcomes.add(record.profileId[i], record.probability[i], bucketNames[record.bucket[i]]);
			const notJudged = outcomes.unjudged;
			// Of the scored profiles not eligible now, those with no event at all have vanished.
			const vanished = notJudged.length === 0 ? 0 : await absentProfiles(client, columns, notJudged);
			return outcomes.result(vanished);
		},
	};
}

/** Collects the judged profiles in the run's order; keeps the ids of the others to tell vanished from no longer eligible. */
class OutcomeCollector {
	readonly labels: number[] = [];
	readonly probability: number[] = [];
	readonly bucket: Bucket[] = [];
	readonly unjudged: string[] = [];

	constructor(private readonly labelOf: ReadonlyMap<string, number>) {}

	add(id: string, probability: number, bucket: Bucket): void {
		const label = this.labelOf.get(id);
		if (label === undefined) {
			this.unjudged.push(id);
			return;
		}
		this.labels.push(label);
		this.probability.push(probability);
		this.bucket.push(bucket);
	}

	result(vanished: number): RunOutcomes {
		return { labels: this.labels, probability: this.probability, bucket: this.bucket, vanished, noLongerEligible: this.unjudged.length - vanished };
	}
}

/** Streams one run's rows out of its scores table, in profile order. */
async function eachWarehouseScore(
	client: WarehouseClient,
	record: ScoringRunRecord,
	onRow: (id: string, probability: number, bucket: Bucket) => void,
): Promise<void> {
	const part = record.warehouse;
	if (!part) throw new Error('eachWarehouseScore: a run kept in a warehouse is needed');
	const target = scoresTableName(client.source, part.scoresTable);
	const here = describeScoresTable(client.source, target);
	if (here !== part.location)
		throw new InputError(
			`The run of ${record.scoreDate} was scored into ${part.location}, but the events given are in another warehouse or database (${here}): backtest it with the events of the warehouse that holds its scores.`,
			'warehouse-run',
		);
	const values = new SqlValues(dialectOf(client.source.engine));
	const key = { modelName: record.model, modelVersion: record.modelVersion, scoreDate: record.scoreDate };
	const where = `when reading the run of ${record.scoreDate} from ${part.location}`;
	let rows = 0;
	// Read by position: no object per row, and a value that is not a score names its row and column.
	await client.eachCells(
		`SELECT profile_id, probability, bucket FROM ${target.quoted} WHERE ${runCondition(values, key)} ORDER BY profile_id`,
		values.params,
		where,
		(cells) => {
			onRow(scoresTableText(cells, 0, 'profile_id', where), cells.number(1), scoresTableChoice(cells, 2, 'bucket', where));
			rows++;
		},
	);
	if (rows !== record.scored)
		throw new InputError(
			`The scores table holds ${withThousands(rows)} rows of the run of ${record.scoreDate}, where the run scored ${withThousands(record.scored)} ${where}: the run was written again or deleted since it was remembered. Score again to remember a new run.`,
			'warehouse-run',
		);
}

/** How many of these profile ids have no event at all in the table. */
async function absentProfiles(client: WarehouseClient, columns: EventColumns, ids: readonly string[]): Promise<number> {
	let absent = 0;
	// In slices, so no statement grows past the engines' query size limits.
	for (let from = 0; from < ids.length; from += 5_000) {
		const slice = ids.slice(from, from + 5_000);
		const values = new SqlValues(columns.dialect);
		const list = slice.map((id) => values.value(id)).join(', ');
		const [row] = await client.rows(
			`SELECT count(DISTINCT ${columns.profile}) AS n FROM ${columns.table} WHERE ${columns.valid} AND ${columns.profile} IN (${list})`,
			values.params,
		);
		absent += slice.length - numberOf(row, 'n', 'when counting the scored profiles still in the events');
	}
	return absent;
}
