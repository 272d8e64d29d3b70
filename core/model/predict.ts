/**
 * Scoring with a model: raw scores from its learner, then calibrated probabilities.
 */
import { InputError } from '../errors';
import { applyCalibration } from '../learn/calibration';
import { correctForSample } from '../features/sample';
import type { Dataset } from '../learn/dataset';
import type { TrainedLearner } from '../learn/learner';
import { learnerFromJson } from '../learn/train';
import { modelFeatureNames, type Model } from './schema';

// Reading a learner (trees, weights) costs a pass over the JSON; keep one per model object.
const learners = new WeakMap<Model, TrainedLearner>();

/** The model's learner, read once per model object. */
export function loadLearner(model: Model): TrainedLearner {
	let learner = learners.get(model);
	if (!learner) {
		learner = learnerFromJson(model.learner);
		learners.set(model, learner);
	}
	return learner;
}

/** Keeps a learner already read from `model.learner` (parseModel reads it to check it). */
export function rememberLearner(model: Model, learner: TrainedLearner): void {
	learners.set(model, learner);
}

/** Throws InputError naming every feature of the model that `data` lacks. */
export function checkFeatures(model: Model, data: Dataset): void {
	const missing = modelFeatureNames(model).filter((name) => !data.featureNames.includes(name));
	if (missing.length > 0) {
		const where = model.features.mode === 'table' ? 'column' : 'feature';
		throw new InputError(
			`The data to score lacks ${missing.length} ${where}${missing.length > 1 ? 's' : ''} the model "${model.name}" was trained on: ${missing.map((n) => `"${n}"`).join(', ')}. ` +
				(model.features.mode === 'table'
					? 'Give the table the same feature columns as the training table.'
					: "Compute the features from the model's declarations."),
			'missing-features',
			{ missing },
		);
	}
}

/** Raw learner scores (log-odds) and calibrated probabilities (0–1) for every row of `data`. */
export function predictScores(model: Model, data: Dataset): { raw: Float64Array; probability: Float64Array } {
	checkFeatures(model, data);
	const raw = loadLearner(model).predictRaw(data);
	const probability = applyCalibration(model.calibration.calibrator, raw);
	// A model trained on a sample learnt the sample's class balance: its odds are corrected back.
	if (model.sample) for (let i = 0; i < probability.length; i++) probability[i] = correctForSample(probability[i], model.sample);
	return { raw, probability };
}

/** Calibrated probability of the outcome for every row of `data`; InputError names any feature the data lacks. */
export function predictProbability(model: Model, data: Dataset): Float64Array {
	return predictScores(model, data).probability;
}
