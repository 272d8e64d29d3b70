/**
 * What learners train on and score: a feature matrix stored column by column
 * (one Float32Array per feature, NaN = missing), a 0/1 label and optional row weights.
 * Column-major because binning, histograms and the feature executor all work a column
 * at a time; a row is read as columns[f][row].
 */
/**
 * Above this many bytes of values, data is not copied into shared memory for another thread
 * (binning on the workers, the other candidates' fits, the early-stopping watch): the copy
 * would hold the data twice at the size where memory matters; the work is then done here.
 */
export const SHARED_COPY_MAX_BYTES = 16 * 2 ** 20;

export interface Dataset {
	readonly rows: number;
	/** Machine names of the features, one per column. */
	readonly featureNames: readonly string[];
	readonly columns: readonly Float32Array[];
	/** 1 = the outcome happened (positive), 0 = it did not. Absent when scoring. */
	readonly label?: Uint8Array;
	/** Optional per-row training weights (default 1). */
	readonly weight?: Float32Array;
}

/** A dataset with labels, as training and validation need. */
export interface LabelledDataset extends Dataset {
	readonly label: Uint8Array;
}

/** Rows `indices` of `data` as a new dataset (copies; used for splits and subsamples). */
export function selectRows<T extends Dataset>(data: T, indices: ArrayLike<number>): T {
	const n = indices.length;
	const columns = data.columns.map((column) => {
		const out = new Float32Array(n);
		for (let i = 0; i < n; i++) out[i] = column[indices[i]];
		return out;
	});
	const pick = <A extends Uint8Array | Float32Array>(source: A | undefined, make: (size: number) => A): A | undefined => {
		if (!source) return undefined;
		const out = make(n);
		for (let i = 0; i < n; i++) out[i] = source[indices[i]];
		return out;
	};
	return {
		...data,
		rows: n,
		columns,
		label: pick(data.label, (s) => new Uint8Array(s)),
		weight: pick(data.weight, (s) => new Float32Array(s)),
	};
}

/**
 * Rows `indices` of `data`, as selectRows gives them, but without a copy when the indices are
 * one ascending run of consecutive rows: the columns are then views of the same memory, so a
 * time split of examples laid out by cutoff holds the values once. The result must be read
 * only (as every learner reads its data).
 */
export function rowsOf<T extends Dataset>(data: T, indices: ArrayLike<number>): T {
	const n = indices.length;
	const first = n > 0 ? indices[0] : 0;
	for (let i = 1; i < n; i++) if (indices[i] !== first + i) return selectRows(data, indices);
	const end = first + n;
	return {
		...data,
		rows: n,
		columns: data.columns.map((column) => column.subarray(first, end)),
		label: data.label?.subarray(first, end),
		weight: data.weight?.subarray(first, end),
	};
}
