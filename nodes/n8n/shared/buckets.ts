/**
 * Bucket boundaries as two options (where medium and high start on the 0–100 score), shared by
 * Train Model (for its report) and Score Profiles. The core checks them.
 */
import type { INodeProperties } from 'n8n-workflow';
import { type BucketBoundaries, defaultBuckets } from '../../../core';

export const bucketOptions: INodeProperties[] = [
	{
		displayName: 'High Bucket From Score',
		name: 'highFrom',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: 75,
		description: 'Scores from this (0–100) up are in the high bucket',
	},
	{
		displayName: 'Medium Bucket From Score',
		name: 'mediumFrom',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: 25,
		description: 'Scores from this up to the high bucket are medium; below it, low',
	},
];

/** The boundaries given in the options, or undefined for the defaults (core's defaultBuckets). */
export function boundariesOf(options: { mediumFrom?: number; highFrom?: number }): BucketBoundaries | undefined {
	if (options.mediumFrom === undefined && options.highFrom === undefined) return undefined;
	return { mediumFrom: options.mediumFrom ?? defaultBuckets.mediumFrom, highFrom: options.highFrom ?? defaultBuckets.highFrom };
}
