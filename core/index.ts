/**
 * Propensity as a library: the pipeline's entry points and the types they take and give.
 * `require('n8n-nodes-propensity')` gives this module.
 */
export * from './pipeline';
export { PropensityError, InputError, CancelledError } from './errors';
export { simulateShop, writeSimulation, xdmEventTypes } from './simulate';
export { goalFromForm, type GoalForm } from './goal/form';
export type { Goal, GoalInput } from './goal/schema';
export type { EventTable } from './events/table';
export type { Model } from './model/schema';
export type { ScoredProfile, Factor, Bucket, BucketBoundaries } from './score/types';
export type { WorkHooks, Progress } from './util/progress';
export { packageVersion } from './version';
