/**
 * The monitoring report: "How the model did" (expected against realised per bucket over the
 * remembered runs, as a chart and a table) and drift over time, under the verdict. One
 * self-contained HTML page like the insights report: inline CSS and SVG, every string escaped
 * by the `html` tag.
 */
import type { MonitorResult } from '../monitor/monitor';
import type { Bucket } from '../score/types';
import { lineChart, niceTicks, type LineSeries, type Tone } from './charts';
import { formatCount, formatDate, formatMetric, formatPercent } from './format';
import { html, SafeHtml } from './html';
import { reportCss } from './styles';
import { packageVersion } from '../version';
import { DAY_MS } from '../features/walk';

const badge: Record<MonitorResult['verdict']['status'], string> = { healthy: 'great', watch: 'ok', retrain: 'bad' };

/** Renders the page; the same result gives the same bytes. */
export function renderMonitorReport(result: MonitorResult): string {
	const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Propensity ${packageVersion}">
<title>How the model did: ${result.model.name}</title>
<style>${new SafeHtml(reportCss)}</style>
</head>
<body>
<main class="report">
<header class="masthead"><div class="eyebrow">Propensity monitoring report</div><h1>${result.model.name}<span class="version">version ${result.model.version}</span></h1>
<dl class="facts">${facts(result).map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl></header>
<section class="card" id="verdict"><h2>Verdict <span class="badge ${badge[result.verdict.status]}">${result.verdict.status}</span></h2><ul>${result.verdict.reasons.map((reason) => html`<li>${reason}</li>`)}</ul></section>
${howItDid(result)}
${driftOverTime(result)}
<footer>Made by Propensity ${packageVersion} · events from ${result.events.from ? formatDate(result.events.from) : 'n/a'} to ${result.events.to ? formatDate(result.events.to) : 'n/a'}</footer>
</main>
</body>
</html>
`;
	return page.value;
}

function facts(result: MonitorResult): [string, string][] {
	return [
		['Outcome window', `${result.model.windowDays} days`],
		['AUC at training', formatMetric(result.training.auc)],
		['Runs remembered', formatCount(result.counts.runs)],
		['Backtested', formatCount(result.counts.backtested)],
		['Window still open', formatCount(result.counts.pending)],
	];
}

const bucketTone: Record<Bucket, Tone> = { high: 'high', medium: 'medium', low: 'low' };

/** Expected (mean predicted) against realised rate per bucket, one point per backtested run. */
function howItDid(result: MonitorResult): SafeHtml {
	const done = result.runs.filter((r) => r.backtest.status === 'done' && !r.backtest.goalChanged);
	const series: LineSeries[] = [];
	for (const bucket of ['high', 'medium', 'low'] as const) {
		const points = (kind: 'meanPredicted' | 'realisedRate') =>
			done.flatMap((r) => {
				const b = r.backtest.buckets?.find((x) => x.bucket === bucket);
				const value = b?.[kind];
				return value === null || value === undefined
					? []
					: [
							{
								x: Date.parse(r.backtest.run.scoreDate),
								y: value,
								tooltip: `${bucket}, ${r.backtest.run.scoreDate.slice(0, 10)}: ${kind === 'meanPredicted' ? 'expected' : 'realised'} ${formatPercent(value)} of ${formatCount(b?.profiles)}`,
							},
						];
			});
		series.push({ name: `${bucket}: realised`, tone: bucketTone[bucket], points: points('realisedRate') });
		series.push({ name: `${bucket}: expected`, tone: bucketTone[bucket], baseline: true, points: points('meanPredicted') });
	}
	const rows = result.runs.map((r) => {
		const b = r.backtest;
		const cell = (bucket: Bucket) => {
			const found = b.buckets?.find((x) => x.bucket === bucket);
			return found && found.profiles > 0
				? `${formatPercent(found.meanPredicted)} → ${formatPercent(found.realisedRate)} (${formatCount(found.profiles)})`
				: '–';
		};
		const status = b.goalChanged ? 'other goal' : b.status === 'pending' ? `closes ${b.windowClosesAt.slice(0, 10)}` : formatMetric(b.metrics?.auc);
		return html`<tr><td>${b.run.scoreDate.slice(0, 10)}</td><td class="num">${formatCount(b.profiles.scored)}</td><td>${status}</td><td>${cell('high')}</td><td>${cell('medium')}</td><td>${cell('low')}</td><td class="num">${formatCount(b.profiles.vanished + b.profiles.noLongerEligible)}</td></tr>`;
	});
	const chart = done.length
		? timeChart(
				'chart-how-it-did',
				'Expected against realised, per bucket',
				'Share with the outcome',
				series,
				done.map((r) => Date.parse(r.backtest.run.scoreDate)),
				formatPercent,
				1,
			)
		: html`<p class="muted">No run's outcome window has closed yet: the chart appears after the first one.</p>`;
	return html`<section class="card" id="how-it-did"><h2>How the model did</h2><p class="lede">For each scoring run whose outcome window has closed: what each bucket was expected to do (dashed) and what it did (solid).</p>${chart}
<table><caption>Runs: expected → realised per bucket (profiles)</caption><thead><tr><th>Score date</th><th class="num">Scored</th><th>Realised AUC</th><th>High</th><th>Medium</th><th>Low</th><th class="num">Not judged</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** PSI of the score distribution and of the most-moved feature, per run. */
function driftOverTime(result: MonitorResult): SafeHtml {
	const runs = result.runs.filter((r) => r.drift.hasReference);
	if (runs.length === 0)
		return html`<section class="card" id="drift"><h2>Drift over time</h2><p class="lede">The model holds no training reference (it was trained by an older version): train it again to follow drift.</p></section>`;
	const at = (r: (typeof runs)[number]) => Date.parse(r.backtest.run.scoreDate);
	const series: LineSeries[] = [
		{ name: 'scores', tone: 'primary', points: runs.flatMap((r) => (r.drift.scorePsi === null ? [] : [{ x: at(r), y: r.drift.scorePsi }])) },
		{
			name: 'most-moved feature',
			tone: 'mixed',
			points: runs.flatMap((r) =>
				r.drift.maxFeaturePsi?.psi == null
					? []
					: [{ x: at(r), y: r.drift.maxFeaturePsi.psi, tooltip: `${r.drift.maxFeaturePsi.label}: PSI ${r.drift.maxFeaturePsi.psi.toFixed(2)}` }],
			),
		},
	];
	const latest = runs[runs.length - 1].drift;
	const rows = latest.features.map((f) => html`<tr><td>${f.label}</td><td class="num">${f.psi === null ? 'n/a' : f.psi.toFixed(3)}</td></tr>`);
	const fresh = latest.newEventTypes.length
		? html`<p>Event types the model never saw: ${latest.newEventTypes.map((t) => `${t.type} (${formatCount(t.events)})`).join(', ')}.</p>`
		: '';
	const share = latest.eligibleShare;
	return html`<section class="card" id="drift"><h2>Drift over time</h2><p class="lede">Population stability index (PSI) against the training data: under ${result.thresholds.scorePsiWatch} stable, from ${result.thresholds.scorePsiRetrain} a large shift.</p>
${timeChart('chart-drift', 'Population stability over time', 'PSI', series, runs.map(at), (v) => v.toFixed(2), 0.3)}
<p>Eligible share: ${formatPercent(share.run)} of active profiles in the latest run, ${formatPercent(share.training)} at training.</p>${fresh}
<table><caption>Features in the latest run</caption><thead><tr><th>Feature</th><th class="num">PSI</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function timeChart(id: string, title: string, yTitle: string, series: LineSeries[], times: number[], formatY: (v: number) => string, minTop: number): SafeHtml {
	const first = Math.min(...times);
	const last = Math.max(...times);
	const span = last > first ? ([first, last] as const) : ([first - DAY_MS, last + DAY_MS] as const);
	const ticks = niceTicks(Math.max(minTop, ...series.flatMap((s) => s.points.map((p) => p.y))) * 1.05, 5);
	const top = ticks[ticks.length - 1];
	const xTicks = times.length <= 8 ? [...new Set(times)] : [span[0], (span[0] + span[1]) / 2, span[1]];
	return lineChart({
		id,
		title,
		series,
		xTitle: 'Score date',
		yTitle,
		xDomain: [span[0], span[1]],
		yDomain: [0, top],
		xTicks,
		yTicks: ticks,
		formatX: (v) => new Date(v).toISOString().slice(5, 10),
		formatY,
	});
}
