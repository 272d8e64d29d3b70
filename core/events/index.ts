/** Events into the engine: the columnar table, the loaders and their mapping, the binary codec. */
export * from './table';
export * from './time';
export * from './mapping';
export * from './report';
export { EventSink, type BadRowPolicy, toNumber } from './sink';
export { detectDelimiter, readCsv, type CsvHandlers } from './csv';
export { readJsonArray, readNdjson, type JsonHandlers } from './json';
export { readPostgres, type PgRowHandlers } from './postgres';
export { openText, type TextInput } from './text';
export * from './load';
export * from './codec';
