import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { eventsPerProfileGuide, profilesForEvents, simulateShop } from '../../core/simulate';

/** A full garbage collection, so heap figures measure what is still held, not what awaits collection. */
function collectGarbage(): void {
	setFlagsFromString('--expose-gc');
	(runInNewContext('gc') as () => void)();
}

describe('simulate: scale', function () {
	this.timeout(180_000);

	it('gives the documented number of events per customer over the default year', () => {
		let events = 0;
		const profiles = 10_000;
		for (const _ of simulateShop({ profiles, seed: 1 })) events++;
		const perProfile = events / profiles;
		assert.ok(
			perProfile >= eventsPerProfileGuide.low && perProfile <= eventsPerProfileGuide.high,
			`${perProfile} events per customer, documented ${eventsPerProfileGuide.low}–${eventsPerProfileGuide.high}`,
		);
	});

	for (const historyDays of [365, 30]) {
		it(`--events aims within 10% of the asked number (${historyDays} days of history)`, () => {
			const target = 100_000;
			const profiles = profilesForEvents(target, { seed: 3, historyDays });
			let events = 0;
			for (const _ of simulateShop({ profiles, seed: 3, historyDays })) events++;
			assert.ok(Math.abs(events - target) / target < 0.1, `${profiles} customers gave ${events} events for a target of ${target}`);
		});
	}

	it('memory stays flat while 50,000 customers stream by', () => {
		const heapAt: number[] = [];
		let events = 0;
		let next = 0;
		const checkpoints = [5_000, 45_000];
		for (const event of simulateShop({ profiles: 50_000, seed: 4, historyDays: 120 })) {
			events++;
			// Ids count customers from 1 (cust-0000001); some customers have no events, so go by number.
			if (next < checkpoints.length && Number(event.profileId.slice(5)) > checkpoints[next]) {
				next++;
				collectGarbage();
				heapAt.push(process.memoryUsage().heapUsed);
			}
		}
		assert.equal(heapAt.length, checkpoints.length);
		assert.ok(events > 500_000, `events: ${events}`);
		const growth = heapAt[1] - heapAt[0];
		assert.ok(growth < 4 * 1024 * 1024, `heap grew by ${(growth / 1024 / 1024).toFixed(1)} MiB from 5,000 to 45,000 customers`);
	});
});
