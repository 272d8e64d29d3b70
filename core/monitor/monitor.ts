/**
 * Monitoring a named model: every remembered scoring run backtested (when its outcome window
 * has closed by the events' end) and compared with the training data (drift), and a verdict.
 */
import type { EventTable } from '../events/table';
import { InputError, throwIfCancelled } from '../errors';
import { parseModel } from '../model/io';
import type { Model } from '../model/schema';
import type { Store } from '../store/types';
import type { ScoringRunInfo } from '../store/runs';
import { backtestRun, day, type MonitorEvents, tableEvents, trainingFigures, type RunBacktest, type TrainingFigures } from './backtest';
import { runDrift, type RunDrift } from './drift';
import { parseThresholds, verdictOf, type Thresholds, type Verdict } from './verdict';
import type { WorkHooks } from '../util/progress';

export interface MonitorOptions {
	/** Only the runs scored on this day (YYYY-MM-DD) or at this moment (ISO 8601). Default: every remembered run. */
	readonly run?: string;
	readonly thresholds?: unknown;
}

export interface MonitoredRun {
	readonly backtest: RunBacktest;
	readonly drift: RunDrift;
}

export interface MonitorResult {
	readonly model: { readonly name: string; readonly version: number; readonly propensityType: Model['propensityType']; readonly windowDays: number };
	readonly verdict: Verdict;
	readonly thresholds: Thresholds;
	/** The validation figures at training of the version monitored (the latest). */
	readonly training: TrainingFigures;
	/** The events' span, ISO 8601 UTC. */
	readonly events: { readonly from: string | null; readonly to: string | null };
	/** By score date, oldest first. */
	readonly runs: readonly MonitoredRun[];
	/** Runs backtested, still pending, and left out of the verdict because their goal differs. */
	readonly counts: { readonly runs: number; readonly backtested: number; readonly pending: number; readonly goalChanged: number };
}

/** Backtests and drift for the remembered runs of a model name, with a verdict, on events in memory. */
export function monitorModel(store: Store, name: string, table: EventTable, options: MonitorOptions = {}, hooks?: WorkHooks): Promise<MonitorResult> {
	return monitorRuns(store, name, tableEvents(table), options, hooks);
}

/** The same on events wherever they are (tableEvents, or a warehouse's: core/warehouse/runs.ts). */
export async function monitorRuns(store: Store, name: string, events: MonitorEvents, options: MonitorOptions = {}, hooks?: WorkHooks): Promise<MonitorResult> {
	const thresholds = parseThresholds(options.thresholds);
	const models = new Map<number, Promise<{ model: Model; version: number }>>();
	const modelAt = (version: number | 'latest') => {
		const key = version === 'latest' ? 0 : version;
		let found = models.get(key);
		if (!found) {
			found = store.loadModel(name, version).then(({ text, info }) => ({ model: parseModel(text), version: info.version }));
			models.set(key, found);
		}
		return found;
	};
	const latest = await modelAt('latest');
	const monitored = latest.model;
	if (!monitored.goal)
		throw new InputError(`The model "${name}" was trained on a profile table: only models trained on events can be monitored.`, 'table-model');
	// In score-date order (saving order within a date): "latest" means the most recent scores, whenever they were saved.
	const runs = chooseRuns(await store.listRuns(name), name, options.run).sort((a, b) => Date.parse(a.scoreDate) - Date.parse(b.scoreDate));
	const monitoredRuns: MonitoredRun[] = [];
	for (const info of runs) {
		throwIfCancelled(hooks?.signal, 'monitoring');
		const record = await store.loadRun(name, info.id);
		// The version that scored the run judges its outcomes; a version since deleted falls back to the latest.
		const scoredWith = record.modelVersion === null ? monitored : (await modelAt(record.modelVersion).catch(() => latest)).model;
		monitoredRuns.push({ backtest: await backtestRun(events, info, record, scoredWith, monitored), drift: runDrift(record, scoredWith) });
		hooks?.onProgress?.({ stage: 'backtesting runs', done: monitoredRuns.length, total: runs.length, unit: 'runs' });
	}
	const usable = monitoredRuns.filter((r) => !r.backtest.goalChanged);
	const done = usable.filter((r) => r.backtest.status === 'done');
	const pending = usable.filter((r) => r.backtest.status === 'pending');
	const training = trainingFigures(monitored);
	const verdict = verdictOf(done[done.length - 1]?.backtest, usable[usable.length - 1]?.drift, training, thresholds, {
		runs: usable.length,
		pending: pending[0]?.backtest,
	});
	const range = events.range;
	return {
		model: { name, version: latest.version, propensityType: monitored.propensityType, windowDays: monitored.goal.outcome.windowDays },
		verdict: monitoredRuns.length > usable.length && usable.length === 0 ? goalChangedVerdict(name) : verdict,
		thresholds,
		training,
		events: { from: range ? new Date(range.start).toISOString() : null, to: range ? new Date(range.end).toISOString() : null },
		runs: monitoredRuns,
		counts: { runs: monitoredRuns.length, backtested: done.length, pending: pending.length, goalChanged: monitoredRuns.length - usable.length },
	};
}

function goalChangedVerdict(name: string): Verdict {
	return {
		status: 'watch',
		reasons: [
			`Every remembered run of "${name}" was scored by a version with another goal: nothing can be compared with the current goal until it has scored and its window has passed.`,
		],
	};
}

/** The runs to look at: all, or those of one day or moment; an InputError when none match. */
function chooseRuns(all: ScoringRunInfo[], name: string, run: string | undefined): ScoringRunInfo[] {
	const wanted = run?.trim();
	if (!wanted) return all;
	const isDay = /^\d{4}-\d{2}-\d{2}$/.test(wanted);
	const moment = Date.parse(isDay ? `${wanted}T00:00:00Z` : wanted);
	if (!Number.isFinite(moment))
		throw new InputError(`The run date "${wanted}" is not a date: use the score date of a run, e.g. "2026-05-01" or "2026-05-01T00:00:00Z".`, 'bad-date');
	const chosen = all.filter((info) => (isDay ? info.scoreDate.slice(0, 10) === wanted : Date.parse(info.scoreDate) === moment));
	if (chosen.length === 0) {
		const dates = [...new Set(all.map((info) => day(Date.parse(info.scoreDate))))];
		throw new InputError(
			`No remembered scoring run of "${name}" has the score date ${wanted}. ${dates.length ? `Its runs were scored on: ${dates.slice(-20).join(', ')}.` : 'None is remembered yet: score with a store first.'}`,
			'run-not-found',
		);
	}
	return chosen;
}
