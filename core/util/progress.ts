/**
 * How long work reports progress and is cancelled, the same way for every adapter:
 * the CLI draws a line on a terminal, n8n logs, Node-RED sets node.status.
 */
export interface Progress {
	/** What is happening, e.g. "loading events", "training", "scoring". */
	readonly stage: string;
	/** Units done so far. */
	readonly done: number;
	/** Units in all, when known. */
	readonly total?: number;
	/** What a unit is, e.g. "events", "trees", "profiles". */
	readonly unit: string;
	/** An optional short remark, e.g. "validation AUC 0.81". */
	readonly note?: string;
}

export interface WorkHooks {
	onProgress?: (progress: Progress) => void;
	/** Fires on cancel (redeploy, stopped execution); long work checks it between chunks. */
	signal?: AbortSignal;
}

/** Calls `onProgress` at most every `intervalMs`, so hot loops can report freely. */
export function throttledProgress(hooks: WorkHooks | undefined, intervalMs = 250): (progress: Progress, force?: boolean) => void {
	let last = 0;
	return (progress, force = false) => {
		if (!hooks?.onProgress) return;
		const now = Date.now();
		if (force || now - last >= intervalMs) {
			last = now;
			hooks.onProgress(progress);
		}
	};
}
