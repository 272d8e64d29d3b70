/** The model JSON: build, write, read, refuse, and score with it. */
export * from './schema';
export { serializeModel, parseModel } from './io';
export { predictProbability, predictScores, loadLearner, checkFeatures } from './predict';
export { buildModel, type BuildModelInput, type BuiltModel } from './build';
