/**
 * Score Profiles plumbing: the item's events (or, in table mode, its profile table) and the
 * model (from the store by name, or from a binary field), the options as the core's score
 * settings, and the output: one item per scored profile, or above the item limit a summary
 * item with every score in a CSV or NDJSON file.
 */
import { Readable } from 'node:stream';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import {
	loadModel,
	type Model,
	rememberScoringRun,
	scoreInWarehouse,
	scoreLines,
	scoreProfiles,
	scoringReport,
	type ScoreRun,
	type ScoresFormat,
	scoreTable,
	type Store,
	scoreTableSummary,
	tableScoresCsv,
	type TableSource,
	withThousands,
} from '../../../../core';
import { attachRunReport, eventsOfItem, modelOfItem, textBinary } from '../../shared/binary';
import { boundariesOf } from '../../shared/buckets';
import { workHooksOf } from '../../shared/hooks';
import { modelVersionOf } from '../../shared/model';
import { withStore } from '../../shared/store';
import { tableOfItem, tableOfItems } from '../../shared/table';
import { scoresTableOf, warehouseOfItem } from '../../shared/warehouse';

interface ScoreOptions {
	attributes?: string;
	eventsBinaryPropertyName?: string;
	fileFormat?: ScoresFormat;
	mediumFrom?: number;
	highFrom?: number;
	includeAttributes?: boolean;
	includeFeatures?: boolean;
	keepRuns?: number;
	outputBinaryPropertyName?: string;
	reportBinaryPropertyName?: string;
	spreadsheetSafe?: boolean;
	topFactors?: number;
}

/** A model with the store version it came from (null when it came from a binary field). */
export interface FoundModel {
	readonly model: Model;
	readonly version: number | null;
}

/** Models already read in this execution, by where they came from, so items sharing one read it once. */
export class ModelCache {
	private readonly models = new Map<string, Promise<FoundModel>>();

	get(key: string, load: () => Promise<FoundModel>): Promise<FoundModel> {
		let found = this.models.get(key);
		if (!found) {
			found = load();
			this.models.set(key, found);
			// A failed read is not remembered: the next item tries again and reports its own error.
			found.catch(() => this.models.delete(key));
		}
		return found;
	}
}

/** The model an item's parameters name: from the store by name and version, or from its binary field. */
export async function modelForItem(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, models: ModelCache): Promise<FoundModel> {
	if (ctx.getNodeParameter('modelSource', itemIndex, 'store') === 'binary') {
		const property = (ctx.getNodeParameter('modelBinaryPropertyName', itemIndex, 'model') as string).trim() || 'model';
		return { model: await modelOfItem(ctx, item, itemIndex, property), version: null };
	}
	const name = (ctx.getNodeParameter('modelName', itemIndex, '') as string).trim();
	const version = modelVersionOf(ctx.getNodeParameter('modelVersion', itemIndex, 'latest'), name);
	return models.get(`${name}@${version}`, () =>
		withStore(ctx, itemIndex, async (store) => {
			const { model, info } = await loadModel(store, name, version);
			return { model, version: info.version };
		}),
	);
}

function attributesOf(options: ScoreOptions): string[] | undefined {
	if (options.includeAttributes === false) return [];
	const names = (options.attributes ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
	return names.length ? names : undefined;
}

/** Scores the item's events and returns its output items. */
export async function scoreForItem(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, models: ModelCache): Promise<INodeExecutionData[]> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as ScoreOptions;
	if (ctx.getNodeParameter('scoreFrom', itemIndex, 'events') === 'table') return scoreTableItem(ctx, item, itemIndex, models, options);
	// A table in place: scored there, one row per profile appended to a scores table beside the events.
	const warehouse = await warehouseOfItem(ctx, item, itemIndex);
	if (warehouse) {
		const { model, version } = await modelForItem(ctx, item, itemIndex, models);
		const asOf = String(ctx.getNodeParameter('asOf', itemIndex, '') ?? '').trim();
		const scoresTable = scoresTableOf(ctx, itemIndex);
		const settings = { scoresTable, asOf: asOf || undefined, boundaries: boundariesOf(options), modelVersion: version, keepRuns: options.keepRuns };
		const score = (store?: Store) => scoreInWarehouse(warehouse.source, warehouse.mapping, model, { ...settings, store }, workHooksOf(ctx));
		// With the model from the store, the run is remembered there for Monitor Model (its rows stay in the scores table).
		const summary = ctx.getNodeParameter('modelSource', itemIndex, 'store') === 'store' ? await withStore(ctx, itemIndex, score) : await score();
		ctx.logger.info(`${ctx.getNode().name}: scored ${withThousands(summary.scored)} profiles in ${warehouse.where} into ${summary.scoresTable}`);
		return [
			{ json: { ...summary, workRanIn: warehouse.where, warehouse: item.json.warehouse } as unknown as IDataObject, pairedItem: { item: itemIndex } },
		];
	}
	const table = await eventsOfItem(ctx, item, itemIndex, options.eventsBinaryPropertyName?.trim() || 'events');
	const { model, version } = await modelForItem(ctx, item, itemIndex, models);
	const hooks = workHooksOf(ctx);
	const asOf = String(ctx.getNodeParameter('asOf', itemIndex, '') ?? '').trim();
	const run = await scoreProfiles(
		table,
		model,
		{
			asOf: asOf || undefined,
			now: Date.now(),
			boundaries: boundariesOf(options),
			explain: options.topFactors ?? 0,
			includeFeatures: options.includeFeatures ?? true,
			attributes: attributesOf(options),
			modelVersion: version,
		},
		hooks,
	);
	if (ctx.getNodeParameter('modelSource', itemIndex, 'store') === 'store') {
		// Remembered in the store the model came from, for Monitor Model's backtests.
		await withStore(ctx, itemIndex, (store) => rememberScoringRun(store, table, model, run, options.keepRuns));
	}
	const summary = run.summary;
	ctx.logger.info(
		`${ctx.getNode().name}: scored ${withThousands(summary.scored)} of ${withThousands(summary.profilesInData)} profiles with "${summary.model.name}" as of ${summary.scoreDate}`,
	);
	if (summary.scored === 0) {
		ctx.addExecutionHints({
			message: `No profile was scored: none of the ${withThousands(summary.profilesInData)} profiles is eligible for "${summary.model.name}" as of ${summary.scoreDate}. Check the As-Of Date and the goal's eligibility (e.g. active within N days).`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	for (const warning of summary.warnings) ctx.addExecutionHints({ message: warning, type: 'warning', location: 'outputPane' });
	const limit = ctx.getNodeParameter('itemLimit', itemIndex, 10000) as number;
	if (run.count > 0 && run.count > limit) return [await scoresFileItem(ctx, run, options, itemIndex, limit)];
	const profiles = await run.all(hooks);
	const items = profiles.map((profile): INodeExecutionData => ({ json: profile as unknown as IDataObject, pairedItem: { item: itemIndex } }));
	const reportField = options.reportBinaryPropertyName?.trim();
	if (reportField) await attachRunReport(ctx, items, reportField, scoringReport({ profiles, model, version, boundaries: boundariesOf(options) }));
	return items;
}

/**
 * Scores the profile table in the item's binary data (table mode): one item per row, or above
 * the item limit one summary item with every score in a CSV file.
 */
async function scoreTableItem(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	models: ModelCache,
	options: ScoreOptions,
): Promise<INodeExecutionData[]> {
	const source = await tableOfItem(ctx, item, itemIndex);
	return scoredTableItems(ctx, source, item, itemIndex, models, options, () => ({ item: itemIndex }));
}

/**
 * Scores the input items as one profile table (each item's JSON a row): one item per row,
 * paired with the item it came from, or above the item limit one summary item with a CSV file.
 */
export async function scoreItems(ctx: IExecuteFunctions, items: readonly INodeExecutionData[], models: ModelCache): Promise<INodeExecutionData[]> {
	const options = ctx.getNodeParameter('options', 0, {}) as ScoreOptions;
	return scoredTableItems(ctx, tableOfItems(items), items[0], 0, models, options, (row) =>
		row === undefined ? items.map((_, item) => ({ item })) : { item: row },
	);
}

/** Scores a table with the model the item (or the node) names, and shapes the output items; `paired` pairs a row's item, or the summary item. */
async function scoredTableItems(
	ctx: IExecuteFunctions,
	source: TableSource & { readonly name: string },
	item: INodeExecutionData,
	itemIndex: number,
	models: ModelCache,
	options: ScoreOptions,
	paired: (row?: number) => IPairedItemData | IPairedItemData[],
): Promise<INodeExecutionData[]> {
	const { model, version } = await modelForItem(ctx, item, itemIndex, models);
	const id = String(ctx.getNodeParameter('idColumn', itemIndex, '')).trim() || undefined;
	const scores = await scoreTable(source, model, { id, boundaries: boundariesOf(options) }, workHooksOf(ctx));
	const summary = scoreTableSummary(scores, model, version);
	ctx.logger.info(`${ctx.getNode().name}: scored ${withThousands(summary.scored)} rows of ${source.name} with "${model.name}"`);
	const limit = ctx.getNodeParameter('itemLimit', itemIndex, 10000) as number;
	if (scores.rows.length > 0 && scores.rows.length > limit) {
		const fileName = 'scores.csv';
		ctx.addExecutionHints({
			message: `${withThousands(scores.rows.length)} rows were scored, more than the item limit (${withThousands(limit)}): every score is in the binary file ${fileName} instead of one item each.`,
			type: 'info',
			location: 'outputPane',
		});
		return [
			{
				json: { ...summary, file: { fileName, format: 'csv', profiles: scores.rows.length } } as unknown as IDataObject,
				binary: { [options.outputBinaryPropertyName?.trim() || 'scores']: await textBinary(ctx, tableScoresCsv(scores), fileName, 'text/csv') },
				pairedItem: paired(),
			},
		];
	}
	return scores.rows.map((row, r) => ({ json: { ...row } as unknown as IDataObject, pairedItem: paired(r) }));
}

/** One item with the run's summary, every score streamed into a binary CSV or NDJSON file. */
async function scoresFileItem(ctx: IExecuteFunctions, run: ScoreRun, options: ScoreOptions, itemIndex: number, limit: number): Promise<INodeExecutionData> {
	const format = options.fileFormat ?? 'csv';
	const fileName = `scores.${format}`;
	const layout = { factors: options.topFactors ?? 0, attributes: run.summary.attributes, spreadsheetSafe: options.spreadsheetSafe === true };
	const lines = Readable.from(scoreLines(run.batches(4096, workHooksOf(ctx)), format, layout));
	const binary = await ctx.helpers.prepareBinaryData(lines, fileName, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
	ctx.addExecutionHints({
		message: `${withThousands(run.count)} profiles were scored, more than the item limit (${withThousands(limit)}): every score is in the binary file ${fileName} instead of one item each.`,
		type: 'info',
		location: 'outputPane',
	});
	return {
		json: { ...run.summary, file: { fileName, format, profiles: run.count } } as unknown as IDataObject,
		binary: { [options.outputBinaryPropertyName?.trim() || 'scores']: binary },
		pairedItem: { item: itemIndex },
	};
}
