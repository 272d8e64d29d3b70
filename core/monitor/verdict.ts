/**
 * The verdict a marketer acts on: healthy, watch or retrain, with the reasons in sentences.
 * Thresholds are options (documented in docs/monitoring.md); the defaults follow common practice:
 * PSI 0.1 / 0.25 for a moderate / large shift, an AUC drop of 0.05 / 0.10 from training.
 */
import { z } from 'zod';
import { InputError } from '../errors';
import type { RunBacktest } from './backtest';
import type { RunDrift } from './drift';
import { withThousands } from '../util/counts';

export type VerdictStatus = 'healthy' | 'watch' | 'retrain';

export interface Verdict {
	readonly status: VerdictStatus;
	/** Why, most serious first; for "healthy", what was checked. */
	readonly reasons: readonly string[];
}

export const thresholdsSchema = z.strictObject({
	/** Realised AUC this far under the training AUC: watch, retrain. */
	aucDropWatch: z.number().min(0).max(1).default(0.05),
	aucDropRetrain: z.number().min(0).max(1).default(0.1),
	/** PSI of the score distribution: watch, retrain. */
	scorePsiWatch: z.number().min(0).default(0.1),
	scorePsiRetrain: z.number().min(0).default(0.25),
	/** PSI of any followed feature: watch. */
	featurePsiWatch: z.number().min(0).default(0.25),
	/** Realised rate this far (relative) from the mean predicted probability: watch. */
	calibrationWatch: z.number().min(0).default(0.5),
	/** Share of profiles eligible this far (absolute) from training's: watch. */
	eligibleShiftWatch: z.number().min(0).max(1).default(0.2),
});

export type Thresholds = z.output<typeof thresholdsSchema>;

/** The thresholds with defaults filled in, or an InputError naming the bad one. */
export function parseThresholds(input: unknown): Thresholds {
	const parsed = thresholdsSchema.safeParse(input ?? {});
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const name = issue.code === 'unrecognized_keys' ? issue.keys.join('", "') : issue.path.join('.') || 'thresholds';
		const problem =
			issue.code === 'unrecognized_keys'
				? `there is no such threshold (the thresholds are ${Object.keys(thresholdsSchema.shape).join(', ')})`
				: issue.message;
		throw new InputError(
			`The monitoring threshold "${name}" is not valid: ${problem}. Thresholds are numbers by name, e.g. { "scorePsiRetrain": 0.3, "aucDropWatch": 0.03 } (see docs/monitoring.md).`,
			'bad-thresholds',
		);
	}
	if (parsed.data.aucDropRetrain < parsed.data.aucDropWatch || parsed.data.scorePsiRetrain < parsed.data.scorePsiWatch) {
		throw new InputError('A "retrain" threshold is below its "watch" threshold: retrain must need at least as large a change as watch.', 'bad-thresholds');
	}
	return parsed.data;
}

/** The verdict from the latest backtested run and the latest run's drift (either may be missing). */
export function verdictOf(
	backtest: RunBacktest | undefined,
	drift: RunDrift | undefined,
	training: { auc: number | null },
	thresholds: Thresholds,
	notes: { runs: number; pending?: RunBacktest },
): Verdict {
	const retrain: string[] = [];
	const watch: string[] = [];
	if (notes.runs === 0)
		return { status: 'watch', reasons: ['No scoring run is remembered yet: score with a store, then check again once the outcome window has passed.'] };
	const m = backtest?.metrics;
	if (m?.auc != null && training.auc !== null) {
		const drop = training.auc - m.auc;
		const sentence = `Realised AUC ${m.auc.toFixed(2)} against ${training.auc.toFixed(2)} at training (run of ${backtest?.run.scoreDate.slice(0, 10)}).`;
		if (drop >= thresholds.aucDropRetrain) retrain.push(sentence);
		else if (drop >= thresholds.aucDropWatch) watch.push(sentence);
	}
	if (m?.realisedRate != null && m.meanPredicted != null && m.meanPredicted > 0) {
		const off = Math.abs(m.realisedRate - m.meanPredicted) / m.meanPredicted;
		if (off >= thresholds.calibrationWatch)
			watch.push(`Probabilities are off: ${pct(m.realisedRate)} had the outcome against ${pct(m.meanPredicted)} predicted.`);
	}
	if (drift?.scorePsi != null) {
		const sentence = `Scores moved: PSI ${drift.scorePsi.toFixed(2)} on the score distribution.`;
		if (drift.scorePsi >= thresholds.scorePsiRetrain) retrain.push(sentence);
		else if (drift.scorePsi >= thresholds.scorePsiWatch) watch.push(sentence);
	}
	if (drift?.maxFeaturePsi?.psi != null && drift.maxFeaturePsi.psi >= thresholds.featurePsiWatch) {
		watch.push(`Behaviour moved: PSI ${drift.maxFeaturePsi.psi.toFixed(2)} on "${drift.maxFeaturePsi.label}".`);
	}
	const share = drift?.eligibleShare;
	if (share?.training != null && share.run != null && Math.abs(share.run - share.training) >= thresholds.eligibleShiftWatch) {
		watch.push(`The eligible share changed: ${pct(share.run)} of active profiles against ${pct(share.training)} at training.`);
	}
	if (drift && drift.newEventTypes.length > 0) {
		watch.push(
			`Event types the model never saw: ${drift.newEventTypes
				.slice(0, 5)
				.map((t) => `${t.type} (${withThousands(t.events)})`)
				.join(', ')}${drift.newEventTypes.length > 5 ? ', …' : ''}.`,
		);
	}
	if (retrain.length) return { status: 'retrain', reasons: [...retrain, ...watch] };
	if (watch.length) return { status: 'watch', reasons: watch };
	const checked: string[] = [];
	if (m?.auc != null) checked.push(`Realised AUC ${m.auc.toFixed(2)}${training.auc !== null ? ` against ${training.auc.toFixed(2)} at training` : ''}.`);
	else checked.push(notes.pending ? `No outcome window has closed yet: ${notes.pending.message}` : 'No run could be backtested yet.');
	if (drift?.scorePsi != null) checked.push(`Scores are stable: PSI ${drift.scorePsi.toFixed(2)} on the score distribution.`);
	return { status: 'healthy', reasons: checked };
}

function pct(share: number): string {
	return `${(share * 100).toFixed(1)}%`;
}
