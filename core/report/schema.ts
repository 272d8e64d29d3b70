/**
 * Validation of the report input kept inside a model (`model.insights`), so a report can be
 * rendered later from a model file someone else wrote: every field is checked for type and
 * range; strings are escaped when rendered.
 */
import { z } from 'zod';
import { InputError } from '../errors';
import type { ReportInput } from './types';

const num = z.number().nullable();
const count = z.number().min(0);
const share = z.number().min(0).max(1);
const bucket = z.enum(['low', 'medium', 'high']);
const direction = z.enum(['raises', 'lowers', 'mixed']);
const text = z.string().max(10_000);

export const reportInputSchema: z.ZodType<ReportInput> = z.strictObject({
	model: z.strictObject({ name: text, version: z.number().int().nullable(), learner: text, trainedAsOf: text, seed: z.number().optional() }),
	goal: z.strictObject({
		name: text,
		description: text.optional(),
		propensityType: z.enum(['conversion', 'churn']),
		inWords: text,
		windowDays: count,
		lookbackDays: count.optional(),
	}),
	metrics: z.strictObject({
		auc: num,
		rawAuc: num.optional(),
		logLoss: num,
		brier: num,
		baseRate: num,
		validationRows: count.optional(),
		trainingRows: count.optional(),
	}),
	quality: z.strictObject({
		grade: text,
		poor: z.boolean(),
		thresholds: z.array(z.strictObject({ grade: text, minAuc: z.number() })),
		advice: z.array(text),
	}),
	scores: z.strictObject({
		population: z.enum(['validation', 'scored']),
		count,
		skipped: count,
		positives: count.nullable(),
		boundaries: z.strictObject({ mediumFrom: z.number(), highFrom: z.number() }),
		histogram: z.array(z.strictObject({ from: z.number(), to: z.number(), count })),
		buckets: z.array(z.strictObject({ bucket, from: z.number(), to: z.number(), count, positives: count.nullable() })),
		deciles: z.array(z.strictObject({ decile: z.number().int(), count, positives: count, meanProbability: share })),
		calibration: z.array(z.strictObject({ meanPredicted: share, actualRate: share, count })),
	}),
	factors: z.strictObject({
		overall: z.array(z.strictObject({ feature: text, label: text, importance: z.number(), share: share.optional(), direction: direction.optional() })),
		byBucket: z.array(
			z.strictObject({
				bucket,
				profiles: count,
				factors: z.array(z.strictObject({ feature: text, label: text, direction, shareInBucket: share, shareElsewhere: share.nullable() })),
			}),
		),
		explained: z.strictObject({ profiles: count, of: count }).optional(),
	}),
	readiness: z
		.strictObject({
			cutoffs: z.array(z.strictObject({ cutoff: text, eligible: count, positives: count, negatives: count, role: z.enum(['training', 'validation']) })),
			history: z.strictObject({ availableDays: z.number(), neededDays: z.number() }).optional(),
			minimums: z.strictObject({ positives: count, negatives: count }).optional(),
			warnings: z.array(text),
		})
		.optional(),
	dataQuality: z
		.strictObject({
			rowsRead: count.optional(),
			events: count,
			profiles: count,
			asOf: text.optional(),
			eventsAsOf: count.optional(),
			eventTypes: z.array(z.strictObject({ type: text, count })).optional(),
			rejected: z.array(z.strictObject({ reason: text, count, example: text.optional() })),
			warnings: z.array(text),
		})
		.optional(),
	selection: z
		.strictObject({
			candidates: z.array(
				z.strictObject({
					learner: text,
					auc: num,
					logLoss: num.optional(),
					seconds: num.optional(),
					chosen: z.boolean(),
					note: text.optional(),
				}),
			),
			reason: text,
			choiceRows: count.optional(),
			choiceSplit: z.boolean().optional(),
		})
		.optional(),
	dataRange: z.strictObject({ from: text, to: text }),
	packageVersion: text,
});

/** The report input a model kept, checked here (not by the model format), or InputError naming the model and the fix. */
export function reportInputOf(insights: unknown, modelName: string): ReportInput {
	const parsed = reportInputSchema.safeParse(insights);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0];
	const where = ['insights', ...issue.path.map(String)].join('.');
	throw new InputError(
		`The model "${modelName}" holds insights this version cannot read (${where}: ${issue.message}): train it again to get its report.`,
		'bad-insights',
	);
}
