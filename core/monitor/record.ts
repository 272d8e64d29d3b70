/**
 * What a store remembers of a scoring run (core/store/runs.ts), built from the run itself: every
 * scored profile's probability, score and bucket, plus what drift needs later (the drift features
 * binned by the model's reference edges, the event types of the lookback, profiles active).
 */
import type { EventTable } from '../events/table';
import { InputError } from '../errors';
import type { Model } from '../model/schema';
import type { ScoreRun } from '../score/run';
import { runFormat, type ScoringRunRecord } from '../store/runs';
import { sha256 } from '../store/integrity';
import { binCounts } from './distribution';
import { DAY_MS } from '../features/walk';
import { profilesActiveBy } from '../features/cutoffs';
import { eventTypeCounts } from './reference';

/** The goal's fingerprint: the same goal gives the same text (keys sorted), so the same checksum. */
export function goalChecksum(model: Model): string | null {
	return model.goal ? sha256(stableJson(model.goal)) : null;
}

export function runRecordOf(table: EventTable, model: Model, run: ScoreRun): ScoringRunRecord {
	if (!model.goal)
		throw new InputError(`The model "${model.name}" was trained on a profile table: only runs scored from events can be remembered.`, 'table-model');
	const scored = run.scored();
	const scoreDate = Date.parse(run.summary.scoreDate);
	const features = (model.monitoring?.features ?? []).flatMap(({ feature, edges }) => {
		const f = scored.data.featureNames.indexOf(feature);
		return f < 0 ? [] : [{ feature, counts: binCounts(scored.data.columns[f], edges) }];
	});
	return {
		format: runFormat,
		formatVersion: 1,
		model: model.name,
		modelVersion: run.summary.model.version,
		goalChecksum: goalChecksum(model),
		propensityType: model.propensityType,
		scoreDate: run.summary.scoreDate,
		boundaries: { mediumFrom: run.summary.boundaries.mediumFrom, highFrom: run.summary.boundaries.highFrom },
		profilesActive: profilesActiveBy(table, scoreDate),
		scored: scored.profileIds.length,
		profileId: scored.profileIds,
		probability: Array.from(scored.probability),
		score: Array.from(scored.score),
		bucket: scored.bucket.map((bucket) => bucket[0]).join(''),
		features,
		eventTypes: Object.fromEntries(eventTypeCounts(table, scoreDate, scoreDate - model.goal.lookbackDays * DAY_MS)),
	};
}

function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${stableJson(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}
