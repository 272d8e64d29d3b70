/**
 * The simulated shop's fixed world: what it sells and at what price, where its customers
 * live, which email campaigns go out on which day, and how busy each day of the year is.
 * Everything here is a pure function of the calendar date, so every customer sees the same
 * campaigns and seasons whatever the seed.
 */

export const DAY_MS = 86_400_000;

export interface Category {
	/** The flat `product_category` value. */
	readonly name: string;
	/** SKU prefix, e.g. `SH` for shoes. */
	readonly code: string;
	/** Typical unit price in the shop's currency (USD). */
	readonly medianPrice: number;
}

export const categories: readonly Category[] = [
	{ name: 'apparel', code: 'AP', medianPrice: 35 },
	{ name: 'shoes', code: 'SH', medianPrice: 70 },
	{ name: 'electronics', code: 'EL', medianPrice: 120 },
	{ name: 'home', code: 'HM', medianPrice: 45 },
	{ name: 'beauty', code: 'BT', medianPrice: 25 },
	{ name: 'sports', code: 'SP', medianPrice: 55 },
	{ name: 'books', code: 'BK', medianPrice: 15 },
	{ name: 'toys', code: 'TY', medianPrice: 30 },
];

/** Products per category; SKUs are `<code>-000` … `<code>-199`, low numbers the best sellers. */
export const productsPerCategory = 200;

/** The SKU of product `n` in category `c`. */
export function skuOf(category: Category, n: number): string {
	return `${category.code}-${String(n).padStart(3, '0')}`;
}

/** A product's list price: fixed per SKU (a hash of its number), ending in .99. */
export function listPrice(category: Category, n: number): number {
	const spread = Math.exp(0.55 * hashNormal(category.code.charCodeAt(0) * 7919 + category.code.charCodeAt(1) * 104729 + n));
	return Math.max(1, Math.round(category.medianPrice * spread)) - 0.01;
}

/** A fixed, roughly standard normal number for an integer key (sum of four hashed uniforms). */
function hashNormal(key: number): number {
	let sum = 0;
	for (let i = 0; i < 4; i++) sum += hash32(key * 4 + i) / 4294967296;
	return (sum - 2) * Math.sqrt(3);
}

/** A 32-bit integer hash (murmur3's finaliser), so derived seeds and prices are well mixed. */
export function hash32(key: number): number {
	let h = key >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
	return (h ^ (h >>> 16)) >>> 0;
}

export interface Country {
	readonly code: string;
	/** Share of customers. */
	readonly weight: number;
	/** Hours from UTC (no daylight saving: the shop's clocks are simple). */
	readonly utcOffset: number;
}

export const countries: readonly Country[] = [
	{ code: 'US', weight: 0.34, utcOffset: -5 },
	{ code: 'GB', weight: 0.12, utcOffset: 0 },
	{ code: 'DE', weight: 0.12, utcOffset: 1 },
	{ code: 'FR', weight: 0.08, utcOffset: 1 },
	{ code: 'CA', weight: 0.07, utcOffset: -5 },
	{ code: 'ES', weight: 0.05, utcOffset: 1 },
	{ code: 'IT', weight: 0.05, utcOffset: 1 },
	{ code: 'AU', weight: 0.05, utcOffset: 10 },
	{ code: 'NL', weight: 0.04, utcOffset: 1 },
	{ code: 'JP', weight: 0.04, utcOffset: 9 },
	{ code: 'SE', weight: 0.04, utcOffset: 1 },
];

export const firstNames: readonly string[] = [
	'anna',
	'ben',
	'carla',
	'david',
	'elena',
	'felix',
	'grace',
	'hugo',
	'ines',
	'jonas',
	'kira',
	'leo',
	'maria',
	'noah',
	'olivia',
	'paul',
	'quinn',
	'rosa',
	'sam',
	'tara',
	'umar',
	'vera',
	'will',
	'yuki',
	'zoe',
];
export const lastNames: readonly string[] = [
	'adams',
	'berg',
	'costa',
	'dubois',
	'evans',
	'fischer',
	'garcia',
	'hansen',
	'ito',
	'jensen',
	'kowalski',
	'lopez',
	'martin',
	'nakamura',
	'olsen',
	'patel',
	'rossi',
	'schmidt',
	'taylor',
	'weber',
	'young',
];
/** Reserved example domains (RFC 2606): simulated addresses can never reach a real inbox. */
export const emailDomains: readonly string[] = ['example.com', 'example.net', 'example.org'];

/** Paid campaigns that bring some web visits (search, social, display, affiliates). */
export const visitCampaigns: readonly string[] = ['search-brand', 'search-generic', 'social-retargeting', 'display-prospecting', 'affiliate-partners'];

/** Emails triggered by a customer's own behaviour rather than the calendar. */
export const cartReminderCampaign = 'cart-reminder';
export const winBackCampaign = 'win-back';
/** Days without a visit after which the win-back email goes out (once per lapse). */
export const winBackAfterDays = 45;

interface Sale {
	readonly name: string;
	/** Month (1–12) and day of the first and last day, inclusive. */
	readonly from: readonly [number, number];
	readonly to: readonly [number, number];
}

/** Sales: more visits, a higher chance to buy, lower prices, and a sale email every fourth day. */
const sales: readonly Sale[] = [
	{ name: 'new-year-sale', from: [1, 2], to: [1, 10] },
	{ name: 'valentines', from: [2, 7], to: [2, 13] },
	{ name: 'spring-sale', from: [3, 20], to: [3, 31] },
	{ name: 'summer-sale', from: [6, 20], to: [7, 5] },
	{ name: 'back-to-school', from: [8, 15], to: [8, 31] },
	{ name: 'black-friday', from: [11, 24], to: [12, 1] },
	{ name: 'holiday-gifts', from: [12, 5], to: [12, 20] },
];

/** Visit rate by UTC weekday (Sunday first): busiest Sunday and Monday evenings. */
const weekdayFactor = [1.15, 1.1, 1.0, 1.0, 0.95, 0.85, 0.9];
/** Visit rate by month: quiet January and summer, busy November and December. */
const monthFactor = [0.85, 0.9, 1.0, 1.0, 1.0, 0.95, 0.9, 0.95, 1.0, 1.05, 1.25, 1.3];

export interface ShopDay {
	/** Multiplier on every customer's visit rate. */
	readonly traffic: number;
	/** The sale running today, if any. */
	readonly sale?: string;
	/** Calendar emails sent today (campaign names). */
	readonly emails: readonly string[];
}

/** What the shop does on the UTC day starting at `dayStart` (ms): traffic, sale, emails. */
export function shopDay(dayStart: number): ShopDay {
	const date = new Date(dayStart);
	const month = date.getUTCMonth() + 1;
	const day = date.getUTCDate();
	const weekday = date.getUTCDay();
	const sale = sales.find((candidate) => within(month, day, candidate));
	const emails: string[] = [];
	if (weekday === 2) emails.push('weekly-newsletter');
	// New arrivals go out on the first Friday of the month.
	if (weekday === 5 && day <= 7) emails.push('new-arrivals');
	if (sale && daysInto(date, sale) % 4 === 0) emails.push(sale.name);
	const traffic = weekdayFactor[weekday] * monthFactor[month - 1] * (sale ? 1.2 : 1);
	return { traffic, sale: sale?.name, emails };
}

function within(month: number, day: number, sale: Sale): boolean {
	const key = month * 100 + day;
	return key >= sale.from[0] * 100 + sale.from[1] && key <= sale.to[0] * 100 + sale.to[1];
}

function daysInto(date: Date, sale: Sale): number {
	const start = Date.UTC(date.getUTCFullYear(), sale.from[0] - 1, sale.from[1]);
	return Math.round((date.getTime() - start) / DAY_MS);
}

/**
 * Weights of the local hour (0–23) at which people shop: a lunchtime bump and an evening
 * peak, almost nothing at night.
 */
export const hourWeights: readonly number[] = [
	0.6, 0.3, 0.15, 0.1, 0.1, 0.2, 0.5, 1.2, 2.0, 2.6, 3.0, 3.4, 4.2, 4.0, 3.4, 3.2, 3.4, 3.9, 4.6, 5.6, 6.3, 6.0, 4.2, 1.8,
];
