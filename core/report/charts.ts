/**
 * Small chart functions that return inline SVG: a histogram, a column chart with an optional
 * reference line, a line chart with baselines, and a horizontal bar list. Each chart is one
 * `<svg id=…>` with role="img", an aria-label, a visible title, axes with labels, and a
 * `<title>` tooltip on every mark. Colours are attributes, so a chart reads the same outside
 * the report. Missing, NaN and all-zero data draw an empty frame that says so, never throw.
 */
import { fixed } from './format';
import { html, join, SafeHtml } from './html';

export type Tone = 'primary' | 'muted' | 'low' | 'medium' | 'high' | 'raises' | 'lowers' | 'mixed';

/** Fill colours per tone: a blue ramp for buckets, blue / orange for raises / lowers. */
export const toneColours: Readonly<Record<Tone, string>> = {
	primary: '#2f6fde',
	muted: '#9aa5b1',
	low: '#b9c7dc',
	medium: '#6f9be6',
	high: '#1f4fbf',
	raises: '#2f6fde',
	lowers: '#e0793a',
	mixed: '#9aa5b1',
};

const ink = '#33404d';
const axisInk = '#5b6673';
const gridInk = '#e6e9ef';
const width = 640;
/**
 * Widths of characters in em, as DejaVu Sans draws them (the sans-serif of Debian's and most
 * Linux browsers, and wider than Helvetica or Segoe UI): labels are laid out from these so
 * that no text runs past its chart, whatever font the reader's system picks.
 */
const narrow = new Set([..." .,:;!|'iljtf()[]/-"]);
const wide = new Set([...'mwMW%@—…']);

/** The width of `text` in SVG units at `fontSize`, erring wide (bold adds a tenth). */
export function textWidth(text: string, fontSize: number, bold = false): number {
	let ems = 0;
	for (const char of text) {
		if (narrow.has(char)) ems += 0.36;
		else if (wide.has(char)) ems += 1.0;
		else if (char >= 'A' && char <= 'Z') ems += 0.76;
		else if (char.charCodeAt(0) < 128) ems += 0.64;
		else ems += 1.0;
	}
	return ems * fontSize * (bold ? 1.1 : 1);
}

/** A white outline behind a label, so it stays readable where it crosses a bar. */
const halo = html` stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"`;

export interface ChartFrame {
	/** The SVG's id, e.g. "chart-lift"; also prefixes the ids inside it. */
	readonly id: string;
	/** Shown above the chart and used as its accessible name. */
	readonly title: string;
	/** A sentence for screen readers on what the chart shows. */
	readonly description?: string;
}

interface Plot {
	readonly left: number;
	readonly right: number;
	readonly top: number;
	readonly bottom: number;
}

export interface HistogramBin {
	readonly from: number;
	readonly to: number;
	readonly count: number;
	readonly tooltip: string;
	readonly tone?: Tone;
}

export interface HistogramSpec extends ChartFrame {
	readonly bins: readonly HistogramBin[];
	readonly xTitle: string;
	readonly yTitle: string;
	readonly formatY: (value: number) => string;
	/** Dashed vertical lines, e.g. the bucket boundaries. */
	readonly markers?: readonly { readonly at: number; readonly label: string }[];
	readonly xTicks?: readonly number[];
}

/** Bars over a numeric axis (bins side by side), e.g. how many profiles got each score. */
export function histogramChart(spec: HistogramSpec): SafeHtml {
	const height = 300;
	const plot: Plot = { left: 64, right: width - 20, top: 44, bottom: height - 56 };
	const bins = spec.bins.filter((bin) => finite(bin.from) && finite(bin.to) && bin.to > bin.from);
	if (bins.length === 0) return frame(spec, height, emptyNote(plot));
	const xMin = Math.min(...bins.map((bin) => bin.from));
	const xMax = Math.max(...bins.map((bin) => bin.to));
	const yTicks = niceTicks(Math.max(0, ...bins.map((bin) => (finite(bin.count) ? bin.count : 0))), 5, 1);
	const x = scale(xMin, xMax, plot.left, plot.right);
	const y = scale(0, yTicks[yTicks.length - 1], plot.bottom, plot.top);
	const bars = bins.map((bin) => {
		const value = finite(bin.count) ? Math.max(0, bin.count) : 0;
		const x0 = x(bin.from) + 1;
		const barWidth = Math.max(1, x(bin.to) - x(bin.from) - 2);
		return html`<rect class="bar" x="${n(x0)}" y="${n(y(value))}" width="${n(barWidth)}" height="${n(plot.bottom - y(value))}" fill="${toneColours[bin.tone ?? 'primary']}"><title>${bin.tooltip}</title></rect>`;
	});
	const markers = (spec.markers ?? [])
		.filter((marker) => finite(marker.at) && marker.at > xMin && marker.at < xMax)
		.map((marker) => {
			const at = x(marker.at);
			const flipped = at + 4 + textWidth(marker.label, 11) > width - 4;
			const label = flipped
				? html`<text x="${n(at - 4)}" y="${n(plot.top - 8)}" text-anchor="end" font-size="11" fill="${axisInk}"${halo}>${marker.label}</text>`
				: html`<text x="${n(at + 4)}" y="${n(plot.top - 8)}" font-size="11" fill="${axisInk}"${halo}>${marker.label}</text>`;
			return html`<g class="marker"><line x1="${n(at)}" x2="${n(at)}" y1="${n(plot.top - 6)}" y2="${n(plot.bottom)}" stroke="${axisInk}" stroke-dasharray="4 3"/>${label}<title>${marker.label}</title></g>`;
		});
	const xTicks = (spec.xTicks ?? [xMin, xMax]).filter((tick) => tick >= xMin && tick <= xMax);
	return frame(
		spec,
		height,
		html`${yGrid(yTicks, y, plot, spec.formatY)}${bars}${markers}${xAxis(
			xTicks.map((tick) => ({ at: x(tick), label: String(tick) })),
			plot,
		)}${axisTitles(spec.xTitle, spec.yTitle, plot, height)}`,
	);
}

export interface Column {
	readonly label: string;
	/** Null or NaN draws no bar and shows "n/a". */
	readonly value: number | null;
	readonly tooltip: string;
	readonly tone?: Tone;
}

export interface ColumnChartSpec extends ChartFrame {
	readonly columns: readonly Column[];
	readonly xTitle: string;
	readonly yTitle: string;
	readonly formatY: (value: number) => string;
	/** A dashed horizontal line, e.g. the random baseline. */
	readonly reference?: { readonly value: number; readonly label: string };
}

/** One bar per category with its value on top, and an optional reference line. */
export function columnChart(spec: ColumnChartSpec): SafeHtml {
	const height = 300;
	const plot: Plot = { left: 64, right: width - 20, top: 44, bottom: height - 56 };
	if (spec.columns.length === 0) return frame(spec, height, emptyNote(plot));
	const values = spec.columns.map((column) => (finite(column.value) ? Math.max(0, column.value) : null));
	const reference = spec.reference && finite(spec.reference.value) ? spec.reference : undefined;
	const yTicks = niceTicks(Math.max(0, reference?.value ?? 0, ...values.map((value) => value ?? 0)) * 1.08);
	const y = scale(0, yTicks[yTicks.length - 1], plot.bottom, plot.top);
	const slot = (plot.right - plot.left) / spec.columns.length;
	const barWidth = Math.min(64, slot * 0.68);
	const columns = spec.columns.map((column, index) => {
		const centre = plot.left + slot * (index + 0.5);
		const value = values[index];
		const label = html`<text x="${n(centre)}" y="${n(plot.bottom + 16)}" text-anchor="middle" font-size="11" fill="${ink}">${column.label}</text>`;
		if (value === null) {
			return html`<g class="column missing">${label}<text x="${n(centre)}" y="${n(plot.bottom - 6)}" text-anchor="middle" font-size="11" fill="${axisInk}">n/a</text><title>${column.tooltip}</title></g>`;
		}
		return html`<g class="column"><rect class="bar" x="${n(centre - barWidth / 2)}" y="${n(y(value))}" width="${n(barWidth)}" height="${n(plot.bottom - y(value))}" rx="2" fill="${toneColours[column.tone ?? 'primary']}"><title>${column.tooltip}</title></rect><text class="value" x="${n(centre)}" y="${n(y(value) - 5)}" text-anchor="middle" font-size="11" fill="${ink}"${halo}>${spec.formatY(value)}</text>${label}</g>`;
	});
	const line = reference
		? html`<g class="reference"><line x1="${n(plot.left)}" x2="${n(plot.right)}" y1="${n(y(reference.value))}" y2="${n(y(reference.value))}" stroke="${axisInk}" stroke-width="1.5" stroke-dasharray="6 4"/><text x="${n(plot.right)}" y="${n(y(reference.value) - 6)}" text-anchor="end" font-size="11" fill="${axisInk}"${halo}>${reference.label}</text><title>${reference.label}</title></g>`
		: '';
	return frame(
		spec,
		height,
		html`${yGrid(yTicks, y, plot, spec.formatY)}${columns}${line}${xAxis([], plot)}${axisTitles(spec.xTitle, spec.yTitle, plot, height)}`,
	);
}

export interface LinePoint {
	readonly x: number;
	readonly y: number;
	readonly tooltip?: string;
}

export interface LineSeries {
	readonly name: string;
	readonly points: readonly LinePoint[];
	readonly tone: Tone;
	/** Baselines are dashed and carry no point markers. */
	readonly baseline?: boolean;
}

export interface LineChartSpec extends ChartFrame {
	readonly series: readonly LineSeries[];
	readonly xTitle: string;
	readonly yTitle: string;
	readonly xDomain: readonly [number, number];
	readonly yDomain: readonly [number, number];
	readonly xTicks: readonly number[];
	readonly yTicks: readonly number[];
	readonly formatX: (value: number) => string;
	readonly formatY: (value: number) => string;
}

/** Lines through points, with a legend; points outside the domain are clamped to its edge. */
export function lineChart(spec: LineChartSpec): SafeHtml {
	const legendRows = layoutLegend(
		spec.series.map((line) => ({ width: 28 + textWidth(line.name, 11) })),
		64,
		width - 12,
	).rows;
	const height = 320 + (legendRows - 1) * legendRowHeight;
	const plot: Plot = { left: 64, right: width - 24, top: 60 + (legendRows - 1) * legendRowHeight, bottom: height - 56 };
	const [x0, x1] = spec.xDomain;
	const [y0, y1] = spec.yDomain;
	const usable = finite(x0) && finite(x1) && finite(y0) && finite(y1) && x1 > x0 && y1 > y0;
	const series = spec.series.map((line) => ({ ...line, points: line.points.filter((point) => finite(point.x) && finite(point.y)) }));
	if (!usable || series.every((line) => line.baseline || line.points.length === 0)) return frame(spec, height, emptyNote(plot));
	const x = scale(x0, x1, plot.left, plot.right, true);
	const y = scale(y0, y1, plot.bottom, plot.top, true);
	const lines = series.map((line) => {
		const colour = toneColours[line.tone];
		const coordinates = line.points.map((point) => `${n(x(point.x))},${n(y(point.y))}`).join(' ');
		const path = html`<polyline class="series" points="${coordinates}" fill="none" stroke="${colour}" stroke-width="${line.baseline ? '1.5' : '2.5'}"${line.baseline ? html` stroke-dasharray="6 4"` : ''} stroke-linejoin="round"><title>${line.name}</title></polyline>`;
		const dots = line.baseline
			? []
			: line.points.map(
					(point) =>
						html`<circle class="point" cx="${n(x(point.x))}" cy="${n(y(point.y))}" r="4" fill="#ffffff" stroke="${colour}" stroke-width="2"><title>${point.tooltip ?? `${spec.formatX(point.x)}: ${spec.formatY(point.y)}`}</title></circle>`,
				);
		return html`<g class="line${line.baseline ? ' baseline' : ''}">${path}${dots}</g>`;
	});
	const xTicks = spec.xTicks.filter((tick) => tick >= x0 && tick <= x1).map((tick) => ({ at: x(tick), label: spec.formatX(tick) }));
	return frame(
		spec,
		height,
		html`${yGrid(
			spec.yTicks.filter((tick) => tick >= y0 && tick <= y1),
			y,
			plot,
			spec.formatY,
		)}${lines}${xAxis(xTicks, plot)}${legend(series, plot)}${axisTitles(spec.xTitle, spec.yTitle, plot, height)}`,
	);
}

export interface ListBar {
	readonly label: string;
	/** Bar length in the list's units; null or NaN draws no bar. */
	readonly value: number | null;
	/** Text at the end of the row, e.g. "100" or "62%". */
	readonly valueText: string;
	readonly tooltip: string;
	readonly tone?: Tone;
	/** A thin tick to compare with, in the same units (e.g. the share in other buckets). */
	readonly marker?: number | null;
}

export interface BarListSpec extends ChartFrame {
	readonly bars: readonly ListBar[];
	/** The SVG's width in its own units (default 640): narrower lists keep their text larger when shown small. */
	readonly width?: number;
	/** The value of a full-length bar; defaults to the largest value. */
	readonly max?: number;
	readonly legend?: readonly { readonly tone: Tone | 'marker'; readonly label: string }[];
	/** Shown instead of bars when there are none. */
	readonly emptyText?: string;
}

/** Horizontal bars with a label on the left, longest first as given; the SVG grows with the rows. */
export function barList(spec: BarListSpec): SafeHtml {
	const rowHeight = 30;
	const labelWidth = Math.ceil(Math.min(maxLabelWidth, Math.max(120, ...spec.bars.map((bar) => textWidth(bar.label, 12)))));
	const valueWidth = Math.ceil(Math.max(40, ...spec.bars.map((bar) => textWidth(finite(bar.value) ? bar.valueText : 'n/a', 12, true))));
	// Wider than asked when the texts need it, so the bars keep at least minBarArea.
	const listWidth = Math.max(spec.width ?? width, labelWidth + 12 + minBarArea + valueWidth + 24, textWidth(spec.title, 14, true) + 24);
	const legendRows = layoutLegend(legendItems(spec.legend ?? []), 12, listWidth - 12).rows;
	const top = spec.legend?.length ? 40 + legendRows * legendRowHeight : 40;
	const height = top + Math.max(1, spec.bars.length) * rowHeight + 14;
	const plot: Plot = { left: labelWidth + 12, right: listWidth - valueWidth - 24, top, bottom: height - 14 };
	if (spec.bars.length === 0) return frame(spec, height, emptyNote({ ...plot, left: 20 }, spec.emptyText), listWidth);
	const largest = Math.max(0, ...spec.bars.flatMap((bar) => [finite(bar.value) ? bar.value : 0, finite(bar.marker) ? bar.marker : 0]));
	const max = finite(spec.max) && spec.max > 0 ? spec.max : largest > 0 ? largest : 1;
	const x = scale(0, max, plot.left, plot.right, true);
	const rows = spec.bars.map((bar, index) => {
		const middle = top + index * rowHeight + rowHeight / 2;
		const label = html`<text x="${n(plot.left - 10)}" y="${n(middle + 4)}" text-anchor="end" font-size="12" fill="${ink}">${fitText(bar.label, 12, labelWidth)}</text>`;
		const track = html`<rect x="${n(plot.left)}" y="${n(middle - 8)}" width="${n(plot.right - plot.left)}" height="16" rx="3" fill="#f1f3f7"/>`;
		const value = finite(bar.value) ? Math.max(0, bar.value) : null;
		const rect =
			value === null
				? ''
				: html`<rect class="bar" x="${n(plot.left)}" y="${n(middle - 8)}" width="${n(Math.max(value > 0 ? 2 : 0, x(value) - plot.left))}" height="16" rx="3" fill="${toneColours[bar.tone ?? 'primary']}"/>`;
		const marker = finite(bar.marker)
			? html`<line class="compare" x1="${n(x(bar.marker))}" x2="${n(x(bar.marker))}" y1="${n(middle - 11)}" y2="${n(middle + 11)}" stroke="${ink}" stroke-width="2"/>`
			: '';
		const valueText = html`<text x="${n(listWidth - 12)}" y="${n(middle + 4)}" text-anchor="end" font-size="12" fill="${ink}" font-weight="600">${value === null ? 'n/a' : bar.valueText}</text>`;
		return html`<g class="row"><title>${bar.tooltip}</title>${label}${track}${rect}${marker}${valueText}</g>`;
	});
	return frame(spec, height, html`${rows}${listLegend(spec.legend ?? [], plot, listWidth)}`, listWidth);
}

/** The svg element around a chart's marks: accessible name, visible title and tooltip. */
function frame(spec: ChartFrame, height: number, body: SafeHtml, plotWidth = width): SafeHtml {
	const frameWidth = Math.ceil(Math.max(plotWidth, textWidth(spec.title, 14, true) + 24));
	const description = spec.description ? html`<desc>${spec.description}</desc>` : '';
	return html`<svg id="${spec.id}" class="chart" role="img" aria-label="${spec.title}" viewBox="0 0 ${frameWidth} ${height}" width="${frameWidth}" height="${height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"><title>${spec.title}</title>${description}<text class="chart-title" x="12" y="22" font-size="14" font-weight="600" fill="${ink}">${spec.title}</text>${body}</svg>`;
}

function emptyNote(plot: Plot, text = 'No data to show'): SafeHtml {
	return html`<text class="empty" x="${n((plot.left + plot.right) / 2)}" y="${n((plot.top + plot.bottom) / 2)}" text-anchor="middle" font-size="13" fill="${axisInk}">${text}</text>`;
}

function yGrid(ticks: readonly number[], y: (value: number) => number, plot: Plot, format: (value: number) => string): SafeHtml {
	return join(
		ticks.map(
			(tick) =>
				html`<line x1="${n(plot.left)}" x2="${n(plot.right)}" y1="${n(y(tick))}" y2="${n(y(tick))}" stroke="${gridInk}"/><text x="${n(plot.left - 8)}" y="${n(y(tick) + 4)}" text-anchor="end" font-size="11" fill="${axisInk}">${format(tick)}</text>`,
		),
	);
}

function xAxis(ticks: readonly { at: number; label: string }[], plot: Plot): SafeHtml {
	const marks = ticks.map(
		(tick) =>
			html`<line x1="${n(tick.at)}" x2="${n(tick.at)}" y1="${n(plot.bottom)}" y2="${n(plot.bottom + 5)}" stroke="${axisInk}"/><text x="${n(tick.at)}" y="${n(plot.bottom + 18)}" text-anchor="middle" font-size="11" fill="${axisInk}">${tick.label}</text>`,
	);
	return html`<line class="axis" x1="${n(plot.left)}" x2="${n(plot.right)}" y1="${n(plot.bottom)}" y2="${n(plot.bottom)}" stroke="${axisInk}"/>${marks}`;
}

function axisTitles(xTitle: string, yTitle: string, plot: Plot, height: number): SafeHtml {
	const middleY = (plot.top + plot.bottom) / 2;
	return html`<text class="axis-title" x="${n((plot.left + plot.right) / 2)}" y="${n(height - 12)}" text-anchor="middle" font-size="12" fill="${ink}">${xTitle}</text><text class="axis-title" transform="translate(16 ${n(middleY)}) rotate(-90)" text-anchor="middle" font-size="12" fill="${ink}">${yTitle}</text>`;
}

const legendRowHeight = 18;
/** Labels longer than this are cut with an ellipsis (their full text stays in the tooltip). */
const maxLabelWidth = 330;
const minBarArea = 160;

/** Places legend items left to right from `left`, starting a new row where one would pass `right`. */
function layoutLegend(items: readonly { width: number }[], left: number, right: number): { rows: number; places: { x: number; row: number }[] } {
	let x = left;
	let row = 0;
	const places = items.map((item) => {
		if (x > left && x + item.width > right) {
			row++;
			x = left;
		}
		const place = { x, row };
		x += item.width + 16;
		return place;
	});
	return { rows: row + 1, places };
}

function legend(series: readonly LineSeries[], plot: Plot): SafeHtml {
	const { places } = layoutLegend(
		series.map((line) => ({ width: 28 + textWidth(line.name, 11) })),
		plot.left,
		width - 12,
	);
	const rowsAbove = Math.max(0, ...places.map((place) => place.row));
	const entries = series.map((line, index) => {
		const colour = toneColours[line.tone];
		const offset = places[index].x;
		const y = plot.top - 22 - (rowsAbove - places[index].row) * legendRowHeight;
		return html`<g class="legend-entry"><line x1="${n(offset)}" x2="${n(offset + 22)}" y1="${n(y)}" y2="${n(y)}" stroke="${colour}" stroke-width="${line.baseline ? '1.5' : '2.5'}"${line.baseline ? html` stroke-dasharray="6 4"` : ''}/><text x="${n(offset + 28)}" y="${n(y + 4)}" font-size="11" fill="${ink}">${line.name}</text></g>`;
	});
	return join(entries);
}

function legendItems(entries: readonly { label: string }[]): { width: number }[] {
	return entries.map((entry) => ({ width: 18 + textWidth(entry.label, 11) }));
}

function listLegend(entries: readonly { tone: Tone | 'marker'; label: string }[], plot: Plot, listWidth: number): SafeHtml {
	const { rows, places } = layoutLegend(legendItems(entries), 12, listWidth - 12);
	return join(
		entries.map((entry, index) => {
			const offset = places[index].x;
			const base = plot.top - 12 - (rows - 1 - places[index].row) * legendRowHeight;
			const swatch =
				entry.tone === 'marker'
					? html`<line x1="${n(offset + 5)}" x2="${n(offset + 5)}" y1="${n(base - 14)}" y2="${n(base)}" stroke="${ink}" stroke-width="2"/>`
					: html`<rect x="${n(offset)}" y="${n(base - 13)}" width="12" height="12" rx="2" fill="${toneColours[entry.tone]}"/>`;
			return html`<g class="legend-entry">${swatch}<text x="${n(offset + 18)}" y="${n(base - 3)}" font-size="11" fill="${ink}">${entry.label}</text></g>`;
		}),
	);
}

/**
 * Round ticks from 0 to a round number at or above `max` (0–1 when max is 0 or missing),
 * about `count` steps of 1, 2 or 5 × a power of ten, never finer than `minStep`.
 */
export function niceTicks(max: number, count = 5, minStep = 0): number[] {
	const top = finite(max) && max > 0 ? max : Math.max(1, minStep);
	const raw = Math.max(top / count, minStep);
	const magnitude = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw * (1 - 1e-12)) ?? 10 * magnitude;
	const ticks: number[] = [];
	for (let k = 0; k * step < top + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
	if (ticks[ticks.length - 1] < top - step * 1e-9) ticks.push(Number((ticks.length * step).toPrecision(12)));
	return ticks;
}

function scale(d0: number, d1: number, r0: number, r1: number, clamp = false): (value: number) => number {
	const span = d1 - d0 || 1;
	return (value) => {
		const t = (value - d0) / span;
		return r0 + (clamp ? Math.min(1, Math.max(0, t)) : t) * (r1 - r0);
	};
}

/** `text`, cut with an ellipsis where it would be wider than `room` at `fontSize`. */
function fitText(text: string, fontSize: number, room: number): string {
	if (textWidth(text, fontSize) <= room) return text;
	let kept = text;
	while (kept.length > 1 && textWidth(`${kept}…`, fontSize) > room) kept = kept.slice(0, -1);
	return `${kept.trimEnd()}…`;
}

function finite(value: number | null | undefined): value is number {
	return typeof value === 'number' && Number.isFinite(value);
}

/** An SVG coordinate with one decimal: short, and the same on every machine. */
function n(value: number): string {
	return fixed(value, 1);
}
