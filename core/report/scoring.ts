/**
 * The report of a scoring run: how today's scores spread against the scores the model gave
 * the validation profiles at training, how many profiles each bucket holds now and then, and,
 * when a segment was built, who is in it, who entered and who left. One self-contained HTML
 * page like the insights report (inline CSS and SVG, every string escaped by the `html` tag);
 * the same input gives the same bytes.
 */
import { populationStability } from '../monitor/distribution';
import type { Bucket, PropensityType } from '../score/types';
import { lineChart, type LineSeries } from './charts';
import { formatCount, formatDate, formatMetric, formatPercent } from './format';
import { html, SafeHtml } from './html';
import { reportPolicy } from './render';
import { reportCss } from './styles';
import type { ScoreSummary } from './types';

/** Members, entrants and leavers listed by name on the page; the rest are counted. */
export const listedProfiles = 50;

export interface ScoringReportInput {
	readonly model: {
		readonly name: string;
		readonly version: number | null;
		readonly propensityType: PropensityType;
		/** The goal in words, when the model is known. */
		readonly goalInWords?: string;
	};
	/** The run's "as of" moment, ISO 8601 UTC. */
	readonly scoreDate: string;
	/** This run's scores (`summariseScores` without labels). */
	readonly scores: ScoreSummary;
	/** The validation profiles' scores at training, from the model's insights, to compare with. */
	readonly training?: ScoreSummary;
	readonly segment?: ScoringSegment;
	readonly packageVersion: string;
}

/** A listed profile: its id, score and bucket, and its strongest reason when explained. */
export interface ListedProfile {
	readonly profileId: string;
	readonly score: number | null;
	readonly bucket: Bucket | null;
	readonly reason?: string;
}

export interface ScoringSegment {
	readonly name: string | null;
	/** The rule in words, when known. */
	readonly rule?: string;
	readonly runAt: string;
	/** The run before, or null on the first run (everyone entered) or without a store. */
	readonly previousRunAt: string | null;
	readonly members: number;
	readonly entered: number;
	readonly left: number;
	/** Up to `listedProfiles` of each, highest score first. */
	readonly listedMembers: readonly ListedProfile[];
	readonly listedEntered: readonly ListedProfile[];
	readonly listedLeft: readonly ListedProfile[];
}

/** PSI of the score histogram above which the scores have moved enough to look into (the usual rule of thumb). */
const psiShift = 0.1;
const psiMajor = 0.25;

/** Renders the scoring run's page. */
export function renderScoringReport(input: ScoringReportInput): string {
	const { model } = input;
	const version = model.version === null ? '' : html`<span class="version">version ${model.version}</span>`;
	const facts: [string, string][] = [
		['Scored as of', formatDate(input.scoreDate)],
		['Profiles scored', formatCount(input.scores.count)],
		['Propensity type', model.propensityType === 'churn' ? 'Churn' : 'Conversion'],
		...(input.segment ? ([['Segment', input.segment.name ?? '(unnamed)']] as [string, string][]) : []),
	];
	const goal = model.goalInWords ? html`<p class="goal-words">${model.goalInWords}</p>` : '';
	const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${reportPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Propensity ${input.packageVersion}">
<title>Scoring run: ${model.name}</title>
<style>${new SafeHtml(reportCss)}</style>
</head>
<body>
<main class="report">
<header class="masthead"><div class="eyebrow">Propensity scoring report</div><h1>${model.name}${version}</h1>${goal}<dl class="facts">${facts.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl></header>
${distributionSection(input)}
${bucketSection(input)}
${input.segment ? segmentSection(input.segment) : ''}
<footer>Made by Propensity ${input.packageVersion} · scored as of ${formatDate(input.scoreDate)}</footer>
</main>
</body>
</html>
`;
	return page.value;
}

/** Each histogram bin's share of its population (a 0 share for an empty population). */
function binShares(summary: ScoreSummary): number[] {
	return summary.histogram.map((bin) => (summary.count > 0 ? bin.count / summary.count : 0));
}

/** The score histogram's PSI between training and this run, when both have the same bins. */
export function scoreShift(scores: ScoreSummary, training: ScoreSummary | undefined): number | null {
	if (!training || training.histogram.length !== scores.histogram.length) return null;
	return populationStability(binShares(training), binShares(scores));
}

function shiftWords(psi: number | null): string {
	if (psi === null) return '';
	const size = psi >= psiMajor ? 'a large shift' : psi >= psiShift ? 'a moderate shift' : 'little change';
	return `The population stability index (PSI) between the two is ${formatMetric(psi)}: ${size} (under ${formatMetric(psiShift)} is little change, ${formatMetric(psiMajor)} and more a large one).`;
}

function distributionSection(input: ScoringReportInput): SafeHtml {
	const { scores, training } = input;
	const series: LineSeries[] = [];
	const points = (summary: ScoreSummary, what: string) =>
		summary.histogram.map((bin, i) => ({
			x: (bin.from + bin.to) / 2,
			y: binShares(summary)[i],
			tooltip: `${what}, scores ${bin.from}–${bin.to >= 100 ? 100 : bin.to - 1}: ${formatCount(bin.count)} profiles (${formatPercent(binShares(summary)[i])})`,
		}));
	if (training) series.push({ name: 'at training (validation profiles)', tone: 'muted', points: points(training, 'At training') });
	series.push({ name: 'this run', tone: 'primary', points: points(scores, 'This run') });
	const top = Math.max(0.05, ...series.flatMap((line) => line.points.map((point) => point.y)));
	const step = top > 0.5 ? 0.2 : top > 0.2 ? 0.1 : top > 0.1 ? 0.05 : 0.02;
	const yTicks = Array.from({ length: Math.ceil(top / step) + 1 }, (_, i) => Number((i * step).toFixed(2)));
	const chart = lineChart({
		id: 'chart-run-distribution',
		title: 'Share of profiles per score, this run against training',
		description: 'For each five-point score range, the share of profiles in it, this run and at training.',
		series,
		xTitle: 'Score (0 = least likely, 100 = most likely)',
		yTitle: 'Share of profiles',
		xDomain: [0, 100],
		yDomain: [0, yTicks[yTicks.length - 1]],
		xTicks: [0, 20, 40, 60, 80, 100],
		yTicks,
		formatX: String,
		formatY: (value) => `${Math.round(value * 100)}%`,
	});
	const compared = training
		? `Against the ${formatCount(training.count)} validation profiles the model was checked on at training. ${shiftWords(scoreShift(scores, training))}`
		: 'The model that scored is not at hand, so there is nothing to compare with: give the model to see training alongside.';
	const skipped = scores.skipped > 0 ? html`<p class="small">${formatCount(scores.skipped)} profiles had no usable probability and are not counted.</p>` : '';
	return html`<section class="card" id="run-distribution"><h2>Score distribution</h2><p class="lede">${compared}</p><div class="figure">${chart}<aside class="howto"><h3>How to read it</h3><p>Each point is the share of profiles whose score falls in a five-point range. Where the two lines part, today's profiles score differently from the ones the model was trained on: new customers, a season, or a change in the data.</p>${skipped}</aside></div></section>\n`;
}

function bucketSection(input: ScoringReportInput): SafeHtml {
	const { scores, training } = input;
	const rows = [...scores.buckets].reverse().map((bucket) => {
		const share = scores.count > 0 ? bucket.count / scores.count : null;
		const then = training?.buckets.find((entry) => entry.bucket === bucket.bucket);
		const thenShare = then && training && training.count > 0 ? then.count / training.count : null;
		const change = share !== null && thenShare !== null ? `${share >= thenShare ? '+' : '−'}${(Math.abs(share - thenShare) * 100).toFixed(1)} points` : '—';
		const range = bucket.from > bucket.to ? 'none' : `${bucket.from}–${bucket.to}`;
		return html`<tr><td>${capitalise(bucket.bucket)}</td><td>${range}</td><td class="num">${formatCount(bucket.count)}</td><td class="num">${formatPercent(share)}</td>${training ? html`<td class="num">${formatPercent(thenShare)}</td><td class="num">${change}</td>` : ''}</tr>`;
	});
	const head = html`<tr><th>Bucket</th><th>Scores</th><th class="num">Profiles</th><th class="num">Share</th>${training ? html`<th class="num">Share at training</th><th class="num">Change</th>` : ''}</tr>`;
	return html`<section class="card" id="run-buckets"><h2>Buckets</h2><p class="lede">How many of the ${formatCount(scores.count)} scored profiles fall in each bucket.</p><table><thead>${head}</thead><tbody>${rows}</tbody></table></section>\n`;
}

function segmentSection(segment: ScoringSegment): SafeHtml {
	const since = segment.previousRunAt
		? `since the run of ${formatDate(segment.previousRunAt)}`
		: 'on its first remembered run, so everyone in it counts as entered';
	const rule = segment.rule ? html`<p>Rule: ${segment.rule}</p>` : '';
	const tiles = html`<div class="tiles"><div class="tile"><div class="label">Members</div><div class="value">${formatCount(segment.members)}</div></div><div class="tile"><div class="label">Entered</div><div class="value">${formatCount(segment.entered)}</div></div><div class="tile"><div class="label">Left</div><div class="value">${formatCount(segment.left)}</div></div></div>`;
	return html`<section class="card" id="run-segment"><h2>Segment${segment.name ? html` “${segment.name}”` : ''}</h2><p class="lede">The run of ${formatDate(segment.runAt)}: who is in the segment, and who entered and left ${since}.</p>${rule}${tiles}${profileTable('Members', segment.listedMembers, segment.members)}${everyoneEntered(segment) ? html`<h3>Entered</h3><p class="muted">Everyone above: this is the segment's first remembered run.</p>` : profileTable('Entered', segment.listedEntered, segment.entered)}${profileTable('Left', segment.listedLeft, segment.left)}</section>\n`;
}

function everyoneEntered(segment: ScoringSegment): boolean {
	return segment.previousRunAt === null && segment.entered === segment.members && segment.members > 0;
}

function profileTable(caption: string, listed: readonly ListedProfile[], total: number): SafeHtml {
	if (total === 0) return html`<h3>${caption}</h3><p class="muted">Nobody.</p>`;
	const rows = listed.map(
		(profile) =>
			html`<tr><td><code>${profile.profileId}</code></td><td class="num">${profile.score === null ? '—' : String(profile.score)}</td><td>${profile.bucket ?? 'not scored this run'}</td><td>${profile.reason ?? ''}</td></tr>`,
	);
	const more =
		total > listed.length
			? html`<p class="muted small">The ${formatCount(listed.length)} with the highest scores are listed, of ${formatCount(total)}.</p>`
			: '';
	return html`<h3>${caption}</h3><table><thead><tr><th>Profile</th><th class="num">Score</th><th>Bucket</th><th>Strongest reason</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
