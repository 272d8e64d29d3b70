/**
 * The model store as node parameters (a folder, by default in n8n's storage folder, or the
 * Propensity PostgreSQL credential), shared by Train Model, Score Profiles, Explain Factors and
 * Build Segment so that a model trained by one workflow is found by name in another.
 */
import type { IExecuteFunctions, INodeCredentialDescription, INodeProperties } from 'n8n-workflow';
import { openStore, type Store } from '../../../core';
import { allowedPath, defaultStoreFolder } from './files';
import { postgresConnectionOf, postgresCredentialName, postgresTestName } from './postgres';

/** Conditions on other parameters, e.g. { saveToStore: [true] }. */
export type ShowWhen = Record<string, Array<string | number | boolean>>;

/** The store parameters, shown when `show` holds (e.g. only when saving is on). */
export function storeProperties(show: ShowWhen = {}): INodeProperties[] {
	return [
		{
			displayName: 'Store',
			name: 'store',
			type: 'options',
			options: [
				{
					name: 'Folder',
					value: 'folder',
					description: 'A folder on the n8n server (the default: no set-up needed)',
				},
				{
					name: 'PostgreSQL',
					value: 'postgres',
					description: 'Tables in a PostgreSQL database, for several n8n workers sharing models',
				},
			],
			default: 'folder',
			description: 'Where named models and segment memberships are kept between executions',
			displayOptions: { show: { ...show } },
		},
		{
			displayName: 'Store Folder',
			name: 'storeFolder',
			type: 'string',
			default: '',
			placeholder: 'e.g. /data/propensity',
			description: "Folder of the model store, created when missing. Leave empty for n8n's storage folder: ~/.n8n/storage/propensity.",
			displayOptions: { show: { ...show, store: ['folder'] } },
		},
		{
			displayName: 'Store Schema',
			name: 'storeSchema',
			type: 'string',
			default: 'propensity',
			description: "PostgreSQL schema of the store's tables, created on first use",
			displayOptions: { show: { ...show, store: ['postgres'] } },
		},
	];
}

/** The credential entry for a store kept in PostgreSQL (plus any other condition in `show`). */
export function storeCredential(show: ShowWhen = {}): INodeCredentialDescription {
	return { name: postgresCredentialName, required: true, testedBy: postgresTestName, displayOptions: { show: { ...show, store: ['postgres'] } } };
}

/** Opens the store the item's parameters name; the caller closes it. */
export async function openNodeStore(ctx: IExecuteFunctions, itemIndex: number): Promise<Store> {
	const kind = ctx.getNodeParameter('store', itemIndex, 'folder') as string;
	if (kind === 'postgres') {
		const schema = (ctx.getNodeParameter('storeSchema', itemIndex, 'propensity') as string).trim() || 'propensity';
		return openStore({ kind: 'postgres', connection: await postgresConnectionOf(ctx, itemIndex), schema });
	}
	const given = String(ctx.getNodeParameter('storeFolder', itemIndex, '') ?? '').trim();
	const folder = given === '' ? defaultStoreFolder(ctx) : await allowedPath(ctx, given, 'the store folder');
	return openStore({ kind: 'folder', path: folder });
}

/** Runs `work` with the item's store open, closing it afterwards whatever happens. */
export async function withStore<T>(ctx: IExecuteFunctions, itemIndex: number, work: (store: Store) => Promise<T>): Promise<T> {
	const store = await openNodeStore(ctx, itemIndex);
	try {
		return await work(store);
	} finally {
		await store.close().catch(() => undefined);
	}
}
