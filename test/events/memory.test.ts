import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { profilesForEvents, writeSimulation } from '../../core/simulate';
import { outputDir } from './support';

const events = 1_000_000;
/** Peak growth of the process's resident memory while loading 1,000,000 events with 6 attribute columns. */
const peakBudgetBytes = 400 * 1024 * 1024;
/** Bytes per event for profile id, time, type and value (attribute columns excluded): the design's target. */
const coreBudget = 40;

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;

describe('loading a large file', function () {
	this.timeout(900000);

	it('loads a 1,000,000-event CSV within the memory budget, at no more than 40 bytes per event for id, time, type and value', async () => {
		const dir = outputDir('memory');
		const full = path.join(dir, 'full.csv');
		await writeSimulation({ profiles: Math.ceil(profilesForEvents(events, { seed: 5 }) * 1.1), seed: 5, format: 'csv', out: full });
		const text = fs.readFileSync(full, 'latin1');
		let end = -1;
		for (let line = 0; line <= events; line++) end = text.indexOf('\n', end + 1);
		assert.ok(end > 0, 'the simulation has 1,000,000 events');
		const file = path.join(dir, 'events.csv');
		fs.writeFileSync(file, text.slice(0, end + 1), 'latin1');
		fs.rmSync(full);

		// A fresh process, so the figures are the load's alone.
		const probe = path.join(__dirname, 'memoryProbe.js');
		const output = execFileSync(process.execPath, ['--expose-gc', probe, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
		const figures = JSON.parse(output) as {
			file: number;
			events: number;
			seconds: number;
			peakRssDelta: number;
			peakHeapDelta: number;
			retainedDelta: number;
			tableBytes: number;
			coreBytesPerEvent: number;
			bytesPerEvent: number;
			attributes: number;
		};
		console.log(
			`      1,000,000-event CSV (${mb(figures.file)}): peak RSS +${mb(figures.peakRssDelta)} (budget ${mb(peakBudgetBytes)}), peak heap +${mb(figures.peakHeapDelta)}, ` +
				`kept after load ${mb(figures.retainedDelta)}; table ${mb(figures.tableBytes)} = ${figures.bytesPerEvent.toFixed(1)} bytes/event ` +
				`(${figures.coreBytesPerEvent.toFixed(2)} for id, time, type, value + ${figures.attributes} attribute columns); ${figures.seconds.toFixed(1)} s`,
		);
		assert.equal(figures.events, events);
		assert.ok(figures.coreBytesPerEvent <= coreBudget, `${figures.coreBytesPerEvent} bytes per event`);
		assert.ok(figures.peakRssDelta <= peakBudgetBytes, `peak RSS grew by ${mb(figures.peakRssDelta)}`);
		// What stays is the table (and its dictionaries), not the file's text.
		assert.ok(figures.retainedDelta < figures.tableBytes * 1.5, `kept ${mb(figures.retainedDelta)} for a ${mb(figures.tableBytes)} table`);
		fs.rmSync(file);
	});

	it('streams a JSON array larger than the memory it uses: 1,000,000 XDM events never held as text', async () => {
		const dir = outputDir('memory-xdm');
		const file = path.join(dir, 'events.json');
		const written = await writeSimulation({ profiles: profilesForEvents(events, { seed: 6 }), seed: 6, format: 'xdm', out: file });
		const probe = path.join(__dirname, 'memoryProbe.js');
		const figures = JSON.parse(execFileSync(process.execPath, ['--expose-gc', probe, file], { encoding: 'utf8', maxBuffer: 1 << 20 })) as {
			file: number;
			events: number;
			peakRssDelta: number;
			seconds: number;
		};
		console.log(
			`      ${figures.events.toLocaleString('en-US')} XDM events in a ${mb(figures.file)} JSON array: peak RSS +${mb(figures.peakRssDelta)}; ${figures.seconds.toFixed(1)} s`,
		);
		assert.equal(figures.events, written.events);
		// The text alone would take at least the file's size in memory.
		assert.ok(figures.peakRssDelta < figures.file, `peak RSS grew by ${mb(figures.peakRssDelta)} for a ${mb(figures.file)} file`);
		fs.rmSync(file);
	});
});
