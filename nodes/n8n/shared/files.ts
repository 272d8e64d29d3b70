/**
 * Files and folders a node reads or writes, checked against n8n's own file access policy
 * (N8N_RESTRICT_FILE_ACCESS_TO, N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES, blocked patterns) the way
 * n8n's Read/Write Files node is, so installing Propensity does not widen what flows may touch.
 * The store's default folder lies in n8n's storage folder for nodes, which is always allowed.
 */
import path from 'node:path';
import type { IExecuteFunctions, ResolvedFilePath } from 'n8n-workflow';
import { InputError } from '../../../core';

/**
 * Where the model store lives when no folder is given: `propensity` in n8n's storage folder for
 * nodes, i.e. `~/.n8n/storage/propensity` (`$N8N_USER_FOLDER/.n8n/storage/propensity`).
 */
export function defaultStoreFolder(ctx: IExecuteFunctions): string {
	return path.join(storageRoot(ctx), 'propensity');
}

/** n8n's storage folder for nodes (each node type gets a subfolder of it from getStoragePath). */
function storageRoot(ctx: IExecuteFunctions): string {
	if (typeof ctx.helpers.getStoragePath === 'function') return path.dirname(ctx.helpers.getStoragePath());
	// Hosts before getStoragePath: the same place, by n8n's own rule for its user folder.
	const home = process.env.N8N_USER_FOLDER || process.env.HOME || process.cwd();
	return path.join(home, '.n8n', 'storage');
}

function isInside(folder: string, target: string): boolean {
	const relative = path.relative(folder, target);
	return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The absolute path of a file or folder the node may use, or an InputError when n8n's file access
 * policy forbids it. Symbolic links are resolved first (as n8n does) when the path exists.
 */
export async function allowedPath(ctx: IExecuteFunctions, given: string, what: string): Promise<string> {
	const absolute = path.resolve(given);
	if (isInside(storageRoot(ctx), absolute)) return absolute;
	const helpers = ctx.helpers;
	if (typeof helpers.resolvePath !== 'function' || typeof helpers.isFilePathBlocked !== 'function') return absolute;
	let resolved: ResolvedFilePath;
	try {
		resolved = await helpers.resolvePath(absolute);
	} catch {
		// Missing folders are reported by the core, which says what it tried to read or create.
		resolved = absolute as ResolvedFilePath;
	}
	if (helpers.isFilePathBlocked(resolved)) {
		throw new InputError(
			`n8n does not allow this workflow to access ${what} "${given}". Use a path inside the folders N8N_RESTRICT_FILE_ACCESS_TO allows, outside n8n's own folder (~/.n8n), or ask the administrator to allow it.`,
			'file-access-blocked',
		);
	}
	return resolved;
}
