/**
 * A throwaway two-shard ClickHouse cluster for tests: two servers of Debian's
 * clickhouse-server package (18.16, `.ci/run` installs it) on free loopback ports, each with
 * its own copy of the packaged config.xml (own ports and folders, UTC, a `remote_servers`
 * entry naming both as the cluster `propensity`), started once per test run as the
 * `clickhouse` user when run as root, and stopped and removed at the end
 * (also when the process is stopped by SIGINT, SIGTERM or SIGHUP).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WarehouseSource } from '../../core/warehouse/source';
import { freePort } from './ports';
import { stopAtExit } from './stopAtExit';

export interface TestClickHouseNode {
	readonly httpPort: number;
	readonly tcpPort: number;
}

export interface TestClickHouse {
	readonly host: string;
	readonly user: string;
	readonly password: string;
	/** The cluster's name in remote_servers. */
	readonly cluster: string;
	readonly nodes: readonly TestClickHouseNode[];
	/** Runs one statement on one node over HTTP; returns the body (TabSeparated). */
	query(sql: string, node?: number, settings?: string): Promise<string>;
	stop(): void;
}

const serverBin = '/usr/sbin/clickhouse-server';
const packagedConfig = '/etc/clickhouse-server/config.xml';
export const testClusterName = 'propensity';

/** Replaces the first `<tag>…</tag>` of the XML text, failing loudly when the packaged config changed shape. */
function setElement(xml: string, tag: string, value: string): string {
	const pattern = new RegExp(`<${tag}>[^<]*</${tag}>`);
	if (!pattern.test(xml)) throw new Error(`The packaged ClickHouse config has no <${tag}> to set.`);
	return xml.replace(pattern, `<${tag}>${value}</${tag}>`);
}

function remoteServers(nodes: readonly TestClickHouseNode[], password: string): string {
	const replica = (node: TestClickHouseNode) =>
		`<replica><host>127.0.0.1</host><port>${node.tcpPort}</port><user>default</user><password>${password}</password></replica>`;
	const shards = nodes.map((node) => `<shard>${replica(node)}</shard>`).join('');
	return `<remote_servers><${testClusterName}>${shards}</${testClusterName}></remote_servers>`;
}

function usersXml(password: string): string {
	return `<?xml version="1.0"?>
<yandex>
	<profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
	<users>
		<default>
			<password>${password}</password>
			<networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
			<profile>default</profile>
			<quota>default</quota>
		</default>
	</users>
	<quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
}

/** The packaged config with this node's ports, folders and the test cluster. */
function nodeConfig(dir: string, node: TestClickHouseNode, interserverPort: number, nodes: readonly TestClickHouseNode[], password: string): string {
	let xml = fs.readFileSync(packagedConfig, 'utf8');
	xml = xml.replace(/<!--[\s\S]*?-->/g, '');
	xml = setElement(xml, 'log', path.join(dir, 'log', 'server.log'));
	xml = setElement(xml, 'errorlog', path.join(dir, 'log', 'server.err.log'));
	xml = setElement(xml, 'http_port', String(node.httpPort));
	xml = setElement(xml, 'tcp_port', String(node.tcpPort));
	xml = setElement(xml, 'interserver_http_port', String(interserverPort));
	xml = setElement(xml, 'path', `${dir}/data/`);
	xml = setElement(xml, 'tmp_path', `${dir}/tmp/`);
	xml = setElement(xml, 'user_files_path', `${dir}/user_files/`);
	xml = setElement(xml, 'format_schema_path', `${dir}/format_schemas/`);
	xml = setElement(xml, 'users_config', path.join(dir, 'users.xml'));
	xml = xml.replace(/<listen_host>[^<]*<\/listen_host>\s*/g, '');
	xml = xml.replace(/<remote_servers[\s\S]*?<\/remote_servers>/, remoteServers(nodes, password));
	xml = xml.replace(
		'</yandex>',
		`<listen_host>127.0.0.1</listen_host><interserver_http_host>127.0.0.1</interserver_http_host><timezone>UTC</timezone></yandex>`,
	);
	return xml;
}

async function httpQuery(port: number, password: string, sql: string, settings = '', retried = false): Promise<string> {
	let response: Response;
	try {
		response = await fetch(`http://127.0.0.1:${port}/?${settings}`, {
			method: 'POST',
			headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': password },
			body: sql,
			signal: AbortSignal.timeout(60_000),
		});
	} catch (error) {
		// A pooled keep-alive socket the server closed while idle (its keep_alive_timeout is 3 s) fails
		// at once with "other side closed" (or EPIPE, when the request was being written): the query never ran, so it is sent once more on a new socket.
		const cause = String((error as { cause?: { message?: unknown } }).cause?.message ?? '');
		if (!retried && /other side closed|ECONNRESET|EPIPE/.test(cause)) return httpQuery(port, password, sql, settings, true);
		throw error;
	}
	const text = await response.text();
	if (!response.ok) throw new Error(`ClickHouse on port ${port}: ${text.trim()}`);
	return text;
}

async function waitUntilUp(port: number, password: string, child: ChildProcess, logDir: string): Promise<void> {
	const started = Date.now();
	for (;;) {
		if (child.exitCode !== null) throw new Error(`clickhouse-server exited (${child.exitCode}): ${readLog(logDir)}`);
		try {
			if ((await httpQuery(port, password, 'SELECT 1')).trim() === '1') return;
		} catch {
			// not listening yet
		}
		if (Date.now() - started > 60_000) throw new Error(`clickhouse-server did not answer on port ${port} within 60 s: ${readLog(logDir)}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

function readLog(logDir: string): string {
	try {
		return fs.readFileSync(path.join(logDir, 'server.err.log'), 'utf8').slice(-2000);
	} catch {
		return '(no log)';
	}
}

function userIds(name: string): { uid: number; gid: number } {
	const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
	return { uid: id('-u'), gid: id('-g') };
}

let shared: Promise<TestClickHouse> | undefined;

/** The test run's ClickHouse cluster, started on first use. */
export function testClickHouse(): Promise<TestClickHouse> {
	shared ??= startCluster();
	return shared;
}

async function startCluster(): Promise<TestClickHouse> {
	if (!fs.existsSync(serverBin))
		throw new Error(`ClickHouse's server was not found at ${serverBin}; install it with "apt-get install -y clickhouse-server".`);
	const asUser = process.getuid?.() === 0 ? userIds('clickhouse') : undefined;
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'propensity-ch-'));
	const password = 'test-password';
	const nodes: TestClickHouseNode[] = [];
	for (let n = 0; n < 2; n++) nodes.push({ httpPort: await freePort(), tcpPort: await freePort() });
	const children: ChildProcess[] = [];
	const stop = (): void => {
		for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
		fs.rmSync(root, { recursive: true, force: true });
	};
	try {
		for (const [n, node] of nodes.entries()) {
			const dir = path.join(root, `node${n}`);
			for (const sub of ['data', 'tmp', 'log', 'user_files', 'format_schemas']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
			fs.writeFileSync(path.join(dir, 'users.xml'), usersXml(password));
			fs.writeFileSync(path.join(dir, 'config.xml'), nodeConfig(dir, node, await freePort(), nodes, password));
			if (asUser) execFileSync('chown', ['-R', `${asUser.uid}:${asUser.gid}`, root]);
			// Spawned as the user directly (not through runuser), so the pid is the server's own.
			const child = spawn(serverBin, [`--config-file=${path.join(dir, 'config.xml')}`], { stdio: 'ignore', cwd: dir, ...asUser });
			children.push(child);
			child.unref();
			await waitUntilUp(node.httpPort, password, child, path.join(dir, 'log'));
		}
	} catch (error) {
		stop();
		throw error;
	}
	const cluster: TestClickHouse = {
		host: '127.0.0.1',
		user: 'default',
		password,
		cluster: testClusterName,
		nodes,
		query: (sql, node = 0, settings = '') => httpQuery(nodes[node].httpPort, password, sql, settings),
		stop,
	};
	stopAtExit(stop);
	return cluster;
}

/** A table on the cluster as a warehouse source: read through the first node's HTTP port, in the default database. */
export function clusterSource(cluster: TestClickHouse, table: string): WarehouseSource {
	return {
		engine: 'clickhouse',
		host: cluster.host,
		port: cluster.nodes[0].httpPort,
		user: cluster.user,
		password: cluster.password,
		database: 'default',
		table,
	};
}

/**
 * Creates an events table on the cluster: a MergeTree `<name>_local` on each shard, ordered by
 * profile and time, and a Distributed `<name>` over them on every node, sharded by a hash of
 * the profile id. `columns` is the column list, e.g. "customer_id String, timestamp DateTime".
 * Names here are test-chosen, never user input.
 */
export async function createClusterTable(
	cluster: TestClickHouse,
	name: string,
	columns: string,
	profileColumn = 'customer_id',
	timeColumn = 'timestamp',
): Promise<void> {
	for (let n = 0; n < cluster.nodes.length; n++) {
		await cluster.query(`DROP TABLE IF EXISTS ${name}`, n);
		await cluster.query(`DROP TABLE IF EXISTS ${name}_local`, n);
		await cluster.query(`CREATE TABLE ${name}_local (${columns}) ENGINE = MergeTree() ORDER BY (${profileColumn}, ${timeColumn})`, n);
		await cluster.query(
			`CREATE TABLE ${name} AS ${name}_local ENGINE = Distributed(${testClusterName}, default, ${name}_local, cityHash64(${profileColumn}))`,
			n,
		);
	}
}

/** Inserts rows through the Distributed table, waiting until every shard has its part. */
export async function insertClusterRows(cluster: TestClickHouse, name: string, rows: readonly object[]): Promise<void> {
	if (rows.length === 0) return;
	const body = rows.map((row) => JSON.stringify(row)).join('\n');
	// The statement in the URL and only the rows in the body, as ClickHouse streams inserts best.
	await cluster.query(body, 0, `insert_distributed_sync=1&query=${encodeURIComponent(`INSERT INTO ${name} FORMAT JSONEachRow`)}`);
}
