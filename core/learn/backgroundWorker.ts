/**
 * The worker of background.ts: fits the candidates asked for, one after another, and posts each
 * one's JSON form (or its error) back. It loads only the learners it fits.
 */
import { parentPort } from 'node:worker_threads';
import { datasetOf, type BackgroundReply, type BackgroundRequest } from './background';
import type { LearnerKind, TrainedLearner } from './learner';
import type { LabelledDataset } from './dataset';
import type { FitOptions } from './registry';

async function fit(kind: LearnerKind, train: LabelledDataset, options: FitOptions, seed: number): Promise<TrainedLearner> {
	if (kind === 'logistic') return (await import('./logistic')).trainLogistic(train, options.logistic ?? {}, { seed });
	if (kind === 'naiveBayes') return (await import('./naiveBayes')).trainNaiveBayes(train, options.naiveBayes ?? {}, { seed });
	throw new Error(`${kind} is not fitted in the background`);
}

parentPort?.once('message', async (request: BackgroundRequest) => {
	const train = datasetOf(request);
	for (const kind of request.kinds) {
		const started = Date.now();
		let reply: BackgroundReply;
		try {
			const learner = await fit(kind, train, request.options, request.seed);
			reply = { kind, json: learner.toJSON(), seconds: (Date.now() - started) / 1000 };
		} catch (error) {
			const { name, message, code, details } = error as { name?: string; message?: string; code?: string; details?: unknown };
			reply = {
				kind,
				error: {
					name: String(name ?? 'Error'),
					message: String(message ?? error),
					...(code ? { code } : {}),
					...(details !== undefined ? { details } : {}),
				},
			};
		}
		parentPort?.postMessage(reply);
	}
});
