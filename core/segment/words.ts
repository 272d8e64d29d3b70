/**
 * A segment run in words: members, and what changed since the last run. The "entered" and
 * "left" modes hand on only the change, so a rerun on the same scores hands on nobody; these
 * sentences say so, rather than leave an empty file or output unexplained.
 */
import type { SegmentSummary } from './build';
import { withThousands } from '../util/counts';

const count = (n: number) => withThousands(n);

/** What changed since the last run, and why an "entered" or "left" output may be empty; '' without a store. */
export function describeSegmentChange(summary: SegmentSummary): string {
	if (!summary.remembered && summary.previousRunAt === null) return '';
	if (summary.previousRunAt === null) return `First run: all ${count(summary.entered)} members entered.`;
	const change = `Since the last run (${summary.previousRunAt}): ${count(summary.entered)} entered, ${count(summary.left)} left.`;
	const why = whyNobodyHandedOn(summary);
	return why ? `${change} ${why}` : change;
}

/** Why an "entered" or "left" run hands on nobody (the store remembers the last run's members); '' when it hands on someone. */
export function whyNobodyHandedOn(summary: SegmentSummary): string {
	if (summary.previousRunAt === null || summary.mode === 'all' || summary.output > 0) return '';
	const who = summary.mode === 'entered' ? 'profiles that were not members then' : 'members then who are not members now';
	return (
		`Nobody to hand on: the store remembers the ${summary.name ? `"${summary.name}" ` : ''}members of the last run, and "${summary.mode}" lists only ${who}; ` +
		`the segment itself has ${count(summary.members)} members.`
	);
}
