/**
 * Backtests: how a remembered scoring run came true. For every profile it scored, the realised
 * outcome in the window after the score date, by the same label rules as training
 * (core/features' judge), then per bucket and per score decile the profiles, the mean predicted
 * probability and the realised rate, and AUC, log loss, lift and calibration on the realised
 * outcomes (core/evaluate), against the validation figures the model recorded at training.
 */
import type { EventTable } from '../events/table';
import { InputError } from '../errors';
import { auc } from '../evaluate/auc';
import { calibrationCurve, type CalibrationPoint } from '../evaluate/calibrationCurve';
import { deciles, type Decile } from '../evaluate/lift';
import { baseRate, brierScore, logLoss } from '../evaluate/loss';
import { orNull } from '../evaluate/metrics';
import { dataRange } from '../features/cutoffs';
import { judgeProfilesAt } from '../features/examples';
import { DAY_MS } from '../features/walk';
import type { Goal } from '../goal/schema';
import type { Model } from '../model/schema';
import type { Bucket } from '../score/types';
import type { ScoringRunInfo, ScoringRunRecord } from '../store/runs';
import { insightBuckets } from './insights';
import { goalChecksum } from './record';
import { withThousands } from '../util/counts';

/** The bucket of each letter a record keeps. */
export const bucketNames: Record<string, Bucket> = { l: 'low', m: 'medium', h: 'high' };

export interface BucketOutcome {
	readonly bucket: Bucket;
	/** Scored profiles in the bucket whose outcome is known. */
	readonly profiles: number;
	readonly positives: number;
	/** Mean predicted probability (what was expected) and the share that had the outcome (what happened); null for an empty bucket. */
	readonly meanPredicted: number | null;
	readonly realisedRate: number | null;
}

export interface RealisedMetrics {
	readonly auc: number | null;
	readonly logLoss: number | null;
	readonly brier: number | null;
	readonly realisedRate: number | null;
	readonly meanPredicted: number | null;
	/** Outcome rate of the top 10% of scores over the overall rate. */
	readonly topDecileLift: number | null;
}

/** The validation figures the model recorded at training, to compare with. */
export interface TrainingFigures {
	readonly auc: number | null;
	readonly logLoss: number | null;
	readonly baseRate: number | null;
	/** Per bucket at training: the share of validation profiles in it that had the outcome. */
	readonly buckets: readonly { readonly bucket: Bucket; readonly profiles: number; readonly realisedRate: number | null }[];
}

export interface RunBacktest {
	readonly run: ScoringRunInfo;
	/** done: the window has closed and outcomes are known; pending: it closes at windowClosesAt. */
	readonly status: 'done' | 'pending';
	/** End of the outcome window (score date + window days), ISO 8601 UTC. */
	readonly windowClosesAt: string;
	/** The run's model version had another goal than the version monitored: its outcomes follow its own goal, and it is left out of the verdict. */
	readonly goalChanged: boolean;
	/** A sentence saying what this run shows, or when it will. */
	readonly message: string;
	/** Scored profiles: those with a known outcome, those no longer in the events and those the events no longer make eligible at the score date. */
	readonly profiles: {
		readonly scored: number;
		readonly withOutcome: number;
		readonly positives: number;
		readonly vanished: number;
		readonly noLongerEligible: number;
	};
	readonly metrics?: RealisedMetrics;
	readonly buckets?: readonly BucketOutcome[];
	readonly deciles?: readonly Decile[];
	readonly calibration?: readonly CalibrationPoint[];
}

/** The figures recorded at training, from the model's validation metrics and report. */
export function trainingFigures(model: Model): TrainingFigures {
	const v = model.metrics.validation;
	const buckets = insightBuckets(model).map((b) => ({
		bucket: b.bucket,
		profiles: b.count,
		realisedRate: b.positives !== null && b.count > 0 ? b.positives / b.count : null,
	}));
	return { auc: v.auc, logLoss: v.logLoss, baseRate: v.baseRate, buckets };
}

/** How the profiles a run scored turned out: those judged (label, probability, bucket, in the same order), and those counted but not judged. */
export interface RunOutcomes {
	readonly labels: readonly number[];
	readonly probability: readonly number[];
	readonly bucket: readonly Bucket[];
	/** Scored profiles no longer in the events at all. */
	readonly vanished: number;
	/** Scored profiles the events no longer make eligible at the score date. */
	readonly noLongerEligible: number;
}

/**
 * Where monitoring reads the events: their span, and the realised outcome of each profile a run
 * scored, by the goal of the version that scored it. In memory (tableEvents) or in a warehouse
 * (core/warehouse/runs.ts), where the rows of a run scored there are read from its scores table.
 */
export interface MonitorEvents {
	/** The events' span (UTC ms), or undefined when there are none. */
	readonly range: { readonly start: number; readonly end: number } | undefined;
	outcomes(record: ScoringRunRecord, goal: Goal, scoreDate: number): Promise<RunOutcomes>;
}

/** The events of an in-memory table; a run kept in a warehouse cannot be judged here. */
export function tableEvents(table: EventTable): MonitorEvents {
	let indexOf: Map<string, number> | undefined;
	return {
		range: dataRange(table),
		async outcomes(record, goal, scoreDate) {
			if (record.warehouse)
				throw new InputError(
					`The run of ${day(scoreDate)} was scored into the warehouse (${record.warehouse.location}): its scores are there, not in the store. Backtest it with the events of that warehouse (e.g. "propensity backtest --events postgres://…?table=…").`,
					'warehouse-run',
				);
			indexOf ??= new Map(table.profileIds.map((id, p) => [id, p]));
			const state = judgeProfilesAt(table, goal, scoreDate);
			const labels: number[] = [];
			const probability: number[] = [];
			const bucket: Bucket[] = [];
			let vanished = 0;
			let noLongerEligible = 0;
			for (let i = 0; i < record.scored; i++) {
				const p = indexOf.get(record.profileId[i]);
				if (p === undefined) vanished++;
				else if (state[p] === 0) noLongerEligible++;
				else {
					labels.push(state[p] === 2 ? 1 : 0);
					probability.push(record.probability[i]);
					bucket.push(bucketNames[record.bucket[i]]);
				}
			}
			return { labels, probability, bucket, vanished, noLongerEligible };
		},
	};
}

/**
 * Backtests one run with the model version that scored it, on events that should reach past
 * its outcome window. `monitored` is the model now in use, whose goal the run is compared with.
 */
export async function backtestRun(
	events: MonitorEvents,
	info: ScoringRunInfo,
	record: ScoringRunRecord,
	scoredWith: Model,
	monitored: Model,
): Promise<RunBacktest> {
	const goal = scoredWith.goal;
	if (!goal) throw new Error('backtestRun needs an events-mode model');
	const scoreDate = Date.parse(record.scoreDate);
	const closes = scoreDate + goal.outcome.windowDays * DAY_MS;
	const windowClosesAt = new Date(closes).toISOString();
	const goalChanged = record.goalChecksum !== null && record.goalChecksum !== goalChecksum(monitored);
	const end = events.range?.end;
	const base = { run: info, windowClosesAt, goalChanged };
	const empty = { scored: record.scored, withOutcome: 0, positives: 0, vanished: 0, noLongerEligible: 0 };
	if (end === undefined || end < closes) {
		const endText = end === undefined ? 'there are no events' : `the events end on ${day(end)}`;
		return {
			...base,
			status: 'pending',
			profiles: empty,
			message: `Not yet: the run of ${day(scoreDate)} has a ${goal.outcome.windowDays}-day outcome window that closes on ${day(closes)}, and ${endText}. Backtest it with events up to ${day(closes)} or later.`,
		};
	}
	const { labels, probability, bucket, vanished, noLongerEligible } = await events.outcomes(record, goal, scoreDate);
	const positives = labels.reduce((sum, label) => sum + label, 0);
	const decileList = positives > 0 ? deciles(labels, probability) : [];
	const metrics: RealisedMetrics = {
		auc: orNull(auc(labels, probability)),
		logLoss: labels.length ? orNull(logLoss(labels, probability)) : null,
		brier: labels.length ? orNull(brierScore(labels, probability)) : null,
		realisedRate: labels.length ? orNull(baseRate(labels)) : null,
		meanPredicted: labels.length ? probability.reduce((sum, p) => sum + p, 0) / labels.length : null,
		topDecileLift: decileList.length ? decileList[0].lift : null,
	};
	const profiles = { scored: record.scored, withOutcome: labels.length, positives, vanished, noLongerEligible };
	return {
		...base,
		status: 'done',
		profiles,
		message: doneMessage(record, metrics, profiles),
		metrics,
		buckets: bucketOutcomes(labels, probability, bucket),
		deciles: decileList,
		calibration: calibrationCurve(labels, probability),
	};
}

function bucketOutcomes(labels: readonly number[], probability: readonly number[], bucket: readonly Bucket[]): BucketOutcome[] {
	return (['high', 'medium', 'low'] as const).map((name) => {
		let profiles = 0;
		let positives = 0;
		let predicted = 0;
		bucket.forEach((b, i) => {
			if (b !== name) return;
			profiles++;
			positives += labels[i];
			predicted += probability[i];
		});
		return {
			bucket: name,
			profiles,
			positives,
			meanPredicted: profiles ? predicted / profiles : null,
			realisedRate: profiles ? positives / profiles : null,
		};
	});
}

function doneMessage(record: ScoringRunRecord, metrics: RealisedMetrics, profiles: RunBacktest['profiles']): string {
	const parts = [
		`The run of ${day(Date.parse(record.scoreDate))}: ${withThousands(profiles.withOutcome)} of ${withThousands(profiles.scored)} scored profiles have a known outcome, ${withThousands(profiles.positives)} had it`,
	];
	if (metrics.realisedRate !== null && metrics.meanPredicted !== null)
		parts.push(` (${pct(metrics.realisedRate)} realised against ${pct(metrics.meanPredicted)} predicted)`);
	if (metrics.auc !== null) parts.push(`; realised AUC ${metrics.auc.toFixed(2)}`);
	const lost = [
		profiles.vanished ? `${withThousands(profiles.vanished)} are no longer in the events` : '',
		profiles.noLongerEligible ? `${withThousands(profiles.noLongerEligible)} are no longer eligible at the score date in these events` : '',
	].filter(Boolean);
	return `${parts.join('')}.${lost.length ? ` ${lost.join('; ')}: they are counted, not judged.` : ''}`;
}

export function day(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

function pct(share: number): string {
	return `${(share * 100).toFixed(1)}%`;
}
