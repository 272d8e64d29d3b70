/**
 * Errors raised by the engine. Every message names the input, the place and the fix,
 * because adapters (n8n, Node-RED, CLI) show it to the user as it is.
 */
export class PropensityError extends Error {
	constructor(
		message: string,
		/** A stable machine-readable code, e.g. `bad-goal`, `too-few-positives`. */
		readonly code: string,
		/** Structured details for adapters that want to show more than the message. */
		readonly details?: unknown,
	) {
		super(message);
		this.name = 'PropensityError';
	}
}

/** Something the user supplied (parameter, file, goal, model, row) is not usable. */
export class InputError extends PropensityError {
	constructor(message: string, code = 'bad-input', details?: unknown) {
		super(message, code, details);
		this.name = 'InputError';
	}
}

/** Work stopped because its AbortSignal fired (redeploy, cancelled execution). */
export class CancelledError extends PropensityError {
	constructor(what = 'work') {
		super(`The ${what} was cancelled before it finished.`, 'cancelled');
		this.name = 'CancelledError';
	}
}

/** Throws CancelledError when the signal has fired; call it between chunks of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined, what?: string): void {
	if (signal?.aborted) throw new CancelledError(what);
}
