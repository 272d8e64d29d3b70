/**
 * Reading event timestamps: ISO 8601 with or without a zone, and epoch seconds or
 * milliseconds. Parsing is strict and by hand (not Date.parse), so an impossible date such
 * as 2023-02-30 is an error rather than a silent roll-over to March, and so it is fast.
 */
import { InputError } from '../errors';

/** How numeric timestamps are read: by magnitude (`auto`), or as declared. */
export type TimeUnit = 'auto' | 'seconds' | 'milliseconds';

/** Why a timestamp could not be read. */
export type TimeProblem = 'bad-time' | 'impossible-date';

/** Below this magnitude an `auto` epoch number is seconds (1e11 s is the year 5138; 1e11 ms is 1973-03-03). */
export const secondsBelow = 1e11;

/** The largest span a JavaScript Date can hold, in milliseconds either side of 1970. */
const maxEpochMs = 8.64e15;

const msPerDay = 86400000;

/**
 * A time zone that turns a local wall-clock time (given as if it were UTC) into UTC milliseconds.
 * Fixed offsets are exact; IANA zones follow their daylight-saving rules through Intl.
 */
export interface Zone {
	/** The zone as the user declared it, for reports. */
	readonly name: string;
	/** UTC milliseconds of a local wall-clock time expressed as UTC milliseconds. */
	toUtc(localMs: number): number;
}

/** The zone named `name`: `UTC`, `Z`, an offset such as `+02:00` or `-0530`, or an IANA name such as `Europe/Paris`. */
export function parseZone(name: string | undefined): Zone {
	const text = (name ?? 'UTC').trim();
	if (text === '' || text.toUpperCase() === 'UTC' || text === 'Z') return fixedZone('UTC', 0);
	const offset = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
	if (offset) {
		const hours = Number(offset[2]);
		const minutes = Number(offset[3] ?? '0');
		if (hours > 23 || minutes > 59) throw badZone(text);
		return fixedZone(text, (offset[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60000);
	}
	try {
		return ianaZone(text);
	} catch {
		throw badZone(text);
	}
}

function badZone(text: string): InputError {
	return new InputError(
		`The time zone "${text}" is not known. Use an IANA name such as "Europe/Paris" or "America/New_York", an offset such as "+02:00", or "UTC".`,
		'bad-time-zone',
	);
}

function fixedZone(name: string, offsetMs: number): Zone {
	return { name, toUtc: (localMs) => localMs - offsetMs };
}

/**
 * An IANA zone. The offset at a UTC instant comes from Intl and is cached per quarter hour:
 * when a quarter hour starts and ends on the same offset it holds throughout; otherwise the
 * instant is looked up exactly. Local times in a spring-forward gap move forward by the gap
 * and repeated times in a fall-back overlap take the earlier instant, as Temporal's
 * `compatible` disambiguation does.
 */
function ianaZone(name: string): Zone {
	const format = new Intl.DateTimeFormat('en-US', {
		timeZone: name,
		hourCycle: 'h23',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		hour: 'numeric',
		minute: 'numeric',
		second: 'numeric',
		era: 'short',
	});
	const exactOffset = (utcMs: number): number => {
		const whole = Math.floor(utcMs / 1000) * 1000;
		let year = 0;
		let month = 0;
		let day = 0;
		let hour = 0;
		let minute = 0;
		let second = 0;
		let before = false;
		for (const part of format.formatToParts(whole)) {
			if (part.type === 'year') year = Number(part.value);
			else if (part.type === 'month') month = Number(part.value);
			else if (part.type === 'day') day = Number(part.value);
			else if (part.type === 'hour') hour = Number(part.value);
			else if (part.type === 'minute') minute = Number(part.value);
			else if (part.type === 'second') second = Number(part.value);
			else if (part.type === 'era') before = part.value.startsWith('B');
		}
		const local = utcFromFields(before ? 1 - year : year, month, day, hour, minute, second, 0);
		return local - whole;
	};
	const quarter = 900000;
	const cache = new Map<number, number>();
	const offsetAt = (utcMs: number): number => {
		const slot = Math.floor(utcMs / quarter);
		const cached = cache.get(slot);
		if (cached !== undefined) return Number.isNaN(cached) ? exactOffset(utcMs) : cached;
		const start = exactOffset(slot * quarter);
		const end = exactOffset(slot * quarter + quarter - 1);
		if (cache.size > 100000) cache.clear();
		cache.set(slot, start === end ? start : NaN);
		return start === end ? start : exactOffset(utcMs);
	};
	return {
		name,
		toUtc(localMs) {
			// The offset can only be one of the two around the instant; try the earlier first.
			const before = offsetAt(localMs - 86400000);
			const after = offsetAt(localMs + 86400000);
			const early = localMs - before;
			if (offsetAt(early) === before) return early;
			const late = localMs - after;
			if (offsetAt(late) === after) return late;
			// A gap: the wall time does not exist; move it forward by the gap.
			return localMs - before;
		},
	};
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
	const y = month <= 2 ? year - 1 : year;
	const era = Math.floor(y / 400);
	const yearOfEra = y - era * 400;
	const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
	const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
	return era * 146097 + dayOfEra - 719468;
}

function utcFromFields(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
	return daysFromCivil(year, month, day) * msPerDay + hour * 3600000 + minute * 60000 + second * 1000 + ms;
}

function daysInMonth(year: number, month: number): number {
	if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
	return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The number written by the two digits at text[i, i + 2), or -1 if either is not a digit (NaN past the end fails too). */
function two(text: string, i: number): number {
	const tens = text.charCodeAt(i) - 48;
	const units = text.charCodeAt(i + 1) - 48;
	return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

// Days since 1970 of the last date read: consecutive events mostly share their date.
let cachedDate = -1;
let cachedDays = 0;

function daysOf(year: number, month: number, day: number): number {
	const key = (year * 16 + month) * 32 + day;
	if (key !== cachedDate) {
		cachedDays = daysFromCivil(year, month, day);
		cachedDate = key;
	}
	return cachedDays;
}

/**
 * Parses `YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH[:MM]]` into UTC milliseconds, using
 * `zone` when the text has none. Returns the problem instead when it cannot.
 */
export function parseIsoTime(text: string, zone: Zone): number | TimeProblem {
	const n = text.length;
	if (n < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return 'bad-time';
	const century = two(text, 0);
	const yearOfCentury = two(text, 2);
	const month = two(text, 5);
	const day = two(text, 8);
	if (century < 0 || yearOfCentury < 0 || month < 0 || day < 0) return 'bad-time';
	const year = century * 100 + yearOfCentury;
	let hour = 0;
	let minute = 0;
	let second = 0;
	let ms = 0;
	let i = 10;
	if (i < n) {
		const separator = text.charCodeAt(i);
		if (separator === 84 || separator === 116 || separator === 32) {
			hour = two(text, i + 1);
			minute = text.charCodeAt(i + 3) === 58 ? two(text, i + 4) : -1;
			if (hour < 0 || minute < 0) return 'bad-time';
			i += 6;
			if (i < n && text.charCodeAt(i) === 58) {
				second = two(text, i + 1);
				if (second < 0) return 'bad-time';
				i += 3;
				if (i < n && (text.charCodeAt(i) === 46 || text.charCodeAt(i) === 44)) {
					// A fraction of any length; milliseconds keep three digits, truncated.
					let end = i + 1;
					while (end < n) {
						const code = text.charCodeAt(end) - 48;
						if (code < 0 || code > 9) break;
						if (end - i <= 3) ms = ms * 10 + code;
						end++;
					}
					if (end === i + 1) return 'bad-time';
					if (end - i === 2) ms *= 100;
					else if (end - i === 3) ms *= 10;
					i = end;
				}
			}
		}
	}
	if (month < 1 || month > 12 || day < 1 || (day > 28 && day > daysInMonth(year, month)) || hour > 23 || minute > 59 || second > 59) {
		return 'impossible-date';
	}
	const local = daysOf(year, month, day) * msPerDay + hour * 3600000 + minute * 60000 + second * 1000 + ms;
	if (i === n) return zone.toUtc(local);
	const sign = text.charCodeAt(i);
	if ((sign === 90 || sign === 122) && i + 1 === n) return local;
	if (sign !== 43 && sign !== 45) return 'bad-time';
	const offsetHours = two(text, i + 1);
	let offsetMinutes = 0;
	const rest = n - i - 3;
	if (rest === 3 && text.charCodeAt(i + 3) === 58) offsetMinutes = two(text, i + 4);
	else if (rest === 2) offsetMinutes = two(text, i + 3);
	else if (rest !== 0) return 'bad-time';
	if (offsetHours < 0 || offsetMinutes < 0) return 'bad-time';
	if (offsetHours > 23 || offsetMinutes > 59) return 'impossible-date';
	const offset = (offsetHours * 60 + offsetMinutes) * 60000;
	return sign === 45 ? local + offset : local - offset;
}

/** Epoch seconds or milliseconds as UTC milliseconds: by magnitude when `auto`. */
export function epochToMs(value: number, unit: TimeUnit): number | TimeProblem {
	if (!Number.isFinite(value)) return 'bad-time';
	const seconds = unit === 'seconds' || (unit === 'auto' && Math.abs(value) < secondsBelow);
	const ms = seconds ? Math.round(value * 1000) : Math.round(value);
	return Math.abs(ms) > maxEpochMs ? 'bad-time' : ms;
}

const epochPattern = /^\s*-?\d+(\.\d+)?\s*$/;

/**
 * Any supported timestamp value as UTC milliseconds: an ISO 8601 string, a string or number
 * of epoch seconds or milliseconds, or a Date (database drivers return those).
 */
export function parseTime(raw: unknown, zone: Zone, unit: TimeUnit): number | TimeProblem {
	if (typeof raw === 'string') {
		const code = raw.charCodeAt(0);
		if (raw.length >= 10 && code >= 48 && code <= 57 && raw.charCodeAt(4) === 45) return parseIsoTime(raw, zone);
		const trimmed = raw.trim();
		if (trimmed !== raw) return parseTime(trimmed, zone, unit);
		if (epochPattern.test(raw)) return epochToMs(Number(raw), unit);
		return 'bad-time';
	}
	if (typeof raw === 'number') return epochToMs(raw, unit);
	if (typeof raw === 'bigint') return epochToMs(Number(raw), unit);
	if (raw instanceof Date) {
		const ms = raw.getTime();
		return Number.isNaN(ms) ? 'bad-time' : ms;
	}
	return 'bad-time';
}

/** UTC milliseconds as ISO 8601 (`2024-03-21T14:05:00.000Z`). */
export function isoTime(ms: number): string {
	return new Date(ms).toISOString();
}
