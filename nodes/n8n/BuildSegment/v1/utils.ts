/**
 * Build Segment plumbing: the incoming scored profiles, the rule from the form, the short syntax
 * or JSON, the membership remembered in the store under the segment name, and the two outputs:
 * In Segment (every member, or those who entered, or those who left, by mode) and Not In Segment
 * (the scored profiles outside the segment now).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import {
	buildSegment,
	InputError,
	modelOfRun,
	parseRuleTexts,
	ruleNeedsEvents,
	parseWarehouseReference,
	scoresTableWhere,
	segmentInWarehouse,
	parseSegmentRule,
	resendSegmentRun,
	ruleFromForm,
	type ScoredProfile,
	scoringReport,
	type SegmentMember,
	type SegmentMode,
	segmentOutputs as statusRowsOf,
	type SegmentResult,
	type SegmentRule,
	type SegmentStatus,
	type StatusRow,
	type Store,
	whyNobodyHandedOn,
	withThousands,
} from '../../../../core';
import { attachRunReport } from '../../shared/binary';
import { jsonParameter } from '../../shared/json';
import { openNodeStore } from '../../shared/store';
import { type WarehouseEngine, scoresTableOf, warehouseOfItems } from '../../shared/warehouse';

/** A scored profile and the input item it came from. */
export interface ProfileItem {
	readonly profile: ScoredProfile;
	readonly itemIndex: number;
}

/** The items that are scored profiles (a text profileId), and an error for each that is not. */
export function profilesOf(items: INodeExecutionData[]): { profiles: ProfileItem[]; failures: [number, InputError][] } {
	const profiles: ProfileItem[] = [];
	const failures: [number, InputError][] = [];
	items.forEach((item, itemIndex) => {
		const id = item.json.profileId;
		if (typeof id === 'string' && id !== '') profiles.push({ profile: item.json as unknown as ScoredProfile, itemIndex });
		else {
			const why = typeof item.json.error === 'string' ? `it is an error item ("${item.json.error}")` : 'it has no profileId';
			failures.push([
				itemIndex,
				new InputError(
					`Item ${itemIndex + 1} is not a scored profile: ${why}. Connect Score Profiles (or Explain Factors) before Build Segment.`,
					'bad-scores',
				),
			]);
		}
	});
	return { profiles, failures };
}

interface RuleRow {
	kind?: string;
	buckets?: string[];
	operator?: string;
	attributeOperator?: string;
	value?: string;
	to?: string;
	attributeTo?: string;
	topBy?: string;
	size?: number;
	factor?: string;
	factorBy?: string;
	direction?: string;
	withinTop?: number;
	attribute?: string;
	negate?: boolean;
}

/** The segment rule from the form, the short syntax (each line must hold) or the JSON. */
export function ruleOf(ctx: IExecuteFunctions): SegmentRule {
	const mode = ctx.getNodeParameter('ruleMode', 0) as string;
	if (mode === 'text') {
		const lines = String(ctx.getNodeParameter('ruleText', 0, '') ?? '')
			.split('\n')
			.filter((line) => line.trim() !== '');
		return parseRuleTexts(lines);
	}
	if (mode === 'json') return parseSegmentRule(jsonParameter(ctx.getNodeParameter('ruleJson', 0), 'The segment rule JSON'));
	const rows = ctx.getNodeParameter('rules.rule', 0, []) as RuleRow[];
	return ruleFromForm({
		match: ctx.getNodeParameter('match', 0, 'all') as string,
		rows: rows.map((row) => ({
			...row,
			kind: row.kind ?? 'bucket',
			operator: row.kind === 'attribute' ? row.attributeOperator : row.operator,
			to: row.kind === 'attribute' ? row.attributeTo : row.to,
		})),
	});
}

/**
 * Builds the segment over the profiles and returns the In Segment and Not In Segment items. The
 * membership is committed only once the output items are made, so a run that fails before
 * then finds the same entrants again next time (at-least-once delivery).
 */
export async function segmentOutputs(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	profiles: ProfileItem[],
): Promise<[INodeExecutionData[], INodeExecutionData[]]> {
	const mode = ctx.getNodeParameter('mode', 0) as SegmentMode;
	const name = (ctx.getNodeParameter('segmentName', 0, '') as string).trim() || undefined;
	const options = ctx.getNodeParameter('options', 0, {}) as { runAt?: string; resendRun?: string; reportBinaryPropertyName?: string };
	const resend = String(options.resendRun ?? '').trim();
	if (resend !== '') return resendOutputs(ctx, items, name, mode, resend);
	const rule = ruleOf(ctx);
	const runAt = options.runAt?.trim() || new Date().toISOString();
	let store: Store | undefined;
	if (name !== undefined || mode !== 'all') store = await openNodeStore(ctx, 0);
	try {
		let outputs: [INodeExecutionData[], INodeExecutionData[]] = [[], []];
		const result = await buildSegment(
			profiles.map((p) => p.profile),
			rule,
			{
				mode,
				runAt,
				...(name !== undefined ? { name } : {}),
				...(store ? { store } : {}),
				deliver: (built) => void (outputs = itemsOf(items, profiles, built)),
			},
		);
		const summary = result.summary;
		// The run's number is known once committed; it is what Resend Run asks for.
		for (const item of [...outputs[0], ...outputs[1]]) (item.json.segment as IDataObject).run = summary.run;
		const reportField = options.reportBinaryPropertyName?.trim();
		if (reportField) {
			const report = scoringReport({ profiles: profiles.map((p) => p.profile), segment: result });
			await attachRunReport(ctx, outputs[0].length > 0 ? outputs[0] : outputs[1], reportField, report);
		}
		ctx.logger.info(
			`${ctx.getNode().name}: segment ${summary.name ?? '(unnamed)'} (${summary.rule}): ${withThousands(summary.members)} members of ${withThousands(summary.scored)}, ${withThousands(summary.entered)} entered, ${withThousands(summary.left)} left; passing on ${summary.output}`,
		);
		ctx.addExecutionHints({
			message: `${withThousands(summary.members)} of ${withThousands(summary.scored)} profiles are in the segment (${summary.rule}); since the last run${summary.previousRunAt ? ` (${summary.previousRunAt})` : ' (none: this is the first)'} ${withThousands(summary.entered)} entered and ${withThousands(summary.left)} left.${[
				whyNobodyHandedOn(summary),
				summary.run !== null ? `Kept as run ${summary.run}.` : '',
				...summary.warnings,
			]
				.filter((text) => text !== '')
				.map((text) => ` ${text}`)
				.join('')}`,
			location: 'outputPane',
		});
		return outputs;
	} finally {
		await store?.close().catch(() => undefined);
	}
}

/** The In Segment and Not In Segment items of a built segment, each paired with the profile's input item. */
function itemsOf(items: INodeExecutionData[], profiles: ProfileItem[], result: SegmentResult): [INodeExecutionData[], INodeExecutionData[]] {
	const { summary } = result;
	const itemOf = new Map(profiles.map((p) => [p.profile.profileId, p.itemIndex]));
	const segment = { name: summary.name, mode: summary.mode, rule: summary.rule, runAt: summary.runAt, previousRunAt: summary.previousRunAt };
	const toItem = ({ row, status }: StatusRow): INodeExecutionData => {
		const itemIndex = itemOf.get(row.profileId);
		// Someone who left and was not scored this run comes from the run as a whole.
		const pairedItem: IPairedItemData | IPairedItemData[] = itemIndex === undefined ? items.map((_, item) => ({ item })) : { item: itemIndex };
		return { json: { ...(row as SegmentMember), segment: { ...segment, status } } as unknown as IDataObject, pairedItem };
	};
	const { inSegment, notInSegment } = statusRowsOf(result);
	return [inSegment.map(toItem), notInSegment.map(toItem)];
}

/** Option Resend Run: a kept run's entrants (or leavers, with Pass On: Left) on In Segment again; nothing changes in the store. */
async function resendOutputs(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	name: string | undefined,
	mode: SegmentMode,
	resend: string,
): Promise<[INodeExecutionData[], INodeExecutionData[]]> {
	if (name === undefined)
		throw new InputError('Resend Run sends a run kept under the segment name: set Segment Name (and the store).', 'segment-name-missing');
	if (mode === 'all')
		throw new InputError(
			"Resend Run sends a past run's entrants (Pass On: Entered Since Last Run) or leavers (Pass On: Left Since Last Run); the store keeps only those of each run, not all members.",
			'bad-segment-mode',
		);
	const run = resend === 'latest' ? 'latest' : /^\d+$/.test(resend) ? Number(resend) : undefined;
	if (run === undefined)
		throw new InputError(`Resend Run is "${resend}": give a run number (each run reports it as segment.run) or "latest".`, 'bad-segment-run');
	const store = await openNodeStore(ctx, 0);
	try {
		const past = await resendSegmentRun(store, name, run, mode);
		const status: SegmentStatus = mode === 'entered' ? 'entered' : 'left';
		const segment = { name, mode, run: past.run.run, runAt: past.run.runAt, status, resent: true };
		ctx.addExecutionHints({
			message: `Sent again the ${withThousands(past.rows.length)} ${mode === 'entered' ? 'entrants' : 'leavers'} of run ${past.run.run} of "${name}" (${past.run.runAt}); the membership is unchanged.`,
			location: 'outputPane',
		});
		const pairedItem = items.map((_, item) => ({ item }));
		return [past.rows.map((row) => ({ json: { ...row, segment } as unknown as IDataObject, pairedItem })), []];
	} finally {
		await store.close().catch(() => undefined);
	}
}

/**
 * Scores In a warehouse scores table: the rule runs as SQL over its latest run (of the model the
 * input item's scoring run names, when it names one), and In Segment gets the members the mode
 * asks for, each saying where the work ran. The membership is committed once the items are made.
 */
export async function warehouseSegmentOutputs(ctx: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const mode = ctx.getNodeParameter('mode', 0) as SegmentMode;
	const name = (ctx.getNodeParameter('segmentName', 0, '') as string).trim() || undefined;
	const options = ctx.getNodeParameter('options', 0, {}) as { runAt?: string; resendRun?: string };
	if (String(options.resendRun ?? '').trim() !== '') return (await resendOutputs(ctx, items, name, mode, String(options.resendRun).trim()))[0];
	const scoresTable = scoresTableOf(ctx, 0);
	const rule = ruleOf(ctx);
	const engine = ctx.getNodeParameter('scoresIn', 0) as WarehouseEngine;
	const found = await warehouseOfItems(ctx, items, engine, { setting: 'Scores In', before: 'Score Profiles (writing the scores table)', instead: 'Items' });
	const { source } = found;
	const item = items[found.itemIndex];
	const workRanIn = scoresTableWhere(source, scoresTable);
	const model = (item.json.model as { name?: unknown } | undefined)?.name;
	const pairedItem = items.map((_, index) => ({ item: index }));
	const factors = Number(ctx.getNodeParameter('factorsPerProfile', 0, 0) ?? 0);
	if (!Number.isInteger(factors) || factors < 0 || factors > 20)
		throw new InputError(`Factors per Profile is ${factors}: give a whole number from 0 to 20.`, 'bad-parameter');
	// Attributes and factors are read from the events of the table in place, explained by the run's model from the store.
	const details = factors > 0 || ruleNeedsEvents(rule);
	const reference = details ? parseWarehouseReference(item.json.warehouse, 'The warehouse field') : undefined;
	let store: Store | undefined;
	if (name !== undefined || mode !== 'all' || details) store = await openNodeStore(ctx, 0);
	try {
		let output: INodeExecutionData[] = [];
		const result = await segmentInWarehouse(source, rule, {
			mode,
			runAt: options.runAt?.trim() || new Date().toISOString(),
			scoresTable,
			...(typeof model === 'string' ? { model } : {}),
			...(name !== undefined ? { name } : {}),
			...(store ? { store } : {}),
			...(details && store && reference ? { details: { model: modelOfRun(store), explain: factors, mapping: reference.mapping } } : {}),
			deliver: (built) => {
				const { summary } = built;
				const segment = { name: summary.name, mode: summary.mode, rule: summary.rule, runAt: summary.runAt, previousRunAt: summary.previousRunAt };
				output = statusRowsOf(built).inSegment.map(({ row, status }) => ({
					// The reference goes on with each member, as Load Events put it on the item: Explain Factors can follow on the same table.
					json: {
						...(row as SegmentMember),
						segment: { ...segment, status },
						workRanIn,
						scoresTable: workRanIn,
						warehouse: item.json.warehouse,
					} as unknown as IDataObject,
					pairedItem,
				}));
			},
		});
		const { summary } = result;
		for (const out of output) (out.json.segment as IDataObject).run = summary.run;
		ctx.logger.info(
			`${ctx.getNode().name}: segment ${summary.name ?? '(unnamed)'} over ${workRanIn} (${summary.rule}): ${withThousands(summary.members)} members of ${withThousands(summary.scored)}, ${withThousands(summary.entered)} entered, ${withThousands(summary.left)} left; passing on ${summary.output}`,
		);
		ctx.addExecutionHints({
			message: `${withThousands(summary.members)} of the ${withThousands(summary.scored)} profiles scored at ${result.run.scoreDate} by "${result.run.modelName}" are in the segment (${summary.rule}), chosen in ${workRanIn}; ${withThousands(summary.entered)} entered and ${withThousands(summary.left)} left since the last run.${[
				whyNobodyHandedOn(summary),
				summary.run !== null ? `Kept as run ${summary.run}.` : '',
			]
				.filter((text) => text !== '')
				.map((text) => ` ${text}`)
				.join('')}`,
			location: 'outputPane',
		});
		return output;
	} finally {
		await store?.close().catch(() => undefined);
	}
}
