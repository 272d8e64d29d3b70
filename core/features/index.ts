/** Features: declarations, automatic generation, cutoffs and labels, and the in-memory executor. */
export * from './declaration';
export { generateFeatures, type GenerateOptions } from './generate';
export { planCutoffs, planTraining, dataRange, minimumHistoryDays, type CutoffPlan, type DataRange } from './cutoffs';
export { buildExamples, computeFeaturesAsOf, judgeCutoffs, type CutoffCounts, type ExampleOptions, type Examples } from './examples';
export { latestAttributeValues } from './attributes';
export { DAY_MS } from './walk';
export { assessReadiness, type CutoffReadiness, type ReadinessOptions, type ReadinessProblem, type ReadinessReport } from './readiness';
