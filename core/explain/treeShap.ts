/**
 * TreeSHAP for an ensemble of trees in the shared format: exact path-dependent SHAP values
 * (Lundberg et al. 2018) of the raw output (log-odds) = base score + Σ over trees of the leaf
 * value. Two engines compute the same values: per-leaf tables (`leafTables.ts`) for shallow
 * ensembles, whose tables fit the memory budget, and Algorithm 2 (`pathShap.ts`) otherwise.
 */
import { InputError } from '../errors';
import type { Tree } from '../learn/tree';
import { compileEnsemble, type CompiledEnsemble, type ShapKernel } from './ensemble';
import { compileLeafTables, createLeafTableShap, defaultTableBudget, maxTableFeatures, tableSize, type LeafTables } from './leafTables';
import { createPathShap } from './pathShap';

/** Which engine to use: 'auto' picks tables when they fit `tableBudget` entries. */
export type ShapEngine = 'auto' | 'tables' | 'path';

/** An ensemble ready to explain: the compiled trees and, when used, their leaf tables (plain data). */
export interface PreparedEnsemble {
	readonly ensemble: CompiledEnsemble;
	readonly tables: LeafTables | null;
}

/** Compiles `trees` and, unless told otherwise, the leaf tables when they fit the budget. */
export function prepareEnsemble(trees: readonly Tree[], engine: ShapEngine = 'auto', tableBudget = defaultTableBudget): PreparedEnsemble {
	const ensemble = compileEnsemble(trees);
	const size = engine === 'path' ? Infinity : tableSize(ensemble);
	if (engine === 'tables' && size === Infinity) {
		throw new InputError(
			`The leaf-table engine cannot explain paths with more than ${maxTableFeatures} distinct features; use the 'path' or 'auto' engine.`,
			'bad-input',
		);
	}
	const useTables = engine === 'tables' || (engine === 'auto' && size <= tableBudget);
	return { ensemble, tables: useTables ? compileLeafTables(ensemble) : null };
}

/** The engine of a prepared ensemble: adds each feature's contribution for a block of rows into phi. */
export function engineOf(prepared: PreparedEnsemble): ShapKernel {
	return prepared.tables ? createLeafTableShap(prepared.ensemble, prepared.tables) : createPathShap(prepared.ensemble);
}

interface CachedEngine {
	readonly prepared: PreparedEnsemble;
	readonly explain: ShapKernel;
	readonly row: Float64Array;
}

// Compiling costs a pass over every node (and the tables); callers explain many rows with one trees array.
const engines = new WeakMap<readonly Tree[], CachedEngine>();

/** The prepared ensemble and engine for `trees`, built once per trees array (trees must not change after). */
export function engineFor(trees: readonly Tree[]): CachedEngine {
	let engine = engines.get(trees);
	if (!engine) {
		const prepared = prepareEnsemble(trees);
		engine = { prepared, explain: engineOf(prepared), row: new Float64Array(prepared.ensemble.features) };
		engines.set(trees, engine);
	}
	return engine;
}

/**
 * Fills `out[f]` with feature f's SHAP contribution (log-odds) to the ensemble's raw output for
 * the row `row(f)` (NaN = missing), and returns the expected value, so that
 * expected + Σ out = baseScore + Σ over trees of the row's leaf value.
 */
export function treeShap(trees: readonly Tree[], baseScore: number, row: (feature: number) => number, out: Float64Array): number {
	const engine = engineFor(trees);
	const { ensemble } = engine.prepared;
	if (out.length < ensemble.features) {
		throw new InputError(
			`treeShap: the output has room for ${out.length} features but the trees split on feature ${ensemble.features - 1}; pass a Float64Array with one entry per feature.`,
			'bad-input',
		);
	}
	const x = engine.row;
	const used = ensemble.usedFeatures;
	for (let i = 0; i < used.length; i++) x[used[i]] = row(used[i]);
	out.fill(0);
	engine.explain(x, x.length, 1, out);
	return baseScore + ensemble.expected;
}
