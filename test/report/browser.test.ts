/**
 * The report opened in a real browser: Debian's Chromium, headless, through playwright-core.
 * Playwright gives every launch a fresh temporary profile (user-data dir) and removes it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderReport, type ReportInput } from '../../core/report';
import { sampleReportInput } from './fixture';

/*
 * The page functions below run inside the browser. The project compiles without the DOM
 * library, so this module declares the few browser globals they touch.
 */
interface PageElement {
	readonly id: string;
	readonly textContent: string | null;
	readonly firstChild: { readonly textContent: string | null } | null;
	readonly nextElementSibling: PageElement | null;
	readonly points?: { readonly numberOfItems: number };
	getBoundingClientRect(): {
		readonly width: number;
		readonly height: number;
		readonly left: number;
		readonly right: number;
		readonly top: number;
		readonly bottom: number;
	};
	getAttribute(name: string): string | null;
	querySelector(selector: string): PageElement | null;
	querySelectorAll(selector: string): Iterable<PageElement> & { readonly length: number };
}
declare const document: {
	readonly title: string;
	readonly scripts: { readonly length: number };
	readonly images: { readonly length: number };
	getElementById(id: string): PageElement | null;
	querySelector(selector: string): PageElement | null;
	querySelectorAll(selector: string): Iterable<PageElement>;
};
declare function getComputedStyle(element: PageElement): { readonly display: string; getPropertyValue(name: string): string };

const executablePath = '/usr/bin/chromium';
const args = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--no-first-run',
	'--disable-sync',
];
const outputDir = path.resolve('test-output', 'report');

/** What each chart must show: its marks and how many. */
const expectedCharts: { id: string; bars?: number; points?: number }[] = [
	{ id: 'chart-distribution', bars: 20 },
	{ id: 'chart-buckets', bars: 3 },
	{ id: 'chart-lift', bars: 10 },
	{ id: 'chart-gains', points: 11 },
	{ id: 'chart-calibration', points: 10 },
	{ id: 'chart-factors', bars: 8 },
	{ id: 'chart-factors-high', bars: 4 },
	{ id: 'chart-factors-medium', bars: 3 },
	{ id: 'chart-factors-low', bars: 3 },
];

interface ChartSeen {
	readonly id: string;
	readonly width: number;
	readonly height: number;
	readonly bars: number;
	readonly visibleBars: number;
	readonly linePoints: number;
	readonly markers: number;
	readonly role: string | null;
	readonly label: string | null;
}

function writePage(name: string, input: ReportInput): string {
	fs.mkdirSync(outputDir, { recursive: true });
	const file = path.join(outputDir, name);
	fs.writeFileSync(file, renderReport(input));
	return pathToFileURL(file).href;
}

/** Opens a page and records console errors, uncaught errors, dialogs and every request. */
async function open(browser: Browser, url: string): Promise<{ page: Page; errors: string[]; dialogs: string[]; requests: string[] }> {
	const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
	const errors: string[] = [];
	const dialogs: string[] = [];
	const requests: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error') errors.push(message.text());
	});
	page.on('pageerror', (error) => errors.push(error.message));
	page.on('dialog', (dialog) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	page.on('request', (request) => requests.push(request.url()));
	await page.goto(url, { waitUntil: 'load' });
	return { page, errors, dialogs, requests };
}

function measureCharts(page: Page, ids: readonly string[]): Promise<(ChartSeen | null)[]> {
	return page.evaluate((chartIds) => {
		return chartIds.map((id) => {
			const svg = document.getElementById(id);
			if (!svg) return null;
			const box = svg.getBoundingClientRect();
			const bars = [...svg.querySelectorAll('rect.bar')];
			const line = svg.querySelector('g.line:not(.baseline) polyline.series');
			return {
				id,
				width: box.width,
				height: box.height,
				bars: bars.length,
				visibleBars: bars.filter((bar) => bar.getBoundingClientRect().height > 0 && bar.getBoundingClientRect().width > 0).length,
				linePoints: line?.points?.numberOfItems ?? 0,
				markers: svg.querySelectorAll('circle.point').length,
				role: svg.getAttribute('role'),
				label: svg.getAttribute('aria-label'),
			};
		});
	}, ids);
}

describe('report: in headless Chromium', function () {
	this.timeout(120_000);
	let browser: Browser;

	before(async function () {
		assert.ok(fs.existsSync(executablePath), `Chromium is needed at ${executablePath}: install Debian's chromium package (apt-get install -y chromium).`);
		browser = await chromium.launch({ executablePath, args });
	});

	after(async () => {
		await browser?.close();
	});

	it('draws every chart with its marks, logs no error, fetches nothing else and saves a screenshot', async () => {
		const url = writePage('report.html', sampleReportInput());
		const { page, errors, requests } = await open(browser, url);
		const seen = await measureCharts(
			page,
			expectedCharts.map((chart) => chart.id),
		);
		for (const [index, expected] of expectedCharts.entries()) {
			const chart = seen[index];
			assert.ok(chart, `${expected.id} is on the page`);
			assert.ok(chart.width > 200 && chart.height > 100, `${expected.id} has a size (${chart.width}×${chart.height})`);
			assert.equal(chart.role, 'img');
			assert.ok(chart.label && chart.label.length > 3, `${expected.id} has an accessible name`);
			if (expected.bars !== undefined) {
				assert.equal(chart.bars, expected.bars, `${expected.id} bars`);
				assert.ok(chart.visibleBars >= Math.min(3, expected.bars), `${expected.id} shows its bars (${chart.visibleBars} visible)`);
			}
			if (expected.points !== undefined) {
				assert.equal(chart.linePoints, expected.points, `${expected.id} line points`);
				assert.equal(chart.markers, expected.points, `${expected.id} point markers`);
			}
		}
		const screenshot = path.join(outputDir, 'report.png');
		await page.screenshot({ path: screenshot, fullPage: true });
		assert.ok(fs.statSync(screenshot).size > 50_000, 'the screenshot holds a rendered page');
		assert.deepEqual(errors, []);
		assert.deepEqual(requests, [url], 'the page loads nothing but itself');
		await page.close();
	});

	it('shows hostile names as literal text and runs nothing from them', async () => {
		const sample = sampleReportInput({ rows: 1500 });
		const url = writePage('report-hostile.html', {
			...sample,
			model: { ...sample.model, name: `Spring "VIP" O'Brien's model` },
			goal: { ...sample.goal, name: '<script>alert(1)</script>', inWords: '<img src=x onerror="alert(2)"> & friends' },
			factors: {
				...sample.factors,
				overall: [{ feature: 'odd', label: `"&<>'`, importance: 1, direction: 'raises' }, ...sample.factors.overall],
			},
		});
		const { page, errors, dialogs, requests } = await open(browser, url);
		const text = await page.evaluate(() => ({
			title: document.title,
			heading: document.querySelector('h1')?.firstChild?.textContent ?? '',
			goal: [...document.querySelectorAll('.facts dt')].find((dt) => dt.textContent === 'Goal')?.nextElementSibling?.textContent ?? '',
			words: document.querySelector('.goal-words')?.textContent ?? '',
			factor: document.querySelector('#chart-factors g.row text')?.textContent ?? '',
			scripts: document.scripts.length,
			images: document.images.length,
		}));
		assert.equal(text.title, `Insights: Spring "VIP" O'Brien's model`);
		assert.equal(text.heading, `Spring "VIP" O'Brien's model`);
		assert.equal(text.goal, '<script>alert(1)</script>');
		assert.equal(text.words, '<img src=x onerror="alert(2)"> & friends');
		assert.equal(text.factor, `"&<>'`);
		assert.equal(text.scripts, 0);
		assert.equal(text.images, 0);
		assert.deepEqual(dialogs, []);
		assert.deepEqual(errors, []);
		assert.deepEqual(requests, [url]);
		await page.close();
	});

	it('carries a Content-Security-Policy that allows only its inline styles, and still renders in full under it', async () => {
		const html = renderReport(sampleReportInput());
		assert.match(
			html,
			/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; base-uri &#39;none&#39;; form-action &#39;none&#39;">/,
		);
		const url = writePage('report-csp.html', sampleReportInput());
		const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
		const violations: string[] = [];
		page.on('console', (message) => {
			if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
		});
		await page.goto(url, { waitUntil: 'load' });
		const seen = await page.evaluate(() => {
			const meta = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
			const bucket = document.querySelector('.bucket');
			const bar = document.querySelector('#chart-lift rect.bar');
			return {
				policy: meta?.getAttribute('content') ?? null,
				// The stylesheet applies (a grid of facts, not a plain list) and so do the inline style attributes.
				factsDisplay: getComputedStyle(document.querySelector('.facts') as PageElement).display,
				bucketTone: bucket ? getComputedStyle(bucket).getPropertyValue('--tone').trim() : '',
				barWidth: bar?.getBoundingClientRect().width ?? 0,
			};
		});
		assert.equal(seen.policy, "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
		assert.notEqual(seen.factsDisplay, 'block', "the report's stylesheet applies");
		assert.ok(seen.bucketTone.length > 0, 'inline style attributes apply');
		assert.ok(seen.barWidth > 0, 'the charts are drawn');
		// A script smuggled into the page is refused by the policy, and the refusal is reported.
		await page.evaluate(() => {
			const holder = document.querySelector('main') as unknown as { insertAdjacentHTML(where: string, html: string): void };
			holder.insertAdjacentHTML('beforeend', '<img src="https://example.invalid/x.png">');
		});
		await page.waitForTimeout(200);
		assert.ok(
			violations.some((text) => /img-src|default-src/.test(text)),
			`a smuggled image is refused: ${violations.join(' | ')}`,
		);
		await page.close();
	});

	it('keeps every label, value and legend of every chart inside its chart, even with long labels and many legend entries', async () => {
		const sample = sampleReportInput();
		const long = 'purchases of garden furniture and outdoor living accessories in the last 365 days';
		const url = writePage('report-long-labels.html', {
			...sample,
			factors: {
				...sample.factors,
				overall: [{ feature: 'long', label: long, importance: 0.7, share: 0.2, direction: 'mixed' }, ...sample.factors.overall],
				byBucket: sample.factors.byBucket.map((entry) => ({
					...entry,
					factors: [{ feature: 'long', label: long, direction: 'mixed', shareInBucket: 0.5, shareElsewhere: 0.2 }, ...entry.factors],
				})),
				explained: { profiles: 2000, of: 48213 },
			},
		});
		const { page } = await open(browser, url);
		const clipped = await page.evaluate(() => {
			const problems: string[] = [];
			for (const svg of document.querySelectorAll('svg.chart')) {
				const frame = svg.getBoundingClientRect();
				for (const text of svg.querySelectorAll('text')) {
					const box = text.getBoundingClientRect();
					if (box.width === 0) continue;
					if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5 || box.top < frame.top - 0.5 || box.bottom > frame.bottom + 0.5) {
						problems.push(`${svg.id}: "${text.textContent}" runs past the chart`);
					}
				}
				// A bar list's labels end before their bars begin; legend entries do not overlap.
				for (const row of svg.querySelectorAll('g.row')) {
					const label = row.querySelector('text')?.getBoundingClientRect();
					const track = row.querySelector('rect')?.getBoundingClientRect();
					if (label && track && label.right > track.left + 0.5)
						problems.push(`${svg.id}: "${row.querySelector('text')?.textContent}" overlaps its bar`);
				}
				const entries = [...svg.querySelectorAll('g.legend-entry')].map((entry) => entry.getBoundingClientRect());
				for (let i = 0; i < entries.length; i++)
					for (let j = i + 1; j < entries.length; j++) {
						const a = entries[i];
						const b = entries[j];
						if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
							problems.push(`${svg.id}: legend entries ${i} and ${j} overlap`);
					}
			}
			return problems;
		});
		assert.deepEqual(clipped, []);
		const longLabel = await page.evaluate(() => [...document.querySelectorAll('#chart-factors g.row text')].map((text) => text.textContent));
		assert.ok(
			longLabel.some(
				(text) => text === 'purchases of garden furniture and outdoor living accessories in the last 365 days' || (text ?? '').endsWith('…'),
			),
		);
		await page.screenshot({ path: path.join(outputDir, 'report-long-labels.png'), fullPage: true });
		await page.close();
	});

	it('prints without the navigation, with every chart still drawn', async () => {
		const url = writePage('report.html', sampleReportInput());
		const { page } = await open(browser, url);
		await page.emulateMedia({ media: 'print' });
		const navDisplay = await page.evaluate(() => getComputedStyle(document.querySelector('nav.toc') as PageElement).display);
		assert.equal(navDisplay, 'none');
		const seen = await measureCharts(
			page,
			expectedCharts.map((chart) => chart.id),
		);
		assert.ok(seen.every((chart) => chart !== null && chart.width > 0 && chart.height > 0));
		const pdf = await page.pdf({ path: path.join(outputDir, 'report.pdf'), format: 'A4', printBackground: true });
		assert.ok(pdf.length > 20_000);
		await page.close();
	});
});
