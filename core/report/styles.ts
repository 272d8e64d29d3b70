/** The report's inline stylesheet: light, calm, readable on screen and on paper. No user data. */
export const reportCss = `
:root {
	--ink: #1f2a37; --soft: #52606d; --faint: #7b8794; --line: #e3e7ee; --page: #f4f6f9; --card: #ffffff;
	--blue: #2f6fde; --blue-soft: #eaf1fd; --good: #1b7f4b; --good-soft: #e6f4ec; --ok: #8a5a00; --ok-soft: #fdf3dc;
	--bad: #b42318; --bad-soft: #fdecea;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--page); color: var(--ink); font: 15px/1.55 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; }
.report { max-width: 1080px; margin: 0 auto; padding: 32px 28px 48px; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h1 { font-size: 28px; font-weight: 700; letter-spacing: -0.01em; }
h2 { font-size: 19px; font-weight: 650; margin-bottom: 4px; }
h3 { font-size: 15px; font-weight: 650; margin-bottom: 6px; }
p { margin: 0 0 10px; }
.muted { color: var(--soft); }
.small { font-size: 13px; }
.masthead { background: var(--card); border: 1px solid var(--line); border-top: 5px solid var(--blue); border-radius: 12px; padding: 24px 28px 20px; margin-bottom: 14px; }
.eyebrow { text-transform: uppercase; letter-spacing: 0.08em; font-size: 12px; font-weight: 650; color: var(--blue); margin-bottom: 6px; }
.version { font-size: 15px; font-weight: 600; color: var(--soft); background: var(--page); border: 1px solid var(--line); border-radius: 999px; padding: 2px 10px; vertical-align: middle; margin-left: 6px; }
.goal-words { font-size: 17px; margin: 10px 0 16px; max-width: 62em; }
.facts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px 22px; margin: 0; padding-top: 14px; border-top: 1px solid var(--line); }
.facts div { min-width: 0; }
.facts dt { font-size: 12px; color: var(--faint); text-transform: uppercase; letter-spacing: 0.05em; }
.facts dd { margin: 2px 0 0; font-weight: 600; overflow-wrap: anywhere; }
nav.toc { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 14px; }
nav.toc a { font-size: 13px; color: var(--soft); text-decoration: none; background: var(--card); border: 1px solid var(--line); border-radius: 999px; padding: 3px 12px; }
nav.toc a:hover { color: var(--blue); border-color: var(--blue); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 22px 26px; margin-bottom: 14px; }
.lede { color: var(--soft); max-width: 60em; margin-bottom: 16px; }
.takeaways { margin: 0; padding: 0; list-style: none; display: grid; gap: 8px; }
.takeaways li { padding: 10px 14px 10px 16px; background: var(--blue-soft); border-radius: 8px; border-left: 4px solid var(--blue); }
.takeaways li.bad { background: var(--bad-soft); border-left-color: var(--bad); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin-bottom: 14px; }
.tile { border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
.tile .label { font-size: 13px; color: var(--soft); font-weight: 600; }
.tile .value { font-size: 30px; font-weight: 700; letter-spacing: -0.02em; margin: 2px 0 4px; font-variant-numeric: tabular-nums; }
.tile p { font-size: 13px; color: var(--soft); margin: 0; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; border-radius: 999px; padding: 2px 10px; vertical-align: middle; margin-left: 6px; }
.badge.great { background: var(--good-soft); color: var(--good); }
.badge.ok { background: var(--ok-soft); color: var(--ok); }
.badge.bad { background: var(--bad-soft); color: var(--bad); }
.scale { font-size: 13px; color: var(--soft); }
.callout { border-radius: 10px; padding: 14px 18px; margin: 12px 0 0; }
.callout.bad { background: var(--bad-soft); border: 1px solid #f5c2bd; }
.callout.warn { background: var(--ok-soft); border: 1px solid #f2dca5; }
.callout h3 { margin-bottom: 4px; }
.callout ul { margin: 6px 0 0; padding-left: 20px; }
.figure { display: grid; grid-template-columns: minmax(0, 1.9fr) minmax(220px, 1fr); gap: 22px; align-items: start; margin-top: 6px; }
.figure + .figure { margin-top: 18px; }
.pair { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 22px; }
.chart { display: block; width: 100%; height: auto; max-width: 720px; }
.howto { font-size: 14px; color: var(--soft); background: var(--page); border-radius: 10px; padding: 14px 16px; }
.howto h3 { color: var(--ink); font-size: 13px; text-transform: uppercase; letter-spacing: 0.05em; }
.howto p:last-child { margin-bottom: 0; }
.buckets { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; margin-bottom: 18px; }
.bucket { border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; border-top: 5px solid var(--tone); }
.bucket .name { font-weight: 700; font-size: 16px; }
.bucket .range { color: var(--soft); font-size: 13px; }
.bucket dl { display: grid; grid-template-columns: auto auto; justify-content: space-between; gap: 2px 12px; margin: 10px 0 0; font-size: 14px; }
.bucket dt { color: var(--soft); }
.bucket dd { margin: 0; font-weight: 650; text-align: right; font-variant-numeric: tabular-nums; }
.bucket-factors .chart { max-width: 560px; }
.bucket-factors { display: grid; grid-template-columns: repeat(auto-fit, minmax(400px, 1fr)); gap: 18px 26px; margin-top: 12px; }
table { width: 100%; border-collapse: collapse; font-size: 14px; margin: 6px 0 14px; }
caption { text-align: left; font-size: 13px; font-weight: 600; color: var(--soft); padding-bottom: 4px; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--faint); font-weight: 650; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 650; border-bottom: none; }
tr.chosen td { background: var(--good-soft); }
.tag { font-size: 12px; font-weight: 650; border-radius: 999px; padding: 1px 8px; background: var(--page); color: var(--soft); white-space: nowrap; }
.tag.validation { background: var(--blue-soft); color: var(--blue); }
.tag.chosen { background: var(--good-soft); color: var(--good); }
.columns { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 26px; }
.findings { margin: 6px 0 0; padding-left: 20px; }
.findings li { margin-bottom: 4px; }
.ok-line::before { content: '✓ '; color: var(--good); font-weight: 700; }
.warn-line::before { content: '! '; color: var(--bad); font-weight: 700; }
code { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 0.92em; background: var(--page); border-radius: 4px; padding: 0 4px; overflow-wrap: anywhere; }
footer { color: var(--faint); font-size: 13px; text-align: center; padding-top: 10px; }
@media (max-width: 820px) {
	.figure, .pair, .columns, .buckets { grid-template-columns: minmax(0, 1fr); }
	.facts { grid-template-columns: repeat(2, minmax(0, 1fr)); }
	.bucket-factors { grid-template-columns: minmax(0, 1fr); }
}
@media print {
	@page { margin: 14mm; }
	body { background: #ffffff; font-size: 12px; }
	.report { max-width: none; padding: 0; }
	nav.toc { display: none; }
	.card, .masthead { border-color: #d5dae1; break-inside: avoid; page-break-inside: avoid; }
	.figure, .pair > *, .bucket, .tile, table { break-inside: avoid; page-break-inside: avoid; }
	.howto, .takeaways li, .tile, .bucket { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
	h2 { break-after: avoid; }
	/* A printed page is narrow but wide enough for the row layouts of the screen. */
	.facts { grid-template-columns: repeat(3, minmax(0, 1fr)); }
	.tiles { grid-template-columns: repeat(4, minmax(0, 1fr)); }
	.buckets { grid-template-columns: repeat(3, minmax(0, 1fr)); }
	.tile .value { font-size: 24px; }
}
`;
