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

// What the adapters (the n8n and Node-RED nodes, the CLI) use beside the entry points: they
// import the core through this file only (CONTRIBUTING.md, "Layers"), so what a node can do a
// library user can do too.
export { type EventFormat } from './events/load';
export { parseFieldMap, type PresetName } from './events/mapping';
export { textEncodings, type TextEncoding } from './events/text';
export { badRowReasons, type BadRowReason, type LoadReport, type LoadSummary } from './events/report';
export { type FormCondition, type FormCustomEvent } from './goal/form';
export { checkGoalAgainstData, describeOutcome, parseGoal } from './goal';
export { dataRange, type FeatureDecl } from './features';
export { defaultMaxExamples, defaultMemoryBudgetMb, parseMemoryBudget } from './features/sample';
export { featureTable, featureTableCsv, formatFloat32, writeFeatureTable, type FeatureTable } from './features/table';
export { learnerNames, parseLearnerChoice, type LearnerChoice } from './learn/registry';
export { type SelectionRecord } from './learn/auto';
export { type StoredSelection } from './model/schema';
export { type BucketFactorSummary } from './explain/buckets';
export { defaultBuckets } from './score/types';
export { bucketCountsInWords } from './score/buckets';
export { scoresFormatOf, scoreLines, type ScoresFormat } from './score/files';
export {
	describeSegmentChange,
	readScoresFile,
	ruleFromForm,
	whyNobodyHandedOn,
	segmentModes,
	segmentOutputs,
	writeSegmentFile,
	type SegmentMember,
	type ResentRun,
	type SegmentMode,
	type SegmentResult,
	type SegmentRow,
	type SegmentRule,
	type SegmentStatus,
	type SegmentSummary,
	type StatusRow,
} from './segment';
export { goalDefaults } from './goal/schema';
export { type ModelVersionInfo } from './store/types';
export { defaultEnd, defaultHistoryDays, maxProfiles, profilesForEvents, simulationFormats, type SimulationFormat } from './simulate';
export { csvCell } from './util/csv';
export { withThousands } from './util/counts';
export { writeFileAtomically } from './util/files';
export { connectPostgres, redact, type PgConnectionInput } from './util/postgres';
export { type MappingOptions } from './events/mapping';
export { withWarehouse, withWarehouseConnection } from './warehouse/data';
export { defaultScoresTable, scoresTableColumns, type WarehouseScoreSummary } from './warehouse/scores';
export {
	maxCandidates,
	maxExplainedProfiles,
	ruleNeedsEvents,
	type ScoresRun,
	type WarehouseExplained,
	type WarehouseExplainOptions,
	type WarehouseSegmentEvents,
	type WarehouseSegmentOptions,
} from './warehouse/segment';
export { summarizeWarehouse } from './warehouse/summary';
export { describeSource, isWarehouseUrl, parseWarehouseUrl, type WarehouseSource } from './warehouse/source';
export {
	checkWarehouseConnection,
	isWarehouseReference,
	parseWarehouseReference,
	sourceOfReference,
	warehouseTableSource,
	type WarehouseConnection,
	type WarehouseReference,
} from './warehouse/reference';
export { type WarehouseSummary } from './warehouse/summary';
export { checkStoreName } from './store';
export { conditionFromRow } from './goal/form';
export { goalChoices, type GoalChoices } from './goal/choices';
