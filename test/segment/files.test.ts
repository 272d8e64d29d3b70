import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildSegment, readScoresFile, writeSegmentFile } from '../../core/segment';
import { factor, profile, shop } from './fixtures';

const dir = path.resolve('test-output', 'segment', `files-${process.pid}-${randomBytes(4).toString('hex')}`);
fs.mkdirSync(dir, { recursive: true });
const file = (name: string, content?: string | Buffer) => {
	const full = path.join(dir, name);
	if (content !== undefined) fs.writeFileSync(full, content);
	return full;
};

const header = 'profile_id,probability,score,percentile,bucket,propensity_type,score_date';

describe('reading scores files', () => {
	it('reads the CSV that "propensity score" writes, with factor sentences and attributes', async () => {
		const csv = [
			`${header},factor_1,factor_2,email,country`,
			'ann,0.91,91,99,high,conversion,2024-05-01T00:00:00Z,"Clicked 4 emails, which raises the chance",,ann@example.com,FR',
			'bob,0.12,12,20,low,conversion,2024-05-01T00:00:00Z,,,,DE',
		].join('\n');
		const profiles = await readScoresFile(file('plain.csv', csv));
		assert.deepEqual(profiles[0], {
			profileId: 'ann',
			probability: 0.91,
			score: 91,
			percentile: 99,
			bucket: 'high',
			propensityType: 'conversion',
			scoreDate: '2024-05-01T00:00:00Z',
			model: { name: '', version: null },
			factorSentences: ['Clicked 4 emails, which raises the chance'],
			attributes: { email: 'ann@example.com', country: 'FR' },
		});
		assert.deepEqual(profiles[1].attributes, { email: null, country: 'DE' });
		assert.equal(profiles[1].factorSentences, undefined);
	});

	it("says a factor rule needs the factors' details when a CSV carries only their sentences", async () => {
		const csv = [`${header},factor_1`, 'ann,0.91,91,99,high,conversion,2024-05-01T00:00:00Z,Clicked 4 emails'].join('\n');
		const profiles = await readScoresFile(file('sentences.csv', csv));
		await assert.rejects(
			buildSegment(profiles, { factor: { feature: 'email_click_count_30d' } }, { mode: 'all', runAt: '2024-05-01T00:00:00Z' }),
			/needs each profile's factors, and these scores have none with their features and impacts \(only sentences\)\. Score with explanations/,
		);
	});

	it('rebuilds full factors from a CSV that has their feature, impact and importance columns', async () => {
		const csv = [
			`${header},model_name,model_version,factor_1,factor_1_feature,factor_1_label,factor_1_value,factor_1_impact,factor_1_importance`,
			'ann,0.9,90,95,high,churn,2024-05-01,churn-30d,4,Quiet for 40 days,days_since_last_visit,days since last visit,40,0.8,high',
		].join('\r\n');
		const [ann] = await readScoresFile(file('full.csv', csv));
		assert.deepEqual(ann.factors, [
			{ feature: 'days_since_last_visit', label: 'days since last visit', value: 40, impact: 0.8, importance: 'high', sentence: 'Quiet for 40 days' },
		]);
		assert.deepEqual(ann.model, { name: 'churn-30d', version: 4 });
		assert.equal(ann.propensityType, 'churn');
	});

	it('reads NDJSON of scored profiles, gzipped or not, with unknown single values kept as attributes', async () => {
		const lines = [
			JSON.stringify({ ...profile('ann', 91, { factors: [factor('clicks', 0.9)], attributes: { email: 'a@x' } }), segmentHint: 'x' }),
			JSON.stringify({
				profile_id: 'bob',
				probability: 0.5,
				score: 50,
				percentile: 50,
				bucket: 'medium',
				propensity_type: 'conversion',
				score_date: '2024-05-01',
				email: 'b@x',
			}),
			'',
		].join('\n');
		for (const name of ['s.ndjson', 's.ndjson.gz']) {
			const profiles = await readScoresFile(file(name, name.endsWith('.gz') ? zlib.gzipSync(lines) : lines));
			assert.deepEqual(profiles[0].factors, [factor('clicks', 0.9)]);
			assert.deepEqual(profiles[0].attributes, { email: 'a@x', segmentHint: 'x' });
			assert.deepEqual([profiles[1].profileId, profiles[1].score, profiles[1].attributes], ['bob', 50, { email: 'b@x' }]);
		}
	});

	it('refuses a row it cannot read, naming the line, the column and the fix', async () => {
		const cases: [string, RegExp][] = [
			[
				`${header}\nann,0.9,ninety,95,high,conversion,2024-05-01`,
				/Line 2 of .*bad1\.csv, column "score": "ninety" is not a number\. Fix that line, or score again/,
			],
			[
				`${header}\nann,0.9,90,95,high,conversion,2024-05-01\nbob,1.5,90,95,high,conversion,2024-05-01`,
				/Line 3 of .*column "probability": 1\.5 is outside 0 to 1/,
			],
			[`${header}\nann,0.9,90,95,hot,conversion,2024-05-01`, /column "bucket": "hot" is not a bucket; use low, medium or high/],
			[`${header}\n,0.9,90,95,high,conversion,2024-05-01`, /column "profile_id": the profile id is empty/],
			[`${header}\nann,0.9,90,95,high,conversion,someday`, /column "score_date": "someday" is not an ISO 8601 date/],
			[`${header}\nann,0.9,90,95,high,conversion`, /Line 2 of .*the row is not valid CSV: the row has 6 fields, the header has 7/],
			['profile_id,score\nann,90', /lacks the columns probability, percentile, bucket, propensity_type, score_date/],
		];
		for (const [index, [csv, message]] of cases.entries()) await assert.rejects(readScoresFile(file(`bad${index + 1}.csv`, csv)), message, csv);
		await assert.rejects(readScoresFile(file('bad.ndjson', '{"profileId":"a","probability":0.5}\n')), /Line 1 of .*bad\.ndjson, column "score"/);
		await assert.rejects(readScoresFile(path.join(dir, 'missing.csv')), /The scores file ".*missing\.csv" cannot be read: it does not exist/);
	});
});

describe('writing segment files', () => {
	it('writes members as CSV in the scores columns, so the file reads back as the same scores', async () => {
		const { members } = await buildSegment(shop(), { score: { gte: 40 } }, { mode: 'all', runAt: '2024-05-01T00:00:00Z' });
		const out = file('members.csv');
		await writeSegmentFile(out, members);
		const text = fs.readFileSync(out, 'utf8');
		assert.equal(text.split('\n')[0], `${header},factor_1,factor_2,email,country,orders`);
		assert.equal(
			text.split('\n')[1],
			'ann,0.91,91,91,high,conversion,2024-05-01T00:00:00.000Z,email click count 30d raises the chance,days since last purchase lowers the chance,ann@example.com,FR,7',
		);
		const back = await readScoresFile(out);
		assert.deepEqual(
			back.map((p) => [p.profileId, p.score, p.bucket, p.factorSentences ?? [], p.attributes?.email]),
			members.map((m) => [m.profileId, m.score, m.bucket, m.factors, m.attributes.email ?? null]),
		);
	});

	it('quotes cells with commas, quotes and line breaks, and leaves only the id of a leaver no longer scored', async () => {
		const out = file('quoted.csv');
		const member = (
			await buildSegment(
				[profile('x', 90, { attributes: { note: 'says "hi", then\nleaves' } })],
				{ bucket: ['high'] },
				{ mode: 'all', runAt: '2024-05-01T00:00:00Z' },
			)
		).members[0];
		await writeSegmentFile(out, [member, { profileId: 'gone' }]);
		const lines = fs.readFileSync(out, 'utf8');
		assert.ok(lines.includes('"says ""hi"", then\nleaves"'));
		assert.ok(lines.endsWith('\ngone,,,,,,,\n'));
	});

	it('writes NDJSON with one member object per line', async () => {
		const out = file('members.ndjson');
		const { members } = await buildSegment(shop(), { bucket: ['high'] }, { mode: 'all', runAt: '2024-05-01T00:00:00Z' });
		await writeSegmentFile(out, members);
		assert.deepEqual(
			fs
				.readFileSync(out, 'utf8')
				.trim()
				.split('\n')
				.map((line) => JSON.parse(line)),
			members,
		);
	});

	it('gzips the output when its name ends in .gz', async () => {
		const out = file('members.ndjson.gz');
		const { members } = await buildSegment(shop(), { bucket: ['high'] }, { mode: 'all', runAt: '2024-05-01T00:00:00Z' });
		await writeSegmentFile(out, members);
		assert.deepEqual(
			zlib
				.gunzipSync(fs.readFileSync(out))
				.toString('utf8')
				.trim()
				.split('\n')
				.map((line) => JSON.parse(line)),
			members,
		);
		assert.deepEqual(
			fs.readdirSync(dir).filter((name) => name.endsWith('.tmp')),
			[],
		);
	});

	it('refuses an output name whose extension says no format, and leaves no file behind', async () => {
		await assert.rejects(writeSegmentFile(file('members.txt'), []), /must end in \.csv, \.ndjson or \.jsonl/);
		await assert.rejects(writeSegmentFile(path.join(dir, 'no-such-folder', 'm.csv'), []), /Could not write .*m\.csv/);
		assert.equal(fs.existsSync(file('members.txt')), false);
	});
});
