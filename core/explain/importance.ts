/**
 * Global importance, for the report's "top factors overall": each feature's mean |impact|
 * (log-odds) over a sample of explained profiles.
 */
import { InputError } from '../errors';
import type { FeatureDecl } from '../features/declaration';

export interface FeatureImportance {
	readonly feature: string;
	readonly label: string;
	/** Mean |impact| over the profiles, in log-odds. */
	readonly meanAbsImpact: number;
	/** Mean signed impact: > 0 when the feature mostly raises scores. */
	readonly meanImpact: number;
	/** This feature's share (0–1) of the sum of every feature's mean |impact|. */
	readonly share: number;
}

/**
 * Every feature with a non-zero impact, by mean |impact| over the profiles in `contributions`
 * (rows × features, row-major), largest first, ties by feature order.
 */
export function globalImportance(decls: readonly FeatureDecl[], contributions: ArrayLike<number>): FeatureImportance[] {
	const features = decls.length;
	if (features === 0 || contributions.length % features !== 0) {
		throw new InputError(
			`There are ${contributions.length} contributions, which is not a whole number of profiles of ${features} features; explain with the declarations the model was trained on.`,
			'feature-mismatch',
		);
	}
	const rows = contributions.length / features;
	const sumAbs = new Float64Array(features);
	const sum = new Float64Array(features);
	for (let i = 0; i < rows; i++) {
		const at = i * features;
		for (let f = 0; f < features; f++) {
			sumAbs[f] += Math.abs(contributions[at + f]);
			sum[f] += contributions[at + f];
		}
	}
	const total = sumAbs.reduce((a, b) => a + b, 0);
	return Array.from(decls, (decl, f) => ({ f, decl }))
		.filter(({ f }) => sumAbs[f] > 0)
		.sort((a, b) => sumAbs[b.f] - sumAbs[a.f] || a.f - b.f)
		.map(({ f, decl }) => ({
			feature: decl.name,
			label: decl.label,
			meanAbsImpact: sumAbs[f] / rows,
			meanImpact: sum[f] / rows,
			share: sumAbs[f] / total,
		}));
}
