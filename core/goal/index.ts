/** Goals: the JSON format, its validation, its evaluation on events and its words (readiness lives in features/). */
export * from './schema';
export { parseGoal, parseGoalReadingAliases, formatPath, type GoalProblem } from './parse';
export { canonicalFieldOf, describeAliases, resolveFieldAliases, type FieldAlias } from './aliases';
export { checkGoalAgainstData, goalDataProblems, type DataProblem } from './check';
export { type FieldKind, type ResolvedCondition, conditionMask, fieldKinds, keptMask, resolveCondition, missingPasses } from './conditions';
export { describeCondition, describeEligibility, describeGoal, describeOutcome, eventTypeWords, humanizeName, type Determiner } from './describe';
export { goalWarnings } from './warnings';
export { goalChoices, type FieldChoice, type GoalChoices } from './choices';
