/**
 * Monitor Model plumbing: the item's events and the model name as the core's monitoring call,
 * the verdict shown as a hint, the result as JSON and the report as binary data.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { InputError, monitorModel, renderMonitorReport } from '../../../../core';
import { eventsOfItem, textBinary } from '../../shared/binary';
import { workHooksOf } from '../../shared/hooks';
import { jsonParameter } from '../../shared/json';
import { withStore } from '../../shared/store';

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
	const table = await eventsOfItem(ctx, item, itemIndex, options.eventsBinaryPropertyName?.trim() || 'events');
	const result = await withStore(ctx, itemIndex, (store) => monitorModel(store, name, table, { run, thresholds }, workHooksOf(ctx)));
	const { status, reasons } = result.verdict;
	ctx.addExecutionHints({ message: `"${name}": ${status}. ${reasons.join(' ')}`, type: hintType[status], location: 'outputPane' });
	ctx.logger.info(`${ctx.getNode().name}: "${name}" is ${status} (${result.counts.backtested} runs backtested, ${result.counts.pending} pending)`);
	return {
		json: { ...result, verdict: status, reasons } as unknown as IDataObject,
		// The input's binary data (the events) stays, so a retrain can follow on the same item.
		binary: {
			...(item.binary ?? {}),
			[options.reportBinaryPropertyName?.trim() || 'report']: await textBinary(ctx, renderMonitorReport(result), 'model-health.html', 'text/html'),
		},
		pairedItem: { item: itemIndex },
	};
}
