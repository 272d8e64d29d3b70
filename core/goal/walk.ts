/**
 * Every event condition in a goal with its JSON path, so checks against the data can say
 * exactly where a missing field or event type was named.
 */
import { type ConditionItem, type EligibilityItem, type EventCondition, type Goal, groupParts, isConditionGroup } from './schema';

export interface PlacedCondition {
	/** E.g. `outcome.when.all[0]`. */
	readonly path: string;
	readonly condition: EventCondition;
	/** True for `{"profile": ...}` eligibility tests, which read a profile attribute rather than events. */
	readonly profile: boolean;
}

/** All event conditions of the goal, in the order they appear. */
export function goalConditions(goal: Goal): PlacedCondition[] {
	const found: PlacedCondition[] = [];
	const visit = (item: ConditionItem, path: string): void => {
		if (isConditionGroup(item)) {
			const { mode, items } = groupParts<ConditionItem>(item);
			items.forEach((child, i) => visit(child, `${path}.${mode}[${i}]`));
		} else {
			found.push({ path, condition: item, profile: false });
		}
	};
	const visitEligibility = (item: EligibilityItem, path: string): void => {
		if ('all' in item || 'any' in item) {
			const { mode, items } = groupParts<EligibilityItem>(item);
			items.forEach((child, i) => visitEligibility(child, `${path}.${mode}[${i}]`));
		} else if ('did' in item) visit(item.did, `${path}.did`);
		else if ('didNot' in item) visit(item.didNot, `${path}.didNot`);
		else if ('profile' in item) found.push({ path: `${path}.profile`, condition: item.profile, profile: true });
	};
	visit(goal.outcome.when, 'outcome.when');
	visitEligibility(goal.eligibility, 'eligibility');
	goal.customEvents.forEach((event, i) => visit(event.when, `customEvents[${i}].when`));
	goal.exclusions.forEach((group, i) => visit(group, `exclusions[${i}]`));
	return found;
}
