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
