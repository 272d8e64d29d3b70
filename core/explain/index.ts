/**
 * Influential factors: exact TreeSHAP for tree models, additive contributions for linear ones,
 * per-profile factors with sentences, per-bucket summaries and global importance.
 */
export { treeShap, prepareEnsemble, engineOf, type PreparedEnsemble, type ShapEngine } from './treeShap';
export { explainRows, type Explainer, type Explanations, type ExplainOptions, type LinearExplanation } from './explainer';
export { topFactors, importanceOf, importanceThresholds, topIndices, type TopFactorOptions } from './factors';
export { factorSentence, factPhrase, effectPhrase, bucketFactorSentence } from './sentences';
export { bucketFactors, bucketOrder, type BucketFactor, type BucketFactorSummary, type BucketFactorOptions, type FactorDirection } from './buckets';
export { globalImportance, type FeatureImportance } from './importance';
