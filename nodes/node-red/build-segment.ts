/**
 * Node "propensity-build-segment": splits the scored profiles on msg.payload by a rule.
 * Output 1 gets the profiles the mode asks for (every member, those who entered since the
 * last run, or those who left), output 2 the profiles not in the segment; one message per
 * profile or one list each. Membership is remembered in the model store under the segment's
 * name, so "entered" names each person once.
 */
import { buildSegment, InputError, parseRuleTexts, parseSegmentRule, type ScoredProfile, type SegmentMode, segmentOutputs, type SegmentResult, type SegmentRule, type SegmentSummary, type StatusRow } from '../../core';
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
			// An unset mode (flows from before the setting) is 'all'; anything else goes to the core, which refuses an unknown one.
			const mode = (config.mode === undefined || config.mode === '' ? 'all' : config.mode) as SegmentMode;
			const runAt = asText(fromMessage(msg, 'runAt'), 'run time (msg.runAt)') ?? new Date().toISOString();
			const options = { name, mode, runAt } as const;
			const result = config.store
				? await withStore(storeNode(RED, config.store, 'Build Segment'), (store) => buildSegment(profiles, rule, { ...options, store }))
				: await buildSegment(profiles, rule, options);
			const { inSegment, notInSegment } = segmentOutputs(result);
			if (config.output === 'array') {
				send([
					inSegment.length > 0 ? Object.assign(msg, { payload: inSegment.map(({ row }) => row), statuses: inSegment.map(({ status }) => status), segment: result.summary }) : null,
					notInSegment.length > 0 ? { ...msg, payload: notInSegment.map(({ row }) => row), statuses: notInSegment.map(({ status }) => status), segment: result.summary } : null,
				]);
			} else {
				send([each(inSegment, result.summary, RED.util.generateId()), each(notInSegment, result.summary, RED.util.generateId())]);
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

/** One message per profile, with the segment's summary and the profile's status (entered, stayed, left, out), and msg.parts so a Join node can gather them. */
function each(rows: readonly StatusRow[], summary: SegmentSummary, id: string): NodeMessage[] {
	return rows.map(({ row, status }, index) => ({ topic: summary.name ?? undefined, payload: row, segment: { ...summary, status }, parts: { id, index, count: rows.length, type: 'array' } }));
}

function statusOf(result: SegmentResult) {
	const { mode, members, nonMembers, entered, left } = result.summary;
	const lead = mode === 'entered' ? `${count(entered)} entered · ` : mode === 'left' ? `${count(left)} left · ` : '';
	return { fill: 'green', shape: 'dot', text: `${lead}${count(members)} in segment, ${count(nonMembers)} not` } as const;
}
