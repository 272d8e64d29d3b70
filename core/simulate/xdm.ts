/**
 * Simulated events in the shape of an XDM ExperienceEvent, as Adobe Experience Platform
 * exports them: identityMap (ECID and Email), timestamp, eventType, channel, marketing,
 * commerce, productListItems, device, environment and place context.
 */
import type { SimulatedEvent } from './customer';
import { isoTime } from './time';
import { categories } from './shop';

/** Flat event type → XDM eventType. The visit has no standard XDM type: it is a session start, named like `media.sessionStart`. */
export const xdmEventTypes: Record<string, string> = {
	visit: 'web.sessionStart',
	page_view: 'web.webpagedetails.pageViews',
	product_view: 'commerce.productViews',
	add_to_cart: 'commerce.productListAdds',
	checkout: 'commerce.checkouts',
	purchase: 'commerce.purchases',
	email_open: 'directMarketing.emailOpened',
	email_click: 'directMarketing.emailClicked',
	app_launch: 'application.launch',
};

/** Flat channel → XDM `channel._type`. */
export const xdmChannelTypes: Record<string, string> = {
	web: 'https://ns.adobe.com/xdm/channel-types/web',
	app: 'https://ns.adobe.com/xdm/channel-types/mobile',
	email: 'https://ns.adobe.com/xdm/channel-types/email',
};

/** The XDM measure each event type sets to 1, as a path under the event (e.g. commerce.productViews). */
const measures: Record<string, readonly [string, string]> = {
	page_view: ['web', 'pageViews'],
	product_view: ['commerce', 'productViews'],
	add_to_cart: ['commerce', 'productListAdds'],
	checkout: ['commerce', 'checkouts'],
	purchase: ['commerce', 'purchases'],
	email_open: ['directMarketing', 'opens'],
	email_click: ['directMarketing', 'clicks'],
	app_launch: ['application', 'launches'],
};

const pageNames = ['home', 'category', 'search results', 'deals', 'account', 'help'];
const categoryTitles = new Map(categories.map((category) => [category.name, category.name[0].toUpperCase() + category.name.slice(1)]));

/** Numbering within the current profile, so event and order ids are stable and unique. */
export interface XdmCounters {
	profileId: string;
	events: number;
	orders: number;
}

/**
 * The XDM ExperienceEvent for one simulated event. `counters` carries the event and order
 * numbers of the current profile (events arrive grouped by profile).
 */
export function toXdm(event: SimulatedEvent, counters: XdmCounters): Record<string, unknown> {
	if (counters.profileId !== event.profileId) {
		counters.profileId = event.profileId;
		counters.events = 0;
		counters.orders = 0;
	}
	counters.events++;
	const xdm: Record<string, unknown> = {
		_id: `${event.profileId}-${counters.events}`,
		timestamp: isoTime(event.time),
		eventType: xdmEventTypes[event.type] ?? event.type,
		// The ECID carries the shop's customer id, so every format names the same profiles.
		identityMap: {
			ECID: [{ id: event.profileId, authenticatedState: 'ambiguous', primary: true }],
			Email: [{ id: event.email, authenticatedState: 'authenticated', primary: false }],
		},
	};
	if (event.channel) xdm.channel = { _type: xdmChannelTypes[event.channel] ?? event.channel };
	if (event.campaign) xdm.marketing = { campaignName: event.campaign };
	const measure = measures[event.type];
	if (event.type === 'page_view') {
		xdm.web = { webPageDetails: { name: pageNames[counters.events % pageNames.length], pageViews: { value: 1 } } };
	} else if (measure) {
		xdm[measure[0]] = { [measure[1]]: { value: 1 } };
	}
	if (event.type === 'purchase') {
		counters.orders++;
		(xdm.commerce as Record<string, unknown>).order = {
			purchaseID: `${event.profileId}-order-${counters.orders}`,
			priceTotal: event.value,
			currencyCode: 'USD',
		};
	}
	if (event.productCategory) {
		const item: Record<string, unknown> = {
			SKU: event.sku ?? '',
			productCategories: [{ categoryID: event.productCategory, categoryName: categoryTitles.get(event.productCategory) ?? event.productCategory }],
		};
		if (event.type === 'purchase') item.priceTotal = event.value;
		xdm.productListItems = [item];
	}
	if (event.device) xdm.device = { type: event.device };
	if (event.channel !== 'email') xdm.environment = { type: event.channel === 'app' ? 'application' : 'browser' };
	xdm.placeContext = { geo: { countryCode: event.country } };
	return xdm;
}
