import assert from 'node:assert/strict';
import { escapeHtml, html, join, SafeHtml } from '../../core/report/html';
import { fixed, formatCount, formatDate, formatDays, formatMetric, formatPercent, formatSeconds, formatTimes } from '../../core/report/format';

describe('report: escaping', () => {
	it('escapes the five characters that can start markup or end an attribute', () => {
		assert.equal(escapeHtml(`"&<>'`), '&quot;&amp;&lt;&gt;&#39;');
		assert.equal(escapeHtml('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
	});

	it('escapes an ampersand once, so an entity typed by a user shows as typed', () => {
		assert.equal(escapeHtml('&amp;'), '&amp;amp;');
	});

	it('the html tag escapes interpolated strings and numbers but not markup it built', () => {
		const name = '<b>"VIP"</b>';
		const inner = html`<em>${name}</em>`;
		assert.equal(
			html`<p title="${name}">${inner}</p>`.value,
			'<p title="&lt;b&gt;&quot;VIP&quot;&lt;/b&gt;"><em>&lt;b&gt;&quot;VIP&quot;&lt;/b&gt;</em></p>',
		);
		assert.equal(html`<td>${3}</td>`.value, '<td>3</td>');
	});

	it('the html tag joins arrays, escaping each plain string, and drops null, undefined and false', () => {
		assert.equal(html`${['<a>', html`<b></b>`, null, undefined, false]}`.value, '&lt;a&gt;<b></b>');
		assert.equal(join(['x<', new SafeHtml('<hr>')], ' ').value, 'x&lt; <hr>');
	});
});

describe('report: number and date formats', () => {
	it('writes counts with thousands separators whatever the machine locale', () => {
		assert.equal(formatCount(1234567), '1,234,567');
		assert.equal(formatCount(999), '999');
		assert.equal(formatCount(-12000), '-12,000');
		assert.equal(formatCount(2.6), '3');
	});

	it('writes metrics with three decimals and percentages with one', () => {
		assert.equal(formatMetric(0.81234), '0.812');
		assert.equal(formatPercent(0.12783), '12.8%');
		assert.equal(formatPercent(1), '100.0%');
		assert.equal(formatPercent(0), '0.0%');
		assert.equal(formatPercent(0.0002), '<0.1%');
		assert.equal(formatTimes(3.75), '3.8×');
	});

	it('shows NaN, Infinity, null and undefined as n/a rather than as broken numbers', () => {
		for (const value of [NaN, Infinity, -Infinity, null, undefined]) {
			assert.equal(formatCount(value), 'n/a');
			assert.equal(formatMetric(value), 'n/a');
			assert.equal(formatPercent(value), 'n/a');
			assert.equal(formatTimes(value), 'n/a');
			assert.equal(formatSeconds(value), 'n/a');
			assert.equal(formatDays(value), 'n/a');
		}
	});

	it('never writes minus zero', () => {
		assert.equal(fixed(-0.00001, 1), '0.0');
		assert.equal(formatPercent(-0.0000001), '>-0.1%');
	});

	it('writes durations and day counts in words', () => {
		assert.equal(formatSeconds(0.42), '0.4 s');
		assert.equal(formatSeconds(14.2), '14 s');
		assert.equal(formatSeconds(210), '3.5 min');
		assert.equal(formatDays(1), '1 day');
		assert.equal(formatDays(395), '395 days');
	});

	it('writes dates as UTC days, with the time only when it is not midnight, and leaves non-dates as given', () => {
		assert.equal(formatDate('2024-12-01T00:00:00.000Z'), '2024-12-01');
		assert.equal(formatDate('2024-12-01T23:30:00+02:00'), '2024-12-01 21:30 UTC');
		assert.equal(formatDate('last Tuesday'), 'last Tuesday');
	});
});
