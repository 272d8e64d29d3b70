/**
 * `auto`: fits the candidate learners and keeps the one with the best validation AUC, recording
 * why. The boosted trees are always fitted; logistic regression, naive Bayes and (on small data
 * only) the random forest join while their estimated fit times fit in the time budget. The
 * estimates come from the data's size alone, never from a clock, so the same data and seed
 * always choose the same learner.
 */
import { CancelledError, InputError, throwIfCancelled } from '../errors';
import { auc, aucDifference } from '../evaluate/auc';
import { logLoss } from '../evaluate/loss';
import type { LabelledDataset } from './dataset';
import { sigmoid, type FitContext, type LearnerKind, type TrainedLearner } from './learner';
import { startBackgroundFits, type BackgroundFits } from './background';
import { estimateFit, fitOne, fitOneWithMirror, learnerFromJson, learnerNames, type FitOptions } from './registry';

export interface AutoOptions {
	/** Seconds the extra candidates (all but the boosted trees) may take together, by estimate. */
	timeBudgetSeconds: number;
	/** The learners to consider, in order of preference on equal AUC (the boosted trees always come first). */
	candidates: readonly LearnerKind[];
	/**
	 * Features of a strong simple baseline (the buy-till-you-die features): when given, a
	 * logistic regression on these alone is one more candidate, last, so it wins only when it
	 * ranks the choosing rows better than every full learner, or when the best of them beats it by
	 * less than one standard error of the difference (the simpler model is kept unless the data
	 * show the full learner is better).
	 */
	baselineFeatures?: readonly string[];
}

export const defaultAutoOptions: AutoOptions = Object.freeze({ timeBudgetSeconds: 60, candidates: ['gbdt', 'logistic', 'naiveBayes', 'forest'] as const });

/** The candidates' own options and `auto`'s. */
export interface AutoSelectOptions extends FitOptions {
	readonly auto?: Partial<AutoOptions>;
}

export interface SelectionCandidate {
	readonly learner: LearnerKind;
	readonly status: 'fitted' | 'skipped' | 'failed';
	/** Validation AUC of the raw scores (null when not fitted or not computable). */
	readonly auc: number | null;
	/** Validation log loss of the raw scores read as probabilities (the logistic of the log-odds), before calibration. */
	readonly logLoss?: number | null;
	/** Measured fit time (wall clock; left out of the model JSON so that models stay byte-identical). */
	readonly seconds?: number | null;
	readonly chosen: boolean;
	/** Why it was skipped or failed, or other remarks. */
	readonly note?: string;
}

/** What `trainLearner` did: the candidates, the winner and the reason in words. */
export interface SelectionRecord {
	/** 'auto' chose among candidates; 'fixed' trained the learner asked for. */
	readonly mode: 'auto' | 'fixed';
	readonly winner: LearnerKind;
	readonly reason: string;
	readonly candidates: readonly SelectionCandidate[];
}

/** A fitted candidate, with its mirror (see FitContext.mirrorValidation) and both AUCs. */
interface Fitted {
	readonly kind: LearnerKind;
	readonly learner: TrainedLearner;
	readonly auc: number;
	readonly candidate: number;
	readonly mirror?: TrainedLearner;
	readonly mirrorAuc: number;
}

/**
 * Fits the candidates and returns the one with the best validation AUC (earlier candidates win
 * ties). With context.mirrorValidation it also returns the mirror: the learner the same
 * selection makes when those rows stop the boosting and compare the candidates, from the same
 * fits (no candidate but the boosted trees reads the validation rows, and their run serves both).
 */
export async function autoSelect(
	train: LabelledDataset,
	validation: LabelledDataset | undefined,
	options: AutoSelectOptions,
	context: FitContext,
): Promise<{ learner: TrainedLearner; selection: SelectionRecord; notes: string[]; mirror?: TrainedLearner }> {
	const auto = { ...defaultAutoOptions, ...options.auto };
	const order: LearnerKind[] = ['gbdt', ...auto.candidates.filter((kind) => kind !== 'gbdt')];
	const canCompare = validation !== undefined && hasBothClasses(validation.label);
	const mirrorRows = context.mirrorValidation;
	if (mirrorRows && hasBothClasses(mirrorRows.label) !== canCompare) {
		// One side could compare candidates and the other not: they would fit different candidates.
		const main = await autoSelect(train, validation, options, { ...context, mirrorValidation: undefined });
		const mirror = await autoSelect(train, mirrorRows, options, { ...context, mirrorValidation: undefined });
		return { ...main, mirror: mirror.learner };
	}
	const candidates: SelectionCandidate[] = [];
	const fitted: Fitted[] = [];
	const plan = planCandidates(order, train, canCompare, auto, options);
	const toFit = plan.flatMap((planned) => (planned.skip === undefined && planned.kind !== 'gbdt' ? [planned.kind] : []));
	// The extra candidates fit on a worker while the trees train here (background.ts): same learners, same bytes.
	const background = startBackgroundFits(toFit, train, options, context.seed, learnerFromJson);
	try {
		for (const { kind, skip } of plan) {
			if (skip !== undefined) {
				candidates.push({ learner: kind, status: 'skipped', auc: null, chosen: false, note: `skipped: ${skip}` });
				continue;
			}
			const started = Date.now();
			try {
				const { learner, mirror, seconds } = await fitCandidate(kind, train, validation, options, context, background, started);
				const measured = canCompare && validation ? rawFit(learner, validation) : { auc: null, logLoss: null };
				fitted.push({ kind, learner, auc: measured.auc ?? NaN, candidate: candidates.length, mirror, mirrorAuc: finiteAuc(mirror, mirrorRows) });
				candidates.push({ learner: kind, status: 'fitted', ...measured, seconds, chosen: false });
				context.hooks?.onProgress?.({
					stage: 'choosing a learner',
					done: fitted.length,
					unit: 'learners',
					note: `${learnerNames[kind]}: validation AUC ${measured.auc !== null ? measured.auc.toFixed(3) : 'n/a'}`,
				});
			} catch (error) {
				// The boosted trees are the default: when they cannot be fitted, neither can the data be used.
				if (error instanceof CancelledError || kind === 'gbdt' || !(error instanceof InputError)) throw error;
				candidates.push({
					learner: kind,
					status: 'failed',
					auc: null,
					seconds: (Date.now() - started) / 1000,
					chosen: false,
					note: `failed: ${error.message}`,
				});
			}
		}
	} finally {
		await background?.close();
	}
	if (canCompare && validation && auto.baselineFeatures && auto.baselineFeatures.length > 0) {
		const baseline = await fitBaseline(train, validation, auto.baselineFeatures, options, context);
		if (baseline) {
			// It reads no validation rows: it is its own mirror.
			fitted.push({ ...baseline, candidate: candidates.length, mirror: baseline.learner, mirrorAuc: finiteAuc(baseline.learner, mirrorRows) });
			candidates.push({
				learner: 'logistic',
				status: 'fitted',
				...rawFit(baseline.learner, validation),
				seconds: null,
				chosen: false,
				note: baselineNote(auto.baselineFeatures),
			});
		}
	}
	const best = fitted.reduce((a, b) => (b.auc > a.auc ? b : a));
	const last = fitted[fitted.length - 1];
	const simpler = validation && fitted.length > 1 ? keptBaseline(last, best, candidates, validation) : undefined;
	const winner = simpler?.baseline ?? best;
	const chosen = candidates.map((c, i) => (i === winner.candidate ? { ...c, chosen: true } : c));
	const mirror = mirrorRows ? mirrorChoice(fitted, last, candidates, mirrorRows) : undefined;
	return {
		learner: winner.learner,
		selection: { mode: 'auto', winner: winner.kind, reason: simpler?.reason ?? reasonFor(chosen, canCompare), candidates: chosen },
		notes: [],
		...(mirror ? { mirror } : {}),
	};
}

/**
 * The one-standard-error rule for the buy-till-you-die baseline (the last fitted, when fitted):
 * when the best full learner ranks the choosing rows better by less than one standard error of
 * the paired difference (DeLong), the data do not show it is better, and the baseline, a
 * two-number model that cannot overfit, is kept. On short histories the trees learn from few
 * distinct profiles, and a small lead on the choosing half often turns into a loss on the future.
 */
function keptBaseline(
	last: Fitted,
	best: Fitted,
	candidates: readonly SelectionCandidate[],
	validation: LabelledDataset,
): { baseline: Fitted; reason: string } | undefined {
	const baseline = candidates[last.candidate];
	if (last === best || !baseline.note) return undefined;
	const { difference, standardError } = aucDifference(validation.label, best.learner.predictRaw(validation), last.learner.predictRaw(validation));
	if (!(difference <= standardError)) return undefined;
	const others = candidates
		.filter((c, i) => c.status === 'fitted' && i !== last.candidate)
		.map((c) => `${learnerNames[c.learner]} ${c.auc === null ? 'n/a' : c.auc.toFixed(3)}`);
	return {
		baseline: last,
		reason:
			`${learnerNames[last.kind]} ${baseline.note.split(':')[0]} (validation AUC ${last.auc.toFixed(3)}) was kept: the best full learner, ${learnerNames[best.kind]} at ${best.auc.toFixed(3)}, ` +
			`ranked better by ${difference.toFixed(4)}, less than one standard error of the difference (${standardError.toFixed(4)}), so the simpler model wins (${others.join(', ')})`,
	};
}

/**
 * The mirror's learner: the choice the same rule makes on the mirror rows (the best mirror AUC,
 * or the baseline when that best leads it by less than one standard error there), so the
 * cross-fitted metrics measure the procedure that chose the kept learner.
 */
function mirrorChoice(fitted: readonly Fitted[], last: Fitted, candidates: readonly SelectionCandidate[], rows: LabelledDataset): TrainedLearner | undefined {
	const best = fitted.reduce((a, b) => (b.mirrorAuc > a.mirrorAuc ? b : a));
	if (best === last || !candidates[last.candidate].note || !best.mirror || !last.mirror) return best.mirror;
	const { difference, standardError } = aucDifference(rows.label, best.mirror.predictRaw(rows), last.mirror.predictRaw(rows));
	return difference <= standardError ? last.mirror : best.mirror;
}

/** A candidate of the plan: its kind, and why it is skipped (undefined: it is fitted). */
interface PlannedCandidate {
	readonly kind: LearnerKind;
	readonly skip?: string;
}

/**
 * Which candidates are fitted and why the others are not, in order: the boosted trees always;
 * the others when the validation rows can compare them and their estimated fit times fit in
 * what is left of the budget. Estimates depend on the data's size only, so the plan is the same
 * before any fit as after.
 */
function planCandidates(
	order: readonly LearnerKind[],
	train: LabelledDataset,
	canCompare: boolean,
	auto: AutoOptions,
	options: AutoSelectOptions,
): PlannedCandidate[] {
	let budget = auto.timeBudgetSeconds;
	return order.map((kind) => {
		if (kind === 'gbdt') return { kind };
		if (!canCompare) return { kind, skip: 'without validation rows of both outcomes there is nothing to compare on' };
		const estimate = estimateFit(kind, train, options);
		if ('skip' in estimate) return { kind, skip: estimate.skip };
		if (estimate.seconds > budget) {
			return { kind, skip: `its estimated fit time (${Math.ceil(estimate.seconds)} s) exceeds what is left of the ${auto.timeBudgetSeconds} s budget` };
		}
		budget -= estimate.seconds;
		return { kind };
	});
}

/**
 * One candidate's fit and mirror: from the worker when it fitted it there (its error, if any,
 * thrown here as the fit's own), else fitted on this thread.
 */
async function fitCandidate(
	kind: LearnerKind,
	train: LabelledDataset,
	validation: LabelledDataset | undefined,
	options: AutoSelectOptions,
	context: FitContext,
	background: BackgroundFits | undefined,
	started: number,
): Promise<{ learner: TrainedLearner; mirror?: TrainedLearner; seconds: number }> {
	const outcome = await background?.take(kind);
	if (outcome && 'error' in outcome) throw outcome.error;
	if (outcome) {
		throwIfCancelled(context.hooks?.signal, 'training');
		// It reads no validation rows: it is its own mirror.
		return { learner: outcome.learner, mirror: context.mirrorValidation ? outcome.learner : undefined, seconds: outcome.seconds };
	}
	const mirrorRows = context.mirrorValidation;
	const { learner, mirror } = mirrorRows
		? await fitOneWithMirror(kind, train, validation, mirrorRows, options, context)
		: { learner: await fitOne(kind, train, validation, options, context), mirror: undefined };
	return { learner, mirror, seconds: (Date.now() - started) / 1000 };
}

/** The AUC of a learner's raw scores on `rows`; NaN when either is missing or it cannot be computed. */
function finiteAuc(learner: TrainedLearner | undefined, rows: LabelledDataset | undefined): number {
	if (!learner || !rows) return NaN;
	const score = auc(rows.label, learner.predictRaw(rows));
	return Number.isFinite(score) ? score : NaN;
}

/**
 * A fitted learner's validation AUC and log loss on its raw scores (log-odds read as
 * probabilities by the logistic), before any calibration; null where not computable.
 */
export function rawFit(learner: TrainedLearner, validation: LabelledDataset): { auc: number | null; logLoss: number | null } {
	const raw = learner.predictRaw(validation);
	const score = auc(validation.label, raw);
	const loss = logLoss(validation.label, raw.map(sigmoid));
	return { auc: Number.isFinite(score) ? score : null, logLoss: Number.isFinite(loss) ? loss : null };
}

function baselineNote(features: readonly string[]): string {
	return `on the buy-till-you-die features alone (${features.join(', ')}): the simple baseline the trees must beat`;
}

/**
 * A logistic regression on the baseline features alone, as a learner over every feature: the
 * other columns are held at zero while it trains, so their coefficients stay exactly zero and
 * scoring reads the baseline features only. Undefined when the data lacks one of them.
 */
async function fitBaseline(
	train: LabelledDataset,
	validation: LabelledDataset,
	features: readonly string[],
	options: AutoSelectOptions,
	context: FitContext,
): Promise<{ kind: LearnerKind; learner: TrainedLearner; auc: number } | undefined> {
	const keep = new Set(features);
	if (!features.every((name) => train.featureNames.includes(name))) return undefined;
	const zeros = new Float32Array(train.rows);
	const masked: LabelledDataset = { ...train, columns: train.columns.map((column, f) => (keep.has(train.featureNames[f]) ? column : zeros)) };
	const learner = await fitOne('logistic', masked, undefined, options, context);
	return { kind: 'logistic', learner, auc: auc(validation.label, learner.predictRaw(validation)) };
}

function hasBothClasses(label: Uint8Array): boolean {
	let positives = 0;
	for (let r = 0; r < label.length; r++) positives += label[r];
	return positives > 0 && positives < label.length;
}

/** The choice in one sentence, naming every candidate's AUC and every skip. */
function reasonFor(candidates: readonly SelectionCandidate[], canCompare: boolean): string {
	const chosen = candidates.find((c) => c.chosen) as SelectionCandidate;
	const name = (c: SelectionCandidate) => (c.status === 'fitted' && c.note ? `${learnerNames[c.learner]} ${c.note.split(':')[0]}` : learnerNames[c.learner]);
	if (!canCompare) return `${name(chosen)} (the default): the validation rows do not hold both outcomes, so no learners could be compared`;
	const others = candidates.filter((c) => c !== chosen);
	const winnerAuc = chosen.auc;
	const compared = others.filter((c) => c.status === 'fitted').map((c) => `${name(c)} ${c.auc === null ? 'n/a' : c.auc.toFixed(3)}`);
	const left = others.filter((c) => c.status !== 'fitted').map((c) => `${learnerNames[c.learner]} ${c.note ?? c.status}`);
	let reason = `${name(chosen)} had the highest validation AUC (${winnerAuc === null ? 'n/a' : winnerAuc.toFixed(3)}`;
	reason += compared.length > 0 ? ` against ${compared.join(', ')})` : ', the only learner fitted)';
	if (left.length > 0) reason += `; ${left.join('; ')}`;
	return reason;
}
