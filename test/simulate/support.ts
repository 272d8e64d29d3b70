/** Helpers for the simulator's tests: output files, per-customer tallies at a cutoff, AUC. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatedEvent } from '../../core/simulate';

export const DAY = 86_400_000;

/** A fresh path under test-output/simulate/. */
export function outputPath(name: string): string {
	const folder = join(process.cwd(), 'test-output', 'simulate');
	mkdirSync(folder, { recursive: true });
	return join(folder, name);
}

/** Customers' events grouped by customer (the simulator emits them grouped already). */
export function byCustomer(events: Iterable<SimulatedEvent>): SimulatedEvent[][] {
	const groups: SimulatedEvent[][] = [];
	let current: SimulatedEvent[] = [];
	for (const event of events) {
		if (current.length > 0 && current[0].profileId !== event.profileId) {
			groups.push(current);
			current = [];
		}
		current.push(event);
	}
	if (current.length > 0) groups.push(current);
	return groups;
}

/** Events of `types` in (from, to]. */
export function countIn(events: readonly SimulatedEvent[], types: readonly string[], from: number, to: number): number {
	let count = 0;
	for (const event of events) if (event.time > from && event.time <= to && types.includes(event.type)) count++;
	return count;
}

/** Time of the last event of `types` at or before `at`, or -Infinity. */
export function lastBefore(events: readonly SimulatedEvent[], types: readonly string[], at: number): number {
	let last = -Infinity;
	for (const event of events) if (event.time <= at && types.includes(event.type)) last = event.time;
	return last;
}

/** Area under the ROC curve of `scores` for `labels` (ties count half): the chance a positive outranks a negative. */
export function auc(scores: readonly number[], labels: readonly boolean[]): number {
	const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
	let rankSum = 0;
	let positives = 0;
	for (let i = 0; i < order.length;) {
		let j = i;
		while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
		const meanRank = (i + j) / 2 + 1;
		for (let k = i; k <= j; k++) {
			if (labels[order[k]]) {
				rankSum += meanRank;
				positives++;
			}
		}
		i = j + 1;
	}
	const negatives = order.length - positives;
	return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The share of `flags` that are true. */
export function rate(flags: readonly boolean[]): number {
	return flags.filter(Boolean).length / flags.length;
}
