import assert from 'node:assert/strict';
import { escapeHtml, renderReport, summariseScores, type ReportInput } from '../../core/report';
import { fabricateValidation, sampleReportInput } from './fixture';

/** Keys whose values are fixed words of the format (enums), not text a user typed. */
const enumKeys = new Set(['bucket', 'propensityType', 'role', 'direction', 'population']);

/** A copy of the input with every free-text string prefixed by markup that must never run. */
function hostile(input: ReportInput, payload: string): ReportInput {
	const walk = (value: unknown, key: string): unknown => {
		if (typeof value === 'string') return enumKeys.has(key) ? value : `${payload}${value}`;
		if (Array.isArray(value)) return value.map((item) => walk(item, key));
		if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
		return value;
	};
	return walk(input, '') as ReportInput;
}

/** Every tag of a page with its attribute names and values; values are assumed double-quoted, as the report writes them. */
function tags(page: string): { name: string; attributes: [string, string][] }[] {
	return [...page.matchAll(/<\/?([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)].map((match) => ({
		name: match[1].toLowerCase(),
		attributes: [...match[2].matchAll(/([\w:-]+)(?:="([^"]*)")?/g)].map(
			(attribute) => [attribute[1].toLowerCase(), attribute[2] ?? ''] as [string, string],
		),
	}));
}

function occurrences(text: string, part: string): number {
	return text.split(part).length - 1;
}

const sectionIds = ['glance', 'quality', 'distribution', 'buckets', 'lift', 'calibration', 'factors', 'data', 'selection'];
const chartIds = [
	'chart-distribution',
	'chart-buckets',
	'chart-lift',
	'chart-gains',
	'chart-calibration',
	'chart-factors',
	'chart-factors-high',
	'chart-factors-medium',
	'chart-factors-low',
];

describe('report: the insights report', () => {
	const sample = sampleReportInput();
	const page = renderReport(sample);

	it('is one HTML document with every section and every chart', () => {
		assert.match(page, /^<!DOCTYPE html>\n<html lang="en">/);
		assert.match(page, /<\/html>\n$/);
		for (const id of sectionIds) assert.ok(page.includes(`<section class="card" id="${id}">`), `section ${id}`);
		for (const id of chartIds) assert.equal(occurrences(page, `<svg id="${id}" `), 1, `chart ${id}`);
	});

	it('shows the header facts: model name and version, the goal and the goal in words, type, date and learner', () => {
		assert.match(page, /<h1>purchase-propensity<span class="version">version 3<\/span><\/h1>/);
		assert.ok(page.includes('A purchase within 30 days (conversion), for profiles active within the last 45 days.'));
		assert.ok(page.includes('<dt>Goal</dt><dd>purchase-in-30-days</dd>'));
		assert.ok(page.includes('<dt>Propensity type</dt><dd>Conversion</dd>'));
		assert.ok(page.includes('<dt>Trained as of</dt><dd>2024-12-01</dd>'));
		assert.ok(page.includes('<dt>Learner</dt><dd>gradient-boosted trees</dd>'));
	});

	it('states the headline metrics, the grade and the grade thresholds', () => {
		const auc = sample.metrics.auc as number;
		assert.ok(page.includes(`${auc.toFixed(3)}<span class="badge great">good</span>`), 'a good model gets a green badge');
		assert.ok(page.includes(`>${sample.quality.grade}</span>`));
		assert.ok(
			page.includes(
				'<strong>excellent</strong> from 0.850 · <strong>good</strong> from 0.750 · <strong>fair</strong> from 0.650 · <strong>poor</strong> below 0.650',
			),
		);
		assert.ok(page.includes((sample.metrics.logLoss as number).toFixed(3)));
		assert.ok(page.includes((sample.metrics.brier as number).toFixed(3)));
		assert.ok(page.includes(`${((sample.metrics.baseRate as number) * 100).toFixed(1)}%`));
		assert.ok(!page.includes('This model is not reliable yet'), 'a good model gets no warning');
	});

	it('shows each bucket with its boundaries, count, share and actual outcome rate', () => {
		for (const bucket of sample.scores.buckets) {
			const rate = (((bucket.positives as number) / bucket.count) * 100).toFixed(1);
			const share = ((bucket.count / sample.scores.count) * 100).toFixed(1);
			assert.ok(
				page.includes(
					`scores ${bucket.from}–${bucket.to}</div><dl><dt>Profiles</dt><dd>${bucket.count.toLocaleString('en-US')}</dd><dt>Share</dt><dd>${share}%</dd><dt>Actually converted</dt><dd>${rate}%</dd>`,
				),
				bucket.bucket,
			);
		}
	});

	it('derives the top-decile lift from the deciles and says it in words', () => {
		const top = sample.scores.deciles[0];
		const baseRate = (sample.scores.positives as number) / sample.scores.count;
		const lift = top.positives / top.count / baseRate;
		assert.ok(page.includes(`<strong>${lift.toFixed(1)}×</strong> the average`));
	});

	it('escapes a goal named <script>alert(1)</script>, a factor label "&<>\' and a model name with quotes', () => {
		const input: ReportInput = {
			...sample,
			model: { ...sample.model, name: `Spring "VIP" O'Brien's model` },
			goal: { ...sample.goal, name: '<script>alert(1)</script>' },
			factors: {
				overall: [{ feature: 'f', label: `"&<>'`, importance: 1, direction: 'raises' }],
				byBucket: [
					{ bucket: 'high', profiles: 10, factors: [{ feature: 'f', label: `"&<>'`, direction: 'raises', shareInBucket: 0.5, shareElsewhere: 0.1 }] },
				],
			},
		};
		const out = renderReport(input);
		assert.ok(!/<script/i.test(out), 'no script element at all');
		assert.ok(out.includes('<dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>'));
		assert.ok(out.includes('<h1>Spring &quot;VIP&quot; O&#39;Brien&#39;s model<span'));
		assert.ok(out.includes('<title>Insights: Spring &quot;VIP&quot; O&#39;Brien&#39;s model</title>'));
		assert.ok(occurrences(out, '&quot;&amp;&lt;&gt;&#39;') >= 3, 'the label is escaped in the chart, the tooltip and the takeaway');
		assert.ok(!out.includes(`"&<>'`));
	});

	it('escapes every free-text field of the input, wherever the report shows it', () => {
		const payload = `<img src=x onerror="alert(1)"><script>alert(2)</script>'&`;
		const out = renderReport(hostile(sample, payload));
		assert.ok(!/<script|<img/i.test(out), 'no markup from the input survives');
		const found = tags(out);
		assert.equal(found.length, occurrences(out, '<') - 1, 'every "<" but the doctype opens a tag the report wrote');
		const names = new Set(found.flatMap((tag) => tag.attributes.map(([name]) => name)));
		assert.ok(![...names].some((name) => name.startsWith('on') || name === 'src'), `no event handler or src attribute: ${[...names].join(' ')}`);
		const escaped = '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;&#39;&amp;';
		assert.ok(occurrences(out, escaped) >= 40, `the escaped payload shows in many places (${occurrences(out, escaped)})`);
	});

	it('makes no external reference: no scripts, links, images, frames, fonts or URLs', () => {
		assert.ok(!/<(script|link|img|iframe|object|embed|audio|video|source)\b/i.test(page));
		const found = tags(page);
		assert.equal(found.length, occurrences(page, '<') - 1, 'every "<" but the doctype opens a tag');
		for (const tag of found) {
			for (const [name, value] of tag.attributes) {
				assert.ok(!['src', 'srcset', 'xlink:href', 'action', 'formaction', 'background', 'poster'].includes(name), `<${tag.name} ${name}>`);
				if (name === 'href') assert.match(value, /^#[a-z-]+$/, 'links only jump within the page');
			}
		}
		assert.ok(!/@import|url\(/i.test(page));
		assert.ok(!/https?:\/\//i.test(page));
	});

	it('gives the same bytes for the same input, also after a round trip through JSON', () => {
		assert.equal(renderReport(sampleReportInput()), page);
		assert.equal(renderReport(JSON.parse(JSON.stringify(sample)) as ReportInput), page);
		assert.notEqual(renderReport(sampleReportInput({ seed: 8 })), page, 'different data gives a different report');
	});

	it('says so when there are no factors, instead of drawing empty charts silently', () => {
		const out = renderReport({ ...sample, factors: { overall: [], byBucket: [] } });
		assert.ok(out.includes('<svg id="chart-factors" '));
		assert.ok(out.includes('No factors are available for this model.'));
		assert.ok(out.includes('No per-bucket factors are available for this model.'));
		assert.ok(!out.includes('The strongest factor is'));
	});

	it('shows overall factors without a direction in one neutral colour, each with its share of the influence', () => {
		const overall = [
			{ feature: 'purchase_count_90d', label: 'purchases in the last 90 days', importance: 0.5, share: 0.5 },
			{ feature: 'visit_count_30d', label: 'visits in the last 30 days', importance: 0.25, share: 0.25 },
		];
		const out = renderReport({ ...sample, factors: { ...sample.factors, overall } });
		const chart = /<svg id="chart-factors"[\s\S]*?<\/svg>/.exec(out)?.[0] ?? '';
		assert.equal(occurrences(chart, '<rect class="bar"'), 2);
		assert.equal(occurrences(chart, 'fill="#2f6fde"'), 2);
		assert.ok(chart.includes('>50.0%</text>') && chart.includes('>25.0%</text>'));
		assert.ok(!chart.includes('legend-entry'));
		assert.ok(!out.includes('Blue factors'));
		assert.ok(out.includes('The strongest factor is <strong>purchases in the last 90 days</strong>.</li>'));
	});

	it('warns about a poor model and shows the advice', () => {
		const poor = sampleReportInput({ strength: 0.1 });
		assert.equal(poor.quality.poor, true, 'the fixture grades a near-random model as poor');
		assert.ok(poor.quality.advice.length > 0);
		const out = renderReport(poor);
		assert.ok(out.includes('This model is not reliable yet'));
		assert.ok(out.includes(`<ul>${poor.quality.advice.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`));
		assert.ok(out.includes('<span class="badge bad">poor</span>'));
		assert.ok(out.includes('<li class="bad">The model is <strong>poor</strong>'));
	});

	it('still warns about a poor model when no advice was supplied', () => {
		const poor = sampleReportInput({ strength: 0.1 });
		const out = renderReport({ ...poor, quality: { ...poor.quality, advice: [] } });
		assert.ok(out.includes('This model is not reliable yet'));
		assert.ok(out.includes('only a little better than picking profiles at random.</p></div>'));
	});

	it('shows advice for a model that is not poor as something worth checking', () => {
		const out = renderReport({ ...sample, quality: { ...sample.quality, grade: 'excellent', advice: ['Check for leakage.'] } });
		assert.ok(out.includes('<div class="callout warn" role="note"><h3>Worth checking</h3><ul><li>Check for leakage.</li></ul></div>'));
		assert.ok(!page.includes('Worth checking'), 'a good model without advice shows no callout');
	});

	it('speaks of churn for a churn goal', () => {
		const out = renderReport({ ...sample, goal: { ...sample.goal, propensityType: 'churn' } });
		assert.ok(out.includes('Actual churn rate per bucket'));
		assert.ok(out.includes('<dt>Actually churned</dt>'));
		assert.ok(!out.includes('converted'));
	});

	it('shows a scored population without outcomes: distribution and buckets, but no lift or calibration', () => {
		const { probabilities } = fabricateValidation({ rows: 500 });
		const out = renderReport({ ...sample, scores: summariseScores({ probabilities }) });
		assert.ok(out.includes('<svg id="chart-distribution" ') && out.includes('<svg id="chart-buckets" '));
		assert.ok(out.includes('Share of profiles per bucket'));
		assert.ok(!out.includes('id="chart-lift"') && !out.includes('id="chart-calibration"') && !out.includes('href="#lift"'));
	});

	it('renders an empty population, missing metrics and missing sections without NaN or undefined', () => {
		const out = renderReport({
			...sample,
			metrics: { auc: NaN, logLoss: null, brier: Infinity, baseRate: null },
			scores: summariseScores({ probabilities: [], labels: [] }),
			factors: { overall: [], byBucket: [] },
			readiness: undefined,
			dataQuality: undefined,
			selection: undefined,
		});
		assert.ok(!/NaN|undefined|Infinity/.test(out));
		assert.ok(out.includes('>n/a<span class="badge'));
		assert.ok(out.includes('No data to show'));
		assert.ok(!out.includes('id="data"') && !out.includes('id="selection"'));
	});

	it('shows no n/a in the model-choice table: AUC and log loss for every fitted learner, a dash for one that was skipped', () => {
		const selection = page.slice(page.indexOf('id="selection"'));
		const table = selection.slice(0, selection.indexOf('</table>'));
		assert.equal(occurrences(table, 'n/a'), 0);
		assert.ok(!table.includes('<th class="num">Time</th>'));
		assert.equal(occurrences(table, '<td class="num">—</td>'), 2, 'the skipped forest has neither figure');
		assert.match(selection, /Fit times are printed by the training run/);
	});

	it('sets the calibrated AUC beside the raw one with why they differ, and says why the model-choice table reads otherwise', () => {
		const out = renderReport({
			...sample,
			metrics: { ...sample.metrics, auc: 0.763, rawAuc: 0.777 },
			selection: {
				...sample.selection!,
				candidates: [{ learner: 'gradient-boosted trees', auc: 0.807, logLoss: 0.3, chosen: true }],
				choiceRows: 1200,
				choiceSplit: true,
			},
		});
		const quality = out.slice(out.indexOf('id="quality"'), out.indexOf('id="distribution"'));
		assert.match(quality, /0\.763/);
		assert.match(quality, /raw scores on the same profiles reach 0\.777\. Calibration turns ranges of raw scores into one probability each/);
		const choice = out.slice(out.indexOf('id="selection"'));
		assert.match(choice, /compared on 1,200 validation profiles, a seeded half of them; the headline figures \(AUC 0\.763\) come from the other half/);
		assert.match(choice, /the chosen learner&#39;s AUC is 0\.807 here/);
		const same = renderReport({ ...sample, metrics: { ...sample.metrics, rawAuc: sample.metrics.auc } });
		assert.ok(!same.includes('raw scores on the same profiles reach'), 'no sentence when they read the same');
	});

	it('states the size of the explained sample where the per-bucket factors come from one', () => {
		const out = renderReport({ ...sample, factors: { ...sample.factors, explained: { profiles: 2000, of: 48213 } } });
		assert.match(out, /worked out from 2,000 profiles, an evenly spread sample of the 48,213 validation profiles/);
		assert.match(out, /High bucket \(scores 75–100\): [\d,]+ of the 2,000 sampled profiles/);
		const whole = renderReport({ ...sample, factors: { ...sample.factors, explained: { profiles: 900, of: 900 } } });
		assert.ok(!whole.includes('sampled profiles') && !whole.includes('evenly spread sample'));
	});

	it('renders a population that falls in a single bucket', () => {
		const probabilities = new Float64Array(200).fill(0.9);
		const labels = Uint8Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 0 : 1));
		const out = renderReport({ ...sample, scores: summariseScores({ probabilities, labels }) });
		assert.ok(!/NaN|undefined|Infinity/.test(out));
		const buckets = /<svg id="chart-buckets"[\s\S]*?<\/svg>/.exec(out)?.[0] ?? '';
		assert.equal(occurrences(buckets, '<rect class="bar"'), 1, 'only the high bucket has a bar');
		assert.equal(occurrences(buckets, '>n/a</text>'), 2, 'the empty buckets say n/a');
	});
});
