/**
 * The model store: named, numbered model versions and remembered segment memberships, in a
 * folder (the default) or in PostgreSQL (for several workers). See folder.ts and postgres.ts
 * for the layouts.
 */
import { InputError } from '../errors';
import { openFolderStore } from './folder';
import { openPostgresStore } from './postgres';
import type { Store, StoreConfig } from './types';

export { checkStoreName, storeNameRule, storeNameSchema } from '../util/names';
export { sha256 } from './integrity';
export { defaultKeepRuns, type ScoringRunInfo, type ScoringRunRecord } from './runs';
export type { Membership, ModelSummary, ModelVersionInfo, Store, StoreConfig } from './types';

/** Opens the store the config names, creating its folder or tables on first use. */
export function openStore(config: StoreConfig): Promise<Store> {
	switch (config?.kind) {
		case 'folder':
			return openFolderStore(config.path);
		case 'postgres':
			return openPostgresStore(config.connection, config.schema);
		default:
			return Promise.reject(
				new InputError(
					`The store kind ${JSON.stringify((config as { kind?: unknown })?.kind)} is not known: use { kind: 'folder', path } or { kind: 'postgres', connection, schema? }.`,
					'bad-store-config',
				),
			);
	}
}
