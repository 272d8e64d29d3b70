import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildSegment, openStore, scoringReport, segmentRunOf } from '../../core';
import { scoreShift } from '../../core/report/scoring';
import { summariseScores } from '../../core/report';
import type { ScoredProfile } from '../../core/score/types';
import { runCli } from '../support/cli';
import { fabricateValidation } from './fixture';
import { suiteTempFolders } from '../support/tempFolders';

/** Scored profiles from fabricated probabilities, as a scoring run gives them. */
function scored(probabilities: ArrayLike<number>, prefix = 'p'): ScoredProfile[] {
	return Array.from(probabilities, (probability, i) => {
		const score = Math.round(probability * 100);
		return {
			profileId: `${prefix}${i}`,
			probability,
			score,
			percentile: 50,
			bucket: score >= 75 ? 'high' : score >= 25 ? 'medium' : 'low',
			propensityType: 'conversion',
			scoreDate: '2024-06-01T00:00:00.000Z',
			model: { name: 'buyers <&>', version: 3 },
			factors: [{ feature: 'f', label: 'f', value: 1, impact: 0.5, importance: 'high', sentence: `Reason of ${prefix}${i}.` }],
		};
	});
}

describe('report: a scoring run', () => {
	const { probabilities } = fabricateValidation({ rows: 800, seed: 3 });
	const profiles = scored(probabilities);
	const tempFolder = suiteTempFolders('propensity-scoring-report-');

	it('shows this run alone when the model is not given: buckets with counts and shares, and escaped names', () => {
		const page = scoringReport({ profiles });
		assert.match(page, /<title>Scoring run: buyers &lt;&amp;&gt;<\/title>/);
		assert.match(page, /nothing to compare with/);
		const high = profiles.filter((profile) => profile.bucket === 'high').length;
		assert.match(page, new RegExp(`<td>High</td><td>75–100</td><td class="num">${high}</td>`));
		assert.ok(!page.includes('Share at training'));
		assert.ok(!page.includes('id="run-segment"'));
		assert.equal(page, scoringReport({ profiles }), 'the same input gives the same bytes');
	});

	it('measures how far the scores moved from training: no shift for the same scores, a large one for scores pushed up', () => {
		const training = summariseScores({ probabilities });
		assert.ok((scoreShift(summariseScores({ probabilities }), training) as number) < 1e-9);
		const pushed = Array.from(probabilities, (p) => Math.min(1, p + 0.3));
		assert.ok((scoreShift(summariseScores({ probabilities: pushed }), training) as number) > 0.25);
	});

	it("lists a segment's members, entrants and leavers from the store, highest score first, with their strongest reason", async () => {
		const store = await openStore({ kind: 'folder', path: tempFolder() });
		try {
			const rule = { score: { gte: 30 } };
			await buildSegment(profiles, rule, { name: 'warm', mode: 'entered', store, runAt: '2024-05-01T00:00:00Z' });
			// A week later, everyone scores a little lower: some leave, nobody new enters.
			const later = profiles.map((profile) => ({ ...profile, probability: profile.probability * 0.8, score: Math.round(profile.probability * 80) }));
			const result = await buildSegment(later, rule, { name: 'warm', mode: 'entered', store, runAt: '2024-05-08T00:00:00Z' });
			const run = await segmentRunOf(store, 'warm');
			assert.equal(run.members.length, result.members.length);
			assert.equal(run.left.length, result.left.length);
			assert.equal(run.previousRunAt, '2024-05-01T00:00:00Z');
			const page = scoringReport({ profiles: later, segment: run });
			assert.match(page, new RegExp(`<div class="label">Members</div><div class="value">${result.members.length}</div>`));
			assert.match(page, new RegExp(`<div class="label">Left</div><div class="value">${result.left.length}</div>`));
			assert.match(page, /who entered and left since the run of 2024-05-01/);
			const members = page.slice(page.indexOf('<h3>Members</h3>'), page.indexOf('<h3>Entered</h3>'));
			const scores = [...members.matchAll(/<td class="num">(\d+)<\/td>/g)].map((match) => Number(match[1]));
			assert.equal(scores.length, Math.min(50, result.members.length));
			assert.deepEqual(
				scores,
				[...scores].sort((a, b) => b - a),
			);
			assert.match(members, /Reason of p\d+\./);
			assert.match(page, /The 50 with the highest scores are listed, of/);
			// The same page from the Build Segment result itself.
			assert.equal(
				scoringReport({ profiles: later, segment: result }).includes(`<div class="label">Left</div><div class="value">${result.left.length}</div>`),
				true,
			);
			await assert.rejects(segmentRunOf(store, 'cold'), /no run of the segment "cold"/);
		} finally {
			await store.close();
		}
	});
});

describe('propensity report --scores', function () {
	this.timeout(300_000);
	const tempFolder = suiteTempFolders('propensity-report-scores-');

	it('writes the report of a demo run: against training, with the segment that remembered its members', async () => {
		const out = tempFolder();
		assert.equal((await runCli('demo', '--out', out, '--profiles', '3000', '--seed', '7')).code, 0);
		const file = path.join(out, 'run.html');
		const run = await runCli(
			'report',
			'--scores',
			path.join(out, 'scores.csv'),
			'--store',
			path.join(out, 'store'),
			'--name',
			'purchase-in-30-days',
			'--segment',
			'likely-buyers',
			'--out',
			file,
		);
		assert.equal(run.code, 0, run.stderr);
		assert.match(run.stdout, /against the training of "purchase-in-30-days"; segment "likely-buyers": \d+ members, \d+ entered, 0 left/);
		const page = fs.readFileSync(file, 'utf8');
		assert.match(page, /Against the [\d,]+ validation profiles the model was checked on at training\. The population stability index/);
		assert.match(page, /Share at training/);
		assert.match(page, /Everyone above: this is the segment's first remembered run\./);
		const bad = await runCli('report', '--scores', path.join(out, 'scores.csv'), '--segment', 'likely-buyers', '--out', file);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /--segment needs --store DIR/);
	});
});
