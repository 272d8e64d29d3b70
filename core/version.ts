/** The package version, written into every model so a reader knows who wrote it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const packageVersion: string = (require('../../package.json') as { version: string }).version;
