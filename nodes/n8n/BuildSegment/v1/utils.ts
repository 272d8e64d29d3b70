/**
 * Build Segment plumbing: the incoming scored profiles, the rule from the form, the short syntax
 * or JSON, the membership remembered in the store under the segment name, and the two outputs:
 * In Segment (every member, or those who entered, or those who left, by mode) and Not In Segment
 * (the scored profiles outside the segment now).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { buildSegment, InputError, parseRuleTexts, parseSegmentRule, ruleFromForm, type ScoredProfile, type SegmentMember, type SegmentMode, segmentOutputs as statusRowsOf, type SegmentRule, type StatusRow, type Store, whyNobodyHandedOn } from '../../../../core';
import { jsonParameter } from '../../shared/json';
import { openNodeStore } from '../../shared/store';

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
			failures.push([itemIndex, new InputError(`Item ${itemIndex + 1} is not a scored profile: ${why}. Connect Score Profiles (or Explain Factors) before Build Segment.`, 'bad-scores')]);
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
		const lines = String(ctx.getNodeParameter('ruleText', 0, '') ?? '').split('\n').filter((line) => line.trim() !== '');
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

/** Builds the segment over the profiles and returns the In Segment and Not In Segment items. */
export async function segmentOutputs(ctx: IExecuteFunctions, items: INodeExecutionData[], profiles: ProfileItem[]): Promise<[INodeExecutionData[], INodeExecutionData[]]> {
	const rule = ruleOf(ctx);
	const mode = ctx.getNodeParameter('mode', 0) as SegmentMode;
	const name = (ctx.getNodeParameter('segmentName', 0, '') as string).trim() || undefined;
	const options = ctx.getNodeParameter('options', 0, {}) as { runAt?: string };
	const runAt = options.runAt?.trim() || new Date().toISOString();
	let store: Store | undefined;
	if (name !== undefined || mode !== 'all') store = await openNodeStore(ctx, 0);
	try {
		const result = await buildSegment(
			profiles.map((p) => p.profile),
			rule,
			{ mode, runAt, ...(name !== undefined ? { name } : {}), ...(store ? { store } : {}) },
		);
		const summary = result.summary;
		ctx.logger.info(
			`${ctx.getNode().name}: segment ${summary.name ?? '(unnamed)'} (${summary.rule}): ${summary.members} members of ${summary.scored}, ${summary.entered} entered, ${summary.left} left; passing on ${summary.output}`,
		);
		ctx.addExecutionHints({
			message: `${summary.members} of ${summary.scored} profiles are in the segment (${summary.rule}); since the last run${summary.previousRunAt ? ` (${summary.previousRunAt})` : ' (none: this is the first)'} ${summary.entered} entered and ${summary.left} left.${[whyNobodyHandedOn(summary), ...summary.warnings].filter((text) => text !== '').map((text) => ` ${text}`).join('')}`,
			location: 'outputPane',
		});
		const itemOf = new Map(profiles.map((p) => [p.profile.profileId, p.itemIndex]));
		const segment = { name: summary.name, mode, rule: summary.rule, runAt: summary.runAt, previousRunAt: summary.previousRunAt };
		const toItem = ({ row, status }: StatusRow): INodeExecutionData => {
			const itemIndex = itemOf.get(row.profileId);
			// Someone who left and was not scored this run comes from the run as a whole.
			const pairedItem: IPairedItemData | IPairedItemData[] = itemIndex === undefined ? items.map((_, item) => ({ item })) : { item: itemIndex };
			return { json: { ...(row as SegmentMember), segment: { ...segment, status } } as unknown as IDataObject, pairedItem };
		};
		const { inSegment, notInSegment } = statusRowsOf(result);
		return [inSegment.map(toItem), notInSegment.map(toItem)];
	} finally {
		await store?.close().catch(() => undefined);
	}
}
