/**
 * The fields and event types each flow last loaded, kept in the runtime for the Define Goal
 * dialog: Load Events records them after every load; the dialog asks for its flow's through
 * an admin endpoint (behind Node-RED's permissions) and offers them as choices.
 */
import type { LoadReport, LoadSummary } from '../../core/events/report';
import { goalChoices, type GoalChoices } from '../../core/goal/choices';

/** Flow (tab) id → what its last load held. Only names and counts: no event data stays here. */
const lastLoaded = new Map<string, GoalChoices & { loadedAt: string }>();

/** Records what a Load Events node on flow `flowId` just loaded. */
export function rememberLoad(flowId: string | undefined, summary: LoadSummary, report?: LoadReport | null): void {
	if (!flowId) return;
	lastLoaded.set(flowId, { ...goalChoices(summary, report), loadedAt: new Date().toISOString() });
}

/** What flow `flowId` last loaded, or null before its first load. */
export function choicesOf(flowId: string): (GoalChoices & { loadedAt: string }) | null {
	return lastLoaded.get(flowId) ?? null;
}
