import assert from 'node:assert/strict';
import { type SimulatedEvent, simulatedEventTypes, simulateShop } from '../../core/simulate';
import { customerEvents, type CustomerTruth } from '../../core/simulate/customer';
import { createWorld, resolveOptions } from '../../core/simulate/options';
import { auc, byCustomer, countIn, DAY, lastBefore, rate } from './support';

const end = Date.parse('2026-06-30T00:00:00Z');
const profiles = 6000;
const activity = ['visit', 'purchase'];

describe('simulate: how the shop behaves', function () {
	this.timeout(120_000);
	let customers: SimulatedEvent[][];
	let events: SimulatedEvent[];

	before(() => {
		events = [...simulateShop({ profiles, seed: 2024 })];
		customers = byCustomer(events);
	});

	it('produces every event type, with channels, campaigns, categories, devices and profile attributes', () => {
		const types = new Set(events.map((event) => event.type));
		assert.deepEqual([...types].sort(), [...simulatedEventTypes].sort());
		for (const event of events) {
			assert.ok(['web', 'app', 'email'].includes(event.channel ?? ''), `${event.type} has channel ${event.channel}`);
			assert.ok(['desktop', 'mobile', 'tablet'].includes(event.device ?? ''), `${event.type} has device ${event.device}`);
			assert.match(event.email, /^[a-z]+\.[a-z]+\d+@example\.(com|net|org)$/);
			assert.match(event.country, /^[A-Z]{2}$/);
			const isEmail = event.type === 'email_open' || event.type === 'email_click';
			assert.equal(event.channel === 'email', isEmail);
			if (isEmail) assert.ok(event.campaign, 'email events name their campaign');
			const isProduct = ['product_view', 'add_to_cart', 'checkout', 'purchase'].includes(event.type);
			assert.equal(event.productCategory !== undefined, isProduct, `${event.type} and its product category`);
			assert.equal(event.value !== undefined, event.type === 'purchase');
		}
		const visits = events.filter((event) => event.type === 'visit');
		const withCampaign = rate(visits.map((visit) => visit.campaign !== undefined));
		assert.ok(withCampaign > 0.1 && withCampaign < 0.6, `some visits come from campaigns: ${withCampaign}`);
		// Profile attributes are the same on every event of a customer.
		for (const customer of customers.slice(0, 500)) {
			assert.equal(new Set(customer.map((event) => `${event.email} ${event.country}`)).size, 1);
		}
		assert.equal(new Set(customers.map((customer) => customer[0].email)).size, customers.length, 'emails are unique');
	});

	it('purchase values are positive amounts in cents, mostly tens of dollars', () => {
		const values = events.filter((event) => event.type === 'purchase').map((event) => event.value as number);
		assert.ok(values.length > 1000);
		for (const value of values) {
			assert.ok(Number.isFinite(value) && value > 0, `value ${value}`);
			assert.equal(Math.round(value * 100) / 100, value);
		}
		const sorted = [...values].sort((a, b) => a - b);
		const median = sorted[Math.floor(sorted.length / 2)];
		assert.ok(median > 15 && median < 150, `median order value ${median}`);
	});

	it('sessions come in bursts: views follow a visit within minutes, purchases follow a checkout and a cart add', () => {
		let views = 0;
		let viewsInSession = 0;
		for (const customer of customers) {
			let lastVisit = -Infinity;
			let lastCart = -Infinity;
			let lastCheckout = -Infinity;
			for (const event of customer) {
				if (event.type === 'visit') lastVisit = event.time;
				if (event.type === 'page_view' || event.type === 'product_view') {
					views++;
					if (event.time - lastVisit <= 30 * 60_000) viewsInSession++;
				}
				if (event.type === 'add_to_cart') lastCart = event.time;
				if (event.type === 'checkout') {
					assert.ok(event.time - lastCart < 60 * 60_000, 'a checkout follows a cart add within the hour');
					lastCheckout = event.time;
				}
				if (event.type === 'purchase') assert.ok(event.time - lastCheckout < 60 * 60_000, 'a purchase follows a checkout within the hour');
			}
		}
		assert.ok(viewsInSession / views > 0.97, `views within 30 minutes of a visit: ${viewsInSession / views}`);
	});

	it('customers differ widely in engagement', () => {
		const counts = customers.map((customer) => customer.length).sort((a, b) => a - b);
		const p10 = counts[Math.floor(counts.length * 0.1)];
		const p90 = counts[Math.floor(counts.length * 0.9)];
		assert.ok(p90 / p10 >= 8, `events per customer p10 ${p10}, p90 ${p90}`);
	});

	describe('purchase in the next 30 days', () => {
		const cutoff = end - 30 * DAY;
		const buys = (customer: SimulatedEvent[]) => countIn(customer, ['purchase'], cutoff, cutoff + 30 * DAY) > 0;
		const known = (customer: SimulatedEvent[]) => customer[0].time <= cutoff;

		it('customers who clicked an email in the last 30 days buy more often than those who did not', () => {
			const clicked: boolean[] = [];
			const others: boolean[] = [];
			for (const customer of customers.filter(known)) {
				(countIn(customer, ['email_click'], cutoff - 30 * DAY, cutoff) > 0 ? clicked : others).push(buys(customer));
			}
			assert.ok(clicked.length > 200);
			assert.ok(rate(clicked) > 3 * rate(others), `clickers ${rate(clicked)}, others ${rate(others)}`);
		});

		it('customers who visited in the last 14 days buy more often than those last seen 60 or more days ago', () => {
			const recent: boolean[] = [];
			const lapsed: boolean[] = [];
			for (const customer of customers.filter(known)) {
				const since = cutoff - lastBefore(customer, ['visit'], cutoff);
				if (since <= 14 * DAY) recent.push(buys(customer));
				else if (since >= 60 * DAY) lapsed.push(buys(customer));
			}
			assert.ok(rate(recent) > 5 * rate(lapsed), `recent ${rate(recent)}, lapsed ${rate(lapsed)}`);
		});

		it('recent visitors who left a cart in the last 14 days buy more often than other recent visitors', () => {
			const abandoned: boolean[] = [];
			const others: boolean[] = [];
			for (const customer of customers.filter(known)) {
				if (lastBefore(customer, ['visit'], cutoff) < cutoff - 14 * DAY) continue;
				const lastCart = lastBefore(customer, ['add_to_cart'], cutoff);
				const left = lastCart > cutoff - 14 * DAY && lastBefore(customer, ['purchase'], cutoff) < lastCart;
				(left ? abandoned : others).push(buys(customer));
			}
			assert.ok(abandoned.length > 100, `customers who left a cart: ${abandoned.length}`);
			assert.ok(rate(abandoned) > 1.3 * rate(others), `left a cart ${rate(abandoned)}, others ${rate(others)}`);
		});

		it('is learnable from history but not trivially: a plain recency-frequency score ranks it with AUC between 0.7 and 0.95', () => {
			const scores: number[] = [];
			const labels: boolean[] = [];
			for (const customer of customers.filter(known)) {
				const visits = countIn(customer, ['visit'], cutoff - 30 * DAY, cutoff);
				const purchases = countIn(customer, ['purchase'], cutoff - 365 * DAY, cutoff);
				const clicks = countIn(customer, ['email_click'], cutoff - 30 * DAY, cutoff);
				scores.push(Math.log1p(visits) + 0.5 * Math.log1p(purchases) + 0.3 * Math.log1p(clicks));
				labels.push(buys(customer));
			}
			const base = rate(labels);
			assert.ok(base > 0.03 && base < 0.25, `purchase rate ${base}`);
			const area = auc(scores, labels);
			assert.ok(area > 0.7 && area < 0.95, `AUC ${area}`);
		});
	});

	describe('churn: no visit or purchase in the next 60 days', () => {
		const cutoff = end - 60 * DAY;
		/** Customers active (visit or purchase) in the 90 days before the cutoff: the ones churn is asked of. */
		const active = () => customers.filter((customer) => countIn(customer, activity, cutoff - 90 * DAY, cutoff) > 0);
		const quiet = (customer: SimulatedEvent[]) => countIn(customer, activity, cutoff, cutoff + 60 * DAY) === 0;

		it('customers whose visits fell over the last two months go quiet more often than those whose visits held up', () => {
			const falling: boolean[] = [];
			const steady: boolean[] = [];
			for (const customer of active()) {
				const recent = countIn(customer, ['visit'], cutoff - 60 * DAY, cutoff);
				const before = countIn(customer, ['visit'], cutoff - 180 * DAY, cutoff - 60 * DAY) / 2;
				if (before < 1) continue;
				(recent < 0.5 * before ? falling : steady).push(quiet(customer));
			}
			assert.ok(falling.length > 100 && steady.length > 100);
			assert.ok(rate(falling) > 1.4 * rate(steady), `falling ${rate(falling)}, steady ${rate(steady)}`);
		});

		it('is learnable from history but not trivially: days since the last visit rank it with AUC between 0.6 and 0.95', () => {
			const scores: number[] = [];
			const labels: boolean[] = [];
			for (const customer of active()) {
				scores.push(
					(cutoff - lastBefore(customer, activity, cutoff)) / DAY -
						5 * Math.log1p(countIn(customer, ['visit', 'email_open'], cutoff - 180 * DAY, cutoff)),
				);
				labels.push(quiet(customer));
			}
			const base = rate(labels);
			assert.ok(base > 0.15 && base < 0.6, `churn rate ${base}`);
			const area = auc(scores, labels);
			assert.ok(area > 0.6 && area < 0.95, `AUC ${area}`);
		});
	});

	it("churners' activity fades before they stop for good", () => {
		const world = createWorld(resolveOptions({ profiles: 1, seed: 2024 }));
		let churners = 0;
		let fadingOnes = 0;
		let quietAfter = 0;
		for (let index = 0; index < 3000; index++) {
			const truth: CustomerTruth = { segment: '' };
			const own = customerEvents(index, world, truth);
			if (truth.declineFrom === undefined || truth.churnedAt === undefined) continue;
			if (truth.declineFrom - 180 * DAY < world.windowStart || (truth.joinedAt ?? 0) > truth.declineFrom - 180 * DAY) continue;
			const engaged = ['visit', 'email_open', 'app_launch'];
			const span = truth.churnedAt - truth.declineFrom;
			const normalRate = countIn(own, engaged, truth.declineFrom - 180 * DAY, truth.declineFrom) / 180;
			const lastStretch = countIn(own, engaged, truth.churnedAt - span / 2, truth.churnedAt) / (span / 2 / DAY);
			if (normalRate === 0) continue;
			churners++;
			if (lastStretch < normalRate) fadingOnes++;
			if (countIn(own, activity, truth.churnedAt, end) === 0) quietAfter++;
		}
		assert.ok(churners > 100, `churners seen: ${churners}`);
		assert.ok(fadingOnes / churners > 0.75, `churners with less activity near the end: ${fadingOnes} of ${churners}`);
		assert.equal(quietAfter, churners, 'no visit or purchase after churning');
	});
});
