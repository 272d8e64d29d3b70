/**
 * Config node "propensity-postgres": where a PostgreSQL database is. Host, port, database and
 * SSL are saved in the flow; user and password only in Node-RED's credential store.
 */
import type { PostgresConfigNode, WarehouseConfigNode } from './config';
import type { NodeAPI } from './red';
import { registerNode } from './run';

const sslModes: Record<string, boolean | 'allow-self-signed'> = { off: false, on: true, 'allow-self-signed': 'allow-self-signed' };

export = function register(RED: NodeAPI): void {
	registerNode(
		RED,
		'propensity-postgres',
		(node, config) => {
			(node as PostgresConfigNode).connection = () => ({
				host: String(config.host ?? '').trim(),
				port: Number(config.port || 5432),
				database: String(config.database ?? '').trim(),
				user: node.credentials?.user ?? '',
				password: node.credentials?.password ?? '',
				ssl: sslModes[String(config.ssl)] ?? false,
			});
			// The same server as a warehouse: a table of events worked on in place (Load Events' "table in place").
			Object.assign(node, { warehouseEngine: 'postgres' });
			(node as WarehouseConfigNode).warehouseConnection = () => {
				const pg = (node as PostgresConfigNode).connection();
				return {
					host: String(pg.host ?? ''),
					port: Number(pg.port ?? 5432),
					database: String(pg.database ?? ''),
					user: String(pg.user ?? ''),
					password: String(pg.password ?? ''),
				};
			};
		},
		{ credentials: { user: { type: 'text' }, password: { type: 'password' } } },
	);
};
