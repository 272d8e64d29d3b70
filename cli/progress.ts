/**
 * Draws progress on one terminal line (events read, rate) and stays silent when stderr is
 * not a terminal, so piped output and CI logs carry only results.
 */
import { type Progress, type WorkHooks, withThousands } from '../core';
import type { CliIo } from './command';

export function terminalProgress(io: CliIo): WorkHooks & { finish(): void } {
	const started = Date.now();
	let drawn = false;
	const onProgress = (progress: Progress): void => {
		if (!io.interactive) return;
		const seconds = (Date.now() - started) / 1000;
		const rate = seconds > 0 ? Math.round(progress.done / seconds) : 0;
		const of = progress.total !== undefined ? ` of ${withThousands(progress.total)}` : '';
		const note = progress.note ? `, ${progress.note}` : '';
		io.stderr.write(`\r\x1b[K${progress.stage}: ${withThousands(progress.done)}${of} ${progress.unit} (${withThousands(rate)}/s${note})`);
		drawn = true;
	};
	return {
		onProgress,
		finish() {
			if (drawn) io.stderr.write('\r\x1b[K');
			drawn = false;
		},
	};
}
