import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { clickHouseTestName, propensityClickHouseConnectionTest } from '../../shared/clickhouse';
import { errorItem, nodeErrorOf, pairedWithAll } from '../../shared/errors';
import { postgresTestName, propensityPostgresConnectionTest } from '../../shared/postgres';
import { storeCredential } from '../../shared/store';
import { clickHouseCredential } from '../../shared/warehouse';
import { ModelCache } from '../../ScoreProfiles/v1/utils';
import { explainFactorsProperties } from './ExplainFactorsV1.description';
import { explainGroup, explainInPlace, groupByModel } from './utils';

const versionDescription: Omit<INodeTypeDescription, keyof INodeTypeBaseDescription> & Partial<INodeTypeDescription> = {
	version: 1,
	subtitle: '={{ "top " + $parameter["topK"] + " factors" + ($parameter["bucketSummary"] ? " and bucket summary" : "") }}',
	defaults: { name: 'Explain Factors' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	// n8n takes one entry per credential type: a PostgreSQL table in place is read with the store's credential, as in Build Segment.
	credentials: [storeCredential({ modelSource: ['store'] }), clickHouseCredential({ featuresFrom: ['clickhouse'] })],
	properties: explainFactorsProperties,
};

export class ExplainFactorsV1 implements INodeType {
	description: INodeTypeDescription;

	methods = { credentialTest: { [postgresTestName]: propensityPostgresConnectionTest, [clickHouseTestName]: propensityClickHouseConnectionTest } };

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription } as INodeTypeDescription;
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		if (this.getNodeParameter('featuresFrom', 0, 'items') !== 'items') {
			try {
				return [await explainInPlace(this, items)];
			} catch (error) {
				if (this.continueOnFail()) return [[errorItem(error, pairedWithAll(items))]];
				throw nodeErrorOf(this, error, 0);
			}
		}
		const results: INodeExecutionData[] = new Array(items.length);
		// Profiles are explained together per model (one batch of TreeSHAP), so the model of each is found first.
		const { groups, failures } = await groupByModel(this, items, new ModelCache());
		for (const [itemIndex, error] of failures) {
			if (!this.continueOnFail()) throw nodeErrorOf(this, error, itemIndex);
			results[itemIndex] = errorItem(error, { item: itemIndex });
		}
		for (const group of groups) {
			let outcomes;
			try {
				outcomes = await explainGroup(this, items, group);
			} catch (error) {
				// Not one item's fault (a cancel, a worker failure): every item of the group gets it.
				if (!this.continueOnFail()) throw nodeErrorOf(this, error, group.indexes[0]);
				for (const itemIndex of group.indexes) results[itemIndex] = errorItem(error, { item: itemIndex });
				continue;
			}
			for (const [itemIndex, outcome] of outcomes) {
				if ('error' in outcome) {
					if (!this.continueOnFail()) throw nodeErrorOf(this, outcome.error, itemIndex);
					results[itemIndex] = errorItem(outcome.error, { item: itemIndex });
				} else {
					results[itemIndex] = outcome.item;
				}
			}
		}
		return [results.filter((item) => item !== undefined)];
	}
}
