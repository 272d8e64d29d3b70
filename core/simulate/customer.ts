/**
 * One simulated customer: latent traits drawn once, a state that drifts day by day, and the
 * events that state produces. Each customer has its own random stream derived from the seed
 * and its number, so customer 17 is the same whether 100 or 100,000 are simulated.
 *
 * The behaviour, in short:
 * - Traits: a segment (loyal, regular, occasional, browser, deal seeker) sets the means of a
 *   visit rate, a buying tendency, email open and click tendencies, app use and a churn hazard;
 *   each customer varies around them.
 * - Interest drifts (a mean-reverting random walk on the log visit rate); email clicks and
 *   purchases lift it. Sessions come in bursts: a visit, page and product views seconds apart,
 *   sometimes a cart add, checkout and purchase minutes later.
 * - The chance to buy in a session rises with interest, an abandoned cart (and its reminder
 *   email), a recent email click and sales; it falls right after a purchase.
 * - Churn: a weekly hazard (higher for low interest, a month without a visit, no purchase yet
 *   and new customers; lower for two months after a purchase) starts a decline of four to
 *   thirteen weeks in which visits, opens and buying fade; then the customer is gone for good,
 *   apart from a rare email open.
 */
import { createRng, type Rng } from '../util/rng';
import {
	type Category,
	type ShopDay,
	cartReminderCampaign,
	categories,
	countries,
	DAY_MS,
	emailDomains,
	firstNames,
	hash32,
	hourWeights,
	lastNames,
	listPrice,
	productsPerCategory,
	skuOf,
	visitCampaigns,
	winBackAfterDays,
	winBackCampaign,
} from './shop';

/** One experience event of the simulated shop. */
export interface SimulatedEvent {
	profileId: string;
	/** UTC milliseconds, whole seconds. */
	time: number;
	/** visit, page_view, product_view, add_to_cart, checkout, purchase, email_open, email_click, app_launch. */
	type: string;
	/** Revenue, on purchases only. */
	value?: number;
	/** web, app or email. */
	channel?: string;
	campaign?: string;
	productCategory?: string;
	/** desktop, mobile or tablet. */
	device?: string;
	/** The product's SKU on product events (carried into XDM productListItems; not a flat column). */
	sku?: string;
	/** Profile attributes, carried on every event. */
	email: string;
	country: string;
}

/** The simulated period and the shop's calendar, shared by every customer. */
export interface World {
	readonly seed: number;
	/** First day of history (UTC ms); events before it are simulated but not emitted. */
	readonly windowStart: number;
	/** End of history, exclusive (UTC ms). */
	readonly end: number;
	/** UTC midnight of the first simulated day (the warm-up starts here). */
	readonly firstDay: number;
	/** The shop's day `d` is `days[d]`, starting at `firstDay + d * DAY_MS`. */
	readonly days: readonly ShopDay[];
	/** Index of the day holding `windowStart`. */
	readonly windowDay: number;
	/** Share of customers who join during the history rather than before it. */
	readonly joinerShare: number;
}

/** What the simulation knows and the events only hint at; tests check the events against it. */
export interface CustomerTruth {
	segment: string;
	/** When the customer joined (UTC ms), or undefined when they were a customer before the history began. */
	joinedAt?: number;
	/** When their activity began to fade, and when they were gone for good (UTC ms). */
	declineFrom?: number;
	churnedAt?: number;
}

interface Segment {
	readonly name: string;
	readonly share: number;
	/** Mean sessions per day at neutral interest. */
	readonly visitRate: number;
	/** Log-odds of buying in a session at neutral interest. */
	readonly buyLogit: number;
	/** Log-odds of opening an email, and of clicking one that was opened. */
	readonly openLogit: number;
	readonly clickLogit: number;
	/** Share who use the app. */
	readonly appShare: number;
	/** Daily hazard of starting to churn. */
	readonly churnHazard: number;
	/** Extra log-odds of buying during a sale. */
	readonly saleLift: number;
}

const segments: readonly Segment[] = [
	{ name: 'loyal', share: 0.15, visitRate: 0.035, buyLogit: -2.2, openLogit: -0.5, clickLogit: -1.8, appShare: 0.6, churnHazard: 0.0008, saleLift: 0.3 },
	{ name: 'regular', share: 0.3, visitRate: 0.016, buyLogit: -2.7, openLogit: -1.7, clickLogit: -2.3, appShare: 0.35, churnHazard: 0.002, saleLift: 0.3 },
	{
		name: 'occasional',
		share: 0.32,
		visitRate: 0.0065,
		buyLogit: -2.5,
		openLogit: -2.5,
		clickLogit: -2.7,
		appShare: 0.15,
		churnHazard: 0.003,
		saleLift: 0.3,
	},
	{ name: 'browser', share: 0.11, visitRate: 0.02, buyLogit: -4.4, openLogit: -2.0, clickLogit: -2.6, appShare: 0.45, churnHazard: 0.0025, saleLift: 0.3 },
	{
		name: 'deal-seeker',
		share: 0.12,
		visitRate: 0.0075,
		buyLogit: -3.5,
		openLogit: -0.8,
		clickLogit: -1.4,
		appShare: 0.25,
		churnHazard: 0.002,
		saleLift: 1.4,
	},
];

const webDevices = ['desktop', 'mobile', 'tablet'];
const webDeviceCumulative = cumulative([0.5, 0.42, 0.08]);
const appDevices = ['mobile', 'tablet'];
const appDeviceCumulative = cumulative([0.85, 0.15]);

/** Cumulative weights of the local shopping hour. */
const hourCumulative = cumulative(hourWeights);
const countryCumulative = cumulative(countries.map((country) => country.weight));
const segmentCumulative = cumulative(segments.map((segment) => segment.share));

/** Interest reverts to its mean over about this many days. */
const interestDays = 40;
/** Daily step of the interest walk (log scale, taken a week at a time); its long-run spread is about 0.34. */
const interestStep = 0.075;
/** Interest stays within ±this (a visit rate at most about 3.3 times the customer's usual one). */
const maxInterest = 1.2;

/** The profile id of customer `index` (0-based): `cust-0000001` onwards, so ids sort as numbers do. */
export function profileIdOf(index: number): string {
	return `cust-${String(index + 1).padStart(7, '0')}`;
}

/** The seed of customer `index`'s own random stream. */
function customerSeed(seed: number, index: number): number {
	return hash32(hash32(seed) ^ hash32(index + 0x9e3779b9));
}

/**
 * Every event of customer `index` within [windowStart, end), in time order. One customer's
 * events are few (tens, rarely thousands), so they are returned as an array.
 */
export function customerEvents(index: number, world: World, truth?: CustomerTruth): SimulatedEvent[] {
	const customer = new Customer(index, world, createRng(customerSeed(world.seed, index)));
	if (truth) customer.truth = truth;
	return customer.live();
}

class Customer {
	readonly profileId: string;
	readonly email: string;
	readonly country: string;
	private readonly utcOffsetMs: number;
	private readonly segment: Segment;
	private readonly visitRate: number;
	private readonly buyLogit: number;
	private readonly openLogit: number;
	private readonly clickLogit: number;
	private readonly churnHazard: number;
	private readonly usesApp: boolean;
	private readonly webDevice: string;
	private readonly appDevice: string;
	/** Cumulative preference over categories: a favourite, a second favourite, the rest. */
	private readonly categoryCumulative: number[];
	truth: CustomerTruth = { segment: '' };

	// The drifting state; days are indexes into world.days.
	private interest = 0;
	/** exp(interest): the multiplier on the visit rate. */
	private interestFactor = 1;
	private phase: 'active' | 'declining' | 'churned' = 'active';
	private declineStart = 0;
	private declineDays = 0;
	private fading = 0;
	private firstDay = 0;
	private joined = false;
	private lastVisitDay = -Infinity;
	private lastPurchaseDay = -Infinity;
	private lastClickDay = -Infinity;
	private cartDay = -Infinity;
	private cartSku = '';
	private cartCategory: Category = categories[0];
	private reminderDay = -1;
	private winBackSent = false;
	private purchases = 0;
	private day = 0;
	private shopDay: ShopDay;
	private readonly events: SimulatedEvent[] = [];

	constructor(
		index: number,
		private readonly world: World,
		private readonly rng: Rng,
	) {
		this.profileId = profileIdOf(index);
		const country = countries[pick(countryCumulative, rng.next())];
		this.country = country.code;
		this.utcOffsetMs = country.utcOffset * 3_600_000;
		const first = firstNames[rng.int(firstNames.length)];
		const last = lastNames[rng.int(lastNames.length)];
		this.email = `${first}.${last}${index + 1}@${emailDomains[rng.int(emailDomains.length)]}`;
		this.segment = segments[pick(segmentCumulative, rng.next())];
		const s = this.segment;
		this.visitRate = Math.min(0.5, s.visitRate * Math.exp(0.6 * rng.normal() - 0.18));
		this.buyLogit = s.buyLogit + 0.5 * rng.normal();
		this.openLogit = s.openLogit + 0.8 * rng.normal();
		this.clickLogit = s.clickLogit + 0.6 * rng.normal();
		this.churnHazard = s.churnHazard * Math.exp(0.5 * rng.normal() - 0.125);
		this.usesApp = rng.next() < s.appShare;
		this.webDevice = webDevices[pick(webDeviceCumulative, rng.next())];
		this.appDevice = appDevices[pick(appDeviceCumulative, rng.next())];
		const favourite = rng.int(categories.length);
		const second = (favourite + 1 + rng.int(categories.length - 1)) % categories.length;
		this.categoryCumulative = cumulative(categories.map((_, c) => (c === favourite ? 0.55 : 0) + (c === second ? 0.25 : 0) + 0.2 / categories.length));
		this.shopDay = world.days[0];
	}

	/** Lives through every simulated day and returns the events that fall in the history. */
	live(): SimulatedEvent[] {
		const { world, rng } = this;
		const joins = rng.next() < world.joinerShare;
		this.joined = joins;
		const windowDays = world.days.length - world.windowDay;
		this.firstDay = joins ? world.windowDay + rng.int(windowDays) : 0;
		this.setInterest(joins ? 0.2 + 0.3 * rng.normal() : 0.34 * rng.normal());
		if (!joins) this.lastVisitDay = -rng.int(30);
		this.truth.segment = this.segment.name;
		if (joins) this.truth.joinedAt = world.firstDay + this.firstDay * DAY_MS;

		for (let day = this.firstDay; day < world.days.length; day++) {
			this.day = day;
			this.shopDay = world.days[day];
			const dayStart = world.firstDay + day * DAY_MS;
			if (day === this.firstDay && joins) {
				this.session(dayStart + this.localTime(), { campaign: rng.next() < 0.7 ? visitCampaigns[rng.int(visitCampaigns.length)] : undefined });
			} else {
				this.liveDay(dayStart);
			}
		}
		// Events were emitted session by session; sessions and email clicks can overlap in time.
		const inWindow = this.events.filter((event) => event.time >= world.windowStart && event.time < world.end);
		return inWindow.sort(byTime);
	}

	/** One ordinary day: drift, perhaps start to churn, read emails, visit. */
	private liveDay(dayStart: number): void {
		const { rng } = this;
		this.drift();
		for (const campaign of this.shopDay.emails) this.receiveEmail(dayStart, campaign);
		if (this.reminderDay === this.day) this.receiveEmail(dayStart, cartReminderCampaign);
		if (!this.winBackSent && this.day - this.lastVisitDay >= winBackAfterDays) {
			this.winBackSent = true;
			this.receiveEmail(dayStart, winBackCampaign);
		}
		if (this.phase === 'churned') return;
		const cartWaiting = this.day - this.cartDay <= 7 ? 1.8 : 1;
		const saleDraw = this.shopDay.sale && this.segment.saleLift > 1 ? 1.5 : 1;
		const rate = this.visitRate * this.interestFactor * this.shopDay.traffic * this.activity() * cartWaiting * saleDraw;
		const sessions = poisson(rng, rate);
		for (let k = 0; k < sessions; k++) this.session(dayStart + this.localTime(), {});
	}

	/** The weekly drift of interest and the churn clock (weekly steps: daily ones cost more and show nothing more). */
	private drift(): void {
		const { rng } = this;
		if ((this.day - this.firstDay) % 7 === 0) {
			this.setInterest(this.interest * (1 - 7 / interestDays) + interestStep * Math.sqrt(7) * rng.normal());
			if (this.phase === 'active') this.maybeStartChurning();
		}
		if (this.phase === 'declining') {
			this.fading = (this.day - this.declineStart) / this.declineDays;
			if (this.fading >= 1) {
				this.phase = 'churned';
				this.truth.churnedAt = this.world.firstDay + this.day * DAY_MS;
			}
		}
	}

	/**
	 * The week's chance to start churning: higher for low interest, customers who have not
	 * visited for a month, never bought or are new; lower for two months after a purchase.
	 */
	private maybeStartChurning(): void {
		const { rng } = this;
		const bought = this.day - this.lastPurchaseDay <= 60 ? 0.4 : this.purchases === 0 ? 1.5 : 1;
		const lapsing = this.day - this.lastVisitDay > 30 ? 2 : 1;
		const isNew = this.joined && this.day - this.firstDay < 30 ? 2.5 : 1;
		const hazard = 7 * this.churnHazard * Math.exp(-1.5 * this.interest) * bought * lapsing * isNew;
		if (rng.next() < hazard) {
			this.phase = 'declining';
			this.declineStart = this.day;
			this.declineDays = 28 + rng.int(63);
			this.truth.declineFrom = this.world.firstDay + this.day * DAY_MS;
		}
	}

	private setInterest(value: number): void {
		this.interest = Math.min(maxInterest, Math.max(-maxInterest, value));
		this.interestFactor = Math.exp(this.interest);
	}

	/** Raises interest after a click or purchase, less the higher it already is, so interest cannot run away. */
	private lift(step: number): void {
		this.setInterest(this.interest + step * Math.max(0, 1 - this.interest / maxInterest));
	}

	/** 1 while active, fading to 0 through the decline, 0 once churned. */
	private activity(): number {
		if (this.phase === 'active') return 1;
		if (this.phase === 'churned') return 0;
		return (1 - this.fading) ** 1.5;
	}

	/** An email arrives at 9:00 local time; it may be opened hours later, and clicked. */
	private receiveEmail(dayStart: number, campaign: string): void {
		const { rng } = this;
		const sent = dayStart + modDay(9 * 3_600_000 - this.utcOffsetMs);
		const reminder = campaign === cartReminderCampaign ? 1 : 0;
		const saleFan = campaign === this.shopDay.sale && this.segment.saleLift > 1 ? 0.5 : 0;
		const attention = this.phase === 'active' ? 1 : this.phase === 'declining' ? 1 - this.fading : 0.1;
		if (rng.next() >= sigmoid(this.openLogit + 0.5 * this.interest + 0.8 * reminder + saleFan) * attention) return;
		const device = rng.next() < 0.6 ? 'mobile' : 'desktop';
		const opened = sent + 60_000 + exponential(rng, 3 * 3_600_000);
		this.emit(opened, 'email_open', 'email', device, campaign);
		const willing = this.phase === 'active' ? 1 : this.phase === 'declining' ? 1 - this.fading : 0;
		if (rng.next() >= sigmoid(this.clickLogit + 0.3 * this.interest + reminder + saleFan) * willing) return;
		const clicked = opened + 20_000 + exponential(rng, 90_000);
		this.emit(clicked, 'email_click', 'email', device, campaign);
		this.lift(0.15);
		this.lastClickDay = this.day;
		this.session(clicked + 3_000 + rng.int(30_000), { campaign, fromEmail: true, device });
	}

	/** A burst of events: visit, page and product views, maybe cart, checkout and purchase. */
	private session(start: number, origin: { campaign?: string; fromEmail?: boolean; device?: string }): void {
		const { rng } = this;
		// Campaign traffic (ads, email links) lands on the website.
		const inApp = origin.campaign === undefined && this.usesApp && rng.next() < 0.6;
		const channel = inApp ? 'app' : 'web';
		const device = origin.device ?? (inApp ? this.appDevice : rng.next() < 0.85 ? this.webDevice : webDevices[rng.int(webDevices.length)]);
		const campaign = origin.campaign ?? (!inApp && rng.next() < 0.2 ? visitCampaigns[rng.int(visitCampaigns.length)] : undefined);
		let t = start;
		if (inApp) {
			this.emit(t, 'app_launch', channel, device);
			// Some launches only check an order or a message: no shopping session follows.
			if (rng.next() < 0.15) return;
			t += 1_000 + rng.int(3_000);
		}
		this.emit(t, 'visit', channel, device, campaign);
		this.lastVisitDay = this.day;
		this.winBackSent = false;

		let pages = 1 + geometric(rng, 0.55);
		let products = rng.next() < 0.7 ? 1 + geometric(rng, 0.55) : 0;
		let viewed: Category | undefined;
		let viewedSku = '';
		while (pages + products > 0) {
			t += 2_000 + exponential(rng, 35_000);
			if (rng.next() * (pages + products) < pages) {
				this.emit(t, 'page_view', channel, device);
				pages--;
			} else {
				viewed = categories[pick(this.categoryCumulative, rng.next())];
				viewedSku = skuOf(viewed, productNumber(rng));
				this.emit(t, 'product_view', channel, device, undefined, viewed.name, viewedSku);
				products--;
			}
		}
		if (!viewed) return;
		this.shop(t, viewed, viewedSku, channel, device, origin.fromEmail === true);
	}

	/** The end of a session with a product in view: add to cart, check out, buy, or abandon. */
	private shop(t: number, viewed: Category, viewedSku: string, channel: string, device: string, fromEmail: boolean): void {
		const { rng } = this;
		const cartWaiting = this.day - this.cartDay <= 7;
		const buy = sigmoid(
			this.buyLogit +
				0.6 * this.interest +
				(cartWaiting ? 1.0 : 0) +
				(fromEmail ? 0.8 : 0) +
				(this.day - this.lastClickDay <= 14 ? 0.4 : 0) +
				(this.shopDay.sale ? this.segment.saleLift : 0) +
				(this.purchases > 0 ? 0.3 : 0) -
				(this.day - this.lastPurchaseDay <= 5 ? 1.5 : 0) -
				(this.phase === 'declining' ? 1.2 * this.fading : 0),
		);
		const cart = Math.min(0.9, buy / 0.3);
		if (rng.next() >= cart) return;
		// A returning customer often buys the cart they left; otherwise the product in view.
		const fromCart = cartWaiting && rng.next() < 0.6;
		const category = fromCart ? this.cartCategory : viewed;
		const sku = fromCart ? this.cartSku : viewedSku;
		t += 5_000 + exponential(rng, 40_000);
		this.emit(t, 'add_to_cart', channel, device, undefined, category.name, sku);
		const onward = Math.sqrt(Math.min(1, buy / cart));
		if (rng.next() < onward) {
			t += 30_000 + exponential(rng, 120_000);
			this.emit(t, 'checkout', channel, device, undefined, category.name, sku);
			if (rng.next() < onward) {
				t += 60_000 + exponential(rng, 150_000);
				this.emit(t, 'purchase', channel, device, undefined, category.name, sku, this.price(category, sku));
				this.purchases++;
				this.lastPurchaseDay = this.day;
				this.lift(0.1);
				this.cartDay = -Infinity;
				this.reminderDay = -1;
				return;
			}
		}
		this.cartDay = this.day;
		this.cartCategory = category;
		this.cartSku = sku;
		this.reminderDay = this.day + 1;
	}

	/** Revenue of one order line: list price (less 20% in a sale) times a small quantity. */
	private price(category: Category, sku: string): number {
		const { rng } = this;
		const quantity = 1 + (rng.next() < 0.18 ? 1 : 0) + (rng.next() < 0.04 ? 1 : 0);
		const unit = listPrice(category, Number(sku.slice(3))) * (this.shopDay.sale ? 0.8 : 1);
		return Math.round(unit * quantity * 100) / 100;
	}

	/** A time of day (ms after UTC midnight) when this customer shops, in their own time zone. */
	private localTime(): number {
		const hour = pick(hourCumulative, this.rng.next());
		return modDay(hour * 3_600_000 + this.rng.int(3_600_000) - this.utcOffsetMs);
	}

	/** Records an event; every event has the same fields (absent ones undefined), which keeps them cheap to make. */
	private emit(time: number, type: string, channel: string, device: string, campaign?: string, productCategory?: string, sku?: string, value?: number): void {
		this.events.push({
			profileId: this.profileId,
			time: Math.floor(time / 1000) * 1000,
			type,
			value,
			channel,
			campaign,
			productCategory,
			device,
			sku,
			email: this.email,
			country: this.country,
		});
	}
}

const byTime = (a: SimulatedEvent, b: SimulatedEvent): number => a.time - b.time;

/** A product number within a category, best sellers (low numbers) far more often. */
function productNumber(rng: Rng): number {
	const u = rng.next();
	return Math.floor(productsPerCategory * u * u);
}

function cumulative(weights: readonly number[]): number[] {
	const total = weights.reduce((sum, weight) => sum + weight, 0);
	let running = 0;
	return weights.map((weight) => (running += weight / total));
}

/** The index whose cumulative weight first exceeds `u`. */
function pick(cumulativeWeights: readonly number[], u: number): number {
	for (let i = 0; i < cumulativeWeights.length - 1; i++) if (u < cumulativeWeights[i]) return i;
	return cumulativeWeights.length - 1;
}

function sigmoid(x: number): number {
	return 1 / (1 + Math.exp(-x));
}

function exponential(rng: Rng, mean: number): number {
	return -mean * Math.log(1 - rng.next());
}

/** Failures before the first success, each try succeeding with probability `p`. */
function geometric(rng: Rng, p: number): number {
	let k = 0;
	while (rng.next() >= p) k++;
	return k;
}

/** A Poisson draw by inversion: the rates here are small (well under 5 a day). */
function poisson(rng: Rng, rate: number): number {
	if (rate <= 0) return 0;
	const u = rng.next();
	// e^-rate > 1 - rate, so below 1 - rate the answer is 0 without computing the exponential.
	if (u < 1 - rate) return 0;
	let k = 0;
	let p = Math.exp(-rate);
	let total = p;
	while (u > total && k < 50) {
		k++;
		p *= rate / k;
		total += p;
	}
	return k;
}

function modDay(ms: number): number {
	return ((ms % DAY_MS) + DAY_MS) % DAY_MS;
}
