/**
 * Config node "propensity-store": where trained models and segment memberships are kept, a
 * folder (created when missing) or a PostgreSQL schema shared by several Node-RED instances.
 */
import { InputError } from '../../core';
import { postgresNode, type StoreConfigNode } from './config';
import type { NodeAPI } from './red';
import { registerNode } from './run';
import { asText, resolvePath } from './settings';

export = function register(RED: NodeAPI): void {
	registerNode(RED, 'propensity-store', (node, config) => {
		(node as StoreConfigNode).storeConfig = () => {
			if (config.kind === 'postgres') {
				const schema = asText(config.schema, 'store schema');
				return { kind: 'postgres', connection: postgresNode(RED, config.postgres, 'The model store').connection(), ...(schema ? { schema } : {}) };
			}
			const folder = asText(config.path, 'model store folder');
			if (!folder)
				throw new InputError('The model store has no folder: give the folder to keep models in (it is created when missing).', 'bad-store-config');
			return { kind: 'folder', path: resolvePath(RED, folder) };
		};
	});
};
