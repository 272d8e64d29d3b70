/**
 * Node "propensity-train-model": trains a model for msg.goal on msg.events (or, in table mode,
 * on the profile table in msg.payload), saves it under its name in the model store (when one is
 * chosen), and puts the model on msg.model, the HTML insights report on msg.report (events
 * only) and a short summary on msg.payload.
 */
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
	type TrainSummary,
	trainTable,
	type WorkHooks,
} from '../../core';
import { storeNode, warehouseOfMessage, withStore } from './config';
import type { NodeAPI, NodeMessage, NodeStatus, SendFunction } from './red';
import { handleMessages, registerNode } from './run';
import { asMoment, asText, asWholeNumber, columnList, eventsOf, fromMessage, goalOnMessage, minimums, overridable, tableOf } from './settings';

export = function register(RED: NodeAPI): void {
	registerNode(RED, 'propensity-train-model', (node, config) => {
		handleMessages(node, async (msg, send, { hooks }) => {
			if (config.trainOn === 'table') return trainOnTable(msg, send, hooks);
			// A table in place (msg.warehouse): the examples are computed in the warehouse, only they come back.
			const warehouse = warehouseOfMessage(RED, msg, 'Train Model');
			const goal = goalOnMessage(msg);
			if (goal === undefined)
				throw new InputError('The message has no msg.goal: put a Define Goal node before Train Model (it sets msg.goal).', 'no-goal');
			const name = asText(
				await overridable(RED, node, msg, 'modelName', { value: config.modelName, type: config.modelNameType }, 'model name'),
				'model name',
			);
			const asOf = asMoment(await overridable(RED, node, msg, 'asOf', { value: config.asOf, type: config.asOfType }, 'as-of date'), 'as-of date');
			const settings = {
				name,
				asOf,
				now: Date.now(),
				learner: String(config.learner || 'auto'),
				seed: asWholeNumber(fromMessage(msg, 'seed') ?? config.seed, 'seed', 0) ?? 1,
				...minimums(config),
				maxExamples: asWholeNumber(fromMessage(msg, 'maxExamples') ?? config.maxExamples, 'example cap', 2),
				memoryBudgetMb: parseMemoryBudget(fromMessage(msg, 'memoryBudgetMb') ?? config.memoryBudget, 'The memory budget (MB)'),
			};
			const outcome = warehouse
				? await trainInWarehouse(warehouse.source, warehouse.mapping, goal, settings, hooks)
				: await trainModel(eventsOf(msg), goal, { ...settings, load: loadOf(msg) }, hooks);
			if (warehouse) msg.workRanIn = warehouse.where;
			// On the message before saving: a store that fails sends it, model and report included, to a Catch node.
			msg.model = outcome.model;
			msg.report = outcome.reportHtml;
			msg.readiness = outcome.readiness;
			return saveAndSend(msg, send, outcome);
		});

		/** Table mode: trains on the profile table on the message (see tableOf). */
		async function trainOnTable(msg: NodeMessage, send: SendFunction, hooks: WorkHooks): Promise<NodeStatus> {
			const name = asText(
				await overridable(RED, node, msg, 'modelName', { value: config.modelName, type: config.modelNameType }, 'model name'),
				'model name',
			);
			const outcome = await trainTable(
				tableOf(RED, msg),
				{
					label: String(config.labelColumn ?? '').trim(),
					id: String(config.idColumn ?? '').trim() || undefined,
					ignore: columnList(config.ignoreColumns),
					name,
					learner: String(config.learner || 'auto'),
					seed: asWholeNumber(fromMessage(msg, 'seed') ?? config.seed, 'seed', 0) ?? 1,
				},
				hooks,
			);
			msg.model = outcome.model;
			return saveAndSend(msg, send, outcome);
		}

		/** Saves the model in the store (when one is chosen), sends the message with the summary, and says what to show. */
		async function saveAndSend(
			msg: NodeMessage,
			send: SendFunction,
			outcome: { readonly model: Model; readonly modelText: string; readonly summary: TrainSummary },
		): Promise<NodeStatus> {
			const saved = config.store
				? await withStore(storeNode(RED, config.store, 'Train Model'), (store) => saveModel(store, outcome.model, outcome.modelText))
				: undefined;
			msg.modelInfo = saved ?? null;
			msg.payload = { ...outcome.summary, saved: saved ? { version: saved.version, savedAt: saved.savedAt, checksum: saved.checksum } : null };
			send(msg);
			return statusOf(outcome.summary, saved);
		}
	});
};

/** What Load Events put on the message, for the report's data-quality section. */
function loadOf(msg: NodeMessage): { summary: LoadSummary; report?: LoadReport } | undefined {
	const summary = msg.loadSummary as LoadSummary | undefined;
	if (!summary || typeof summary !== 'object' || typeof summary.events !== 'number') return undefined;
	const report = msg.loadReport as LoadReport | undefined;
	return report && typeof report === 'object' && typeof report.rowsRead === 'number' ? { summary, report } : { summary };
}

function statusOf(summary: TrainSummary, saved: ModelVersionInfo | undefined): NodeStatus {
	const { auc, grade, poor } = summary;
	const quality = auc === null ? 'trained (no validation AUC)' : `AUC ${auc.toFixed(2)} (${grade})`;
	return { fill: poor ? 'yellow' : 'green', shape: 'dot', text: `${quality}${saved ? ` · saved as version ${saved.version}` : ''}` } as const;
}
