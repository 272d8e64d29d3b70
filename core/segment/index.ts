/**
 * Segments: rules over scored profiles (rules.ts, syntax.ts), evaluated (evaluate.ts) and
 * compared with the last run's membership (build.ts); score files in, segment files out (files.ts).
 */
export { buildSegment, segmentModes, segmentOutputs } from './build';
export type { SegmentMember, SegmentMode, SegmentOptions, SegmentResult, SegmentRow, SegmentStatus, SegmentSummary, StatusRow } from './build';
export { compareRank, matchRule } from './evaluate';
export type { RuleMatch } from './evaluate';
export { readScoresFile, writeSegmentFile } from './files';
export { scoreColumns } from '../score/files';
export type { ScoredFileProfile } from './files';
export { describeRule, parseSegmentRule, ruleKinds } from './rules';
export type { AttributeTest, AttributeValue, Comparison, Direction, FactorTest, SegmentRule, TopTest } from './rules';
export { parseRuleText, parseRuleTexts } from './syntax';
export { describeSegmentChange, whyNobodyHandedOn } from './words';
export { formAttributeOperators, formNumberOperators, formRuleKinds, ruleFromForm } from './form';
export type { SegmentForm, SegmentFormRow } from './form';
