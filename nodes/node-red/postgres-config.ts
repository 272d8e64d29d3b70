/**
 * Config node "propensity-postgres": where a PostgreSQL database is. Host, port, database and
 * SSL are saved in the flow; user and password only in Node-RED's credential store.
 */
import type { PostgresConfigNode } from './config';
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
		},
		{ credentials: { user: { type: 'text' }, password: { type: 'password' } } },
	);
};
