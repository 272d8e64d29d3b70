import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { errorItem, nodeErrorOf, pairedWithAll } from '../../shared/errors';
import { clickHouseTestName, propensityClickHouseConnectionTest } from '../../shared/clickhouse';
import { postgresTestName, propensityPostgresConnectionTest } from '../../shared/postgres';
import { storeCredential } from '../../shared/store';
import { clickHouseCredential } from '../../shared/warehouse';
import { buildSegmentProperties } from './BuildSegmentV1.description';
import { profilesOf, segmentOutputs, warehouseSegmentOutputs } from './utils';

const versionDescription: Omit<INodeTypeDescription, keyof INodeTypeBaseDescription> & Partial<INodeTypeDescription> = {
	version: 1,
	subtitle:
		'={{ ($parameter["segmentName"] || "segment") + ": " + {"all": "all members", "entered": "entered since last run", "left": "left since last run"}[$parameter["mode"]] }}',
	defaults: { name: 'Build Segment' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
	outputNames: ['In Segment', 'Not In Segment'],
	// n8n takes one entry per credential type: a PostgreSQL scores table is read with the store's credential.
	credentials: [storeCredential(), clickHouseCredential({ scoresIn: ['clickhouse'] })],
	hints: [
		{
			message: 'Name the segment: "Entered" and "Left" compare with the membership remembered under its name at the last run.',
			type: 'warning',
			location: 'ndv',
			whenToDisplay: 'always',
			displayCondition: '={{ $parameter["mode"] !== "all" && !$parameter["segmentName"] }}',
		},
	],
	properties: buildSegmentProperties,
};

export class BuildSegmentV1 implements INodeType {
	description: INodeTypeDescription;

	methods = { credentialTest: { [postgresTestName]: propensityPostgresConnectionTest, [clickHouseTestName]: propensityClickHouseConnectionTest } };

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription } as INodeTypeDescription;
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		if (this.getNodeParameter('scoresIn', 0, 'items') !== 'items') {
			try {
				return [await warehouseSegmentOutputs(this, items), []];
			} catch (error) {
				if (this.continueOnFail()) return [[errorItem(error, pairedWithAll(items))], []];
				throw nodeErrorOf(this, error, 0);
			}
		}
		// The segment is built over all profiles at once (top N, percentiles, who entered), so
		// items that are not scored profiles are set aside first, each with its own error.
		const { profiles, failures } = profilesOf(items);
		const errors: INodeExecutionData[] = [];
		for (const [itemIndex, error] of failures) {
			if (!this.continueOnFail()) throw nodeErrorOf(this, error, itemIndex);
			errors.push(errorItem(error, { item: itemIndex }));
		}
		try {
			const [inSegment, notInSegment] = await segmentOutputs(this, items, profiles);
			return [[...errors, ...inSegment], notInSegment];
		} catch (error) {
			if (this.continueOnFail()) return [[...errors, errorItem(error, pairedWithAll(items))], []];
			throw nodeErrorOf(this, error, 0);
		}
	}
}
