/** The insights report: its input shape, the summary of scores it draws, and the renderer. */
export { renderReport } from './render';
export { summariseScores, histogramBinWidth, type SummariseOptions } from './summary';
export { escapeHtml } from './html';
export type * from './types';
