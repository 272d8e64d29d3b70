import assert from 'node:assert/strict';
import { assessReadiness, buildExamples, generateFeatures } from '../../core/features';
import { goalWarnings, parseGoal } from '../../core/goal';
import { type TestEvent, at, goalOf, tableOf } from './support';

/**
 * `profiles` visitors over 200 days, each visiting every 4 days; every `buyEvery`-th
 * profile buys every 10 days.
 */
function visitors(profiles: number, buyEvery: number): TestEvent[] {
	const events: TestEvent[] = [];
	for (let p = 0; p < profiles; p++) {
		for (let d = p % 4; d <= 200; d += 4) events.push({ profile: `p${p}`, day: d, type: 'visit' });
		if (p % buyEvery === 0) for (let d = 5; d <= 200; d += 10) events.push({ profile: `p${p}`, day: d, type: 'purchase', value: 20 });
	}
	return events;
}

const codes = (report: ReturnType<typeof assessReadiness>) => report.problems.map((problem) => problem.code);

describe('readiness', () => {
	it('is ready when every cutoff has enough positives and negatives, and counts them as training does', async () => {
		const table = tableOf(visitors(200, 2));
		const goal = goalOf({ training: { cutoffs: 4 } });
		const report = assessReadiness(table, goal, { minPositives: 100, minNegatives: 100 });
		assert.equal(report.ready, true, JSON.stringify(report.problems));
		assert.deepEqual(codes(report), []);
		assert.deepEqual(
			report.cutoffs.map((c) => [c.date.slice(0, 10), c.role, c.eligible, c.positives, c.negatives]),
			[
				['2024-03-21', 'training', 200, 100, 100],
				['2024-04-20', 'training', 200, 100, 100],
				['2024-05-20', 'training', 200, 100, 100],
				['2024-06-19', 'validation', 200, 100, 100],
			],
		);
		assert.deepEqual(report.totals, { eligible: 800, positives: 400, negatives: 400 });
		const examples = await buildExamples(table, goal, generateFeatures(table, goal), { cutoffs: report.cutoffs.map((c) => c.cutoff) });
		assert.deepEqual(
			examples.perCutoff,
			report.cutoffs.map(({ cutoff, eligible, positives, negatives }) => ({ cutoff, eligible, positives, negatives })),
		);
	});

	it('reports history available against needed, and the event types seen, busiest first', () => {
		const report = assessReadiness(tableOf(visitors(10, 2)), goalOf());
		assert.deepEqual(report.history, { start: '2024-01-01T00:00:00.000Z', end: '2024-07-19T00:00:00.000Z', availableDays: 200, neededDays: 120 });
		assert.deepEqual(
			report.eventTypes.map((t) => t.type),
			['visit', 'purchase'],
		);
		assert.deepEqual(report.minimums, { positives: 500, negatives: 500 });
	});

	it('fails with too few positives, saying how many were found and what to change', () => {
		const report = assessReadiness(tableOf(visitors(200, 20)), goalOf({ training: { cutoffs: 4 } }), { minPositives: 100, minNegatives: 100 });
		assert.equal(report.ready, false);
		assert.deepEqual(codes(report), ['too-few-positives']);
		assert.equal(
			report.problems[0].message,
			'Found 40 positive examples (profiles with a purchase within 30 days) over 4 cutoffs (800 eligible examples); training needs at least 100. ' +
				'To get more: load a longer history (more cutoffs fit), widen the eligibility conditions (more profiles are then scored too), or lengthen outcome.windowDays (now 30) so more profiles reach the outcome event ' +
				'(the score then means the chance within the new window).',
		);
	});

	it('fails with too few negatives, advising a shorter window for a conversion goal', () => {
		const report = assessReadiness(tableOf(visitors(50, 1)), goalOf(), { minPositives: 10, minNegatives: 10 });
		assert.deepEqual(codes(report), ['too-few-negatives', 'validation-one-class']);
		assert.match(
			report.problems[0].message,
			/^Found 0 negative examples \(profiles with no purchase within 30 days\) .* shorten outcome\.windowDays \(now 30\)/,
		);
		assert.match(report.problems[1].message, /The validation cutoff \(2024-06-19\) has no negative examples among 50 eligible profiles/);
	});

	it('gives the opposite window advice for churn, where positives are the profiles that go quiet', () => {
		const churn = parseGoal({
			name: 'churn',
			propensityType: 'churn',
			lookbackDays: 90,
			outcome: { occur: 'will_not_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'visit' }] } },
		});
		const report = assessReadiness(tableOf(visitors(20, 2)), churn, { minPositives: 5, minNegatives: 5 });
		assert.equal(report.problems[0].code, 'too-few-positives');
		assert.match(
			report.problems[0].message,
			/^Found 0 positive examples \(profiles with no visit within 30 days\) .* shorten outcome\.windowDays \(now 30\) so fewer profiles reach the outcome event in time \(the score then means the chance within the new window\)\.$/,
		);
	});

	it('fails when the history is too short for any cutoff', () => {
		const report = assessReadiness(tableOf(visitors(10, 2).filter((e) => (e.day ?? 0) < 40)), goalOf());
		assert.deepEqual(codes(report), ['too-little-history']);
		assert.match(
			report.problems[0].message,
			/too short for a 30-day outcome window with at least 30 days of history before it: load at least 60 days of events/,
		);
		assert.deepEqual(report.cutoffs, []);
	});

	it('fails when only one cutoff fits, since training needs one to learn from and one to validate on', () => {
		const report = assessReadiness(tableOf(visitors(300, 2).filter((e) => (e.day ?? 0) <= 63)), goalOf(), { minPositives: 1, minNegatives: 1 });
		assert.deepEqual(codes(report), ['one-cutoff']);
		assert.match(
			report.problems[0].message,
			/Only one cutoff \(2024-02-03\) fits in the history, .* Load more history, or lower outcome\.windowDays \(now 30\)\.$/,
		);
		const own = assessReadiness(tableOf(visitors(300, 2).filter((e) => (e.day ?? 0) <= 70)), goalOf({ training: { cutoffs: 4 } }), {
			minPositives: 1,
			minNegatives: 1,
		});
		assert.deepEqual(codes(own), ['one-cutoff']);
		assert.match(
			own.problems[0].message,
			/Only one cutoff \(2024-02-10\) fits in the history, .* lower training\.spacingDays \(now 30\) or outcome\.windowDays/,
		);
	});

	it('plans closer cutoffs by itself when the history is short, and says why', () => {
		const report = assessReadiness(tableOf(visitors(300, 2).filter((e) => (e.day ?? 0) <= 70)), goalOf(), { minPositives: 1, minNegatives: 1 });
		assert.equal(report.ready, true, JSON.stringify(report.problems));
		assert.deepEqual(
			report.cutoffs.map((c) => [c.date.slice(0, 10), c.role]),
			[
				['2024-01-31', 'training'],
				['2024-02-10', 'validation'],
			],
		);
		assert.equal(report.plan?.chosenBy, 'automatic');
		assert.equal(report.plan?.holdOutProfiles, true);
		assert.match(
			report.plan?.reason ?? '',
			/^1 training cutoff 10 days apart up to the validation cutoff, because only 70 days of history leave no room for them a whole 30-day window before it; a seeded 30% of the customers are kept out of training/,
		);
	});

	it('warns, without failing, when the history is shorter than lookback plus window', () => {
		const report = assessReadiness(tableOf(visitors(200, 2)), goalOf({ lookbackDays: 365 }), { minPositives: 100, minNegatives: 100 });
		assert.equal(report.ready, true);
		assert.deepEqual(
			report.warnings.map((w) => w.code),
			['short-history'],
		);
		assert.match(report.warnings[0].message, /The events cover 200 days; 395 \(lookbackDays 365 \+ window 30\) would give every cutoff its full lookback/);
	});

	it('advises a lower lookback only with its cost: how many profiles it leaves to train on and score', () => {
		// 200 profiles active to the end, 10 that stopped on day 20: a 170-day lookback loses those 10.
		const quiet: TestEvent[] = [];
		for (let p = 0; p < 10; p++) for (let d = 0; d <= 20; d += 5) quiet.push({ profile: `q${p}`, day: d, type: 'visit' });
		const report = assessReadiness(tableOf([...visitors(200, 2), ...quiet]), goalOf({ lookbackDays: 365 }), { minPositives: 100, minNegatives: 100 });
		assert.match(
			report.warnings[0].message,
			/lower lookbackDays to 170: this also narrows who is trained on and scored, since only profiles with an event in the lookback are \(as of 2024-07-19: 200 profiles with an event in the last 170 days, against 210 in the last 365\)\.$/,
		);
	});

	it('warns about a churn goal whose outcome will happen, and still lets it train', () => {
		const churn = parseGoal({
			name: 'churn-oops',
			propensityType: 'churn',
			lookbackDays: 90,
			outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
		});
		const report = assessReadiness(tableOf(visitors(200, 2)), churn, { minPositives: 100, minNegatives: 100 });
		assert.equal(report.ready, true);
		assert.deepEqual(
			report.warnings.map((w) => w.code),
			['churn-will-occur'],
		);
		assert.match(
			report.warnings[0].message,
			/^A churn goal whose outcome will happen scores who will do it, not who will stop: "churn-oops" predicts a purchase within 30 days\. .*"will_not_occur"/,
		);
		assert.deepEqual(goalWarnings({ ...churn, outcome: { ...churn.outcome, occur: 'will_not_occur' } }), []);
		assert.deepEqual(goalWarnings({ ...churn, propensityType: 'conversion' }), []);
	});

	it('fails on fields and event types the data lacks, and lists them', () => {
		const goal = goalOf({
			outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'order' }] } },
			exclusions: [{ all: [{ field: 'channel', op: 'equals', value: 'test' }] }],
			profileAttributes: [{ field: 'tier' }],
		});
		const table = tableOf(visitors(5, 2), [{ name: 'channel', kind: 'category' }]);
		const report = assessReadiness(table, goal);
		assert.equal(report.ready, false);
		assert.deepEqual(codes(report), ['goal-data-mismatch', 'goal-data-mismatch']);
		assert.deepEqual(report.typesMissing, ['order']);
		assert.deepEqual(report.fieldsMissing, ['tier']);
		assert.match(report.problems[0].message, /outcome\.when\.all\[0\]: names the event type "order", which the events do not have/);
	});

	it('honours an as-of date: later events do not count', () => {
		const table = tableOf(visitors(20, 2));
		const report = assessReadiness(table, goalOf({ training: { cutoffs: 1 } }), { asOf: at(100), minPositives: 1, minNegatives: 1 });
		assert.equal(report.cutoffs[0].cutoff, at(70));
		assert.equal(report.history.end, '2024-04-10T00:00:00.000Z');
	});
});
