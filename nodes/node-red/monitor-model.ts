/**
 * Node "propensity-monitor-model": how a model saved in the store did. Backtests the scoring
 * runs Score Profiles remembered under its name against msg.events (which must reach past the
 * runs' outcome windows), measures drift since training and gives a verdict: msg.verdict
 * (healthy, watch or retrain), the figures on msg.payload, the HTML report on msg.report.
 */
import { type EventTable, InputError, monitorInWarehouse, monitorModel, renderMonitorReport } from '../../core';
import { storeNode, warehouseOfMessage, withStore } from './config';
import type { NodeAPI } from './red';
import { handleMessages, registerNode, shorten } from './run';
import { asText, eventsOf, fromMessage, overridable } from './settings';

const fill = { healthy: 'green', watch: 'yellow', retrain: 'red' } as const;

export = function register(RED: NodeAPI): void {
	registerNode(RED, 'propensity-monitor-model', (node, config) => {
		handleMessages(node, async (msg, send, { hooks }) => {
			// A table in place (msg.warehouse): the outcomes are judged there; otherwise msg.events.
			const warehouse = warehouseOfMessage(RED, msg, 'Monitor Model');
			const events = warehouse ? undefined : eventsOf(msg);
			const name = asText(
				await overridable(RED, node, msg, 'modelName', { value: config.modelName, type: config.modelNameType }, 'model name'),
				'model name',
			);
			if (!name)
				throw new InputError(
					'Monitor Model has no model name: set its Model name (or msg.modelName) to the name the model was saved under.',
					'no-model-name',
				);
			const run = asText(fromMessage(msg, 'run') ?? config.run, 'run date') || undefined;
			// msg.thresholds may be an object or JSON text (e.g. set from an environment variable); blank text means the setting.
			const given = fromMessage(msg, 'thresholds');
			const thresholds =
				typeof given === 'string'
					? parseThresholdText(given, 'msg.thresholds')
					: (given ?? parseThresholdText(config.thresholds, 'The Thresholds setting of Monitor Model'));
			const result = await withStore(storeNode(RED, config.store, 'Monitor Model'), (store) =>
				warehouse
					? monitorInWarehouse(warehouse.source, warehouse.mapping, store, name, { run, thresholds }, hooks)
					: monitorModel(store, name, events as EventTable, { run, thresholds }, hooks),
			);
			if (warehouse) msg.workRanIn = warehouse.where;
			msg.verdict = result.verdict.status;
			msg.payload = result;
			msg.report = renderMonitorReport(result);
			msg.topic = name;
			send(msg);
			return { fill: fill[result.verdict.status], shape: 'dot', text: shorten(`${result.verdict.status}: ${result.verdict.reasons[0] ?? ''}`) };
		});
	});
};

/** Thresholds given as JSON text (blank for the defaults). */
function parseThresholdText(text: unknown, what: string): unknown {
	if (typeof text !== 'string' || text.trim() === '') return undefined;
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new InputError(
			`${what} is not JSON (${(error as Error).message}): give e.g. {"scorePsiRetrain": 0.3}, or leave it blank for the defaults.`,
			'bad-thresholds',
		);
	}
}
