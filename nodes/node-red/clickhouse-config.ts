/**
 * Config node "propensity-clickhouse": a ClickHouse server on its HTTP interface, where Load
 * Events finds a table of events to work on in place. Host, port and database are saved in
 * the flow; user and password only in Node-RED's credential store.
 */
import type { WarehouseConfigNode } from './config';
import type { NodeAPI } from './red';
import { registerNode } from './run';

export = function register(RED: NodeAPI): void {
	registerNode(
		RED,
		'propensity-clickhouse',
		(node, config) => {
			Object.assign(node, { warehouseEngine: 'clickhouse' });
			(node as WarehouseConfigNode).warehouseConnection = () => ({
				host: String(config.host ?? '').trim(),
				port: Number(config.port || 8123),
				database: String(config.database ?? '').trim() || 'default',
				user: node.credentials?.user || 'default',
				password: node.credentials?.password ?? '',
			});
		},
		{ credentials: { user: { type: 'text' }, password: { type: 'password' } } },
	);
};
