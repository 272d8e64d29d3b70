/**
 * `--events` naming a warehouse table instead of a file: the URL and `--map` become a
 * warehouse source, and the command's work runs there (core/warehouse).
 */
import { isWarehouseUrl, type MappingOptions, parseFieldMap, parseWarehouseUrl, type WarehouseSource } from '../core';
import { type OptionValues, stringOption } from './command';

export const warehouseUsage = `  --events URL         or a warehouse table (the work then runs in the warehouse):
                         postgres://USER@HOST:PORT/DATABASE?table=SCHEMA.TABLE
                         clickhouse://USER@HOST:PORT/DATABASE?table=TABLE (HTTP port)
                       password in the URL or in PROPENSITY_WAREHOUSE_PASSWORD; columns by
                       --map as for files (default customer_id, timestamp, event_type, value)`;

/** The warehouse source and column mapping when --events is a warehouse URL; undefined for a file. */
export function warehouseOption(options: OptionValues): { source: WarehouseSource; mapping: MappingOptions } | undefined {
	const events = stringOption(options, 'events');
	if (!events || !isWarehouseUrl(events)) return undefined;
	const map = stringOption(options, 'map');
	return { source: parseWarehouseUrl(events), mapping: map ? parseFieldMap(map) : {} };
}
