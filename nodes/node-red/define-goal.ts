/**
 * Node "propensity-define-goal": the goal built in the dialog (a form of conditions, or goal
 * JSON) or given on msg.goal, validated, put on msg.goal and, when msg.events holds events,
 * checked against them: can they train it (msg.readiness)?
 *
 * It also answers the dialog's preview (POST /propensity/goal-preview): the goal the form
 * makes and the goal in words, from the same core functions the runtime uses; and its choices
 * (GET /propensity/goal-choices/:flow): the fields and event types the flow last loaded.
 */
import {
	defineGoal,
	defineGoalInWarehouse,
	type FormCondition,
	type FormCustomEvent,
	type GoalCheck,
	type GoalForm,
	goalFromForm,
	InputError,
} from '../../core';
import type { AdminRequest, AdminResponse, NodeAPI, NodeDef, NodeMessage } from './red';
import { warehouseOfMessage } from './config';
import { choicesOf } from './goal-choices';
import { count, handleMessages, registerNode, shorten } from './run';
import { asMoment, asWholeNumber, describe, eventsOf, goalOnMessage, minimums, overridable, parseJsonText } from './settings';

export = function register(RED: NodeAPI): void {
	registerNode(RED, 'propensity-define-goal', (node, config) => {
		handleMessages(node, async (msg, send) => {
			const goal = goalOf(msg, config);
			const asOf = asMoment(await overridable(RED, node, msg, 'asOf', { value: config.asOf, type: config.asOfType }, 'as-of date'), 'as-of date');
			// A table in place (msg.warehouse): the goal is checked against its columns and readiness counted there.
			const warehouse = warehouseOfMessage(RED, msg, 'Define Goal');
			const settings = { asOf, now: Date.now(), ...minimums(config) };
			const check = warehouse
				? await defineGoalInWarehouse(warehouse.source, warehouse.mapping, goal, settings)
				: msg.events === undefined
					? defineGoal(goal)
					: defineGoal(goal, eventsOf(msg), settings);
			if (warehouse) msg.workRanIn = warehouse.where;
			msg.goal = check.goal;
			msg.readiness = check.readiness;
			msg.payload = summaryOf(check);
			send(msg);
			return statusOf(check);
		});
	});

	// The dialog's choices: the fields and event types the flow last loaded (null before a load).
	RED.httpAdmin.get('/propensity/goal-choices/:flow', RED.auth.needsPermission('propensity-define-goal.read'), (req: AdminRequest, res: AdminResponse) => {
		res.json({ choices: choicesOf(String(req.params?.flow ?? '')) });
	});

	// The dialog's preview: the goal the form makes and the goal in words, or what is wrong with it.
	RED.httpAdmin.post('/propensity/goal-preview', RED.auth.needsPermission('propensity-define-goal.read'), (req: AdminRequest, res: AdminResponse) => {
		try {
			const check = defineGoal(goalOf({}, (req.body ?? {}) as NodeDef));
			res.json({ ok: true, goal: check.goal, inWords: check.inWords, warnings: check.warnings.map((warning) => warning.message) });
		} catch (error) {
			res.json({ ok: false, error: error instanceof Error ? error.message : String(error) });
		}
	});
};

/** The goal to validate: msg.goal (an object or JSON text) when set, else the dialog's JSON or form. */
function goalOf(msg: NodeMessage, config: NodeDef): unknown {
	const given = goalOnMessage(msg);
	if (given !== undefined) return given;
	if (config.mode === 'json') return parseJsonText(String(config.goalJson ?? ''), 'goal JSON');
	return goalFromForm(formOf(config));
}

/** The dialog's form fields as the core's goal form (numbers arrive as text from the editor). */
function formOf(config: NodeDef): GoalForm {
	const rows = <T extends FormCondition>(value: unknown, what: string): T[] => {
		if (value === undefined || value === null) return [];
		if (!Array.isArray(value)) throw new InputError(`The goal's ${what} must be a list of rows, not ${describe(value)}.`, 'bad-goal');
		return value as T[];
	};
	return {
		name: String(config.goalName ?? ''),
		propensityType: config.propensityType === 'churn' ? 'churn' : 'conversion',
		occur: config.occur === 'will_not_occur' ? 'will_not_occur' : 'will_occur',
		windowDays: asWholeNumber(config.windowDays, 'outcome window (days)', 1),
		match: config.match === 'any' ? 'any' : 'all',
		conditions: rows<FormCondition>(config.conditions, 'outcome conditions'),
		activeWithinDays: asWholeNumber(config.activeWithinDays, 'active within (days)', 0),
		lookbackDays: asWholeNumber(config.lookbackDays, 'lookback (days)', 1),
		customEvents: rows<FormCustomEvent>(config.customEvents, 'custom events'),
		profileAttributes: typeof config.profileAttributes === 'string' ? config.profileAttributes : '',
		exclusions: rows<FormCondition>(config.exclusions, 'exclusions'),
	};
}

/** What msg.payload carries: the goal in words and, with events, whether they can train it. */
function summaryOf(check: GoalCheck) {
	const readiness = check.readiness;
	return {
		name: check.goal.name,
		inWords: check.inWords,
		ready: readiness ? readiness.ready : null,
		problems: readiness ? readiness.problems.map((problem) => problem.message) : [],
		warnings: check.warnings.map((warning) => warning.message),
		eligible: readiness?.totals.eligible ?? null,
		positives: readiness?.totals.positives ?? null,
		negatives: readiness?.totals.negatives ?? null,
	};
}

function statusOf(check: GoalCheck) {
	const readiness = check.readiness;
	const warning = check.warnings[0];
	if (!readiness && warning) return { fill: 'yellow', shape: 'ring', text: shorten(`valid, but: ${warning.message}`) } as const;
	if (!readiness) return { fill: 'green', shape: 'ring', text: 'goal is valid (no events to check it against)' } as const;
	if (!readiness.ready) return { fill: 'yellow', shape: 'ring', text: shorten(`not ready: ${readiness.problems[0]?.message ?? ''}`) } as const;
	const ready = `ready: ${count(readiness.totals.positives)} positives, ${count(readiness.totals.negatives)} negatives`;
	if (warning?.code === 'churn-will-occur') return { fill: 'yellow', shape: 'dot', text: shorten(`${ready}; but ${warning.message}`) } as const;
	return { fill: 'green', shape: 'dot', text: ready } as const;
}
