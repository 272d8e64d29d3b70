/**
 * How the report writes numbers and dates, in one place so every section agrees. Nothing
 * here depends on the machine's locale or clock: the same input gives the same text.
 */
import { withThousands } from '../util/counts';

/** Shown wherever a number is missing or not a number. */
export const notAvailable = 'n/a';

function usable(value: number | null | undefined): value is number {
	return typeof value === 'number' && Number.isFinite(value);
}

/** A whole count with thousands separators: 12345 → "12,345". */
export function formatCount(value: number | null | undefined): string {
	if (!usable(value)) return notAvailable;
	return withThousands(Math.round(value) || 0);
}

/** A metric such as AUC, log loss or Brier score, with three decimals: "0.812". */
export function formatMetric(value: number | null | undefined): string {
	return usable(value) ? fixed(value, 3) : notAvailable;
}

/** A share 0–1 as a percentage with one decimal ("4.2%"); tiny non-zero shares as "<0.1%". */
export function formatPercent(share: number | null | undefined): string {
	if (!usable(share)) return notAvailable;
	const percent = share * 100;
	if (percent !== 0 && Math.abs(percent) < 0.05) return percent > 0 ? '<0.1%' : '>-0.1%';
	return `${fixed(percent, 1)}%`;
}

/** A ratio to the average, e.g. lift: "3.2×". */
export function formatTimes(value: number | null | undefined): string {
	return usable(value) ? `${fixed(value, 1)}×` : notAvailable;
}

/** Seconds of work: "0.4 s", "12 s", "3.5 min". */
export function formatSeconds(value: number | null | undefined): string {
	if (!usable(value)) return notAvailable;
	if (value < 10) return `${fixed(value, 1)} s`;
	if (value < 120) return `${fixed(value, 0)} s`;
	return `${fixed(value / 60, 1)} min`;
}

/** Days as "30 days" / "1 day". */
export function formatDays(value: number | null | undefined): string {
	if (!usable(value)) return notAvailable;
	const rounded = Math.round(value);
	return `${formatCount(rounded)} ${rounded === 1 ? 'day' : 'days'}`;
}

/**
 * An ISO 8601 moment as a UTC date ("2024-03-31"), with the time when it is not midnight
 * ("2024-03-31 14:05 UTC"); text that is not a date is returned as it is (and escaped later).
 */
export function formatDate(iso: string): string {
	const ms = Date.parse(iso);
	if (!Number.isFinite(ms)) return iso;
	const text = new Date(ms).toISOString();
	const date = text.slice(0, 10);
	const time = text.slice(11, 16);
	return time === '00:00' ? date : `${date} ${time} UTC`;
}

/** A number with a fixed count of decimals, never "-0.0". */
export function fixed(value: number, decimals: number): string {
	const text = value.toFixed(decimals);
	return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}
