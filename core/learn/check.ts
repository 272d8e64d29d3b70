/**
 * Checks shared by the learners in this folder (logistic regression, forest, naive Bayes):
 * datasets fit to train on, columns found by feature name, and learner JSON read with zod.
 */
import type { z } from 'zod';
import { InputError } from '../errors';
import type { Rng } from '../util/rng';
import type { Dataset, LabelledDataset } from './dataset';

/** The data's columns in the order of `featureNames`, matched by name; InputError names any missing feature. */
export function columnsByName(data: Dataset, featureNames: readonly string[]): Float32Array[] {
	const missing = featureNames.filter((name) => !data.featureNames.includes(name));
	if (missing.length > 0) {
		throw new InputError(
			`The data to score lacks the model's feature${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}: compute the same features the model was trained on.`,
			'missing-features',
			{ missing },
		);
	}
	return featureNames.map((name) => {
		const column = data.columns[data.featureNames.indexOf(name)];
		if (column.length !== data.rows) {
			throw new InputError(
				`Feature "${name}" of the data to score has ${column.length} values for ${data.rows} rows: every column needs one value per row.`,
				'bad-dataset',
			);
		}
		return column;
	});
}

/**
 * Throws InputError unless `data` can be trained on: rows and features present, one name and one
 * value per row in every column, finite or NaN values, 0/1 labels, valid weights and, when
 * `needsBothClasses`, both outcomes present. `what` names the data in messages.
 */
export function checkLabelledData(data: LabelledDataset, what: string, needsBothClasses = true): { positives: number; negatives: number } {
	const { rows, columns, featureNames, label, weight } = data;
	if (!(rows > 0)) throw new InputError(`The ${what} has no rows: there is nothing to learn from.`, 'empty-data');
	if (columns.length === 0) throw new InputError(`The ${what} has no feature columns: add at least one feature.`, 'no-features');
	if (featureNames.length !== columns.length) {
		throw new InputError(`The ${what} names ${featureNames.length} features but holds ${columns.length} columns: give one name per column.`, 'bad-dataset');
	}
	columns.forEach((column, f) => {
		if (column.length !== rows) {
			throw new InputError(`Feature "${featureNames[f]}" of the ${what} has ${column.length} values but the data has ${rows} rows.`, 'bad-dataset');
		}
		for (let r = 0; r < rows; r++) {
			if (column[r] === Infinity || column[r] === -Infinity) {
				throw new InputError(
					`Feature "${featureNames[f]}" of the ${what} is ${column[r]} at row ${r + 1}: use a finite number, or NaN for a missing value.`,
					'bad-dataset',
				);
			}
		}
	});
	if (label.length !== rows) throw new InputError(`The ${what} has ${label.length} labels for ${rows} rows: give one 0/1 label per row.`, 'bad-dataset');
	if (weight && weight.length !== rows)
		throw new InputError(`The ${what} has ${weight.length} weights for ${rows} rows: give one weight per row, or none.`, 'bad-dataset');
	let positives = 0;
	let negatives = 0;
	for (let r = 0; r < rows; r++) {
		if (label[r] !== 0 && label[r] !== 1) {
			throw new InputError(`The ${what} has label ${label[r]} at row ${r + 1}: labels must be 1 (the outcome happened) or 0 (it did not).`, 'bad-label');
		}
		const w = weight ? weight[r] : 1;
		if (!(Number.isFinite(w) && w >= 0))
			throw new InputError(`The ${what} has weight ${w} at row ${r + 1}: weights must be finite and 0 or more.`, 'bad-weight');
		if (w === 0) continue;
		if (label[r] === 1) positives++;
		else negatives++;
	}
	if (needsBothClasses && (positives === 0 || negatives === 0)) {
		const only = positives === 0 ? 'negative (label 0)' : 'positive (label 1)';
		throw new InputError(`The ${what} has only ${only} rows, so there is nothing to tell apart. Use more data or a more common outcome.`, 'one-class');
	}
	return { positives, negatives };
}

/** `json` validated by `schema`, or InputError naming the learner, the first problems with their paths, and the fix. */
export function parseLearnerJson<S extends z.ZodType>(schema: S, json: unknown, learner: string): z.output<S> {
	const parsed = schema.safeParse(json);
	if (parsed.success) return parsed.data;
	const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top)'}: ${issue.message}`);
	throw new InputError(`The ${learner} model is not valid: ${problems.join('; ')}. Retrain the model, or restore the model file.`, 'bad-model', { problems });
}

/** Throws InputError when the JSON arrays that should hold one entry per feature do not. */
export function checkLengths(learner: string, features: number, arrays: Record<string, { length: number }>): void {
	for (const [name, array] of Object.entries(arrays)) {
		if (array.length !== features) {
			throw new InputError(
				`The ${learner} model is not valid: ${name} has ${array.length} entries for ${features} features. Retrain the model, or restore the model file.`,
				'bad-model',
			);
		}
	}
}

/**
 * `count` row indices (ascending), drawn without replacement and stratified by label, so the
 * subsample keeps the outcome rate and at least one row of each class.
 */
export function stratifiedSample(label: Uint8Array, count: number, rng: Rng): Uint32Array {
	const byClass: number[][] = [[], []];
	for (let r = 0; r < label.length; r++) byClass[label[r]].push(r);
	const positives = Math.min(byClass[1].length, count - 1, Math.max(1, Math.round((count * byClass[1].length) / label.length)));
	const picked = [...draw(byClass[0], count - positives, rng), ...draw(byClass[1], positives, rng)];
	return Uint32Array.from(picked).sort();
}

/** `count` distinct items of `items` (a seeded partial shuffle). */
function draw(items: number[], count: number, rng: Rng): number[] {
	const pool = items.slice();
	for (let i = 0; i < count; i++) {
		const j = i + rng.int(pool.length - i);
		[pool[i], pool[j]] = [pool[j], pool[i]];
	}
	return pool.slice(0, count);
}
