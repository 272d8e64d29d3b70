/**
 * The insights report: one self-contained HTML page (inline CSS and SVG, no scripts, no
 * network) that tells a marketer what the model predicts, how good it is, how the scores
 * spread, who lands in which bucket, what drives the scores and what the data looked like.
 * Every user-supplied string passes through the `html` tag, so it is escaped exactly once.
 */
import type { Bucket } from '../score/types';
import { barList, columnChart, histogramChart, lineChart, niceTicks, toneColours, type Tone } from './charts';
import { formatCount, formatDate, formatDays, formatMetric, formatPercent, formatTimes, notAvailable } from './format';
import { html, SafeHtml } from './html';
import { reportCss } from './styles';
import type { BucketFactors, BucketSummary, FactorDirection, ReportInput, ScoreSummary } from './types';

/**
 * The report's Content-Security-Policy: nothing may load or run (no scripts, images, fonts,
 * frames or connections), only its own inline styles apply. A report opened from a mailbox or a
 * shared folder so stays inert even if a hostile name slipped past the escaping.
 */
export const reportPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** Renders the whole report; the same input gives the same bytes. */
export function renderReport(input: ReportInput): string {
	const words = outcomeWords(input);
	const sections = [
		glanceSection(input, words),
		qualitySection(input, words),
		distributionSection(input.scores, words),
		bucketSection(input.scores, words),
		liftSection(input.scores, words),
		calibrationSection(input.scores, words),
		factorSection(input, words),
		dataSection(input, words),
		selectionSection(input),
	];
	const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${reportPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Propensity ${input.packageVersion}">
<title>Insights: ${input.model.name}</title>
<style>${new SafeHtml(reportCss)}</style>
</head>
<body>
<main class="report">
${masthead(input)}
${navigation(sections)}
${sections.map((section) => section?.markup ?? '')}
${footer(input)}
</main>
</body>
</html>
`;
	return page.value;
}

/** How the outcome is named in sentences: "converted" for conversion goals, "churned" for churn. */
interface OutcomeWords {
	/** "converted" / "churned" */
	readonly did: string;
	/** "conversion rate" / "churn rate" */
	readonly rate: string;
	/** "convert" / "churn" */
	readonly verb: string;
}

function outcomeWords(input: ReportInput): OutcomeWords {
	return input.goal.propensityType === 'churn'
		? { did: 'churned', rate: 'churn rate', verb: 'churn' }
		: { did: 'converted', rate: 'conversion rate', verb: 'convert' };
}

interface Section {
	readonly id: string;
	readonly navLabel: string;
	readonly markup: SafeHtml;
}

function section(id: string, navLabel: string, title: string, lede: SafeHtml | string, body: SafeHtml): Section {
	return { id, navLabel, markup: html`<section class="card" id="${id}"><h2>${title}</h2><p class="lede">${lede}</p>${body}</section>\n` };
}

function masthead(input: ReportInput): SafeHtml {
	const { model, goal } = input;
	const version = model.version === null || model.version === undefined ? '' : html`<span class="version">version ${model.version}</span>`;
	const facts: [string, string][] = [
		['Goal', goal.name],
		['Propensity type', goal.propensityType === 'churn' ? 'Churn' : 'Conversion'],
		['Outcome window', formatDays(goal.windowDays)],
		['Trained as of', formatDate(model.trainedAsOf)],
		['Learner', model.learner],
		['Validation profiles', formatCount(input.metrics.validationRows ?? input.scores.count)],
	];
	const description = goal.description ? html`<p class="muted">${goal.description}</p>` : '';
	return html`<header class="masthead"><div class="eyebrow">Propensity insights report</div><h1>${model.name}${version}</h1><p class="goal-words">${goal.inWords}</p>${description}<dl class="facts">${facts.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl></header>\n`;
}

function navigation(sections: readonly (Section | null)[]): SafeHtml {
	const links = sections.filter((s): s is Section => s !== null).map((s) => html`<a href="#${s.id}">${s.navLabel}</a>`);
	return html`<nav class="toc" aria-label="Sections">${links}</nav>\n`;
}

function footer(input: ReportInput): SafeHtml {
	const seed = input.model.seed === undefined ? '' : html` · seed ${input.model.seed}`;
	return html`<footer>Made by Propensity ${input.packageVersion} · events from ${formatDate(input.dataRange.from)} to ${formatDate(input.dataRange.to)} · trained as of ${formatDate(input.model.trainedAsOf)}${seed}</footer>\n`;
}

/** The few sentences a busy reader needs, each derived from the numbers below. */
function glanceSection(input: ReportInput, words: OutcomeWords): Section {
	const { metrics, quality, scores } = input;
	const lines: SafeHtml[] = [];
	lines.push(
		quality.poor
			? html`The model is <strong>${quality.grade}</strong> (validation AUC ${formatMetric(metrics.auc)}): its scores rank profiles only a little better than chance, so use them with care.`
			: html`The model is <strong>${quality.grade}</strong> at telling apart who will ${words.verb} and who will not (validation AUC ${formatMetric(metrics.auc)}).`,
	);
	const top = scores.deciles.find((decile) => decile.decile === 1);
	const baseRate = rateOf(scores.positives, scores.count);
	if (top && baseRate !== null && baseRate > 0) {
		const topRate = top.positives / top.count;
		lines.push(
			html`Among the top 10% by score, <strong>${formatPercent(topRate)}</strong> ${words.did}: <strong>${formatTimes(topRate / baseRate)}</strong> the average of ${formatPercent(baseRate)}.`,
		);
	}
	const gains = cumulativeGains(scores);
	const third = gains.find((point) => point.share >= 0.295 && point.share <= 0.305);
	if (third) {
		lines.push(html`Reaching the top 30% by score would reach <strong>${formatPercent(third.captured)}</strong> of everyone who ${words.did}.`);
	}
	const high = scores.buckets.find((bucket) => bucket.bucket === 'high');
	if (high && scores.count > 0) {
		const rate = rateOf(high.positives, high.count);
		const outcome = rate === null ? '' : html`; ${formatPercent(rate)} of them ${words.did}`;
		lines.push(
			html`The high bucket (scores ${high.from}–${high.to}) holds ${formatCount(high.count)} profiles, ${formatPercent(high.count / scores.count)} of the total${outcome}.`,
		);
	}
	const first = input.factors.overall[0];
	if (first)
		lines.push(
			html`The strongest factor is <strong>${first.label || first.feature}</strong>${first.direction ? `: ${directionSentence(first.direction)}` : ''}.`,
		);
	return section(
		'glance',
		'At a glance',
		'At a glance',
		'What this model tells you, in short.',
		html`<ul class="takeaways">${lines.map((line, index) => html`<li${index === 0 && quality.poor ? html` class="bad"` : ''}>${line}</li>`)}</ul>`,
	);
}

function qualitySection(input: ReportInput, words: OutcomeWords): Section {
	const { metrics, quality } = input;
	const tone = gradeTone(input);
	const guessBrier = metrics.baseRate !== null && Number.isFinite(metrics.baseRate) ? metrics.baseRate * (1 - metrics.baseRate) : null;
	const tiles = [
		tile(
			'Validation AUC',
			html`${formatMetric(metrics.auc)}<span class="badge ${tone}">${quality.grade}</span>`,
			`How well the score ranks profiles: 0.5 is a coin toss, 1.0 is perfect.${rawAucSentence(metrics)}`,
		),
		tile('Log loss', formatMetric(metrics.logLoss), 'How far the predicted chances are from what happened, punishing confident mistakes. Lower is better.'),
		tile(
			'Brier score',
			formatMetric(metrics.brier),
			guessBrier === null
				? 'The average squared gap between predicted chance and outcome. Lower is better.'
				: `The average squared gap between predicted chance and outcome. Lower is better; giving everyone the base rate would score ${formatMetric(guessBrier)}.`,
		),
		tile('Base rate', formatPercent(metrics.baseRate), `Share of validation profiles who ${words.did} within ${formatDays(input.goal.windowDays)}.`),
	];
	const scale = html`<p class="scale">Grades by validation AUC: ${gradeScale(quality.thresholds)}. The validation profiles are the most recent ones whose outcome is known; the model never saw them while learning.</p>`;
	const advice = quality.advice.length > 0 ? html`<ul>${quality.advice.map((line) => html`<li>${line}</li>`)}</ul>` : '';
	const callout = quality.poor
		? html`<div class="callout bad" role="note"><h3>This model is not reliable yet</h3><p>Its scores are only a little better than picking profiles at random.${advice ? ' Before using them in a campaign:' : ''}</p>${advice}</div>`
		: advice
			? html`<div class="callout warn" role="note"><h3>Worth checking</h3>${advice}</div>`
			: '';
	return section(
		'quality',
		'Model quality',
		'Model quality',
		'Measured on profiles the model did not learn from, so these numbers are what to expect in use.',
		html`<div class="tiles">${tiles}</div>${scale}${callout}`,
	);
}

/** Red for a poor model, green for the upper half of the grades above poor, amber between. */
function gradeTone(input: ReportInput): 'great' | 'ok' | 'bad' {
	const { poor, grade, thresholds } = input.quality;
	if (poor) return 'bad';
	const rank = thresholds.findIndex((threshold) => threshold.grade === grade);
	return rank >= 0 && rank < Math.ceil((thresholds.length - 1) / 2) ? 'great' : 'ok';
}

/**
 * The raw scores' AUC beside the calibrated one when they read differently: calibration maps
 * ranges of raw scores to one probability each, so profiles the learner told apart can share a
 * probability, and those ties cost a little AUC.
 */
function rawAucSentence(metrics: ReportInput['metrics']): string {
	if (metrics.rawAuc === undefined || metrics.rawAuc === null || formatMetric(metrics.rawAuc) === formatMetric(metrics.auc)) return '';
	return ` It is the AUC of the calibrated probabilities; the learner's raw scores on the same profiles reach ${formatMetric(metrics.rawAuc)}. Calibration turns ranges of raw scores into one probability each, so some profiles the learner told apart share a probability, and the AUC counts those ties as half right.`;
}

function gradeScale(thresholds: ReportInput['quality']['thresholds']): SafeHtml {
	const parts = thresholds.map((threshold, index) =>
		threshold.minAuc > 0 || index === 0
			? html`<strong>${threshold.grade}</strong> from ${formatMetric(threshold.minAuc)}`
			: html`<strong>${threshold.grade}</strong> below ${formatMetric(thresholds[index - 1].minAuc)}`,
	);
	return parts.length > 0 ? html`${parts.map((part, index) => html`${index > 0 ? ' · ' : ''}${part}`)}` : html`not stated`;
}

function tile(label: string, value: SafeHtml | string, note: string): SafeHtml {
	return html`<div class="tile"><div class="label">${label}</div><div class="value">${value}</div><p>${note}</p></div>`;
}

function populationWords(scores: ScoreSummary): string {
	return scores.population === 'validation' ? 'validation profiles (the most recent ones whose outcome is known)' : 'scored profiles';
}

function distributionSection(scores: ScoreSummary, words: OutcomeWords): Section {
	const { mediumFrom, highFrom } = scores.boundaries;
	const chart = histogramChart({
		id: 'chart-distribution',
		title: 'How many profiles got each score',
		description: `Histogram of scores 0 to 100 over ${formatCount(scores.count)} ${populationWords(scores)}.`,
		bins: scores.histogram.map((bin) => {
			const last = bin.to >= 100;
			const range = `${bin.from}–${last ? 100 : bin.to - 1}`;
			return {
				from: bin.from,
				to: bin.to,
				count: bin.count,
				tone: bucketTone(bin.from >= highFrom ? 'high' : bin.from >= mediumFrom ? 'medium' : 'low'),
				tooltip: `Scores ${range}: ${formatCount(bin.count)} profiles (${formatPercent(rateOf(bin.count, scores.count))})`,
			};
		}),
		xTitle: 'Score (0 = least likely, 100 = most likely)',
		yTitle: 'Profiles',
		formatY: formatCount,
		markers: [
			{ at: mediumFrom, label: `medium from ${mediumFrom}` },
			{ at: highFrom, label: `high from ${highFrom}` },
		],
		xTicks: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
	});
	const skipped = scores.skipped > 0 ? html`<p class="small">${formatCount(scores.skipped)} profiles had no usable probability and are not drawn.</p>` : '';
	const howto = html`<h3>How to read it</h3><p>Each bar counts the profiles whose score falls in that five-point range. The colours show the buckets; the dashed lines mark where medium and high begin.</p><p>Most people usually sit at low scores. The bars on the right are the profiles most likely to ${words.verb}.</p>${skipped}`;
	return section(
		'distribution',
		'Scores',
		'Score distribution',
		`Scores of ${formatCount(scores.count)} ${populationWords(scores)}.`,
		html`<div class="figure">${chart}<aside class="howto">${howto}</aside></div>`,
	);
}

function bucketSection(scores: ScoreSummary, words: OutcomeWords): Section {
	const known = scores.positives !== null;
	const baseRate = rateOf(scores.positives, scores.count);
	const ordered = [...scores.buckets].reverse();
	const cards = ordered.map((bucket) => {
		const rate = rateOf(bucket.positives, bucket.count);
		const outcome = known ? html`<dt>Actually ${words.did}</dt><dd>${formatPercent(rate)}</dd>` : '';
		return html`<div class="bucket" style="--tone: ${toneColours[bucket.bucket]}"><div class="name">${bucketName(bucket.bucket)}</div><div class="range">scores ${bucketRange(bucket)}</div><dl><dt>Profiles</dt><dd>${formatCount(bucket.count)}</dd><dt>Share</dt><dd>${formatPercent(rateOf(bucket.count, scores.count))}</dd>${outcome}</dl></div>`;
	});
	const chart = known
		? columnChart({
				id: 'chart-buckets',
				title: `Actual ${words.rate} per bucket`,
				description: `The share of profiles in each bucket who ${words.did}, against the average.`,
				columns: scores.buckets.map((bucket) => ({
					label: bucketName(bucket.bucket),
					value: rateOf(bucket.positives, bucket.count),
					tone: bucketTone(bucket.bucket),
					tooltip: `${bucketName(bucket.bucket)} (scores ${bucketRange(bucket)}): ${formatCount(bucket.positives)} of ${formatCount(bucket.count)} ${words.did} (${formatPercent(rateOf(bucket.positives, bucket.count))})`,
				})),
				xTitle: 'Bucket',
				yTitle: `Actual ${words.rate}`,
				formatY: formatPercent,
				reference: baseRate === null ? undefined : { value: baseRate, label: `average ${formatPercent(baseRate)}` },
			})
		: columnChart({
				id: 'chart-buckets',
				title: 'Share of profiles per bucket',
				columns: scores.buckets.map((bucket) => ({
					label: bucketName(bucket.bucket),
					value: rateOf(bucket.count, scores.count),
					tone: bucketTone(bucket.bucket),
					tooltip: `${bucketName(bucket.bucket)} (scores ${bucketRange(bucket)}): ${formatCount(bucket.count)} profiles`,
				})),
				xTitle: 'Bucket',
				yTitle: 'Share of profiles',
				formatY: formatPercent,
			});
	const howto = known
		? html`<h3>How to read it</h3><p>Each bar is the share of a bucket's profiles who really ${words.did} within the window. The dashed line is the average over everyone.</p><p>A good model shows a clear staircase: high well above the line, low well below it.</p>`
		: html`<h3>How to read it</h3><p>Each bar is the share of scored profiles in a bucket. Outcomes are not known yet for these profiles.</p>`;
	return section(
		'buckets',
		'Buckets',
		'Buckets',
		`Every profile falls in exactly one bucket by score: low ${scores.buckets[0] ? bucketRange(scores.buckets[0]) : ''}, medium ${scores.buckets[1] ? bucketRange(scores.buckets[1]) : ''}, high ${scores.buckets[2] ? bucketRange(scores.buckets[2]) : ''}.`,
		html`<div class="buckets">${cards}</div><div class="figure">${chart}<aside class="howto">${howto}</aside></div>`,
	);
}

/** Cumulative share of profiles and of outcomes after each decile, starting at (0, 0). */
function cumulativeGains(scores: ScoreSummary): { share: number; captured: number }[] {
	const total = scores.deciles.reduce((sum, decile) => sum + decile.count, 0);
	const positives = scores.deciles.reduce((sum, decile) => sum + decile.positives, 0);
	if (total === 0 || positives === 0) return [];
	let seen = 0;
	let captured = 0;
	const points = [{ share: 0, captured: 0 }];
	for (const decile of scores.deciles) {
		seen += decile.count;
		captured += decile.positives;
		points.push({ share: seen / total, captured: captured / positives });
	}
	return points;
}

function liftSection(scores: ScoreSummary, words: OutcomeWords): Section | null {
	if (scores.positives === null) return null;
	const baseRate = rateOf(scores.positives, scores.count);
	const lift = columnChart({
		id: 'chart-lift',
		title: 'Lift by decile',
		description: `How many times the average ${words.rate} each tenth of profiles reaches, from the highest scores to the lowest.`,
		columns: scores.deciles.map((decile) => {
			const rate = decile.positives / decile.count;
			const value = baseRate !== null && baseRate > 0 ? rate / baseRate : null;
			return {
				label: `${(decile.decile - 1) * 10}–${decile.decile * 10}%`,
				value,
				tone: decile.decile === 1 ? 'high' : 'primary',
				tooltip: `Decile ${decile.decile} (${decileWords(decile.decile)}): ${formatCount(decile.positives)} of ${formatCount(decile.count)} ${words.did} (${formatPercent(rate)}), ${formatTimes(value)} the average`,
			};
		}),
		xTitle: 'Profiles ranked by score, highest first',
		yTitle: 'Lift (× the average)',
		formatY: formatTimes,
		reference: { value: 1, label: 'random: 1.0×' },
	});
	const points = cumulativeGains(scores);
	const gains = lineChart({
		id: 'chart-gains',
		title: 'Cumulative gains',
		description: `The share of everyone who ${words.did} found when reaching the top share of profiles by score, against random picking.`,
		series: [
			{
				name: 'random picking',
				tone: 'muted',
				baseline: true,
				points: [
					{ x: 0, y: 0 },
					{ x: 1, y: 1 },
				],
			},
			{
				name: 'by score',
				tone: 'primary',
				points: points.map((point) => ({
					x: point.share,
					y: point.captured,
					tooltip: `Top ${formatPercent(point.share)} by score: ${formatPercent(point.captured)} of everyone who ${words.did}`,
				})),
			},
		],
		xTitle: 'Share of profiles reached, highest scores first',
		yTitle: `Share of all who ${words.did}`,
		xDomain: [0, 1],
		yDomain: [0, 1],
		xTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
		yTicks: [0, 0.2, 0.4, 0.6, 0.8, 1],
		formatX: wholePercent,
		formatY: wholePercent,
	});
	const liftHowto = html`<h3>How to read it</h3><p>Rank everyone by score and cut the list into ten equal groups. A bar of 3.0× means that group ${words.did} three times as often as the average; random picking gives 1.0× everywhere.</p><p>The taller the first bars, the more a campaign aimed at the top of the list pays off.</p>`;
	const gainsHowto = html`<h3>How to read it</h3><p>Follow the line to see how much of the outcome you reach by contacting only the top of the list: where it passes 30% across, read off the share of everyone who ${words.did}.</p><p>The further the line bows above the dashed diagonal (random picking), the more a targeted campaign saves.</p>`;
	return section(
		'lift',
		'Lift & gains',
		'Lift and cumulative gains',
		`How much better than random the score finds the people who ${words.did}, tenth by tenth.`,
		html`<div class="figure">${lift}<aside class="howto">${liftHowto}</aside></div><div class="figure">${gains}<aside class="howto">${gainsHowto}</aside></div>`,
	);
}

function calibrationSection(scores: ScoreSummary, words: OutcomeWords): Section | null {
	if (scores.positives === null) return null;
	const bins = scores.calibration.filter((bin) => bin.count > 0 && Number.isFinite(bin.meanPredicted) && Number.isFinite(bin.actualRate));
	const ticks = niceTicks(Math.max(0, ...bins.flatMap((bin) => [bin.meanPredicted, bin.actualRate])) * 1.05, 5);
	const top = Math.min(1, ticks[ticks.length - 1]);
	const axisTicks = ticks.filter((tick) => tick <= top);
	const chart = lineChart({
		id: 'chart-calibration',
		title: 'Predicted against actual',
		description: `For groups of profiles with similar predicted chances, the predicted chance against the share who really ${words.did}.`,
		series: [
			{
				name: 'perfect calibration',
				tone: 'muted',
				baseline: true,
				points: [
					{ x: 0, y: 0 },
					{ x: top, y: top },
				],
			},
			{
				name: 'this model',
				tone: 'primary',
				points: bins.map((bin) => ({
					x: bin.meanPredicted,
					y: bin.actualRate,
					tooltip: `${formatCount(bin.count)} profiles: predicted ${formatPercent(bin.meanPredicted)}, actually ${formatPercent(bin.actualRate)}`,
				})),
			},
		],
		xTitle: 'Predicted chance',
		yTitle: `Actually ${words.did}`,
		xDomain: [0, top],
		yDomain: [0, top],
		xTicks: axisTicks,
		yTicks: axisTicks,
		formatX: formatPercent,
		formatY: formatPercent,
	});
	const howto = html`<h3>How to read it</h3><p>Each point is a group of profiles with similar predicted chances. On the dashed diagonal, the prediction came true exactly: of profiles given 20%, one in five ${words.did}.</p><p>Points above the line mean more ${words.did} than predicted; below, fewer. Close to the line means you can take the probabilities at face value, for example to forecast volumes.</p>`;
	return section(
		'calibration',
		'Calibration',
		'Calibration',
		'Whether a predicted chance of 30% really means three in ten.',
		html`<div class="figure">${chart}<aside class="howto">${howto}</aside></div>`,
	);
}

function factorSection(input: ReportInput, words: OutcomeWords): Section {
	const overall = input.factors.overall;
	const largest = Math.max(0, ...overall.map((factor) => (Number.isFinite(factor.importance) ? factor.importance : 0)));
	const byShare = overall.length > 0 && overall.every((factor) => factor.share !== undefined);
	const directed = overall.some((factor) => factor.direction !== undefined);
	const overallChart = barList({
		id: 'chart-factors',
		title: 'What drives the score overall',
		description: 'The most influential factors, longest bar first.',
		bars: overall.map((factor) => {
			const relative = largest > 0 && Number.isFinite(factor.importance) ? (100 * factor.importance) / largest : null;
			const influence = byShare ? formatPercent(factor.share) : relative === null ? notAvailable : String(Math.round(relative));
			const direction = factor.direction ? `; ${directionSentence(factor.direction)}` : '';
			return {
				label: factor.label || factor.feature,
				value: relative,
				valueText: influence,
				tone: directionTone(factor.direction),
				tooltip: `${factor.label} (${factor.feature}): ${byShare ? `${influence} of the model's influence` : `relative influence ${influence}`}${direction}`,
			};
		}),
		max: 100,
		legend: directionLegend(overall, { raises: 'higher values raise the chance', lowers: 'higher values lower it', mixed: 'it depends on the profile' }),
		emptyText: 'No factors are available for this model.',
	});
	const scale = byShare
		? 'The longer the bar, the more the factor moves scores up or down across all profiles; the figure is its share of the influence of all factors together.'
		: 'The longer the bar, the more the factor moves scores up or down across all profiles; the top factor is 100 and the others are relative to it.';
	const colours = directed ? html`<p>Blue factors push the chance to ${words.verb} up as they grow, orange ones push it down.</p>` : '';
	const howto = html`<h3>How to read it</h3><p>${scale}</p>${colours}<p>These are associations the model learnt, not proof of cause.</p>`;
	const perBucket = (['high', 'medium', 'low'] as const)
		.map((bucket) => input.factors.byBucket.find((entry) => entry.bucket === bucket))
		.filter((entry): entry is BucketFactors => entry !== undefined)
		.map((entry) => bucketFactorChart(entry, input.scores, input.factors.explained));
	const bucketPart =
		perBucket.length > 0
			? html`<h3 style="margin-top:22px">Top factors in each bucket</h3><p class="muted small">${sampleSentence(input)}The bar is the share of the bucket's profiles for whom the factor is among their top reasons; the black tick is the same share in the other buckets. A long bar far from its tick marks what sets the bucket apart.</p><div class="bucket-factors">${perBucket}</div>`
			: html`<p class="muted small" style="margin-top:18px">No per-bucket factors are available for this model.</p>`;
	return section(
		'factors',
		'Factors',
		'What drives the scores',
		'The features of a profile that move its score the most.',
		html`<div class="figure">${overallChart}<aside class="howto">${howto}</aside></div>${bucketPart}`,
	);
}

/** Where the per-bucket factors come from an explained sample, how big it is, in words. */
function sampleSentence(input: ReportInput): string {
	const explained = input.factors.explained;
	if (!explained || explained.profiles >= explained.of) return '';
	return `These are worked out from ${formatCount(explained.profiles)} profiles, an evenly spread sample of the ${formatCount(explained.of)} validation profiles, so each bucket below counts its profiles in the sample, not the bucket sizes above. `;
}

function bucketFactorChart(entry: BucketFactors, scores: ScoreSummary, explained: ReportInput['factors']['explained']): SafeHtml {
	const summary = scores.buckets.find((bucket) => bucket.bucket === entry.bucket);
	const range = summary ? ` (scores ${bucketRange(summary)})` : '';
	const sampled = explained && explained.profiles < explained.of;
	return barList({
		id: `chart-factors-${entry.bucket}`,
		title: `${bucketName(entry.bucket)} bucket${range}: ${formatCount(entry.profiles)} ${sampled ? `of the ${formatCount(explained.profiles)} sampled profiles` : 'profiles'}`,
		description: `How common each top factor is among ${entry.bucket}-bucket profiles, against the other buckets.`,
		width: 520,
		bars: entry.factors.map((factor) => ({
			label: factor.label || factor.feature,
			value: factor.shareInBucket,
			marker: factor.shareElsewhere,
			valueText: formatPercent(factor.shareInBucket),
			tone: directionTone(factor.direction),
			tooltip: `${factor.label}: a top factor for ${formatPercent(factor.shareInBucket)} of this bucket and ${formatPercent(factor.shareElsewhere)} of the others; ${bucketDirectionWords(factor.direction)} the chance here`,
		})),
		max: 1,
		legend: [
			...directionLegend(entry.factors, { raises: 'raises the chance here', lowers: 'lowers the chance here', mixed: 'raises some, lowers others' }),
			{ tone: 'marker', label: 'share in other buckets' },
		],
		emptyText: 'No factors for this bucket.',
	});
}

function dataSection(input: ReportInput, words: OutcomeWords): Section | null {
	const { readiness, dataQuality } = input;
	if (!readiness && !dataQuality) return null;
	const parts: SafeHtml[] = [];
	if (readiness) parts.push(readinessPart(readiness, words));
	if (dataQuality) parts.push(dataQualityPart(dataQuality));
	const lede = `What the model learnt from, and what could not be used. Events from ${formatDate(input.dataRange.from)} to ${formatDate(input.dataRange.to)}.`;
	return section('data', 'Data', 'Data and readiness', lede, html`${parts}`);
}

function readinessPart(readiness: NonNullable<ReportInput['readiness']>, words: OutcomeWords): SafeHtml {
	const totals = readiness.cutoffs.reduce(
		(sum, cutoff) => ({
			eligible: sum.eligible + cutoff.eligible,
			positives: sum.positives + cutoff.positives,
			negatives: sum.negatives + cutoff.negatives,
		}),
		{ eligible: 0, positives: 0, negatives: 0 },
	);
	const rows = readiness.cutoffs.map(
		(cutoff) =>
			html`<tr><td>${formatDate(cutoff.cutoff)}</td><td><span class="tag ${cutoff.role === 'validation' ? 'validation' : ''}">${cutoff.role}</span></td><td class="num">${formatCount(cutoff.eligible)}</td><td class="num">${formatCount(cutoff.positives)}</td><td class="num">${formatCount(cutoff.negatives)}</td><td class="num">${formatPercent(rateOf(cutoff.positives, cutoff.positives + cutoff.negatives))}</td></tr>`,
	);
	const total = html`<tr class="total"><td>All cutoffs</td><td></td><td class="num">${formatCount(totals.eligible)}</td><td class="num">${formatCount(totals.positives)}</td><td class="num">${formatCount(totals.negatives)}</td><td class="num">${formatPercent(rateOf(totals.positives, totals.positives + totals.negatives))}</td></tr>`;
	const table =
		readiness.cutoffs.length > 0
			? html`<table><caption>Training examples per cutoff</caption><thead><tr><th>Cutoff</th><th>Used for</th><th class="num">Eligible</th><th class="num">${capitalise(words.did)}</th><th class="num">Did not</th><th class="num">Rate</th></tr></thead><tbody>${rows}${total}</tbody></table>`
			: html`<p class="muted">No cutoffs were recorded.</p>`;
	const checks: SafeHtml[] = [];
	if (readiness.history) {
		const { availableDays, neededDays } = readiness.history;
		const enough = availableDays >= neededDays;
		checks.push(
			html`<li class="${enough ? 'ok-line' : 'warn-line'}">History: the data covers ${formatDays(availableDays)}; the goal needs ${formatDays(neededDays)} (lookback plus outcome window).</li>`,
		);
	}
	if (readiness.minimums) {
		const { positives, negatives } = readiness.minimums;
		const enough = totals.positives >= positives && totals.negatives >= negatives;
		checks.push(
			html`<li class="${enough ? 'ok-line' : 'warn-line'}">Examples: training needs at least ${formatCount(positives)} who ${words.did} and ${formatCount(negatives)} who did not; the cutoffs hold ${formatCount(totals.positives)} and ${formatCount(totals.negatives)}.</li>`,
		);
	}
	for (const warning of readiness.warnings) checks.push(html`<li class="warn-line">${warning}</li>`);
	const list = checks.length > 0 ? html`<ul class="findings" style="list-style:none;padding-left:0">${checks}</ul>` : '';
	return html`<h3>Readiness</h3>${table}${list}`;
}

function dataQualityPart(quality: NonNullable<ReportInput['dataQuality']>): SafeHtml {
	const read = quality.rowsRead === undefined ? '' : html`${formatCount(quality.rowsRead)} rows read, `;
	const rejectedTotal = quality.rejected.reduce((sum, entry) => sum + entry.count, 0);
	const seen =
		quality.asOf !== undefined && quality.eventsAsOf !== undefined
			? html` Training saw the ${formatCount(quality.eventsAsOf)} up to ${quality.asOf}, the moment it took as now (later events ignored, excluded ones not counted); the event types below count those.`
			: '';
	const summary = html`<p>${read}${formatCount(quality.events)} events loaded for ${formatCount(quality.profiles)} profiles; ${rejectedTotal === 0 ? 'no rows were rejected' : html`${formatCount(rejectedTotal)} rows were rejected`}.${seen}</p>`;
	const rejected =
		quality.rejected.length > 0
			? html`<table><caption>Rejected rows by reason</caption><thead><tr><th>Reason</th><th class="num">Rows</th><th>Example</th></tr></thead><tbody>${quality.rejected.map(
					(entry) =>
						html`<tr><td>${entry.reason}</td><td class="num">${formatCount(entry.count)}</td><td>${entry.example ? html`<code>${entry.example}</code>` : ''}</td></tr>`,
				)}</tbody></table>`
			: '';
	const types = quality.eventTypes?.length
		? html`<table><caption>Event types</caption><thead><tr><th>Type</th><th class="num">Events</th><th class="num">Share</th></tr></thead><tbody>${quality.eventTypes.map(
				(entry) =>
					html`<tr><td>${entry.type}</td><td class="num">${formatCount(entry.count)}</td><td class="num">${formatPercent(rateOf(entry.count, quality.eventsAsOf ?? quality.events))}</td></tr>`,
			)}</tbody></table>`
		: '';
	const warnings =
		quality.warnings.length > 0
			? html`<div class="callout warn" role="note"><h3>Warnings</h3><ul>${quality.warnings.map((warning) => html`<li>${warning}</li>`)}</ul></div>`
			: '';
	return html`<h3 style="margin-top:18px">Data quality</h3>${summary}<div class="columns"><div>${types}</div><div>${rejected}</div></div>${warnings}`;
}

function selectionSection(input: ReportInput): Section | null {
	const selection = input.selection;
	if (!selection) return null;
	const fitted = (candidate: (typeof selection.candidates)[number]): boolean => candidate.auc !== null || (candidate.logLoss ?? null) !== null;
	const figure = (value: number | null | undefined, candidate: (typeof selection.candidates)[number]): string =>
		fitted(candidate) ? formatMetric(value) : '—';
	const rows = selection.candidates.map(
		(candidate) =>
			html`<tr class="${candidate.chosen ? 'chosen' : ''}"><td>${candidate.learner}</td><td class="num">${figure(candidate.auc, candidate)}</td><td class="num">${figure(candidate.logLoss, candidate)}</td><td>${candidate.chosen ? html`<span class="tag chosen">chosen</span> ` : ''}${candidate.note ?? ''}</td></tr>`,
	);
	const table =
		selection.candidates.length > 0
			? html`<table><thead><tr><th>Learner</th><th class="num">AUC (raw scores)</th><th class="num">Log loss (raw scores)</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table>`
			: '';
	return section(
		'selection',
		'Model choice',
		'How the model was chosen',
		'The learners that were tried on the same data, compared on validation profiles by their raw scores, before calibration.',
		html`${table}<p>${selection.reason}</p><p class="muted small">${choiceSentence(input)}</p>`,
	);
}

/** Why the table's AUC of the chosen learner is not the headline's, in one or two sentences. */
function choiceSentence(input: ReportInput): string {
	const selection = input.selection;
	const chosen = selection?.candidates.find((candidate) => candidate.chosen);
	const rows = selection?.choiceRows === undefined ? 'validation profiles' : `${formatCount(selection.choiceRows)} validation profiles`;
	const where = selection?.choiceSplit
		? `The learners were compared on ${rows}, a seeded half of them; the headline figures (AUC ${formatMetric(input.metrics.auc)}) come from the other half, which played no part in the choice, so the two differ a little.`
		: `The learners were compared on the same ${rows} as the headline figures.`;
	const raw =
		chosen && formatMetric(chosen.auc) !== formatMetric(input.metrics.auc)
			? ` The table shows raw scores: before calibration, which ties some profiles, the chosen learner's AUC is ${formatMetric(chosen.auc)} here.`
			: '';
	const time = ' Fit times are printed by the training run, not kept, so the same data always gives the same model and report.';
	return `${where}${raw}${time}`;
}

function rateOf(part: number | null, whole: number): number | null {
	return part === null || !(whole > 0) ? null : part / whole;
}

function bucketName(bucket: Bucket): string {
	return bucket === 'high' ? 'High' : bucket === 'medium' ? 'Medium' : 'Low';
}

function bucketRange(bucket: BucketSummary): string {
	return bucket.from > bucket.to ? 'none' : `${bucket.from}–${bucket.to}`;
}

function bucketTone(bucket: Bucket): Tone {
	return bucket;
}

function directionTone(direction: FactorDirection | undefined): Tone {
	return direction ?? 'primary';
}

function bucketDirectionWords(direction: FactorDirection): string {
	return direction === 'mixed' ? 'raises for some and lowers for others' : direction;
}

/** Legend entries for the directions that occur among the factors, in a fixed order. */
function directionLegend(factors: readonly { direction?: FactorDirection }[], labels: Record<FactorDirection, string>): { tone: Tone; label: string }[] {
	return (['raises', 'lowers', 'mixed'] as const)
		.filter((direction) => factors.some((factor) => factor.direction === direction))
		.map((direction) => ({ tone: direction, label: labels[direction] }));
}

function directionSentence(direction: FactorDirection): string {
	if (direction === 'raises') return 'higher values raise the chance';
	if (direction === 'lowers') return 'higher values lower the chance';
	return 'its effect depends on the profile';
}

function decileWords(decile: number): string {
	return decile === 1 ? 'the top 10% by score' : `${(decile - 1) * 10}–${decile * 10}% from the top`;
}

function wholePercent(share: number): string {
	return `${Math.round(share * 100)}%`;
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
