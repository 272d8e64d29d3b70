/** Fast ISO 8601 timestamps for writers that print millions of them. */

let cachedDay = NaN;
let cachedPrefix = '';

/** ISO 8601 UTC with milliseconds (`2026-06-29T18:04:05.000Z`), the date part cached per day because it repeats. */
export function isoTime(time: number): string {
	const day = Math.floor(time / 86_400_000);
	if (day !== cachedDay) {
		cachedDay = day;
		cachedPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
	}
	const ms = time - day * 86_400_000;
	const hours = Math.floor(ms / 3_600_000);
	const minutes = Math.floor(ms / 60_000) % 60;
	const seconds = Math.floor(ms / 1000) % 60;
	const millis = ms % 1000;
	return `${cachedPrefix}${two(hours)}:${two(minutes)}:${two(seconds)}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

function two(n: number): string {
	return n < 10 ? `0${n}` : `${n}`;
}
