/**
 * Everything the insights report shows, as plain JSON-serialisable data. Training (or the
 * `report` command reading a saved model) fills it; `renderReport` turns it into one HTML
 * file. The score charts come from `summariseScores` over the validation labels and
 * calibrated probabilities, so the report never needs the rows themselves.
 */
import type { Goal } from '../goal/schema';
import type { Bucket, BucketBoundaries, PropensityType } from '../score/types';

export interface ReportInput {
	readonly model: ReportModel;
	readonly goal: ReportGoal;
	readonly metrics: ReportMetrics;
	readonly quality: ReportQuality;
	/** Histogram, buckets, deciles and calibration bins: `summariseScores(...)`. */
	readonly scores: ScoreSummary;
	readonly factors: ReportFactors;
	readonly readiness?: ReportReadiness;
	readonly dataQuality?: ReportDataQuality;
	readonly selection?: ModelSelection;
	/** The events the model learnt from, ISO 8601 UTC. */
	readonly dataRange: { readonly from: string; readonly to: string };
	/** The package version that trained the model (core/version.ts). */
	readonly packageVersion: string;
}

export interface ReportModel {
	readonly name: string;
	/** The store version, or null for a model that was never saved in a store. */
	readonly version: number | null;
	/** The learner that won, in words or by kind, e.g. "gradient-boosted trees" or "gbdt". */
	readonly learner: string;
	/** The "present moment" of training, ISO 8601 UTC. */
	readonly trainedAsOf: string;
	readonly seed?: number;
}

export interface ReportGoal {
	readonly name: Goal['name'];
	readonly description?: string;
	readonly propensityType: PropensityType;
	/** The goal in words (core/goal's `describeGoal(goal)`). */
	readonly inWords: string;
	readonly windowDays: number;
	readonly lookbackDays?: number;
}

/** Headline metrics on the time-based validation set; NaN or null shows as "n/a". */
export interface ReportMetrics {
	/** AUC of the calibrated probabilities: the headline figure. */
	readonly auc: number | null;
	/** AUC of the learner's raw scores on the same rows, before calibration (calibration's steps tie some profiles). */
	readonly rawAuc?: number | null;
	readonly logLoss: number | null;
	readonly brier: number | null;
	/** Share of validation profiles for whom the outcome happened, 0–1. */
	readonly baseRate: number | null;
	readonly validationRows?: number;
	readonly trainingRows?: number;
}

export interface ReportQuality {
	/** The grade in words, e.g. "good". */
	readonly grade: string;
	/** True when the model is too weak to rely on (e.g. validation AUC under 0.65). */
	readonly poor: boolean;
	/** The grade scale, from best to worst: a grade applies from its `minAuc` upwards. */
	readonly thresholds: readonly { readonly grade: string; readonly minAuc: number }[];
	/** What to change when the model is poor (shown only then). */
	readonly advice: readonly string[];
}

/** What the score charts need, summarised from the scored population. */
export interface ScoreSummary {
	/** Which profiles the summary covers. */
	readonly population: 'validation' | 'scored';
	/** Profiles with a usable probability. */
	readonly count: number;
	/** Profiles left out because their probability was not a number in 0–1. */
	readonly skipped: number;
	/** Outcomes among `count`, or null when outcomes are unknown (a scored population). */
	readonly positives: number | null;
	readonly boundaries: BucketBoundaries;
	/** Score bins covering 0–100: [from, to) each, the last one including 100. */
	readonly histogram: readonly ScoreBin[];
	readonly buckets: readonly BucketSummary[];
	/**
	 * Ten groups from the highest probabilities (decile 1) to the lowest, as core/evaluate's
	 * `deciles` cuts them; empty without outcomes or without any positive.
	 */
	readonly deciles: readonly DecileSummary[];
	/** Predicted against actual per bin of similar predictions; empty without outcomes. */
	readonly calibration: readonly CalibrationBin[];
}

export interface ScoreBin {
	readonly from: number;
	readonly to: number;
	readonly count: number;
}

export interface BucketSummary {
	readonly bucket: Bucket;
	/** Lowest and highest score in the bucket, inclusive. */
	readonly from: number;
	readonly to: number;
	readonly count: number;
	readonly positives: number | null;
}

export interface DecileSummary {
	/** 1 = the 10% with the highest probabilities. */
	readonly decile: number;
	/** Profiles in the group; fractional where tied probabilities straddle a cut and are shared. */
	readonly count: number;
	readonly positives: number;
	readonly meanProbability: number;
}

export interface CalibrationBin {
	readonly meanPredicted: number;
	readonly actualRate: number;
	readonly count: number;
}

/** Whether higher values of a feature raise or lower the chance of the outcome. */
export type FactorDirection = 'raises' | 'lowers' | 'mixed';

export interface ReportFactors {
	/** The most influential features overall, most influential first. */
	readonly overall: readonly GlobalFactor[];
	/** The top factors within each bucket. */
	readonly byBucket: readonly BucketFactors[];
	/** How many profiles were explained for these factors, of how many (an evenly spread sample when fewer). */
	readonly explained?: { readonly profiles: number; readonly of: number };
}

export interface GlobalFactor {
	readonly feature: string;
	readonly label: string;
	/** Mean absolute impact on the score (log-odds, core/explain's `meanAbsImpact`); bars are relative to the largest. */
	readonly importance: number;
	/** The factor's share (0–1) of all features' importance, shown as a percentage when given. */
	readonly share?: number;
	/** How higher values of the feature move the chance, when known; the bar is neutral blue without it. */
	readonly direction?: FactorDirection;
}

export interface BucketFactors {
	readonly bucket: Bucket;
	readonly profiles: number;
	readonly factors: readonly BucketFactor[];
}

export interface BucketFactor {
	readonly feature: string;
	readonly label: string;
	/** Whether this factor raises or lowers the chance of profiles in the bucket. */
	readonly direction: FactorDirection;
	/** Share of the bucket's profiles for whom it is a top factor, 0–1. */
	readonly shareInBucket: number;
	/** The same share among profiles in the other buckets, 0–1; null when there are none. */
	readonly shareElsewhere: number | null;
}

export interface ReportReadiness {
	readonly cutoffs: readonly ReadinessCutoff[];
	/** Days of history the data holds, and the lookback + window the goal needs. */
	readonly history?: { readonly availableDays: number; readonly neededDays: number };
	/** The minimum positives and negatives over all cutoffs that training requires. */
	readonly minimums?: { readonly positives: number; readonly negatives: number };
	readonly warnings: readonly string[];
}

export interface ReadinessCutoff {
	/** ISO 8601 UTC. */
	readonly cutoff: string;
	readonly eligible: number;
	readonly positives: number;
	readonly negatives: number;
	readonly role: 'training' | 'validation';
}

/** The load summary: what was read and what could not be. */
export interface ReportDataQuality {
	readonly rowsRead?: number;
	/** Events loaded, whatever their time. */
	readonly events: number;
	readonly profiles: number;
	/** The moment training used as "now" (ISO), and the events up to it that it saw (excluded events not counted). */
	readonly asOf?: string;
	readonly eventsAsOf?: number;
	/** Events per type: up to asOf when it is given, else all loaded. */
	readonly eventTypes?: readonly { readonly type: string; readonly count: number }[];
	readonly rejected: readonly RejectedRows[];
	readonly warnings: readonly string[];
}

export interface RejectedRows {
	readonly reason: string;
	readonly count: number;
	/** One example, e.g. `row 1042: timestamp "yesterday" is not a date`. */
	readonly example?: string;
}

/** Which learners were tried and why the winner won. */
export interface ModelSelection {
	readonly candidates: readonly SelectionCandidate[];
	readonly reason: string;
	/** Validation rows the candidates were compared on (raw scores). */
	readonly choiceRows?: number;
	/** True when those rows are a seeded half of the validation rows, apart from the half the headline metrics use. */
	readonly choiceSplit?: boolean;
}

export interface SelectionCandidate {
	readonly learner: string;
	/** AUC of the raw scores on the choosing rows. */
	readonly auc: number | null;
	readonly logLoss?: number | null;
	readonly seconds?: number | null;
	readonly chosen: boolean;
	/** Why it was not chosen or did not finish, e.g. "skipped: more than 5,000 rows". */
	readonly note?: string;
}
