/**
 * Demo data: a seeded simulator of an online shop's experience events, streamed customer by
 * customer so memory stays flat however many are asked for, and writers for CSV, NDJSON and
 * XDM ExperienceEvent JSON (optionally gzip-compressed).
 *
 * Files are ordered by customer, then time. A time-ordered export would need every
 * customer's stream open at once (memory growing with customers); the loaders sort anyway.
 */
import { createWriteStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { z } from 'zod';
import { InputError, throwIfCancelled } from '../errors';
import { throttledProgress, type WorkHooks } from '../util/progress';
import { customerEvents, type SimulatedEvent } from './customer';
import { formatterFor, simulationFormats, type SimulationFormat } from './formats';
import { createWorld, resolveOptions, type SimulationOptions } from './options';
import { withThousands } from '../util/counts';

export type { SimulatedEvent, CustomerTruth } from './customer';
export { profileIdOf } from './customer';
export type { SimulationOptions } from './options';
export { defaultEnd, defaultHistoryDays, maxProfiles } from './options';
export { flatColumns, flatRecord, simulationFormats, type SimulationFormat } from './formats';
export { xdmEventTypes, xdmChannelTypes, toXdm } from './xdm';
export { categories } from './shop';

/** The flat event types the shop produces. */
export const simulatedEventTypes = [
	'visit',
	'page_view',
	'product_view',
	'add_to_cart',
	'checkout',
	'purchase',
	'email_open',
	'email_click',
	'app_launch',
] as const;

/**
 * Events per simulated customer with the default 365 days (20,000 customers, seeds 1 to 3):
 * mean 39, median 16, a tenth 2 or fewer, a tenth 113 or more; about 6% have none in the
 * history (gone before it began). Shorter histories give fewer: 23 for 180 days, 12 for 90,
 * 5 for 30; 730 days give 59. `profilesForEvents` aims at an event count for any settings.
 */
export const eventsPerProfileGuide = { historyDays: 365, mean: 39, low: 36, high: 42 } as const;

/** Every event of every simulated customer: customer by customer, each in time order. */
export function* simulateShop(options: SimulationOptions): Generator<SimulatedEvent> {
	const resolved = resolveOptions(options);
	const world = createWorld(resolved);
	for (let index = 0; index < resolved.profiles; index++) {
		for (const event of customerEvents(index, world)) yield event;
	}
}

/**
 * How many customers give about `events` events with these settings: measured on a pilot
 * run of the first customers (the same ones the full run starts with; up to 10,000, fewer
 * for small targets), then scaled. Expect the result within a few percent of `events`.
 */
export function profilesForEvents(events: number, options: Omit<SimulationOptions, 'profiles'>): number {
	if (!Number.isInteger(events) || events < 1)
		throw new InputError(`events must be a whole number of at least 1 (got ${JSON.stringify(events)}).`, 'bad-simulation-options');
	const pilot = Math.min(10_000, Math.max(1_000, Math.ceil(events / eventsPerProfileGuide.mean)));
	let count = 0;
	for (const _ of simulateShop({ ...options, profiles: pilot })) count++;
	const perProfile = Math.max(count / pilot, 1e-9);
	return Math.max(1, Math.round(events / perProfile));
}

export interface WriteSimulationOptions extends SimulationOptions {
	format: SimulationFormat;
	/** The file to write (replaced if it exists). */
	out: string;
	/** Compress with gzip (the file name is used as given). */
	gzip?: boolean;
}

export interface SimulationSummary {
	/** Customers with at least one event in the history. */
	profiles: number;
	events: number;
	/** Size of the written file. */
	bytes: number;
}

const writeSchema = z.object({
	format: z.enum(simulationFormats, { message: `format must be one of ${simulationFormats.join(', ')}` }),
	out: z.string({ message: 'out must be a file path' }).min(1, 'out must be a file path'),
	gzip: z.boolean({ message: 'gzip must be true or false' }).optional(),
});

/** Bytes gathered before a write, so the file stream sees large chunks rather than lines. */
const chunkChars = 1 << 16;

/**
 * Simulates and writes the shop's events to `out` in the chosen format, streaming: memory
 * does not grow with customers or events. On cancel or failure the partial file is removed.
 */
export async function writeSimulation(options: WriteSimulationOptions, hooks?: WorkHooks): Promise<SimulationSummary> {
	const checked = writeSchema.safeParse(options);
	if (!checked.success) {
		throw new InputError(`Simulation output is not usable: ${checked.error.issues.map((issue) => issue.message).join('; ')}.`, 'bad-simulation-options');
	}
	const resolved = resolveOptions(options);
	throwIfCancelled(hooks?.signal, 'simulation');
	const events = simulateShop(resolved);
	const file = createWriteStream(options.out);
	try {
		await once(file, 'open');
	} catch (error) {
		throw new InputError(
			`Cannot write the simulated events to "${options.out}": ${(error as Error).message}. Check that the folder exists and is writable.`,
			'cannot-write',
		);
	}
	const gzip = options.gzip ? createGzip() : undefined;
	const sink: Writable = gzip ?? file;
	const piped = gzip ? pipeline(gzip, file) : undefined;
	const progress = throttledProgress(hooks);
	const formatter = formatterFor(options.format);
	let count = 0;
	let profiles = 0;
	let lastProfile = '';
	try {
		let chunk = formatter.header;
		for (const event of events) {
			chunk += formatter.line(event);
			count++;
			if (event.profileId !== lastProfile) {
				lastProfile = event.profileId;
				profiles++;
			}
			if (chunk.length >= chunkChars) {
				await write(sink, chunk);
				chunk = '';
				throwIfCancelled(hooks?.signal, 'simulation');
				progress({ stage: 'simulating', done: count, unit: 'events', note: `${withThousands(profiles)} customers` });
			}
		}
		await write(sink, chunk + formatter.footer);
		sink.end();
		await piped;
		if (!file.closed) await once(file, 'close');
		progress({ stage: 'simulating', done: count, unit: 'events', note: `${withThousands(profiles)} customers` }, true);
	} catch (error) {
		sink.destroy();
		file.destroy();
		await piped?.catch(() => undefined);
		await unlink(options.out).catch(() => undefined);
		throw error;
	}
	const { size } = await stat(options.out);
	return { profiles, events: count, bytes: size };
}

/** Writes a chunk and waits while the stream's buffer is full. */
async function write(stream: Writable, chunk: string): Promise<void> {
	if (!stream.write(chunk)) await once(stream, 'drain');
}
