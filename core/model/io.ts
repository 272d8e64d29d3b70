/**
 * Writing and reading the model JSON: `serializeModel` gives the same bytes for the same model
 * (keys in a fixed order, no clock), `parseModel` reads it back or refuses it with a message
 * that says why and what to do.
 *
 * Integrity: the model carries `checksum`, the SHA-256 of its own content (the canonical text
 * of every other key), checked on every read, so an edited or damaged file is refused wherever
 * it comes from. And every model text is read back and validated as it is made, so nothing
 * that cannot be read is ever written or saved.
 */
import { createHash } from 'node:crypto';
import { InputError, PropensityError } from '../errors';
import { checkGoalShape, formatPath } from '../goal/parse';
import { maxGoalDepth, shapeProblem, shortPath } from '../util/limits';
import { learnerFromJson } from '../learn/train';
import { packageVersion } from '../version';
import { rememberLearner } from './predict';
import { modelFeatureNames, modelFormat, modelSchema, modelSchemaVersion, type Model } from './schema';

/** The top-level keys in the order they are written; nested keys are written in alphabetical order. */
const topLevelOrder = [
	'format',
	'schemaVersion',
	'packageVersion',
	'checksum',
	'name',
	'propensityType',
	'seed',
	'dataRange',
	'goal',
	'features',
	'metrics',
	'selection',
	'calibration',
	'notes',
	'insights',
	'learner',
];

/**
 * The model as JSON text: tab-indented, keys in a fixed order, arrays of plain values on one
 * line (trees stay compact), ending in a newline. The same model always gives the same bytes.
 */
export function serializeModel(model: Model): string {
	return writeModel(model).text;
}

/**
 * The model's JSON text as serializeModel writes it, and the model that text reads back as
 * (checksum included), for handing on as an object: the check that the text reads back gives it.
 */
export function writeModel(model: Model): { text: string; model: Model } {
	const { checksum: _old, ...content } = model as Model & { checksum?: unknown };
	const current = { ...content, schemaVersion: modelSchemaVersion };
	// The checksum is of the text without its own line: each top-level entry is written once for both.
	const lines = topLevelLines(current);
	const checksum = ['checksum', `\t"checksum": ${JSON.stringify(checksumOf(objectText(lines, '')))}`] as const;
	const withChecksum = [...lines, checksum].sort(([a], [b]) => compareKeys(a, b, topLevelOrder));
	const text = `${objectText(withChecksum, '')}\n`;
	return { text, model: checkReadable(model.name, text) };
}

/**
 * Refuses to hand out a model text that parseModel would refuse: a model that cannot be read
 * back must never be written or saved as the latest version (the next scoring run would fail).
 */
function checkReadable(name: unknown, text: string): Model {
	try {
		return parseModel(text);
	} catch (error) {
		if (!(error instanceof InputError)) throw error;
		throw new PropensityError(
			`The model ${JSON.stringify(name)} failed its own check before being written, so it was not written or saved (the previous version stays the latest): ${error.message}\nThis is a bug in Propensity: please report it with the command or flow that trained the model.`,
			'model-unreadable',
			{ problem: error.message },
		);
	}
}

/** "sha256:" and the hex SHA-256 of the model's content: every key but the checksum, written canonically. */
function contentChecksum(content: Record<string, unknown>): string {
	const { checksum: _ignored, ...rest } = content;
	return checksumOf(write(rest, '', topLevelOrder));
}

function checksumOf(canonical: string): string {
	return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}

function write(value: unknown, indent: string, order?: readonly string[]): string {
	if (value === null || typeof value !== 'object') return scalar(value);
	if (Array.isArray(value)) {
		if (value.length === 0) return '[]';
		if (value.every((item) => item === null || typeof item !== 'object')) return plainArray(value);
		const inner = `${indent}\t`;
		return `[\n${value.map((item) => inner + write(item, inner)).join(',\n')}\n${indent}]`;
	}
	return objectText(entryLines(value as Record<string, unknown>, indent, order), indent);
}

/** An object's entries, each as its line of text (`key: value` at `indent` + one tab), in the order they are written. */
function entryLines(value: Record<string, unknown>, indent: string, order?: readonly string[]): (readonly [string, string])[] {
	const inner = `${indent}\t`;
	return Object.entries(value)
		.filter(([, v]) => v !== undefined)
		.sort(([a], [b]) => compareKeys(a, b, order))
		.map(([key, v]) => [key, `${inner}${JSON.stringify(key)}: ${write(v, inner)}`] as const);
}

/** The model's top-level entries as `write` writes them. */
function topLevelLines(content: Record<string, unknown>): (readonly [string, string])[] {
	return entryLines(content, '', topLevelOrder);
}

function objectText(lines: readonly (readonly [string, string])[], indent: string): string {
	return lines.length === 0 ? '{}' : `{\n${lines.map(([, line]) => line).join(',\n')}\n${indent}}`;
}

/** Keys in `order` first, in its order; the others after them, alphabetically. */
function compareKeys(a: string, b: string, order?: readonly string[]): number {
	const rank = (key: string) => (order && order.includes(key) ? order.indexOf(key) : Infinity);
	return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** True when `value` holds a number that is not finite anywhere `write` would write it (write would throw there). */
function holdsNonFinite(value: unknown): boolean {
	if (typeof value === 'number') return !Number.isFinite(value);
	if (value === null || typeof value !== 'object') return false;
	if (Array.isArray(value)) return value.some(holdsNonFinite);
	return Object.values(value).some(holdsNonFinite);
}

/**
 * An array of plain values on one line, as `[${value.map(scalar).join(',')}]` writes it: the
 * built-in writes each number, string, boolean and null (and undefined as null) the same way,
 * without a call per value, once every number is known to be finite (a tree is thousands of them).
 */
function plainArray(value: readonly unknown[]): string {
	for (const item of value) if (typeof item === 'number' && !Number.isFinite(item)) scalar(item);
	return JSON.stringify(value);
}

function scalar(value: unknown): string {
	if (typeof value === 'number' && !Number.isFinite(value)) {
		throw new RangeError(`serializeModel: ${value} cannot be written to JSON; the model holds a value that is not a finite number.`);
	}
	if (value === undefined) return 'null';
	return JSON.stringify(value);
}

/**
 * Reads a model from JSON text or an already-parsed object. Refuses, with InputError saying
 * why and what to do: text that is not JSON, a file that is not a Propensity model, a model
 * written with a newer schema version, and any missing, unknown or invalid field (with its path).
 */
export function parseModel(input: string | object): Model {
	let raw: unknown = input;
	if (typeof input === 'string') {
		try {
			raw = JSON.parse(input);
		} catch (error) {
			throw new InputError(
				`The model is not valid JSON (${(error as Error).message}). Use the file that "propensity train" (or the Train Model node) wrote, unchanged.`,
				'bad-model',
			);
		}
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
		throw new InputError(
			"The model must be a JSON object as written by Propensity's training, not " + (Array.isArray(raw) ? 'an array' : typeof raw) + '.',
			'bad-model',
		);
	}
	// A model nests a few levels (its goal at most maxGoalDepth); a hostile depth would overflow the schema's recursion.
	const deep = shapeProblem(raw, maxGoalDepth + 16, Infinity);
	if (deep)
		throw new InputError(
			`The model nests more than ${maxGoalDepth + 16} levels deep (at ${shortPath(deep.path)}): it is not a model Propensity wrote. Use the file that "propensity train" (or the Train Model node) wrote, unchanged.`,
			'bad-model',
		);
	// A model handed over as an object (Node-RED's msg.model) is read as its JSON would be, so a
	// value JSON cannot hold (Infinity, NaN) is refused here rather than when the model is written.
	if (typeof input !== 'string') raw = JSON.parse(JSON.stringify(raw));
	const object = raw as Record<string, unknown>;
	if (object.format !== modelFormat) {
		throw new InputError(
			`This is not a Propensity model: its "format" is ${object.format === undefined ? 'missing' : typeof object.format === 'string' ? JSON.stringify(object.format.slice(0, 100)) : `not text (${Array.isArray(object.format) ? 'a list' : typeof object.format})`}, where a model says "${modelFormat}". Check that you picked the model file, not a goal, scores or another JSON file.`,
			'not-a-model',
		);
	}
	const version = object.schemaVersion;
	if (typeof version === 'number' && Number.isInteger(version) && version > modelSchemaVersion) {
		const writer = typeof object.packageVersion === 'string' ? `Propensity ${object.packageVersion}` : 'a newer Propensity';
		throw new InputError(
			`This model was written by a newer Propensity (${writer}, model schema version ${version}); this is Propensity ${packageVersion}, which reads model schema version ${modelSchemaVersion}. Upgrade Propensity to ${typeof object.packageVersion === 'string' ? object.packageVersion : 'the version that wrote it'} or later to use this model.`,
			'model-too-new',
			{ schemaVersion: version, packageVersion: object.packageVersion },
		);
	}
	// The goal inside is read by the goal's schema, which recurses once per level: refuse a hostile depth first.
	if (typeof object.goal === 'object' && object.goal !== null) checkGoalShape(object.goal);
	const parsed = modelSchema.safeParse(raw);
	if (!parsed.success) {
		const problems = parsed.error.issues
			.slice(0, 8)
			.map(
				(issue) =>
					`${formatPath(issue.path) || 'the model'}: ${issue.message}${issue.code === 'invalid_type' && issue.input === undefined ? ' (missing)' : ''}`,
			);
		throw new InputError(
			`The model cannot be read correctly:\n- ${problems.join('\n- ')}\nUse the file as training wrote it, or retrain the model.`,
			'bad-model',
			{ problems },
		);
	}
	const model = parsed.data as unknown as Model;
	// JSON text such as 1e999 parses as Infinity, which no model holds: refuse it here, or the
	// model would load and then fail when it is written or saved.
	if (holdsNonFinite(model)) {
		throw new InputError(
			'The model cannot be read correctly: it holds a number too large to be finite (such as 1e999). Use the file as training wrote it, or retrain the model.',
			'bad-model',
		);
	}
	const learner = loadLearnerChecked(model);
	const expected = modelFeatureNames(model);
	const actual = (learner as { featureNames?: readonly string[] }).featureNames;
	if (actual && (actual.length !== expected.length || actual.some((name, i) => name !== expected[i]))) {
		throw new InputError(
			`The model cannot be read correctly: its learner uses features [${actual.join(', ')}] but the model declares [${expected.join(', ')}]. Retrain the model.`,
			'bad-model',
		);
	}
	checkChecksum(object, model);
	// The checksum stays on the model, so a model handed on as an object (Node-RED's msg.model) reads again.
	rememberLearner(model, learner);
	return model;
}

/**
 * A model of schema version 2 or later must carry the checksum of its content and match it; a
 * version-1 model predates checksums and is read without one. Checked after the schema, so a
 * file with a broken field is named by that field.
 */
function checkChecksum(raw: Record<string, unknown>, model: Model): void {
	const recorded = raw.checksum;
	if (recorded === undefined && model.schemaVersion === 1) return;
	if (recorded === undefined) {
		throw new InputError(
			`The model "${model.name}" has no "checksum", which every model of schema version ${model.schemaVersion} carries: the file was edited or cut. Use the file as training wrote it (or load the model from the store), or retrain the model.`,
			'model-checksum',
		);
	}
	const actual = contentChecksum(raw);
	if (actual !== recorded) {
		throw new InputError(
			`The model "${model.name}" was changed after training: its content no longer matches its checksum (recorded ${String(recorded)}, content ${actual}). A model cannot be edited by hand, because its scores, metrics and report must describe the same trained model. Use the file as training wrote it (or load the model from the store), or retrain the model with the change you need.`,
			'model-checksum',
			{ recorded, actual },
		);
	}
}

function loadLearnerChecked(model: Model) {
	try {
		return learnerFromJson(model.learner);
	} catch (error) {
		if (error instanceof InputError) throw new InputError(`The model cannot be read correctly (learner): ${error.message}`, 'bad-model', error.details);
		throw error;
	}
}
