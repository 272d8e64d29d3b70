/**
 * What a goal can name, from a load: the fields (the event type, the value and every loaded
 * attribute) and the event types, busiest first. The goal editors offer these as choices, so a
 * user picks `eventType` and `purchase` instead of typing a column name and learning at run
 * time that it is called something else.
 */
import type { LoadReport, LoadSummary } from '../events/report';
import { withThousands } from '../util/counts';

export interface FieldChoice {
	/** The name a goal uses. */
	readonly field: string;
	/** What it is, with the source column it was read from when known, e.g. `event type (column "event_type")`. */
	readonly label: string;
}

export interface GoalChoices {
	readonly fields: FieldChoice[];
	/** Event types, busiest first (at most `maxTypes`). */
	readonly eventTypes: string[];
}

/** The fields and event types a goal can name, from a load's summary (and report, for the source columns). */
export function goalChoices(summary: LoadSummary, report?: Pick<LoadReport, 'mapping'> | null, maxTypes = 200): GoalChoices {
	const mapping = report?.mapping ?? null;
	const from = (path: string | null | undefined) => (path ? ` (column "${path}")` : '');
	const fields: FieldChoice[] = [{ field: 'eventType', label: `event type${from(mapping?.type)}` }];
	if (summary.eventsWithValue > 0) fields.push({ field: 'value', label: `value${from(mapping?.value)}` });
	for (const attribute of summary.attributes) {
		fields.push({
			field: attribute.name,
			label: `${attribute.kind === 'number' ? 'number' : 'text'} attribute, ${withThousands(attribute.distinctValues)} values`,
		});
	}
	const eventTypes = Object.entries(summary.eventsPerType)
		.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
		.slice(0, maxTypes)
		.map(([type]) => type);
	return { fields, eventTypes };
}
