import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { errorItem, nodeErrorOf, pairedWithAll, perItem } from '../../shared/errors';
import { postgresCredentialName, postgresTestName, propensityPostgresConnectionTest } from '../../shared/postgres';
import { clickHouseTestName, propensityClickHouseConnectionTest } from '../../shared/clickhouse';
import { clickHouseCredential } from '../../shared/warehouse';
import { loadEventsProperties } from './LoadEventsV1.description';
import { describeTableInPlace, loadOne, sourceOf } from './utils';

const versionDescription: Omit<INodeTypeDescription, keyof INodeTypeBaseDescription> & Partial<INodeTypeDescription> = {
	version: 1,
	subtitle:
		'={{ {"binary": "from a binary file", "file": "from " + ($parameter["filePath"] || "a file"), "items": "from incoming items", "postgres": "from PostgreSQL", "postgresTable": "PostgreSQL table " + $parameter["table"] + " in place", "clickhouseTable": "ClickHouse table " + $parameter["table"] + " in place"}[$parameter["source"]] }}',
	defaults: { name: 'Load Events' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [
		{ name: postgresCredentialName, required: true, testedBy: postgresTestName, displayOptions: { show: { source: ['postgres', 'postgresTable'] } } },
		clickHouseCredential({ source: ['clickhouseTable'] }),
	],
	hints: [
		{
			message: 'Each incoming item is read as one event. To load a file, choose the source "File Path" or "Binary File".',
			type: 'info',
			location: 'outputPane',
			whenToDisplay: 'beforeExecution',
			displayCondition: '={{ $parameter["source"] === "items" }}',
		},
	],
	properties: loadEventsProperties,
};

export class LoadEventsV1 implements INodeType {
	description: INodeTypeDescription;

	methods = { credentialTest: { [postgresTestName]: propensityPostgresConnectionTest, [clickHouseTestName]: propensityClickHouseConnectionTest } };

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription } as INodeTypeDescription;
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const source = this.getNodeParameter('source', 0) as string;
		// Incoming items together are one source: one event table from all of them.
		if (source === 'items') {
			try {
				return [[await loadOne(this, 0, { kind: 'rows', rows: items.map((item) => item.json) }, pairedWithAll(items))]];
			} catch (error) {
				if (this.continueOnFail()) return [[errorItem(error, pairedWithAll(items))]];
				throw nodeErrorOf(this, error, 0);
			}
		}
		if (source === 'postgresTable' || source === 'clickhouseTable') {
			return [
				await perItem(this, async (_item, itemIndex) => describeTableInPlace(this, itemIndex, source === 'postgresTable' ? 'postgres' : 'clickhouse')),
			];
		}
		return [await perItem(this, async (item, itemIndex) => loadOne(this, itemIndex, await sourceOf(this, item, itemIndex), { item: itemIndex }))];
	}
}
