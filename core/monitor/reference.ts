/**
 * The reference a model keeps for drift, measured at training on its validation rows (the
 * latest cutoff, the moment most like a scoring run): see core/model/monitoring.ts.
 */
import type { EventTable } from '../events/table';
import type { Dataset } from '../learn/dataset';
import type { FeatureDistribution, MonitoringReference } from '../model/monitoring';
import { predictProbability } from '../model/predict';
import type { Model } from '../model/schema';
import { distributionOf } from './distribution';
import { profilesActiveBy } from '../features/cutoffs';
import { insightFactorRanking } from './insights';

/** Features whose drift is followed: the report's most influential ones, else the first declared. */
export const driftFeatureCount = 10;

/** What the reference reads of the events, wherever they are (a table here, a warehouse in core/warehouse). */
export interface EventActivity {
	/** Profiles with an event at or before the validation cutoff. */
	readonly activeProfiles: number;
	/** Event types occurring at or before the end of the training data, sorted by name. */
	readonly eventTypes: readonly string[];
}

/** The activity of an in-memory table at the validation cutoff and the end of the data. */
export function tableActivity(table: EventTable, cutoff: number, end: number): EventActivity {
	return { activeProfiles: profilesActiveBy(table, cutoff), eventTypes: eventTypesBy(table, end) };
}

export interface ReferenceInput {
	readonly activity: EventActivity;
	readonly model: Model;
	readonly validation: Dataset;
	/** The validation cutoff (UTC ms) and the profiles eligible at it. */
	readonly cutoff: number;
	readonly eligible: number;
	/** The end of the training data (UTC ms): event types after it were never seen. */
	readonly end: number;
}

export function monitoringReference(input: ReferenceInput): MonitoringReference {
	const { model, validation } = input;
	const probability = predictProbability(model, validation);
	const active = input.activity.activeProfiles;
	return {
		rows: validation.rows,
		scores: distributionOf(probability),
		features: driftFeatures(model).map(({ feature, label }): FeatureDistribution => {
			const column = validation.columns[validation.featureNames.indexOf(feature)];
			return { feature, label, ...distributionOf(column) };
		}),
		eligibleShare: active > 0 ? input.eligible / active : null,
		eventTypes: [...input.activity.eventTypes],
	};
}

/** The features drift follows, with their labels, most influential first. */
export function driftFeatures(model: Model): { feature: string; label: string }[] {
	if (model.features.mode !== 'events') return [];
	const declarations = model.features.declarations;
	const labelOf = new Map(declarations.map((d) => [d.name, d.label]));
	const ranked = insightFactorRanking(model).filter((name) => labelOf.has(name));
	const names = [...new Set([...ranked, ...declarations.map((d) => d.name)])].slice(0, driftFeatureCount);
	return names.map((feature) => ({ feature, label: labelOf.get(feature) as string }));
}

/** The event types occurring at or before the moment, with how often, sorted by name. */
export function eventTypeCounts(table: EventTable, moment: number, from = -Infinity): Map<string, number> {
	const counts = new Float64Array(table.types.length);
	for (let i = 0; i < table.length; i++) if (table.time[i] <= moment && table.time[i] > from) counts[table.type[i]]++;
	const found = new Map<string, number>();
	table.types.forEach((type, t) => {
		if (counts[t] > 0) found.set(type, counts[t]);
	});
	return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function eventTypesBy(table: EventTable, moment: number): string[] {
	return [...eventTypeCounts(table, moment).keys()];
}
