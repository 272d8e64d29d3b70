import assert from 'node:assert/strict';
import { EventTableBuilder, type EventTable } from '../../core/events/table';
import { defineGoal, scoreProfiles, trainModel, type TrainOutcome } from '../../core/pipeline';
import { simulateShop } from '../../core/simulate';

const goal = {
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 45 }] },
	lookbackDays: 120,
};

/** The simulated shop, plus events dated in year 9999 for the first `outliers` profiles. */
function shop(outliers: number): { table: EventTable; latest: number } {
	const builder = new EventTableBuilder([]);
	const ids: string[] = [];
	let latest = -Infinity;
	for (const event of simulateShop({ profiles: 1500, seed: 5 })) {
		builder.add(event.profileId, event.time, event.type, event.value ?? NaN, []);
		if (!ids.includes(event.profileId) && ids.length < outliers) ids.push(event.profileId);
		latest = Math.max(latest, event.time);
	}
	for (const id of ids) builder.add(id, Date.UTC(9999, 0, 1), 'visit', NaN, []);
	return { table: builder.build().table, latest };
}

describe('the present moment and events dated in the future', function () {
	this.timeout(600_000);
	let clean: { table: EventTable; latest: number };
	let dirty: { table: EventTable; latest: number };
	let trained: TrainOutcome;
	let now: number;

	before(async () => {
		clean = shop(0);
		dirty = shop(3);
		now = clean.latest + 86_400_000;
		trained = await trainModel(clean.table, goal, { learner: 'logistic', seed: 2, minPositives: 20, minNegatives: 20 });
	});

	it('scores as of the latest event before now, as if the three events dated 9999 were not there, and reports them with examples', async () => {
		const expected = await scoreProfiles(clean.table, trained.model, { now });
		const run = await scoreProfiles(dirty.table, trained.model, { now });
		assert.equal(run.summary.scoreDate, new Date(clean.latest).toISOString());
		assert.equal(run.summary.scored, expected.summary.scored);
		assert.ok(run.summary.scored > 100);
		assert.equal(run.summary.futureEvents?.events, 3);
		assert.equal(run.summary.futureEvents?.profiles, 3);
		assert.equal(run.summary.futureEvents?.examples[0].time, '9999-01-01T00:00:00.000Z');
		assert.equal(run.summary.warnings.length, 1);
		assert.match(
			run.summary.warnings[0],
			/^3 events are dated after the present moment \(.+\), for 3 profiles, e\.g\. .+ visit at 9999-01-01T00:00:00\.000Z.*The default as-of date \(the latest event\) ignores them\./,
		);
		assert.deepEqual(expected.summary.warnings, [], 'a clean run warns of nothing');
	});

	it('says so when a run scores far fewer profiles than are eligible on the bulk of the data', async () => {
		const run = await scoreProfiles(dirty.table, trained.model, {});
		assert.equal(run.summary.scoreDate, '9999-01-01T00:00:00.000Z');
		assert.ok(run.summary.scored <= 3);
		assert.equal(run.summary.warnings.length, 1);
		assert.match(
			run.summary.warnings[0],
			/^Only \d of 1,411 profiles were eligible and scored as of 9999-01-01T00:00:00\.000Z, while [\d,]+ would be as of .+ A few late events moved the default as-of date/,
		);
		const given = await scoreProfiles(clean.table, trained.model, { asOf: '2100-01-01' });
		assert.match(given.summary.warnings[0], /Check the as-of date given\.$/);
	});

	it('trains the same model on data with future events as on the data without them, given the present moment', async () => {
		const withOutliers = await trainModel(dirty.table, goal, { learner: 'logistic', seed: 2, minPositives: 20, minNegatives: 20, now });
		const without = await trainModel(clean.table, goal, { learner: 'logistic', seed: 2, minPositives: 20, minNegatives: 20, now, asOf: clean.latest });
		// The insights differ only in saying that three events were left out (and so does the checksum over them).
		const learned = (outcome: TrainOutcome) => JSON.stringify({ ...outcome.model, insights: undefined, checksum: undefined });
		assert.equal(learned(withOutliers), learned(without));
		assert.equal(withOutliers.model.dataRange.asOf, new Date(clean.latest).toISOString());
		assert.ok(withOutliers.readiness.warnings.some((warning) => warning.code === 'future-events'));
		const again = await trainModel(clean.table, goal, { learner: 'logistic', seed: 2, minPositives: 20, minNegatives: 20, now: now + 1e9 });
		assert.equal(again.modelText, trained.modelText, 'the present moment leaves no trace in the model when no event is after it');
	});

	it('reports future events in the readiness check of Define Goal', () => {
		const check = defineGoal(goal, dirty.table, { now, minPositives: 20, minNegatives: 20 });
		assert.ok(check.readiness?.warnings.some((warning) => /3 events are dated after the present moment/.test(warning.message)));
		assert.equal(check.readiness?.history.end, new Date(clean.latest).toISOString());
	});
});
