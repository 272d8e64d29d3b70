/**
 * Warnings about a goal on its own, before any events: settings that are valid but most
 * likely not what was meant. Every adapter (n8n, Node-RED, the CLI) and the report show the
 * same ones, because they come from here.
 */
import { describeCondition } from './describe';
import type { Goal } from './schema';

/** A warning with a stable code; readiness reports carry them among its own warnings. */
export interface GoalWarning {
	readonly code: string;
	readonly message: string;
}

/** What looks wrong in a valid goal, each with what to change; empty when nothing does. */
export function goalWarnings(goal: Goal): GoalWarning[] {
	const warnings: GoalWarning[] = [];
	if (goal.propensityType === 'churn' && goal.outcome.occur === 'will_occur') {
		warnings.push({
			code: 'churn-will-occur',
			message:
				`A churn goal whose outcome will happen scores who will do it, not who will stop: "${goal.name}" predicts ${describeCondition(goal.outcome.when, 'a')} within ${goal.outcome.windowDays} days. ` +
				'A churn goal usually watches for an outcome that will not happen: set outcome.occur to "will_not_occur" ' +
				'(Define Goal: The Outcome "Will Not Happen"; propensity goal: --occur will-not), or make it a conversion goal.',
		});
	}
	return warnings;
}
