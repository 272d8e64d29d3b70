/** Checksums and the messages that refuse damaged store entries. */
import { createHash } from 'node:crypto';
import { InputError } from '../errors';

/** SHA-256 of the text's UTF-8 bytes, lowercase hex. */
export function sha256(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Throws the "corrupted model" error when the text does not match its recorded checksum and size. */
export function verifyModelText(name: string, version: number, where: string, text: string, checksum: string, bytes: number): void {
	const actualBytes = Buffer.byteLength(text, 'utf8');
	const actual = sha256(text);
	if (actual === checksum && actualBytes === bytes) return;
	throw new InputError(
		`Version ${version} of model "${name}" is corrupted (${where}): its text has SHA-256 ${actual} and ${actualBytes} bytes, but ${checksum} and ${bytes} bytes were recorded when it was saved. It was changed or damaged after saving. Load another version, restore it from a backup, or train and save the model again.`,
		'model-corrupted',
		{ name, version, where, expected: checksum, actual },
	);
}

/** Throws the "corrupted membership" error for a segment. */
export function corruptMembership(segment: string, where: string, problem: string): never {
	throw new InputError(
		`The remembered membership of segment "${segment}" is corrupted (${where}): ${problem}. Restore it from a backup, or delete it to start the segment afresh (then every current member counts as entered on the next run).`,
		'membership-corrupted',
		{ segment, where },
	);
}

/**
 * Throws when the model text names another model than the one it is stored under (a file copied
 * or renamed into another model's place): scoring by name must score with that name's model.
 */
export function checkStoredModelName(name: string, version: number | null, where: string, text: string): void {
	let stored: unknown;
	try {
		stored = (JSON.parse(text) as { name?: unknown } | null)?.name;
	} catch {
		return; // Not JSON: reading the model says so, with the fix.
	}
	// Text without a name is not a model; reading it as one says so.
	if (typeof stored !== 'string' || stored === name) return;
	const which = version === null ? `The model to save as "${name}"` : `Version ${version} of model "${name}" (${where})`;
	throw new InputError(
		`${which} is a model named ${JSON.stringify(stored)}: a model is stored under its own name, so that scoring by name uses the model trained for it. ${version === null ? `Save it under ${JSON.stringify(stored)}, or train it again with the name "${name}".` : `It was copied or renamed into another model's place: load ${JSON.stringify(stored)} by its own name, or train and save "${name}" again.`}`,
		'model-name-mismatch',
		{ name, stored, version, where },
	);
}

/** Throws the "corrupted run" error for a kept run of a segment. */
export function corruptRun(segment: string, where: string, problem: string): never {
	throw new InputError(
		`A kept run of segment "${segment}" is corrupted (${where}): ${problem}. Restore it from a backup, or resend another run; the segment's membership is not affected.`,
		'segment-run-corrupted',
		{ segment, where },
	);
}

/** The error for a run that is not kept (never made, or older than the last 30), naming those that are. */
export function noSuchRun(segment: string, wanted: number | 'latest', kept: readonly number[], location: string): InputError {
	const runs =
		kept.length === 0
			? `segment "${segment}" has no kept runs yet (a run is kept when it runs with a store and a name)`
			: `the kept runs of "${segment}" are ${kept[0]}–${kept[kept.length - 1]}`;
	return new InputError(
		`${wanted === 'latest' ? 'There is no latest run' : `Run ${wanted} of segment "${segment}" is not kept`} in the store (${location}): ${runs}. The store keeps the last 30 runs of each segment; pick one of those.`,
		'segment-run-not-found',
		{ segment, wanted, kept },
	);
}
