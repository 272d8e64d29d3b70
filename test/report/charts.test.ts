import assert from 'node:assert/strict';
import { barList, columnChart, histogramChart, lineChart, niceTicks, textWidth } from '../../core/report/charts';
import { formatCount, formatPercent } from '../../core/report/format';

function count(text: string, pattern: RegExp): number {
	return text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

/** The SVG heights of the bars (`<rect class="bar" ... height="h">`). */
function barHeights(svg: string): number[] {
	return [...svg.matchAll(/<rect class="bar"[^>]*height="([^"]+)"/g)].map((match) => Number(match[1]));
}

const bins = Array.from({ length: 20 }, (_, i) => ({ from: i * 5, to: i * 5 + 5, count: 100 - i * 4, tooltip: `bin ${i}` }));

describe('report: charts', () => {
	it('a histogram is one accessible svg with its id, title, a bar per bin and a tooltip per bar', () => {
		const svg = histogramChart({
			id: 'chart-x',
			title: 'Scores',
			bins,
			xTitle: 'Score',
			yTitle: 'Profiles',
			formatY: formatCount,
			xTicks: [0, 50, 100],
		}).value;
		assert.match(svg, /^<svg id="chart-x" class="chart" role="img" aria-label="Scores" /);
		assert.match(svg, /<title>Scores<\/title>/);
		assert.equal(count(svg, /<rect class="bar"/), 20);
		assert.equal(count(svg, /<title>bin \d+<\/title>/), 20);
		assert.ok(svg.includes('>Score</text>') && svg.includes('>Profiles</text>'), 'both axis titles are drawn');
		assert.ok(
			barHeights(svg).every((height, i, all) => i === 0 || height <= all[i - 1]),
			'bar heights follow the counts',
		);
	});

	it('a histogram draws its markers only inside the axis', () => {
		const svg = histogramChart({
			id: 'h',
			title: 't',
			bins,
			xTitle: 'x',
			yTitle: 'y',
			formatY: formatCount,
			markers: [
				{ at: 25, label: 'medium from 25' },
				{ at: 140, label: 'outside' },
			],
		}).value;
		assert.equal(count(svg, /class="marker"/), 1);
		assert.ok(svg.includes('medium from 25') && !svg.includes('outside'));
	});

	it('a histogram of all-zero counts draws flat bars on a whole-number axis', () => {
		const zero = bins.map((bin) => ({ ...bin, count: 0 }));
		const svg = histogramChart({ id: 'h', title: 't', bins: zero, xTitle: 'x', yTitle: 'y', formatY: (v) => String(v) }).value;
		assert.deepEqual(new Set(barHeights(svg)), new Set([0]));
		assert.ok(!/>0\.\d<\/text>/.test(svg), 'no fractional count ticks');
		assert.ok(svg.includes('>1</text>'));
	});

	it('a histogram with NaN counts or no bins still draws, and never prints NaN', () => {
		const withNaN = bins.map((bin, i) => ({ ...bin, count: i === 3 ? NaN : bin.count }));
		const svg = histogramChart({ id: 'h', title: 't', bins: withNaN, xTitle: 'x', yTitle: 'y', formatY: formatCount }).value;
		assert.equal(count(svg, /<rect class="bar"/), 20);
		assert.ok(!svg.includes('NaN'));
		const empty = histogramChart({ id: 'h', title: 't', bins: [], xTitle: 'x', yTitle: 'y', formatY: formatCount }).value;
		assert.match(empty, /No data to show/);
		assert.match(empty, /role="img"/);
	});

	it('a column chart draws a bar per category with its value, and the reference line with its label', () => {
		const svg = columnChart({
			id: 'c',
			title: 'Rate per bucket',
			columns: [
				{ label: 'Low', value: 0.05, tooltip: 'low' },
				{ label: 'Medium', value: 0.2, tooltip: 'medium' },
				{ label: 'High', value: 0.6, tooltip: 'high' },
			],
			xTitle: 'Bucket',
			yTitle: 'Rate',
			formatY: formatPercent,
			reference: { value: 0.1, label: 'average 10.0%' },
		}).value;
		assert.equal(count(svg, /<rect class="bar"/), 3);
		assert.ok(svg.includes('>60.0%</text>'));
		assert.equal(count(svg, /class="reference"/), 1);
		assert.ok(svg.includes('average 10.0%'));
	});

	it('a column chart with a single column, or a missing value, still draws and says n/a', () => {
		const single = columnChart({
			id: 'c',
			title: 't',
			columns: [{ label: 'High', value: 0.3, tooltip: 'x' }],
			xTitle: 'x',
			yTitle: 'y',
			formatY: formatPercent,
		}).value;
		assert.equal(count(single, /<rect class="bar"/), 1);
		const missing = columnChart({
			id: 'c',
			title: 't',
			columns: [
				{ label: 'A', value: null, tooltip: 'x' },
				{ label: 'B', value: NaN, tooltip: 'y' },
			],
			xTitle: 'x',
			yTitle: 'y',
			formatY: formatPercent,
		}).value;
		assert.equal(count(missing, /<rect class="bar"/), 0);
		assert.equal(count(missing, />n\/a<\/text>/), 2);
		assert.ok(!missing.includes('NaN'));
		const none = columnChart({ id: 'c', title: 't', columns: [], xTitle: 'x', yTitle: 'y', formatY: formatPercent }).value;
		assert.match(none, /No data to show/);
	});

	it('a line chart draws one polyline per series, point markers only on the non-baseline ones, and a legend', () => {
		const svg = lineChart({
			id: 'l',
			title: 'Gains',
			series: [
				{
					name: 'random',
					tone: 'muted',
					baseline: true,
					points: [
						{ x: 0, y: 0 },
						{ x: 1, y: 1 },
					],
				},
				{ name: 'model', tone: 'primary', points: [0, 0.1, 0.5, 1].map((x) => ({ x, y: Math.sqrt(x) })) },
			],
			xTitle: 'x',
			yTitle: 'y',
			xDomain: [0, 1],
			yDomain: [0, 1],
			xTicks: [0, 0.5, 1],
			yTicks: [0, 0.5, 1],
			formatX: formatPercent,
			formatY: formatPercent,
		}).value;
		assert.equal(count(svg, /<polyline class="series"/), 2);
		assert.equal(count(svg, /<circle class="point"/), 4);
		assert.match(svg, /stroke-dasharray="6 4"/);
		assert.equal(count(svg, /class="legend-entry"/), 2);
	});

	it('a line chart leaves out NaN points, clamps points outside its domain, and says when nothing is left', () => {
		const spec = {
			id: 'l',
			title: 't',
			xTitle: 'x',
			yTitle: 'y',
			xDomain: [0, 1] as const,
			yDomain: [0, 1] as const,
			xTicks: [0, 1],
			yTicks: [0, 1],
			formatX: String,
			formatY: String,
		};
		const svg = lineChart({
			...spec,
			series: [
				{
					name: 'm',
					tone: 'primary',
					points: [
						{ x: 0.5, y: NaN },
						{ x: 0.2, y: 0.3 },
						{ x: 2, y: -1 },
					],
				},
			],
		}).value;
		assert.equal(count(svg, /<circle class="point"/), 2);
		assert.ok(!svg.includes('NaN'));
		const [, , , cx, cy] = /<circle class="point" cx="([^"]+)" cy="([^"]+)"[\s\S]*<circle class="point" cx="([^"]+)" cy="([^"]+)"/.exec(svg) ?? [];
		assert.equal(Number(cx), 640 - 24, 'x beyond the domain sits on the right edge');
		assert.equal(Number(cy), 320 - 56, 'y below the domain sits on the axis');
		const empty = lineChart({ ...spec, series: [{ name: 'm', tone: 'primary', points: [{ x: NaN, y: 1 }] }] }).value;
		assert.match(empty, /No data to show/);
		assert.equal(count(empty, /<polyline/), 0);
	});

	it('a bar list draws a row per item, truncates long labels with the full text in the tooltip, and draws compare ticks', () => {
		const long = 'email opens in the last 30 days against the 60 days before them';
		const svg = barList({
			id: 'b',
			title: 'Factors',
			bars: [
				{ label: long, value: 100, valueText: '100', tooltip: long, marker: 40 },
				{ label: 'purchases', value: 50, valueText: '50', tooltip: 'purchases', tone: 'lowers' },
			],
			max: 100,
		}).value;
		assert.equal(count(svg, /<rect class="bar"/), 2);
		assert.equal(count(svg, /class="compare"/), 1);
		assert.match(svg, /email opens in the last 30 days[^<]*…<\/text>/);
		assert.ok(svg.includes(`<title>${long}</title>`));
		assert.ok(svg.includes('#e0793a'), 'a factor that lowers the chance is orange');
	});

	it('a bar list with no items shows its empty text, and zero values draw no visible bar', () => {
		const empty = barList({ id: 'b', title: 't', bars: [], emptyText: 'No factors.' }).value;
		assert.match(empty, /No factors\./);
		const zero = barList({ id: 'b', title: 't', bars: [{ label: 'a', value: 0, valueText: '0', tooltip: 'a' }] }).value;
		assert.deepEqual(
			[...zero.matchAll(/<rect class="bar"[^>]*width="([^"]+)"/g)].map((match) => match[1]),
			['0.0'],
		);
	});

	it('escapes titles, labels and tooltips inside the svg', () => {
		const svg = barList({ id: 'b', title: '<script>x</script>', bars: [{ label: `"&<>'`, value: 1, valueText: '1', tooltip: '<img>' }] }).value;
		assert.ok(!svg.includes('<script') && !svg.includes('<img'));
		assert.ok(svg.includes('aria-label="&lt;script&gt;x&lt;/script&gt;"'));
		assert.ok(svg.includes('&quot;&amp;&lt;&gt;&#39;'));
	});

	it('picks round axis ticks from zero to just above the largest value', () => {
		assert.deepEqual(niceTicks(2300), [0, 500, 1000, 1500, 2000, 2500]);
		assert.deepEqual(niceTicks(0.12), [0, 0.05, 0.1, 0.15]);
		assert.deepEqual(niceTicks(1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
		assert.deepEqual(niceTicks(0), [0, 0.2, 0.4, 0.6, 0.8, 1]);
		assert.deepEqual(niceTicks(NaN), [0, 0.2, 0.4, 0.6, 0.8, 1]);
		assert.deepEqual(niceTicks(3, 5, 1), [0, 1, 2, 3]);
		assert.deepEqual(niceTicks(0, 5, 1), [0, 1]);
	});
});

describe('report charts: room for their texts', () => {
	const viewBoxWidth = (svg: string): number => Number(/viewBox="0 0 ([\d.]+) /.exec(svg)?.[1]);

	it('measures text wider for longer text, capitals and bold, and at a larger size', () => {
		assert.ok(textWidth('purchases in the last 30 days', 12) > textWidth('purchases', 12));
		assert.ok(textWidth('WWW', 12) > textWidth('iii', 12) * 2);
		assert.ok(textWidth('62%', 12, true) > textWidth('62%', 12));
		assert.equal(textWidth('abc', 24), 2 * textWidth('abc', 12));
	});

	it('widens a bar list for a long label instead of cutting it, and for a long title', () => {
		const label = 'purchases of garden furniture in the last 90 days';
		const svg = barList({ id: 'c', title: 'Short', width: 400, bars: [{ label, value: 1, valueText: '100', tooltip: 't' }] });
		assert.ok(svg.value.includes(`>${label}</text>`), 'the label is whole');
		// label column + the smallest bar area + the value column all fit.
		assert.ok(viewBoxWidth(svg.value) >= textWidth(label, 12) + 160 + 40, `width ${viewBoxWidth(svg.value)}`);
		const title = 'A title far longer than the chart is wide, as a bucket title with its sample size can be';
		const titled = barList({ id: 'd', title, width: 400, bars: [{ label: 'a', value: 1, valueText: '1', tooltip: 't' }] });
		assert.ok(viewBoxWidth(titled.value) >= textWidth(title, 14, true) + 24);
	});

	it('cuts only a label longer than the widest label column, with an ellipsis', () => {
		const label = 'x'.repeat(120);
		const svg = barList({ id: 'c', title: 'T', bars: [{ label, value: 1, valueText: '1', tooltip: 't' }] });
		const shown = /text-anchor="end" font-size="12" fill="#33404d">([^<]+)<\/text>/.exec(svg.value)?.[1] ?? '';
		assert.ok(shown.endsWith('…') && shown.length < label.length);
		assert.ok(textWidth(shown, 12) <= 330);
	});

	it('wraps a legend that is wider than its chart onto more rows, and makes room for them', () => {
		const legend = Array.from({ length: 5 }, (_, i) => ({ tone: 'raises' as const, label: `a fairly long legend entry number ${i}` }));
		const one = barList({ id: 'c', title: 'T', width: 520, bars: [{ label: 'a', value: 1, valueText: '1', tooltip: 't' }], legend: legend.slice(0, 1) });
		const many = barList({ id: 'c', title: 'T', width: 520, bars: [{ label: 'a', value: 1, valueText: '1', tooltip: 't' }], legend });
		const xs = [...many.value.matchAll(/<g class="legend-entry"><rect x="([\d.]+)"/g)].map((match) => Number(match[1]));
		assert.equal(xs.length, 5);
		assert.ok(xs.filter((x) => x === 12).length >= 2, 'a second row starts at the left edge');
		const height = (svg: string): number => Number(/viewBox="0 0 [\d.]+ ([\d.]+)"/.exec(svg)?.[1]);
		assert.ok(height(many.value) > height(one.value));
	});

	it('puts a bucket marker label left of its line when it would run past the right edge', () => {
		const svg = histogramChart({
			id: 'h',
			title: 'T',
			bins: [
				{ from: 0, to: 50, count: 1, tooltip: 'a' },
				{ from: 50, to: 100, count: 1, tooltip: 'b' },
			],
			xTitle: 'x',
			yTitle: 'y',
			formatY: String,
			markers: [{ at: 97, label: 'very high from 97 onwards' }],
		});
		assert.match(svg.value, /text-anchor="end" font-size="11" fill="#5b6673"[^>]*>very high from 97 onwards/);
	});
});
