/**
 * Train Model plumbing: the goal and events of the item (or, in table mode, its profile table),
 * the options as the core's training settings, the model saved by name, and the output item:
 * metrics and summary as JSON, the model JSON and (for events) the HTML report as binary data
 * (the input's binary data kept alongside).
 */
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import {
	InputError,
	type LoadReport,
	parseMemoryBudget,
	type LoadSummary,
	type Model,
	type ModelVersionInfo,
	saveModel,
	trainInWarehouse,
	trainModel,
	type TrainSettings,
	type TrainSummary,
	trainTable,
	type TableTrainSettings,
} from '../../../../core';
import { eventsOfItem, textBinary } from '../../shared/binary';
import { boundariesOf } from '../../shared/buckets';
import { workHooksOf } from '../../shared/hooks';
import { withStore } from '../../shared/store';
import { jsonParameter } from '../../shared/json';
import { columnList, tableOfItem, tableOfItems } from '../../shared/table';
import { warehouseOfItem } from '../../shared/warehouse';

interface TrainOptions {
	asOf?: string;
	eventsBinaryPropertyName?: string;
	mediumFrom?: number;
	highFrom?: number;
	maxExamples?: number;
	memoryBudgetMb?: number;
	minPositives?: number;
	minNegatives?: number;
	modelBinaryPropertyName?: string;
	reportBinaryPropertyName?: string;
	seed?: number;
}

/** The goal to train: the item's `goal` (from Define Goal) or the JSON parameter. */
function goalOf(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): unknown {
	if (ctx.getNodeParameter('goalSource', itemIndex, 'input') === 'json') return jsonParameter(ctx.getNodeParameter('goalJson', itemIndex), 'The goal JSON');
	const goal = item.json.goal;
	if (goal === undefined || goal === null) {
		throw new InputError(
			`Item ${itemIndex + 1} has no goal field. Put Define Goal before Train Model, or set Goal to JSON and give the goal here.`,
			'missing-goal',
		);
	}
	return goal;
}

/** The load's summary and report when the item came from Load Events (for the report's data-quality section). */
function loadOf(json: IDataObject): TrainSettings['load'] {
	const summary = json.summary as LoadSummary | undefined;
	if (!summary || typeof summary !== 'object' || typeof summary.events !== 'number') return undefined;
	const report = json.report as LoadReport | undefined;
	return report && typeof report === 'object' && typeof report.rowsRead === 'number' ? { summary, report } : { summary };
}

/** Minimums from the options, else those Define Goal judged readiness with. */
function minimumOf(option: number | undefined, json: IDataObject, key: 'positives' | 'negatives'): number | undefined {
	if (option !== undefined) return option;
	const minimums = (json.readiness as { minimums?: Record<string, unknown> } | null | undefined)?.minimums;
	return typeof minimums?.[key] === 'number' ? (minimums[key] as number) : undefined;
}

/** Trains on one item and returns its output item. */
export async function trainForItem(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): Promise<INodeExecutionData> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as TrainOptions;
	if (ctx.getNodeParameter('trainOn', itemIndex, 'events') === 'table') return trainOnTableItem(ctx, item, itemIndex, options);
	const goal = goalOf(ctx, item, itemIndex);
	const hooks = workHooksOf(ctx);
	const settings: TrainSettings = {
		name: (ctx.getNodeParameter('modelName', itemIndex, '') as string).trim() || undefined,
		learner: ctx.getNodeParameter('learner', itemIndex, 'auto') as string,
		seed: options.seed,
		asOf: options.asOf || undefined,
		now: Date.now(),
		minPositives: minimumOf(options.minPositives, item.json, 'positives'),
		minNegatives: minimumOf(options.minNegatives, item.json, 'negatives'),
		boundaries: boundariesOf(options),
		maxExamples: options.maxExamples,
		memoryBudgetMb: parseMemoryBudget(options.memoryBudgetMb, 'The Memory Budget (MB) option'),
	};
	// A table in place: the examples are computed in the warehouse, only they come back.
	const warehouse = await warehouseOfItem(ctx, item, itemIndex);
	const outcome = warehouse
		? await trainInWarehouse(warehouse.source, warehouse.mapping, goal, settings, hooks)
		: await trainModel(
				await eventsOfItem(ctx, item, itemIndex, options.eventsBinaryPropertyName?.trim() || 'events'),
				goal,
				{ ...settings, load: loadOf(item.json) },
				hooks,
			);
	const where = warehouse ? { workRanIn: warehouse.where, warehouse: item.json.warehouse } : {};
	const reportProperty = options.reportBinaryPropertyName?.trim() || 'report';
	return trainedItem(ctx, item, itemIndex, options, outcome, { readiness: outcome.readiness, ...where } as IDataObject, {
		[reportProperty]: await textBinary(ctx, outcome.reportHtml, 'report.html', 'text/html'),
	});
}

/** Trains on the profile table in the item's binary data (table mode) and returns its output item. */
async function trainOnTableItem(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, options: TrainOptions): Promise<INodeExecutionData> {
	const outcome = await trainTable(await tableOfItem(ctx, item, itemIndex), tableSettingsOf(ctx, itemIndex, options), workHooksOf(ctx));
	return trainedItem(ctx, item, itemIndex, options, outcome, {}, {});
}

/** Trains on the input items as one profile table (each item's JSON a row) and returns the one output item. */
export async function trainOnItems(ctx: IExecuteFunctions, items: readonly INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const options = ctx.getNodeParameter('options', 0, {}) as TrainOptions;
	const outcome = await trainTable(tableOfItems(items), tableSettingsOf(ctx, 0, options), workHooksOf(ctx));
	const trained = await trainedItem(ctx, { json: {} }, 0, options, outcome, {}, {});
	return [{ ...trained, pairedItem: items.map((_, item) => ({ item })) }];
}

/** The table-mode parameters as the core's table training settings. */
function tableSettingsOf(ctx: IExecuteFunctions, itemIndex: number, options: TrainOptions): TableTrainSettings {
	return {
		label: String(ctx.getNodeParameter('labelColumn', itemIndex, '')).trim(),
		id: String(ctx.getNodeParameter('idColumn', itemIndex, '')).trim() || undefined,
		ignore: columnList(ctx.getNodeParameter('ignoreColumns', itemIndex, '')),
		name: (ctx.getNodeParameter('modelName', itemIndex, '') as string).trim() || undefined,
		learner: ctx.getNodeParameter('learner', itemIndex, 'auto') as string,
		seed: options.seed,
	};
}

/** Saves the model (when asked), warns of a poor one, and shapes the output item: the summary, the model file, the input's binary data kept. */
async function trainedItem(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	options: TrainOptions,
	outcome: { readonly model: Model; readonly modelText: string; readonly summary: TrainSummary },
	json: IDataObject,
	binary: Record<string, IBinaryData>,
): Promise<INodeExecutionData> {
	let saved: (ModelVersionInfo & { location: string }) | null = null;
	if (ctx.getNodeParameter('saveToStore', itemIndex, true) as boolean) {
		saved = await withStore(ctx, itemIndex, async (store) => ({ ...(await saveModel(store, outcome.model, outcome.modelText)), location: store.location }));
		ctx.logger.info(`${ctx.getNode().name}: saved model "${saved.name}" version ${saved.version} in ${saved.location}`);
	}
	const summary = outcome.summary;
	if (summary.poor) {
		ctx.addExecutionHints({
			message: `The model "${summary.name}" is graded ${summary.grade}${summary.auc === null ? '' : ` (validation AUC ${summary.auc.toFixed(3)})`}: its scores may mislead. ${summary.advice.join(' ')}`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	const modelProperty = options.modelBinaryPropertyName?.trim() || 'model';
	return {
		json: { ...summary, saved, ...json } as unknown as IDataObject,
		binary: {
			...(item.binary ?? {}),
			[modelProperty]: await textBinary(ctx, outcome.modelText, 'model.json', 'application/json'),
			...binary,
		},
		pairedItem: { item: itemIndex },
	};
}
