import assert from 'node:assert/strict';
import { InputError, PropensityError } from '../../core/errors';
import { parseGoal } from '../../core/goal/parse';
import { selectRows } from '../../core/learn/dataset';
import { buildModel, type BuildModelInput } from '../../core/model/build';
import { parseModel, serializeModel } from '../../core/model/io';
import { predictProbability, predictScores } from '../../core/model/predict';
import type { Model } from '../../core/model/schema';
import { packageVersion } from '../../core/version';
import { synthetic } from '../learn/fixtures';

describe('the model JSON', function () {
	this.timeout(300_000);
	const train = synthetic({ rows: 500, seed: 51, missingShare: 0.1, missingEffect: 1 });
	const validation = synthetic({ rows: 300, seed: 52, missingShare: 0.1, missingEffect: 1 });
	const input: BuildModelInput = {
		name: 'test model',
		features: { mode: 'table', columns: train.featureNames, idColumn: 'id', labelColumn: 'y' },
		train,
		validation,
		validationSplit: 'a separate sample',
		learner: 'auto',
		options: { gbdt: { maxTrees: 40 }, forest: { trees: 8 } },
		seed: 3,
	};
	let built: Awaited<ReturnType<typeof buildModel>>;
	before(async () => {
		built = await buildModel(input);
	});

	it('holds the format, versions, learner, calibration, metrics and selection, and no clock', () => {
		const { model } = built;
		assert.equal(model.format, 'propensity-model');
		assert.equal(model.schemaVersion, 2);
		assert.equal(model.packageVersion, packageVersion);
		assert.equal(model.metrics.training.rows, 500);
		assert.equal(model.metrics.validation.rows, 300);
		assert.ok(model.metrics.validation.auc !== null && model.metrics.validation.auc > 0.6);
		assert.equal(model.metrics.validation.deciles.length, 10);
		assert.ok(model.metrics.validation.calibration.length > 0);
		assert.equal(model.selection.candidates.length, 4);
		assert.ok(
			model.selection.candidates.every((c) => !('seconds' in c)),
			'fit times stay out of the model',
		);
		assert.ok(
			built.selection.candidates.every((c) => c.status !== 'fitted' || typeof c.seconds === 'number'),
			'but are reported to the caller',
		);
		const text = serializeModel(model);
		assert.doesNotMatch(text, /"seconds"|20\d\d-\d\d-\d\dT/);
	});

	it('gives identical bytes for the same data and seed', async () => {
		const again = await buildModel(input);
		assert.equal(serializeModel(again.model), serializeModel(built.model));
	});

	it('round-trips losslessly: parse then serialise gives the same bytes, and the same probabilities', () => {
		const text = serializeModel(built.model);
		const back = parseModel(text);
		assert.equal(serializeModel(back), text);
		assert.deepEqual(predictProbability(back, validation), predictProbability(built.model, validation));
		assert.deepEqual(parseModel(JSON.parse(text)), back);
	});

	it('round-trips each learner, a goal and feature declarations too', async () => {
		const goal = parseGoal({
			name: 'buy',
			propensityType: 'conversion',
			outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'order' }] } },
		});
		const declarations = train.featureNames.map((name) => ({
			name,
			label: `${name} events`,
			subject: 'events',
			filter: { all: [{ field: 'eventType', op: 'equals' as const, value: name }] },
			windowDays: 30,
			aggregate: 'count' as const,
		}));
		for (const learner of ['gbdt', 'logistic', 'naiveBayes', 'forest'] as const) {
			const { model } = await buildModel({
				...input,
				learner,
				goal,
				features: { mode: 'events', declarations },
				dataRange: {
					firstEvent: '2024-01-01T00:00:00.000Z',
					lastEvent: '2024-06-30T12:00:00.000Z',
					cutoffs: ['2024-05-01T00:00:00.000Z'],
					asOf: '2024-07-01T00:00:00.000Z',
				},
			});
			const text = serializeModel(model);
			const back = parseModel(text);
			assert.equal(serializeModel(back), text, learner);
			assert.deepEqual(predictProbability(back, validation), predictProbability(model, validation), learner);
			assert.equal(back.goal?.name, 'buy');
		}
	});

	it('scores with calibrated probabilities that keep the order of the raw scores', () => {
		const { raw, probability } = predictScores(built.model, validation);
		assert.ok(probability.every((p) => p >= 0 && p <= 1));
		for (let i = 0; i < raw.length; i++) for (let j = 0; j < 20; j++) if (raw[i] > raw[j]) assert.ok(probability[i] >= probability[j]);
	});

	it('names the features a dataset to score lacks', () => {
		const partial = { rows: 1, featureNames: ['x0', 'x2'], columns: [Float32Array.of(1), Float32Array.of(1)] };
		assert.throws(
			() => predictProbability(built.model, partial),
			(error: Error) => error instanceof InputError && /lacks 2 columns the model "test model" was trained on: "x1", "x3"/.test(error.message),
		);
	});

	it('reads columns by name, whatever their order in the data to score', () => {
		const order = [3, 1, 0, 2];
		const shuffled = {
			rows: validation.rows,
			featureNames: order.map((f) => validation.featureNames[f]),
			columns: order.map((f) => validation.columns[f]),
		};
		assert.deepEqual(predictProbability(built.model, shuffled), predictProbability(built.model, validation));
	});
});

describe('reading a model refuses what it cannot read correctly', function () {
	this.timeout(120_000);
	let text: string;
	before(async () => {
		const train = synthetic({ rows: 200, seed: 53 });
		const validation = selectRows(
			synthetic({ rows: 100, seed: 54 }),
			Array.from({ length: 100 }, (_, i) => i),
		);
		const { model } = await buildModel({
			name: 'm',
			features: { mode: 'table', columns: train.featureNames, idColumn: null, labelColumn: 'y' },
			train,
			validation,
			validationSplit: 'holdout',
			learner: 'logistic',
			seed: 1,
		});
		text = serializeModel(model);
	});
	// The edits poke at arbitrary fields of the parsed JSON, as a damaged file would hold them.
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	const edit = (change: (model: Record<string, any>) => void): string => {
		const model = JSON.parse(text);
		change(model);
		return JSON.stringify(model);
	};
	const refuses = (input: string | object, pattern: RegExp) =>
		assert.throws(
			() => parseModel(input),
			(error: Error) => error instanceof InputError && pattern.test(error.message),
		);

	it('text that is not JSON', () => refuses('{"format": ', /not valid JSON/));

	it('JSON that is not a Propensity model, such as a goal', () => {
		refuses('{"name": "buy", "propensityType": "conversion"}', /not a Propensity model: its "format" is missing/);
		refuses(
			edit((m) => (m.format = 'other')),
			/its "format" is "other"/,
		);
	});

	it('a model written by a newer Propensity, naming its version and asking to upgrade', () => {
		refuses(
			edit((m) => {
				m.schemaVersion = 3;
				m.packageVersion = '9.1.0';
			}),
			/written by a newer Propensity \(Propensity 9\.1\.0, model schema version 3\).*Upgrade Propensity to 9\.1\.0/,
		);
	});

	it('a model with a missing field, naming it', () => {
		refuses(
			edit((m) => delete m.calibration),
			/calibration: .*\(missing\)/,
		);
		refuses(
			edit((m) => delete m.metrics.validation.auc),
			/metrics\.validation\.auc/,
		);
	});

	it('a model with an unknown field, so nothing is silently ignored', () => {
		refuses(
			edit((m) => (m.extra = 1)),
			/extra/,
		);
	});

	it('a model whose learner is damaged, saying where', () => {
		refuses(
			edit((m) => (m.learner.coefficients = [1])),
			/learner.*coefficients has 1 entries for 4 features/,
		);
		refuses(
			edit((m) => (m.learner.kind = 'svm')),
			/learner\.kind/,
		);
	});

	it('a model whose learner reads other features than the model declares', () => {
		refuses(
			edit((m) => (m.features.columns = ['a', 'b', 'c', 'd'])),
			/learner uses features \[x0, x1, x2, x3\] but the model declares \[a, b, c, d\]/,
		);
	});

	it('a calibrator that is not monotone', () => {
		refuses(
			edit((m) => (m.calibration.calibrator = { method: 'isotonic', raw: [0, 1], probability: [0.9, 0.1] })),
			/never fall in probability/,
		);
	});
});

describe('a model carries the checksum of its content', function () {
	this.timeout(120_000);
	let model: Model;
	let text: string;
	before(async () => {
		const train = synthetic({ rows: 200, seed: 55 });
		const validation = synthetic({ rows: 100, seed: 56 });
		({ model } = await buildModel({
			name: 'sum',
			features: { mode: 'table', columns: train.featureNames, idColumn: null, labelColumn: 'y' },
			train,
			validation,
			validationSplit: 'holdout',
			learner: 'logistic',
			seed: 1,
		}));
		text = serializeModel(model);
	});
	const refusal = (code: string, pattern: RegExp) => (error: Error) => error instanceof InputError && error.code === code && pattern.test(error.message);

	it('writes "sha256:" and 64 hex digits near the top, the same for the same model', () => {
		assert.match(text, /^\{\n\t"format": "propensity-model",\n\t"schemaVersion": 2,\n\t"packageVersion": "[^"]+",\n\t"checksum": "sha256:[0-9a-f]{64}",\n/);
		assert.equal(serializeModel(parseModel(text)), text);
	});

	it('refuses a file whose content was edited, even into valid values, saying what to do', () => {
		const edited = JSON.parse(text);
		edited.metrics.validation.auc = 0.99;
		assert.throws(
			() => parseModel(JSON.stringify(edited)),
			refusal(
				'model-checksum',
				/"sum" was changed after training: its content no longer matches its checksum.*Use the file as training wrote it.*or retrain/,
			),
		);
		assert.throws(() => parseModel(text.replace('"seed": 1', '"seed": 2')), refusal('model-checksum', /changed after training/));
	});

	it('accepts the same content written with other spacing or key order', () => {
		const reordered = JSON.parse(text);
		const { learner, ...rest } = reordered;
		assert.equal(serializeModel(parseModel(JSON.stringify({ learner, ...rest }))), text);
	});

	it('refuses a current model whose checksum was removed', () => {
		const stripped = JSON.parse(text);
		delete stripped.checksum;
		assert.throws(() => parseModel(stripped), refusal('model-checksum', /has no "checksum", which every model of schema version 2 carries/));
	});

	it('still reads a model of schema version 1, written before checksums, and writes it back with one', () => {
		const old = JSON.parse(text);
		delete old.checksum;
		old.schemaVersion = 1;
		const read = parseModel(old);
		assert.equal(read.name, 'sum');
		assert.equal(serializeModel(read), text);
	});

	it('is never handed out when the model could not be read back (a gain of 1.0000000000000002 once was)', () => {
		const deciles = model.metrics.validation.deciles.map((d, i, all) => (i === all.length - 1 ? { ...d, cumulativeGain: 1.0000000000000002 } : d));
		const broken = { ...model, metrics: { ...model.metrics, validation: { ...model.metrics.validation, deciles } } };
		assert.throws(
			() => serializeModel(broken),
			(error: Error) =>
				error instanceof PropensityError &&
				error.code === 'model-unreadable' &&
				/failed its own check before being written.*cumulativeGain: must be in \[0, 1\]/s.test(error.message),
		);
	});
});

describe('serialising a model', () => {
	it('refuses a value JSON cannot hold rather than writing null', () => {
		assert.throws(() => serializeModel({ format: 'propensity-model', seed: NaN } as unknown as Model), /NaN cannot be written/);
	});
});
