import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { epochToMs, parseIsoTime, parseTime, parseZone } from '../../core/events/time';
import { createRng } from '../../core/util/rng';

const utc = parseZone('UTC');
const at = (text: string): number => Date.parse(text);

describe('timestamps', () => {
	describe('ISO 8601', () => {
		it('reads a UTC timestamp with Z, with or without milliseconds', () => {
			assert.equal(parseIsoTime('2024-03-21T14:05:00Z', utc), at('2024-03-21T14:05:00Z'));
			assert.equal(parseIsoTime('2024-03-21T14:05:00.123Z', utc), at('2024-03-21T14:05:00.123Z'));
			assert.equal(parseIsoTime('2024-03-21t14:05:00z', utc), at('2024-03-21T14:05:00Z'));
		});

		it('keeps milliseconds of a longer fraction, truncated, and accepts a comma as the decimal sign', () => {
			assert.equal(parseIsoTime('2024-03-21T14:05:00.123987Z', utc), at('2024-03-21T14:05:00.123Z'));
			assert.equal(parseIsoTime('2024-03-21T14:05:00,5Z', utc), at('2024-03-21T14:05:00.500Z'));
		});

		it('reads offsets written as +HH:MM, +HHMM and +HH', () => {
			assert.equal(parseIsoTime('2024-03-21T14:05:00+05:30', utc), at('2024-03-21T08:35:00Z'));
			assert.equal(parseIsoTime('2024-03-21T14:05:00+0530', utc), at('2024-03-21T08:35:00Z'));
			assert.equal(parseIsoTime('2024-03-21T14:05:00-03', utc), at('2024-03-21T17:05:00Z'));
		});

		it('reads a space instead of T, a time without seconds, and a date alone (midnight)', () => {
			assert.equal(parseIsoTime('2024-03-21 14:05', utc), at('2024-03-21T14:05:00Z'));
			assert.equal(parseIsoTime('2024-03-21', utc), at('2024-03-21T00:00:00Z'));
		});

		it('reads a timestamp without a zone in the declared default zone', () => {
			assert.equal(parseIsoTime('2024-03-21T14:05:00', parseZone('+02:00')), at('2024-03-21T12:05:00Z'));
			assert.equal(parseIsoTime('2024-03-21T14:05:00', parseZone('-0700')), at('2024-03-21T21:05:00Z'));
			assert.equal(parseIsoTime('2024-03-21T14:05:00', parseZone('Europe/Paris')), at('2024-03-21T13:05:00Z'));
			assert.equal(parseIsoTime('2024-07-01T12:00:00', parseZone('Europe/Paris')), at('2024-07-01T10:00:00Z'));
			assert.equal(parseIsoTime('2024-01-15T09:00', parseZone('America/New_York')), at('2024-01-15T14:00:00Z'));
			assert.equal(parseIsoTime('2024-01-15T09:00', parseZone('Asia/Kolkata')), at('2024-01-15T03:30:00Z'));
		});

		it('lets a zone written in the timestamp win over the default zone', () => {
			assert.equal(parseIsoTime('2024-03-21T14:05:00Z', parseZone('Europe/Paris')), at('2024-03-21T14:05:00Z'));
		});

		it('moves a wall time in a spring-forward gap forward, and takes the earlier of a repeated fall-back time', () => {
			const paris = parseZone('Europe/Paris');
			// 02:30 on 31 March 2024 does not exist in Paris: it is read as 03:30 CEST.
			assert.equal(parseIsoTime('2024-03-31T02:30:00', paris), at('2024-03-31T01:30:00Z'));
			// 02:30 on 27 October 2024 happens twice: the first, still CEST, is taken.
			assert.equal(parseIsoTime('2024-10-27T02:30:00', paris), at('2024-10-27T00:30:00Z'));
		});

		it('turns every wall time of an IANA zone back into the instant it came from (random instants, half-hour DST too)', () => {
			const rng = createRng(7);
			for (const name of ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Sao_Paulo']) {
				const zone = parseZone(name);
				const wall = new Intl.DateTimeFormat('en-US', {
					timeZone: name,
					hourCycle: 'h23',
					year: 'numeric',
					month: '2-digit',
					day: '2-digit',
					hour: '2-digit',
					minute: '2-digit',
					second: '2-digit',
				});
				const wallOf = (ms: number): number => {
					const parts = Object.fromEntries(wall.formatToParts(ms).map((part) => [part.type, part.value]));
					return Date.UTC(
						Number(parts.year),
						Number(parts.month) - 1,
						Number(parts.day),
						Number(parts.hour),
						Number(parts.minute),
						Number(parts.second),
					);
				};
				for (let k = 0; k < 400; k++) {
					const instant = Math.floor((at('2015-01-01T00:00:00Z') + rng.next() * 12 * 365 * 86400000) / 1000) * 1000;
					const local = wallOf(instant);
					const back = zone.toUtc(local);
					// In a fall-back overlap the earlier instant with the same wall time is the answer.
					assert.equal(wallOf(back), local, `${name}: ${new Date(instant).toISOString()}`);
					assert.ok(
						back <= instant && instant - back <= 3600000,
						`${name}: ${new Date(instant).toISOString()} came back as ${new Date(back).toISOString()}`,
					);
				}
			}
		});

		it('calls 2023-02-30, 2023-02-29, month 13, hour 24 and minute 60 impossible dates, and accepts 2024-02-29', () => {
			for (const text of [
				'2023-02-30',
				'2023-02-29T10:00:00Z',
				'2024-13-01',
				'2024-04-31',
				'2024-01-01T24:00:00Z',
				'2024-01-01T12:60:00Z',
				'2024-01-01T12:00:61Z',
				'2024-01-01T12:00:00+25:00',
			]) {
				assert.equal(parseIsoTime(text, utc), 'impossible-date', text);
			}
			assert.equal(parseIsoTime('2024-02-29', utc), at('2024-02-29T00:00:00Z'));
			assert.equal(parseIsoTime('2000-02-29', utc), at('2000-02-29T00:00:00Z'));
			assert.equal(parseIsoTime('1900-02-29', utc), 'impossible-date');
		});

		it('refuses text that is not ISO 8601, rather than guessing', () => {
			for (const text of [
				'21/03/2024',
				'03/21/2024 10:00',
				'yesterday',
				'2024-3-21',
				'2024-03-21T',
				'2024-03-21T10',
				'2024-03-21T10:00:00Zjunk',
				'2024-03-21T10:00:00.Z',
				'',
			]) {
				assert.equal(parseTime(text, utc, 'auto'), 'bad-time', text);
			}
		});
	});

	describe('epoch numbers', () => {
		it('reads seconds and milliseconds by magnitude', () => {
			assert.equal(parseTime(1711029900, utc, 'auto'), at('2024-03-21T14:05:00Z'));
			assert.equal(parseTime(1711029900000, utc, 'auto'), at('2024-03-21T14:05:00Z'));
			assert.equal(parseTime('1711029900', utc, 'auto'), at('2024-03-21T14:05:00Z'));
			assert.equal(parseTime(' 1711029900123 ', utc, 'auto'), at('2024-03-21T14:05:00.123Z'));
			assert.equal(parseTime(1711029900.25, utc, 'auto'), at('2024-03-21T14:05:00.250Z'));
		});

		it('reads numbers in the declared unit when one is declared', () => {
			assert.equal(parseTime(1711029900, utc, 'milliseconds'), 1711029900);
			assert.equal(parseTime('86400', utc, 'seconds'), 86400000);
			assert.equal(epochToMs(1e13, 'seconds'), 'bad-time');
		});

		it('reads a Date (as database drivers return) as its instant, and refuses an invalid one', () => {
			assert.equal(parseTime(new Date('2024-03-21T14:05:00Z'), utc, 'auto'), at('2024-03-21T14:05:00Z'));
			assert.equal(parseTime(new Date('nope'), utc, 'auto'), 'bad-time');
		});

		it('refuses numbers outside the range of dates and values that are not numbers', () => {
			assert.equal(parseTime(Infinity, utc, 'auto'), 'bad-time');
			assert.equal(parseTime(1e20, utc, 'auto'), 'bad-time');
			assert.equal(parseTime(true, utc, 'auto'), 'bad-time');
			assert.equal(parseTime({}, utc, 'auto'), 'bad-time');
		});
	});

	describe('zones', () => {
		it('accepts UTC, Z, offsets and IANA names, and refuses an unknown zone with the forms it accepts', () => {
			assert.equal(parseZone(undefined).name, 'UTC');
			assert.equal(parseZone('Z').toUtc(0), 0);
			assert.equal(parseZone('+01:00').toUtc(3600000), 0);
			assert.throws(
				() => parseZone('Mars/Olympus_Mons'),
				(error: unknown) => error instanceof InputError && /IANA name/.test(error.message),
			);
			assert.throws(() => parseZone('+25:00'), InputError);
		});
	});
});
