/**
 * The few figures monitoring reads from a model's insights (the report's input, which the model
 * format keeps as opaque JSON): the training buckets and the overall factor ranking. Read
 * leniently here, so that monitoring needs neither the report nor the whole of its shape; what is
 * missing or malformed reads as absent.
 */
import { z } from 'zod';
import type { Bucket } from '../explain/buckets';
import type { Model } from '../model/schema';

const insightsSlice = z.object({
	scores: z
		.object({ buckets: z.array(z.object({ bucket: z.enum(['low', 'medium', 'high']), count: z.number(), positives: z.number().nullable() })) })
		.optional(),
	factors: z.object({ overall: z.array(z.object({ feature: z.string() })) }).optional(),
});

/** The training buckets the model's insights record (empty when it has none). */
export function insightBuckets(model: Model): { bucket: Bucket; count: number; positives: number | null }[] {
	const parsed = insightsSlice.safeParse(model.insights ?? {});
	return parsed.success ? (parsed.data.scores?.buckets ?? []) : [];
}

/** The features of the overall factor ranking, most influential first (empty when none). */
export function insightFactorRanking(model: Model): string[] {
	const parsed = insightsSlice.safeParse(model.insights ?? {});
	return parsed.success ? (parsed.data.factors?.overall ?? []).map((factor) => factor.feature) : [];
}
