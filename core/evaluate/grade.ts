/**
 * The quality grade of a model from its validation AUC, with the thresholds stated, and what to
 * change when it is poor (the advice the commercial Customer-AI services give).
 */

export type Grade = 'poor' | 'fair' | 'good' | 'excellent' | 'unknown';

/** The grade scale, best first: a grade applies from its `minAuc` up to the next grade's. */
export const gradeThresholds: readonly { readonly grade: Exclude<Grade, 'unknown'>; readonly minAuc: number }[] = [
	{ grade: 'excellent', minAuc: 0.85 },
	{ grade: 'good', minAuc: 0.75 },
	{ grade: 'fair', minAuc: 0.65 },
	{ grade: 'poor', minAuc: 0 },
];

export interface QualityGrade {
	readonly grade: Grade;
	/** The validation AUC graded (null when it could not be computed). */
	readonly auc: number | null;
	/** True when the model is too weak to rely on. */
	readonly poor: boolean;
	/** One sentence a marketer can read. */
	readonly summary: string;
	/** What to try next (empty for a fair or good model). */
	readonly advice: readonly string[];
}

const poorAdvice = [
	'Use more history: a longer date range gives the model more examples of the outcome.',
	'Widen the eligible population: very narrow eligibility leaves few and similar profiles to learn from.',
	'Try a different outcome window: a window that is too short or too long blurs the signal.',
	'Add more event types, custom events or profile attributes that plausibly relate to the outcome.',
];

const leakageAdvice = [
	'Check for leakage: a feature that records the outcome itself (or something that happens only after it) makes a model look better than it will be.',
];

/**
 * The grade of a validation AUC: < 0.65 poor, 0.65–0.75 fair, 0.75–0.85 good, ≥ 0.85 excellent
 * (with a leakage check advised); NaN or null gives 'unknown'.
 */
export function gradeModel(validationAuc: number | null): QualityGrade {
	if (validationAuc === null || !Number.isFinite(validationAuc)) {
		return {
			grade: 'unknown',
			auc: null,
			poor: false,
			summary: 'The model could not be graded: the validation data needs both profiles with and without the outcome.',
			advice: ['Use a longer date range or a wider eligible population so that validation holds both outcomes.'],
		};
	}
	const { grade } = gradeThresholds.find((t) => validationAuc >= t.minAuc) ?? gradeThresholds[gradeThresholds.length - 1];
	const auc = validationAuc.toFixed(3);
	switch (grade) {
		case 'excellent':
			return {
				grade,
				auc: validationAuc,
				poor: false,
				summary: `Excellent (validation AUC ${auc}, 0.85 or more): the model ranks profiles very well; check for leakage before relying on it.`,
				advice: leakageAdvice,
			};
		case 'good':
			return {
				grade,
				auc: validationAuc,
				poor: false,
				summary: `Good (validation AUC ${auc}, 0.75 to 0.85): the model ranks profiles well.`,
				advice: [],
			};
		case 'fair':
			return {
				grade,
				auc: validationAuc,
				poor: false,
				summary: `Fair (validation AUC ${auc}, 0.65 to 0.75): the model ranks profiles usefully but not sharply.`,
				advice: [],
			};
		default:
			return {
				grade: 'poor',
				auc: validationAuc,
				poor: true,
				summary: `Poor (validation AUC ${auc}, under 0.65): the scores are barely better than chance; do not rely on them yet.`,
				advice: poorAdvice,
			};
	}
}
