/**
 * Define Goal plumbing: the form (or JSON) as a goal, checked by the core against the item's
 * events, and the item passed on with `goal`, `goalInWords` and `readiness` added and its binary
 * data kept, so Train Model can follow directly.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { defineGoal, defineGoalInWarehouse, type FormCondition, type FormCustomEvent, type GoalForm, goalDefaults, goalFromForm } from '../../../../core';
import { eventsOfItem } from '../../shared/binary';
import { jsonParameter } from '../../shared/json';
import { warehouseOfItem } from '../../shared/warehouse';

interface Row {
	field?: string;
	op?: string;
	value?: string | number;
}

/** The goal the item's parameters describe: the form through goalFromForm, or the JSON as given. */
export function goalInputOf(ctx: IExecuteFunctions, itemIndex: number): unknown {
	const mode = ctx.getNodeParameter('mode', itemIndex) as string;
	if (mode === 'json') return jsonParameter(ctx.getNodeParameter('goalJson', itemIndex), 'The goal JSON');
	const rows = (name: string): Row[] => ctx.getNodeParameter(name, itemIndex, []) as Row[];
	const form: GoalForm = {
		name: ctx.getNodeParameter('goalName', itemIndex, '') as string,
		propensityType: ctx.getNodeParameter('propensityType', itemIndex) as GoalForm['propensityType'],
		occur: ctx.getNodeParameter('occur', itemIndex) as GoalForm['occur'],
		match: ctx.getNodeParameter('match', itemIndex, 'all') as GoalForm['match'],
		windowDays: ctx.getNodeParameter('windowDays', itemIndex, goalDefaults.windowDays) as number,
		activeWithinDays: ctx.getNodeParameter('activeWithinDays', itemIndex, 0) as number,
		lookbackDays: ctx.getNodeParameter('lookbackDays', itemIndex, goalDefaults.lookbackDays) as number,
		conditions: rows('conditions.condition').map(conditionOf),
		customEvents: (rows('customEvents.event') as (Row & { name?: string })[]).map((row): FormCustomEvent => ({
			...conditionOf(row),
			name: row.name ?? '',
		})),
		profileAttributes: ctx.getNodeParameter('profileAttributes', itemIndex, '') as string,
		exclusions: rows('exclusions.exclusion').map(conditionOf),
	};
	return goalFromForm(form);
}

function conditionOf(row: Row): FormCondition {
	return { field: row.field ?? '', op: row.op ?? 'equals', value: row.value };
}

interface GoalOptions {
	asOf?: string;
	eventsBinaryPropertyName?: string;
	minPositives?: number;
	minNegatives?: number;
}

/** The item with the checked goal, its words and (given events) the readiness report. */
export async function checkGoal(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): Promise<INodeExecutionData> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as GoalOptions;
	const property = options.eventsBinaryPropertyName?.trim() || 'events';
	const goalInput = goalInputOf(ctx, itemIndex);
	const settings = { asOf: options.asOf || undefined, now: Date.now(), minPositives: options.minPositives, minNegatives: options.minNegatives };
	const warehouse = await warehouseOfItem(ctx, item, itemIndex);
	const table = !warehouse && item.binary?.[property] ? await eventsOfItem(ctx, item, itemIndex, property) : undefined;
	// A table in place: the goal is checked against its columns and readiness is counted there.
	const checked = warehouse ? await defineGoalInWarehouse(warehouse.source, warehouse.mapping, goalInput, settings) : defineGoal(goalInput, table, settings);
	const readiness = checked.readiness ?? null;
	if (!table && !warehouse) {
		ctx.addExecutionHints({
			message: `The item has no events in the binary field "${property}", so the goal was checked on its own, not against data. Connect Load Events before Define Goal to check readiness.`,
			location: 'outputPane',
		});
	} else if (readiness && !readiness.ready) {
		ctx.addExecutionHints({
			message: `Not ready to train "${checked.goal.name}": ${readiness.problems.map((problem) => problem.message).join(' ')}`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	// The goal's own warnings (e.g. churn whose outcome will happen) show with or without events.
	if (checked.warnings.length > 0) {
		ctx.addExecutionHints({ message: checked.warnings.map((warning) => warning.message).join(' '), type: 'warning', location: 'outputPane' });
	}
	return {
		json: {
			...item.json,
			goal: checked.goal,
			goalInWords: checked.inWords,
			readiness,
			warnings: checked.warnings.map((warning) => warning.message),
			...(warehouse ? { workRanIn: warehouse.where } : {}),
		} as unknown as IDataObject,
		...(item.binary ? { binary: item.binary } : {}),
		pairedItem: { item: itemIndex },
	};
}
