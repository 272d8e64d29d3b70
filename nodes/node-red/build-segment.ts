/**
 * Node "propensity-build-segment": splits the scored profiles on msg.payload by a rule.
 * Output 1 gets the profiles the mode asks for (every member, those who entered since the
 * last run, or those who left), output 2 the profiles not in the segment; one message per
 * profile or one list each. Membership is remembered in the model store under the segment's
 * name, so "entered" names each person once; it is committed only after the messages were sent,
 * so a run that fails before then sends the same entrants again next time (at least once).
 * msg.resend (a run number, or "latest") sends a kept run's entrants (or leavers) again.
 * With msg.warehouse (a table in place, after Score Profiles wrote a scores table) the rule runs
 * as SQL over that scores table's latest run and only the members come back, never every profile;
 * with Factors (or msg.factors), each carries its top factors and attributes, read from the events.
 */
import {
	buildSegment,
	InputError,
	modelOfRun,
	parseRuleTexts,
	ruleNeedsEvents,
	parseSegmentRule,
	resendSegmentRun,
	type ResentRun,
	type ScoredProfile,
	scoringReport,
	segmentInWarehouse,
	type SegmentMode,
	scoresTableWhere,
	segmentOutputs,
	type SegmentResult,
	type SegmentRule,
	type SegmentSummary,
	type StatusRow,
} from '../../core';
import { storeNode, warehouseOfMessage, withStore } from './config';
import type { NodeAPI, NodeDef, NodeMessage, SendFunction } from './red';
import { count, handleMessages, registerNode } from './run';
import { asText, describe, fromMessage, parseJsonText, scoresTableOf } from './settings';

export = function register(RED: NodeAPI): void {
	registerNode(RED, 'propensity-build-segment', (node, config) => {
		handleMessages(node, async (msg, send) => {
			const resend = fromMessage(msg, 'resend');
			if (resend !== undefined) return resendRun(RED, msg, config, resend, send);
			if (!Array.isArray(msg.payload) && msg.warehouse !== undefined && msg.warehouse !== null) return segmentScoresTable(RED, msg, config, send);
			if (!Array.isArray(msg.payload)) {
				throw new InputError(
					`msg.payload must be the list of scored profiles (Score Profiles with Output "one message with every profile"), not ${describe(msg.payload)}.`,
					'bad-payload',
				);
			}
			const profiles = msg.payload as ScoredProfile[];
			const { rule, name, mode, runAt } = segmentSettings(msg, config);
			// The messages go out before the membership is committed: a failure in between sends them again next run.
			const deliver = (built: SegmentResult) => {
				const { inSegment, notInSegment } = segmentOutputs(built);
				const report = config.report === true ? scoringReport({ profiles, segment: built }) : undefined;
				sendRows(RED, msg, config, send, inSegment, notInSegment, built.summary, report);
			};
			const options = { name, mode, runAt, deliver } as const;
			const result = config.store
				? await withStore(storeNode(RED, config.store, 'Build Segment'), (store) => buildSegment(profiles, rule, { ...options, store }))
				: await buildSegment(profiles, rule, options);
			return statusOf(result);
		});
	});
};

/** The rule, segment name, mode and run time for a message: the message's values, else the node's. */
function segmentSettings(msg: NodeMessage, config: NodeDef) {
	return {
		rule: ruleOf(msg, config),
		name: asText(fromMessage(msg, 'segmentName') ?? config.segmentName, 'segment name'),
		// An unset mode (flows from before the setting) is 'all'; anything else goes to the core, which refuses an unknown one.
		mode: (config.mode === undefined || config.mode === '' ? 'all' : config.mode) as SegmentMode,
		runAt: asText(fromMessage(msg, 'runAt'), 'run time (msg.runAt)') ?? new Date().toISOString(),
	};
}

/**
 * msg.warehouse: the rule runs as SQL over the latest run in the scores table (the setting, or
 * msg.scoresTable) beside the events; output 1 gets the members the mode asks for, each message
 * saying where the work ran, and the membership is committed once they are sent.
 */
async function segmentScoresTable(RED: NodeAPI, msg: NodeMessage, config: NodeDef, send: SendFunction) {
	const warehouse = warehouseOfMessage(RED, msg, 'Build Segment');
	if (!warehouse)
		throw new InputError(
			'msg.warehouse is empty: wire Load Events (source "table in place") and Score Profiles before this node.',
			'no-warehouse-reference',
		);
	const scoresTable = scoresTableOf(msg, config);
	const { rule, name, mode, runAt } = segmentSettings(msg, config);
	// The run Score Profiles just wrote names its model: that model's latest run is segmented.
	const model = (msg.scoreSummary as { model?: { name?: unknown } } | undefined)?.model?.name;
	// The reference goes on with each member, so Explain Factors can follow on the same table.
	const extra = { workRanIn: scoresTableWhere(warehouse.source, scoresTable), warehouse: msg.warehouse };
	const deliver = (built: SegmentResult) => {
		const { inSegment, notInSegment } = segmentOutputs(built);
		sendRows(RED, msg, config, send, inSegment, notInSegment, { ...built.summary, scoresTable }, undefined, extra);
	};
	const options = { name, mode, runAt, deliver, scoresTable, ...(typeof model === 'string' ? { model } : {}) };
	const factors = factorsOf(fromMessage(msg, 'factors') ?? config.factors);
	// Attributes and factors come from the events of the table in place, explained by the run's model from the store.
	const details = factors > 0 || ruleNeedsEvents(rule);
	if (details && !config.store)
		throw new InputError(
			'Factors and attributes of the members are explained with the model that scored the run, kept in the store: choose the store in Build Segment, or set Factors to 0.',
			'store-missing',
		);
	const result = config.store
		? await withStore(storeNode(RED, config.store, 'Build Segment'), (store) =>
				segmentInWarehouse(warehouse.source, rule, {
					...options,
					store,
					...(details ? { details: { model: modelOfRun(store), explain: factors, mapping: warehouse.mapping } } : {}),
				}),
			)
		: await segmentInWarehouse(warehouse.source, rule, options);
	return statusOf(result);
}

/** Factors per member: the setting or msg.factors, a whole number from 0 to 20 (empty: 0). */
function factorsOf(value: unknown): number {
	if (value === undefined || value === null || value === '') return 0;
	const k = Number(value);
	if (!Number.isInteger(k) || k < 0 || k > 20) throw new InputError(`Factors is ${JSON.stringify(value)}: give a whole number from 0 to 20.`, 'bad-factors');
	return k;
}

/** Output 1 and output 2: one message per profile, or one list each (statuses beside), with the run's summary. */
function sendRows(
	RED: NodeAPI,
	msg: NodeMessage,
	config: NodeDef,
	send: SendFunction,
	first: readonly StatusRow[],
	second: readonly StatusRow[],
	segment: object,
	report?: string,
	extra: Record<string, unknown> = {},
): void {
	if (config.output === 'array') {
		const list = (rows: readonly StatusRow[]) => ({ payload: rows.map(({ row }) => row), statuses: rows.map(({ status }) => status), segment, ...extra });
		const messages = [first.length > 0 ? Object.assign(msg, list(first)) : null, second.length > 0 ? { ...msg, ...list(second) } : null];
		withReport(messages, report);
		send(messages);
	} else {
		const messages = [each(first, segment, RED.util.generateId()), each(second, segment, RED.util.generateId())].map((list) =>
			list.map((message) => Object.assign(message, extra)),
		);
		withReport(
			messages.map((list) => list[0] ?? null),
			report,
		);
		send(messages);
	}
}

/** The run's HTML report on the first message of output 1, or of output 2 when output 1 sends nothing. */
function withReport(firsts: (NodeMessage | null)[], report: string | undefined): void {
	const carrier = firsts.find((message) => message !== null);
	if (report !== undefined && carrier) carrier.report = report;
}

/** msg.resend: a kept run's entrants (or leavers, when Output 1 gets those who left) on output 1 again; the membership is unchanged. */
async function resendRun(RED: NodeAPI, msg: NodeMessage, config: NodeDef, resend: unknown, send: SendFunction) {
	const name = asText(fromMessage(msg, 'segmentName') ?? config.segmentName, 'segment name');
	if (!name || !config.store)
		throw new InputError('msg.resend sends a run kept in the store under the segment name: set Segment name and Remember in.', 'segment-name-missing');
	if (config.mode !== 'entered' && config.mode !== 'left') {
		throw new InputError(
			"msg.resend sends a past run's entrants (Output 1 gets: those who entered) or leavers (those who left); the store keeps only those of each run, not every member.",
			'bad-segment-mode',
		);
	}
	const run =
		resend === 'latest' ? 'latest' : typeof resend === 'number' || (typeof resend === 'string' && /^\d+$/.test(resend.trim())) ? Number(resend) : undefined;
	if (run === undefined)
		throw new InputError(
			`msg.resend is ${describe(resend)}: give a run number (each run reports it in its status and as msg.segment.run) or "latest".`,
			'bad-segment-run',
		);
	const past: ResentRun = await withStore(storeNode(RED, config.store, 'Build Segment'), (store) =>
		resendSegmentRun(store, name, run, config.mode as 'entered' | 'left'),
	);
	const status = config.mode === 'entered' ? 'entered' : 'left';
	sendRows(
		RED,
		msg,
		config,
		send,
		past.rows.map((row) => ({ row, status })),
		[],
		{ name, mode: config.mode, run: past.run.run, runAt: past.run.runAt, resent: true },
	);
	return { fill: 'blue', shape: 'ring', text: `resent run ${past.run.run}: ${count(past.rows.length)} ${config.mode}` } as const;
}

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
function each(rows: readonly StatusRow[], summary: object, id: string): NodeMessage[] {
	const name = (summary as Partial<SegmentSummary>).name;
	return rows.map(({ row, status }, index) => ({
		topic: name ?? undefined,
		payload: row,
		segment: { ...summary, status },
		parts: { id, index, count: rows.length, type: 'array' },
	}));
}

function statusOf(result: SegmentResult) {
	const { mode, members, nonMembers, entered, left, run } = result.summary;
	const lead = mode === 'entered' ? `${count(entered)} entered · ` : mode === 'left' ? `${count(left)} left · ` : '';
	return {
		fill: 'green',
		shape: 'dot',
		text: `${lead}${count(members)} in segment, ${count(nonMembers)} not${run !== null ? ` · run ${run}` : ''}`,
	} as const;
}
