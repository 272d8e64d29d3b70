/**
 * Node "propensity-build-segment": splits the scored profiles on msg.payload by a rule.
 * Output 1 gets the profiles the mode asks for (every member, those who entered since the
 * last run, or those who left), output 2 the profiles not in the segment; one message per
 * profile or one list each. Membership is remembered in the model store under the segment's
 * name, so "entered" names each person once.
 */
import { buildSegment, InputError, parseRuleTexts, parseSegmentRule, type ScoredProfile, type SegmentResult, type SegmentRow, type SegmentRule, type SegmentSummary } from '../../core';
import { storeNode, withStore } from './config';
import type { NodeAPI, NodeDef, NodeMessage } from './red';
import { count, handleMessages, registerNode } from './run';
import { asText, describe, fromMessage, parseJsonText } from './settings';

export = function register(RED: NodeAPI): void {
	registerNode(RED, 'propensity-build-segment', (node, config) => {
		handleMessages(node, async (msg, send) => {
			if (!Array.isArray(msg.payload)) {
				throw new InputError(`msg.payload must be the list of scored profiles (Score Profiles with Output "one message with every profile"), not ${describe(msg.payload)}.`, 'bad-payload');
			}
			const profiles = msg.payload as ScoredProfile[];
			const rule = ruleOf(msg, config);
			const name = asText(fromMessage(msg, 'segmentName') ?? config.segmentName, 'segment name');
			const mode = config.mode === 'entered' || config.mode === 'left' ? config.mode : 'all';
			const runAt = asText(fromMessage(msg, 'runAt'), 'run time (msg.runAt)') ?? new Date().toISOString();
			const options = { name, mode, runAt } as const;
			const result = config.store
				? await withStore(storeNode(RED, config.store, 'Build Segment'), (store) => buildSegment(profiles, rule, { ...options, store }))
				: await buildSegment(profiles, rule, options);
			if (config.output === 'array') {
				send([
					result.output.length > 0 ? Object.assign(msg, { payload: result.output, segment: result.summary }) : null,
					result.nonMembers.length > 0 ? { ...msg, payload: result.nonMembers, segment: result.summary } : null,
				]);
			} else {
				send([each(result.output, result.summary, RED.util.generateId()), each(result.nonMembers, result.summary, RED.util.generateId())]);
			}
			return statusOf(result);
		});
	});
};

/** The rule: msg.rules (rule text, a list of rule texts, or rule JSON) when set, else the dialog's. */
function ruleOf(msg: NodeMessage, config: NodeDef): SegmentRule {
	const given = fromMessage(msg, 'rules');
	if (given !== undefined) {
		if (typeof given === 'string') return parseRuleTexts([given]);
		if (Array.isArray(given) && given.every((item) => typeof item === 'string')) return parseRuleTexts(given);
		return parseSegmentRule(given, 'the rule on msg.rules');
	}
	const text = String(config.rule ?? '').trim();
	if (text === '') throw new InputError('Build Segment has no rule: write one, e.g. "bucket=high" or "score>=70", or set msg.rules.', 'bad-segment-rule');
	if (config.ruleType === 'json') return parseSegmentRule(parseJsonText(text, 'segment rule JSON'));
	return parseRuleTexts([text]);
}

/** One message per profile, with the segment's summary and msg.parts so a Join node can gather them. */
function each(rows: readonly SegmentRow[], summary: SegmentSummary, id: string): NodeMessage[] {
	return rows.map((row, index) => ({ topic: summary.name ?? undefined, payload: row, segment: summary, parts: { id, index, count: rows.length, type: 'array' } }));
}

function statusOf(result: SegmentResult) {
	const { mode, members, nonMembers, entered, left } = result.summary;
	const lead = mode === 'entered' ? `${count(entered)} entered · ` : mode === 'left' ? `${count(left)} left · ` : '';
	return { fill: 'green', shape: 'dot', text: `${lead}${count(members)} in segment, ${count(nonMembers)} not` } as const;
}
