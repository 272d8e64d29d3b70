/**
 * The sampling hash of core/features/sample.ts in SQL: the first four bytes of MD5("seed:id")
 * as a big-endian unsigned integer, on PostgreSQL and ClickHouse 18.16 alike, so the warehouse
 * keeps exactly the rows the in-memory path keeps.
 */
import { type SamplePlan, hashRange } from '../features/sample';
import type { Dialect } from './dialect';

/**
 * The same hash in SQL, as a non-negative integer. `profile` is a text expression; the seed is
 * a whole number written by the caller, so the statement holds no outside text.
 */
export function sampleHashSql(dialect: Dialect, profile: string, seed: number): string {
	if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed ${seed} is not a whole number`);
	if (dialect.engine === 'postgres') return `('x' || substr(md5('${seed}:' || ${profile}), 1, 8))::bit(32)::bigint`;
	return `toUInt64(reinterpretAsUInt32(reverse(substring(MD5(concat('${seed}:', ${profile})), 1, 4))))`;
}

/** The SQL condition keeping a row of the sample, given a condition that holds for positive rows. */
export function sampleConditionSql(dialect: Dialect, plan: SamplePlan, profile: string, positive: string): string {
	const below = (threshold: number) => (threshold >= hashRange ? '1 = 1' : `${sampleHashSql(dialect, profile, plan.seed)} < ${threshold}`);
	return `((${positive}) AND ${below(plan.positiveThreshold)} OR NOT (${positive}) AND ${below(plan.negativeThreshold)})`;
}
