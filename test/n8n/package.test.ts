/**
 * What n8n reads from the package before any node runs: the `n8n` section of package.json, each
 * node's description, codex file and icons, and the PostgreSQL credential with its test.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ICredentialTestFunctions, ICredentialType, INodeProperties, INodeType, INodeTypeDescription, IVersionedNodeType } from 'n8n-workflow';
import { pgConnectionOf, propensityPostgresConnectionTest } from '../../nodes/n8n/shared/postgres';
import { testPostgres } from '../support/postgres';
import { testClickHouse } from '../support/clickhouse';
import { propensityClickHouseConnectionTest } from '../../nodes/n8n/shared/clickhouse';
import { repoRoot } from '../support/n8n';
import { currentVersion } from './fakeContext';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
	name: string;
	n8n: { n8nNodesApiVersion: number; nodes: string[]; credentials: string[] };
};

/** The class a compiled node or credential file exports under its file name. */
function load<T>(file: string): { name: string; instance: T; dir: string } {
	const name = path.basename(file).replace(/\.(node|credentials)\.js$/, '');
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the built file by the path package.json gives, as n8n does
	const exported = require(path.join(repoRoot, file)) as Record<string, new () => T>;
	assert.ok(exported[name], `${file} exports a class named ${name}`);
	return { name, instance: new exported[name](), dir: path.dirname(path.join(repoRoot, file)) };
}

/** Every parameter, nested ones included. */
function allProperties(properties: readonly INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => {
		const nested = (property.options ?? []).flatMap((option) => {
			if ('values' in option) return allProperties(option.values);
			if ('type' in option) return allProperties([option as INodeProperties]);
			return [];
		});
		return [property, ...nested];
	});
}

const nodeNames = ['loadEvents', 'defineGoal', 'trainModel', 'scoreProfiles', 'explainFactors', 'buildSegment', 'monitorModel'];

describe('the package as n8n loads it', () => {
	it('package.json lists the seven nodes and the two credentials, and every listed file is built', () => {
		assert.equal(manifest.n8n.n8nNodesApiVersion, 1);
		assert.equal(manifest.n8n.nodes.length, 7);
		assert.deepEqual(manifest.n8n.credentials, [
			'dist/credentials/PropensityPostgresApi.credentials.js',
			'dist/credentials/PropensityClickHouseApi.credentials.js',
		]);
		for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials])
			assert.ok(fs.existsSync(path.join(repoRoot, file)), `${file} exists (run the build)`);
	});

	for (const file of manifest.n8n.nodes) {
		describe(path.basename(file, '.node.js'), () => {
			const { name, instance, dir } = load<INodeType | IVersionedNodeType>(file);
			const version = currentVersion(instance);
			const description = version.description as INodeTypeDescription;

			it('is a versioned node whose name, display name and default name read well in the node panel', () => {
				assert.ok('nodeVersions' in instance, 'it wraps its versions in VersionedNodeType');
				assert.equal(description.name.charAt(0).toUpperCase() + description.name.slice(1), name);
				assert.ok(nodeNames.includes(description.name));
				assert.match(description.displayName, /^Propensity: [A-Z]/);
				assert.equal(description.defaults.name, description.displayName.replace('Propensity: ', ''));
				assert.ok(description.subtitle?.startsWith('={{'), 'it has a subtitle');
				assert.ok(description.description.length > 30);
			});

			it('has light and dark SVG icons and a codex file in Analytics and Marketing that points to the README', () => {
				const icon = description.icon as { light: string; dark: string };
				for (const variant of [icon.light, icon.dark]) {
					const svg = fs.readFileSync(path.join(dir, variant.replace('file:', '')), 'utf8');
					assert.match(svg, /^<svg [^>]*viewBox="0 0 60 60"/);
				}
				const codex = JSON.parse(fs.readFileSync(path.join(dir, `${name}.node.json`), 'utf8')) as {
					node: string;
					categories: string[];
					resources: { primaryDocumentation: { url: string }[] };
				};
				assert.equal(codex.node, `${manifest.name}.${description.name}`);
				assert.deepEqual(codex.categories, ['Analytics', 'Marketing']);
				assert.match(codex.resources.primaryDocumentation[0].url, /^https:\/\/github\.com\/.*#/);
			});

			it('every option parameter defaults to one of its options, and every parameter says what it is', () => {
				for (const property of allProperties(description.properties)) {
					if (property.type === 'options') {
						const values = (property.options ?? []).map((option) => (option as { value: unknown }).value);
						assert.ok(values.includes(property.default), `${property.name} defaults to one of ${values.join(', ')}`);
					}
					assert.ok(property.displayName.trim() !== '', `${property.name} has a display name`);
				}
			});

			it('has no parameter whose default is an expression: the editor shows $env in one as "[ERROR: not accessible via UI]"', () => {
				for (const property of allProperties(description.properties)) {
					assert.ok(
						!(typeof property.default === 'string' && property.default.startsWith('=')),
						`${property.name} defaults to ${String(property.default)}`,
					);
				}
			});

			it('offers the credential test wherever it uses the PostgreSQL or ClickHouse credential, one entry per credential type', () => {
				const names = (description.credentials ?? []).map((credential) => credential.name);
				// n8n reads the first entry of a type only, so a second one would never show.
				assert.equal(new Set(names).size, names.length, `one entry per credential type: ${names.join(', ')}`);
				for (const credential of description.credentials ?? []) {
					assert.ok(['propensityPostgresApi', 'propensityClickHouseApi'].includes(credential.name), credential.name);
					assert.equal(typeof version.methods?.credentialTest?.[credential.testedBy as string], 'function');
				}
			});
		});
	}

	it('the example workflows leave the store folder empty (the default folder), never an $env expression the editor cannot show', () => {
		for (const file of fs.readdirSync(path.join(repoRoot, 'examples', 'n8n')).filter((name) => name.endsWith('.json') && name !== 'smtp-demo-sink.json')) {
			const workflow = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', 'n8n', file), 'utf8')) as {
				nodes: { name: string; parameters: Record<string, unknown> }[];
			};
			for (const node of workflow.nodes) {
				if ('storeFolder' in node.parameters) assert.equal(node.parameters.storeFolder, '', `${file}: ${node.name}`);
			}
		}
	});

	it('Events In comes first in the panel, shown only for events, Score Profiles hides what a table in place does not use, and Explain Factors asks where the features are first', () => {
		const propertiesOf = (node: string) =>
			(currentVersion(load<IVersionedNodeType>(`dist/nodes/n8n/${node}/${node}.node.js`).instance).description as INodeTypeDescription).properties;
		const names = (node: string) => propertiesOf(node).map((property) => property.name);
		assert.equal(names('DefineGoal')[0], 'eventsIn');
		assert.deepEqual(names('TrainModel').slice(0, 2), ['trainOn', 'eventsIn']);
		assert.deepEqual(names('ScoreProfiles').slice(0, 3), ['scoreFrom', 'eventsIn', 'scoresTable']);
		const shown = (node: string, name: string) => propertiesOf(node).find((property) => property.name === name)?.displayOptions;
		assert.deepEqual(shown('TrainModel', 'eventsIn'), { show: { trainOn: ['events'] } });
		assert.deepEqual(shown('ScoreProfiles', 'eventsIn'), { show: { scoreFrom: ['events'] } });
		assert.deepEqual(
			shown('ScoreProfiles', 'itemLimit'),
			{ hide: { eventsIn: ['postgres', 'clickhouse'] } },
			'one summary item comes back from a table in place',
		);
		const scoreOptions = propertiesOf('ScoreProfiles').find((property) => property.name === 'options')?.options as INodeProperties[];
		const hidden = scoreOptions.filter(
			(option) => JSON.stringify(option.displayOptions) === JSON.stringify({ hide: { '/eventsIn': ['postgres', 'clickhouse'] } }),
		);
		assert.deepEqual(
			hidden.map((option) => option.name).sort(),
			[
				'attributes',
				'eventsBinaryPropertyName',
				'fileFormat',
				'includeAttributes',
				'includeFeatures',
				'outputBinaryPropertyName',
				'reportBinaryPropertyName',
				'spreadsheetSafe',
				'topFactors',
			],
			'a table in place writes a scores table: no items, file, report, attributes or factors to shape',
		);
		assert.deepEqual(
			scoreOptions.filter((option) => !hidden.includes(option)).map((option) => option.name),
			['highFrom', 'mediumFrom', 'keepRuns'],
			'what scoring in the warehouse still reads',
		);
		assert.deepEqual(names('ExplainFactors').slice(0, 3), ['featuresFrom', 'scoresTable', 'modelSource']);
		assert.deepEqual(shown('ExplainFactors', 'scoresTable'), { show: { featuresFrom: ['postgres', 'clickhouse'] } });
		const options = propertiesOf('BuildSegment').find((property) => property.name === 'options')?.options as INodeProperties[];
		assert.deepEqual(
			options.find((option) => option.name === 'reportBinaryPropertyName')?.displayOptions,
			{ show: { '/scoresIn': ['items'] } },
			'no run report over a scores table',
		);
	});

	it('the Scores Table setting is the same on Score Profiles, Build Segment and Explain Factors, shown only for a table in place', () => {
		const scoresTableOf = (node: string) =>
			(currentVersion(load<IVersionedNodeType>(`dist/nodes/n8n/${node}/${node}.node.js`).instance).description as INodeTypeDescription).properties.find(
				(property) => property.name === 'scoresTable',
			) as INodeProperties;
		const shown = {
			ScoreProfiles: { scoreFrom: ['events'], eventsIn: ['postgres', 'clickhouse'] },
			BuildSegment: { scoresIn: ['postgres', 'clickhouse'] },
		};
		for (const node of ['ScoreProfiles', 'BuildSegment', 'ExplainFactors']) {
			const { description, displayOptions, ...rest } = scoresTableOf(node);
			assert.deepEqual(
				rest,
				{
					displayName: 'Scores Table',
					name: 'scoresTable',
					type: 'string',
					default: 'propensity_scores',
					required: true,
					placeholder: 'e.g. analytics.propensity_scores',
				},
				node,
			);
			assert.match(String(description), /scores? table|one row per scored profile/i, node);
			assert.deepEqual(displayOptions, { show: shown[node as keyof typeof shown] ?? { featuresFrom: ['postgres', 'clickhouse'] } }, node);
		}
	});

	it('Build Segment has the outputs "In Segment" and "Not In Segment"', () => {
		const { instance } = load<IVersionedNodeType>('dist/nodes/n8n/BuildSegment/BuildSegment.node.js');
		assert.deepEqual(currentVersion(instance).description.outputNames, ['In Segment', 'Not In Segment']);
	});
});

describe('the Propensity PostgreSQL credential', function () {
	this.timeout(60000);
	const { instance } = load<ICredentialType>(manifest.n8n.credentials[0]);
	const context = { logger: { debug() {}, info() {}, warn() {}, error() {} }, helpers: {} } as unknown as ICredentialTestFunctions;

	it('asks for host, port, database, user, a hidden password and an SSL mode', () => {
		assert.equal(instance.name, 'propensityPostgresApi');
		assert.deepEqual(
			instance.properties.map((property) => property.name),
			['host', 'port', 'database', 'user', 'password', 'ssl'],
		);
		assert.equal(instance.properties.find((property) => property.name === 'password')?.typeOptions?.password, true);
	});

	it("maps SSL disable / require / allow self-signed onto the core's connection settings", () => {
		const base = { host: ' db ', port: 6543, database: 'shop', user: 'n8n', password: 'secret' };
		assert.deepEqual(pgConnectionOf({ ...base, ssl: 'disable' }), {
			host: 'db',
			port: 6543,
			database: 'shop',
			user: 'n8n',
			password: 'secret',
			ssl: false,
		});
		assert.equal(pgConnectionOf({ ...base, ssl: 'require' }).ssl, true);
		assert.equal(pgConnectionOf({ ...base, ssl: 'allowSelfSigned' }).ssl, 'allow-self-signed');
	});

	it('its test connects and runs select 1, and a wrong password fails naming where, never the password', async () => {
		const pg = await testPostgres();
		const data = { host: pg.host, port: pg.port, database: pg.database, user: pg.user, ssl: 'disable' };
		const ok = await propensityPostgresConnectionTest.call(context, {
			id: '1',
			name: 'pg',
			type: 'propensityPostgresApi',
			data: { ...data, password: pg.password },
		});
		assert.equal(ok.status, 'OK');
		const wrong = 'wrong-password-9c2e';
		const failed = await propensityPostgresConnectionTest.call(context, {
			id: '2',
			name: 'pg',
			type: 'propensityPostgresApi',
			data: { ...data, password: wrong },
		});
		assert.equal(failed.status, 'Error');
		assert.match(
			failed.message,
			new RegExp(`^Could not connect to PostgreSQL at ${pg.user}@${pg.host}:${pg.port}/${pg.database}: password authentication failed`),
		);
		assert.ok(!failed.message.includes(wrong));
	});
});

describe('the Propensity ClickHouse credential', function () {
	this.timeout(120000);
	const { instance } = load<ICredentialType>(manifest.n8n.credentials[1]);
	const context = { logger: { debug() {}, info() {}, warn() {}, error() {} }, helpers: {} } as unknown as ICredentialTestFunctions;

	it('asks for host, HTTP port, database, user and a hidden password', () => {
		assert.equal(instance.name, 'propensityClickHouseApi');
		assert.deepEqual(
			instance.properties.map((property) => property.name),
			['host', 'port', 'database', 'user', 'password'],
		);
		assert.equal(instance.properties.find((property) => property.name === 'password')?.typeOptions?.password, true);
		assert.equal(instance.properties.find((property) => property.name === 'port')?.default, 8123);
	});

	it('its test connects to the cluster and runs SELECT 1, and a wrong password fails naming where, never the password', async () => {
		const cluster = await testClickHouse();
		const data = { host: cluster.host, port: cluster.nodes[0].httpPort, database: 'default', user: cluster.user };
		const ok = await propensityClickHouseConnectionTest.call(context, {
			id: '1',
			name: 'ch',
			type: 'propensityClickHouseApi',
			data: { ...data, password: cluster.password },
		});
		assert.deepEqual(ok, { status: 'OK', message: `Connected to clickhouse://${cluster.user}@${cluster.host}:${cluster.nodes[0].httpPort}/default.` });
		const wrong = 'wrong-password-7b1d';
		const failed = await propensityClickHouseConnectionTest.call(context, {
			id: '2',
			name: 'ch',
			type: 'propensityClickHouseApi',
			data: { ...data, password: wrong },
		});
		assert.equal(failed.status, 'Error');
		assert.match(
			failed.message,
			new RegExp(`^Could not connect to ClickHouse at clickhouse://${cluster.user}@${cluster.host}:${cluster.nodes[0].httpPort}/default`),
		);
		assert.ok(!failed.message.includes(wrong));
	});
});
