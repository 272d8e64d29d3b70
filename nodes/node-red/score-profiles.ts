/**
 * Node "propensity-score-profiles": scores every profile in msg.events that the model's goal
 * finds eligible as of a date, with the model on msg.model or saved in the store. Sends the
 * scored profiles as one list (msg.payload), one message each, or writes them to a file. In
 * table mode it scores every row of the profile table in msg.payload with a table-trained model.
 * With "run report" on, the list's message carries the run's HTML report in msg.report.
 */
import {
	defaultBuckets,
	InputError,
	type Model,
	rememberScoringRun,
	scoreInWarehouse,
	scoreProfiles,
	scoringReport,
	type ScoreRun,
	scoreTable,
	type Store,
	scoreTableSummary,
	writeScoresFile,
} from '../../core';
import { chosenModel, storeNode, warehouseOfMessage, withStore } from './config';
import type { NodeAPI, NodeMessage, NodeStatus, SendFunction } from './red';
import { count, handleMessages, registerNode, type Work } from './run';
import { asMoment, asText, asWholeNumber, eventsOf, overridable, resolvePath, scoresTableOf, tableOf } from './settings';

export = function register(RED: NodeAPI): void {
	registerNode(RED, 'propensity-score-profiles', (node, config) => {
		const boundariesOf = () => ({
			mediumFrom: asWholeNumber(config.mediumFrom, 'medium bucket start', 0) ?? defaultBuckets.mediumFrom,
			highFrom: asWholeNumber(config.highFrom, 'high bucket start', 0) ?? defaultBuckets.highFrom,
		});

		handleMessages(node, async (msg, send, work) => {
			if (config.scoreFrom === 'table') return scoreTableOn(msg, send, work);
			// A table in place (msg.warehouse): scored there, the scores written to a table beside the events.
			const warehouse = warehouseOfMessage(RED, msg, 'Score Profiles');
			const { model, version } = await chosenModel(RED, node, msg, config, 'Score Profiles');
			const asOf = asMoment(await overridable(RED, node, msg, 'asOf', { value: config.asOf, type: config.asOfType }, 'as-of date'), 'as-of date');
			const explain = asWholeNumber(config.explain, 'factors per profile', 0) ?? 0;
			const boundaries = boundariesOf();
			if (warehouse) {
				const scoresTable = scoresTableOf(msg, config);
				const keepRuns = asWholeNumber(config.keepRuns, 'runs kept', 1);
				const score = (store?: Store) =>
					scoreInWarehouse(
						warehouse.source,
						warehouse.mapping,
						model,
						{ scoresTable, asOf, boundaries, modelVersion: version, store, keepRuns },
						work.hooks,
					);
				// With the model from the store, the run is remembered there for Monitor Model (its rows stay in the scores table).
				const summary = config.modelFrom === 'store' ? await withStore(storeNode(RED, config.store, 'Score Profiles'), score) : await score();
				msg.scoreSummary = summary;
				msg.workRanIn = warehouse.where;
				msg.payload = summary;
				send(msg);
				return { fill: 'green', shape: 'dot', text: `${count(summary.scored)} scored into ${scoresTable} · ${count(summary.buckets.high)} high` };
			}
			const events = eventsOf(msg);
			const run = await scoreProfiles(
				events,
				model,
				{ asOf, now: Date.now(), explain, includeFeatures: config.includeFeatures !== false, boundaries, modelVersion: version },
				work.hooks,
			);
			for (const warning of run.summary.warnings) node.warn(warning);
			if (config.modelFrom === 'store') {
				// Remembered in the store the model came from, for Monitor Model's backtests.
				const keep = asWholeNumber(config.keepRuns, 'runs kept', 1);
				await withStore(storeNode(RED, config.store, 'Score Profiles'), (store) => rememberScoringRun(store, events, model, run, keep));
			}
			msg.scoreSummary = run.summary;
			if (config.output === 'each') await sendEach(run, model, send, work, RED.util.generateId());
			else if (config.output === 'file') await writeFile(msg, run, explain, send, work);
			else {
				const profiles = await run.all(work.hooks);
				msg.payload = profiles;
				msg.model = model;
				// The run's HTML report beside the profiles, e.g. for an email node's attachment.
				if (config.report === true) msg.report = scoringReport({ profiles, model, version, boundaries });
				send(msg);
			}
			const auc = model.metrics.validation.auc;
			return {
				fill: 'green',
				shape: 'dot',
				text: `${auc === null ? '' : `AUC ${auc.toFixed(2)}, `}${count(run.summary.scored)} scored · ${count(run.summary.buckets.high)} high`,
			};
		});

		/** Table mode: scores every row of the profile table on the message (see tableOf), the rows as one list on msg.payload. */
		async function scoreTableOn(msg: NodeMessage, send: SendFunction, work: Work): Promise<NodeStatus> {
			const source = tableOf(RED, msg);
			const { model, version } = await chosenModel(RED, node, msg, config, 'Score Profiles');
			const id = String(config.idColumn ?? '').trim() || undefined;
			const scores = await scoreTable(source, model, { id, boundaries: boundariesOf() }, work.hooks);
			msg.scoreSummary = scoreTableSummary(scores, model, version);
			msg.payload = scores.rows;
			msg.model = model;
			send(msg);
			return { fill: 'green', shape: 'dot', text: `${count(scores.rows.length)} rows scored · ${count(scores.buckets.high)} high` };
		}

		/** Writes the scores to the file (msg.filename or the File setting) and sends the summary. */
		async function writeFile(msg: NodeMessage, run: ScoreRun, explain: number, send: SendFunction, work: Work): Promise<void> {
			const file = asText(
				await overridable(RED, node, msg, 'filename', { value: config.filename, type: config.filenameType }, 'scores file'),
				'scores file',
			);
			if (!file)
				throw new InputError(
					'Score Profiles has no file to write: set its File property or msg.filename (.csv, .ndjson or .jsonl, optionally .gz).',
					'no-file',
				);
			const target = resolvePath(RED, file);
			await writeScoresFile(target, run.batches(4096, work.hooks), {
				factors: explain,
				attributes: run.summary.attributes,
				spreadsheetSafe: config.spreadsheetSafe === true,
			});
			msg.filename = target;
			msg.payload = { ...run.summary, file: target };
			send(msg);
		}
	});
};

/**
 * One message per profile, batch by batch, so a large run never holds every profile at once.
 * Each message carries the profile, the run's summary and msg.parts (a Join node can put the
 * list back together); not the events or the model, which would be copied for every profile.
 */
async function sendEach(run: ScoreRun, model: Model, send: SendFunction, work: Work, id: string): Promise<void> {
	let index = 0;
	for await (const batch of run.batches(1024, work.hooks)) {
		send([
			batch.map((profile) => ({
				topic: model.name,
				payload: profile,
				scoreSummary: run.summary,
				parts: { id, index: index++, count: run.count, type: 'array' },
			})),
		]);
	}
}
