/**
 * Monitor Model plumbing: the item's events (or the table in place it refers to) and the model
 * name as the core's monitoring call,
 * the verdict shown as a hint, the result as JSON and the report as binary data.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { InputError, monitorInWarehouse, monitorModel, renderMonitorReport } from '../../../../core';
import { eventsOfItem, textBinary } from '../../shared/binary';
import { workHooksOf } from '../../shared/hooks';
import { jsonParameter } from '../../shared/json';
import { withStore } from '../../shared/store';
import { warehouseOfItem } from '../../shared/warehouse';

interface MonitorOptions {
	eventsBinaryPropertyName?: string;
	reportBinaryPropertyName?: string;
	thresholds?: string | object;
}

const hintType = { healthy: 'info', watch: 'warning', retrain: 'danger' } as const;

export async function monitorForItem(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): Promise<INodeExecutionData> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as MonitorOptions;
	const name = String(ctx.getNodeParameter('modelName', itemIndex, '') ?? '').trim();
	if (!name) throw new InputError('Monitor Model has no model name: set Model Name to the name Train Model saved the model under.', 'no-model-name');
	const run = String(ctx.getNodeParameter('run', itemIndex, '') ?? '').trim() || undefined;
	const thresholds = options.thresholds === undefined ? undefined : jsonParameter(options.thresholds, 'Thresholds (JSON)');
	// A table in place: the outcomes are judged there, and runs scored into it are read back from its scores table.
	const warehouse = await warehouseOfItem(ctx, item, itemIndex);
	const settings = { run, thresholds };
	const result = warehouse
		? await withStore(ctx, itemIndex, (store) => monitorInWarehouse(warehouse.source, warehouse.mapping, store, name, settings, workHooksOf(ctx)))
		: await withStore(ctx, itemIndex, async (store) =>
				monitorModel(
					store,
					name,
					await eventsOfItem(ctx, item, itemIndex, options.eventsBinaryPropertyName?.trim() || 'events'),
					settings,
					workHooksOf(ctx),
				),
			);
	const { status, reasons } = result.verdict;
	ctx.addExecutionHints({ message: `"${name}": ${status}. ${reasons.join(' ')}`, type: hintType[status], location: 'outputPane' });
	ctx.logger.info(`${ctx.getNode().name}: "${name}" is ${status} (${result.counts.backtested} runs backtested, ${result.counts.pending} pending)`);
	return {
		json: { ...result, verdict: status, reasons, ...(warehouse ? { workRanIn: warehouse.where } : {}) } as unknown as IDataObject,
		// The input's binary data (the events) stays, so a retrain can follow on the same item.
		binary: {
			...(item.binary ?? {}),
			[options.reportBinaryPropertyName?.trim() || 'report']: await textBinary(ctx, renderMonitorReport(result), 'model-health.html', 'text/html'),
		},
		pairedItem: { item: itemIndex },
	};
}
