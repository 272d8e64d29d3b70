/**
 * The core's WorkHooks for a node run: progress goes to n8n's logger (a line every few seconds
 * and at each new stage, so a long training shows in the log without flooding it), and the
 * execution's cancel signal stops the work between chunks when the user stops the execution.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { type Progress, type WorkHooks, withThousands } from '../../../core';

const logEveryMs = 5000;

/** Hooks that log progress as "<node name>: <stage> <done>/<total> <unit>" and carry the cancel signal. */
export function workHooksOf(ctx: IExecuteFunctions): WorkHooks {
	const node = ctx.getNode().name;
	let lastStage = '';
	let lastAt = 0;
	const onProgress = (progress: Progress): void => {
		const now = Date.now();
		if (progress.stage === lastStage && now - lastAt < logEveryMs) return;
		lastStage = progress.stage;
		lastAt = now;
		// Rounded as Node-RED's status rounds them: a stage may count in fractions.
		const count = (value: number) => withThousands(Math.round(value));
		const amount = progress.total === undefined ? count(progress.done) : `${count(progress.done)}/${count(progress.total)}`;
		ctx.logger.info(`${node}: ${progress.stage} ${amount} ${progress.unit}${progress.note ? ` (${progress.note})` : ''}`);
	};
	// Older hosts have no cancel signal; the work then simply runs to the end.
	const signal = typeof ctx.getExecutionCancelSignal === 'function' ? ctx.getExecutionCancelSignal() : undefined;
	return signal ? { onProgress, signal } : { onProgress };
}
