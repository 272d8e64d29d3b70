/** Small scored populations for the segment tests. */
import type { Bucket, Factor, ScoredProfile } from '../../core/score/types';
import type { SegmentRule } from '../../core/segment';

export const high: SegmentRule = { bucket: ['high'] };
/** A run's moment on day n of May 2024 (n from 1 to 9). */
export const day = (n: number): string => `2024-05-0${n}T06:00:00.000Z`;
export const ids = (rows: readonly { profileId: string }[]): string[] => rows.map((row) => row.profileId);

export function bucketOf(score: number): Bucket {
	return score >= 75 ? 'high' : score >= 25 ? 'medium' : 'low';
}

export function factor(feature: string, impact: number, label = feature.replace(/_/g, ' ')): Factor {
	return {
		feature,
		label,
		value: 1,
		impact,
		importance: Math.abs(impact) > 0.5 ? 'high' : 'low',
		sentence: `${label} ${impact > 0 ? 'raises' : 'lowers'} the chance`,
	};
}

/** A scored profile with a score, and whatever else the test sets. */
export function profile(profileId: string, score: number, extra: Partial<ScoredProfile> = {}): ScoredProfile {
	return {
		profileId,
		probability: score / 100,
		score,
		percentile: Math.max(1, score),
		bucket: bucketOf(score),
		propensityType: 'conversion',
		scoreDate: '2024-05-01T00:00:00.000Z',
		model: { name: 'buyers', version: 3 },
		...extra,
	};
}

/** Eight customers: scores, factors and attributes chosen so each rule kind picks a known set. */
export function shop(): ScoredProfile[] {
	return [
		profile('ann', 91, {
			factors: [factor('email_click_count_30d', 0.9), factor('days_since_last_purchase', -0.2)],
			attributes: { email: 'ann@example.com', country: 'FR', orders: 7 },
		}),
		profile('bob', 80, {
			factors: [factor('days_since_last_purchase', -0.8), factor('email_click_count_30d', 0.3)],
			attributes: { email: 'bob@example.org', country: 'DE', orders: '3' },
		}),
		profile('cid', 62, { factors: [factor('purchase_count_90d', 0.6)], attributes: { email: null, country: 'FR', orders: 1 } }),
		profile('dee', 45, { factors: [factor('email_click_count_30d', -0.4)], attributes: { email: 'dee@example.com', country: 'ES', orders: '' } }),
		profile('eve', 30, { factors: [], attributes: { email: 'eve@example.com', country: 'FR', orders: 0 } }),
		profile('fay', 24, { factors: [factor('email_click_count_30d', 0.1)], attributes: { email: '', country: 'DE', orders: 2 } }),
		profile('gus', 10, { factors: [factor('days_since_last_purchase', -1.5)], attributes: { country: 'FR', orders: 'many' } }),
		profile('hal', 3, { factors: [factor('purchase_count_90d', -0.9)], attributes: { email: 'hal@example.com', country: 'IT', orders: 12 } }),
	];
}
