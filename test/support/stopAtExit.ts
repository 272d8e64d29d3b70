/**
 * Stops a test server when the process ends, however it ends: on a normal exit, and on SIGINT,
 * SIGTERM or SIGHUP (a bench or a test run stopped by Ctrl-C or `kill`), which would otherwise
 * end the process without its 'exit' listeners and leave the servers running. After stopping
 * them on a signal, the process ends by that signal (exit status 128 + its number, as it would
 * have without this), unless someone else listens for it and decides.
 */

const stops = new Set<() => void>();
const signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function stopAll(): void {
	for (const stop of [...stops]) {
		stops.delete(stop);
		try {
			stop();
		} catch {
			// One server that cannot be stopped must not keep the others running.
		}
	}
}

function onSignal(signal: NodeJS.Signals): void {
	stopAll();
	for (const name of signals) process.removeListener(name, onSignal);
	process.removeListener('exit', stopAll);
	installed = false;
	// Nobody else handles it: end as the signal would have ended the process.
	if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Runs `stop` once when the process exits or is stopped by a signal (`stop` must bear being called after a stop by hand). */
export function stopAtExit(stop: () => void): void {
	stops.add(stop);
	if (!installed) {
		installed = true;
		process.once('exit', stopAll);
		for (const name of signals) process.once(name, onSignal);
	}
}
