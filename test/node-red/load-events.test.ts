import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { EventTable } from '../../core/events/table';
import loadEventsNode from '../../nodes/node-red/load-events';
import { freshDir, simulatedEvents } from './support/fixtures';
import { helper, message, statuses, type FlowNode } from './support/helper';

const rows = [
	{ customer_id: 'c1', timestamp: '2026-01-01T10:00:00Z', event_type: 'visit', email: 'a@example.org' },
	{ customer_id: 'c1', timestamp: '2026-01-02T10:00:00Z', event_type: 'purchase', value: 40, email: 'a@example.org' },
	{ customer_id: 'c2', timestamp: '2026-01-03T10:00:00Z', event_type: 'visit', email: 'b@example.org' },
];

/** Load Events wired to an output helper, with a Catch node wired to an error helper. */
function flow(settings: Record<string, unknown>): FlowNode[] {
	return [
		{ id: 'tab', type: 'tab', label: 'test' },
		{
			id: 'load',
			z: 'tab',
			type: 'propensity-load-events',
			name: '',
			source: 'file',
			pathType: 'str',
			path: '',
			format: 'auto',
			preset: 'auto',
			badRows: 'fail',
			attributes: [],
			...settings,
			wires: [['out']],
		},
		{ id: 'out', z: 'tab', type: 'helper' },
		{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', z: 'tab', type: 'helper' },
	];
}

describe('Node-RED: load events', function () {
	this.timeout(60000);
	let file: string;
	let expected: { profiles: number; events: number };

	before(async () => {
		const data = await simulatedEvents();
		file = data.file;
		expected = { profiles: data.loaded.summary.profiles, events: data.loaded.summary.events };
	});

	afterEach(() => helper.unload());

	it('reads the file in its File setting into msg.events, with the summary on msg.payload', async () => {
		await helper.load(loadEventsNode, flow({ path: file }));
		const shown = statuses(helper.getNode('load'));
		const arriving = message(helper.getNode('out'));
		helper.getNode('load').receive({ payload: 'go', topic: 'weekly' });
		const msg = await arriving;
		const events = msg.events as EventTable;
		assert.equal(events.profileIds.length, expected.profiles);
		assert.equal(events.length, expected.events);
		assert.deepEqual(msg.payload, msg.loadSummary);
		assert.equal((msg.loadReport as { format: string }).format, 'csv');
		assert.equal(msg.topic, 'weekly', 'the rest of the message travels on');
		assert.ok(
			shown.some((status) => /^loading events: [\d,]+ events/.test(status.text ?? '')),
			`progress was shown: ${JSON.stringify(shown)}`,
		);
		assert.deepEqual(shown.at(-1), {
			fill: 'green',
			shape: 'dot',
			text: `${expected.profiles.toLocaleString('en-US')} profiles, ${expected.events.toLocaleString('en-US')} events`,
		});
	});

	it('reads msg.filename instead of the File setting when the message sets it', async () => {
		await helper.load(loadEventsNode, flow({ path: '/nowhere/events.csv' }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('load').receive({ filename: file });
		assert.equal(((await arriving).events as EventTable).length, expected.events);
	});

	it('takes the file from an environment variable when File is an env typed input', async () => {
		process.env.PROPENSITY_TEST_EVENTS = file;
		try {
			await helper.load(loadEventsNode, flow({ path: 'PROPENSITY_TEST_EVENTS', pathType: 'env' }));
			const arriving = message(helper.getNode('out'));
			helper.getNode('load').receive({});
			assert.equal(((await arriving).events as EventTable).length, expected.events);
		} finally {
			delete process.env.PROPENSITY_TEST_EVENTS;
		}
	});

	it('says which environment variable is not set instead of looking for a file named after it', async () => {
		delete process.env.PROPENSITY_TEST_UNSET;
		await helper.load(loadEventsNode, flow({ path: 'PROPENSITY_TEST_UNSET', pathType: 'env' }));
		const caught = message(helper.getNode('errors'));
		helper.getNode('load').receive({});
		const error = (await caught).error as { message: string };
		assert.match(error.message, /environment variable PROPENSITY_TEST_UNSET, which is not set/);
	});

	it('loads a list of event objects from msg.payload, keeping the attributes asked for', async () => {
		await helper.load(loadEventsNode, flow({ source: 'payload', attributes: [{ name: 'email', path: '', kind: 'category' }] }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('load').receive({ payload: rows });
		const events = (await arriving).events as EventTable;
		assert.deepEqual(events.profileIds, ['c1', 'c2']);
		assert.deepEqual(events.types, ['purchase', 'visit']);
		assert.deepEqual(
			events.attributes.map((column) => column.name),
			['email'],
		);
	});

	it('loads file contents given as a Buffer on msg.payload, detecting NDJSON from msg.filename', async () => {
		await helper.load(loadEventsNode, flow({ source: 'payload' }));
		const arriving = message(helper.getNode('out'));
		const ndjson = rows.map((row) => JSON.stringify(row)).join('\n');
		helper.getNode('load').receive({ payload: Buffer.from(ndjson), filename: 'events.ndjson' });
		const msg = await arriving;
		assert.equal((msg.events as EventTable).length, 3);
		assert.equal((msg.loadReport as { format: string }).format, 'ndjson');
	});

	it('reads a Latin-1 file when the Encoding is set, and counts its rows as bad-encoding rows when it is not', async () => {
		const latin1 = Buffer.from('customer_id,timestamp,event_type,city\nc1,2026-01-01,visit,M\xfcnchen\nc2,2026-01-02,visit,Paris\n', 'latin1');
		await helper.load(loadEventsNode, flow({ source: 'payload', encoding: 'latin1' }));
		let arriving = message(helper.getNode('out'));
		helper.getNode('load').receive({ payload: latin1, filename: 'latin1.csv' });
		const events = (await arriving).events as EventTable;
		const city = events.attributes.find((column) => column.name === 'city');
		assert.deepEqual(city?.kind === 'category' ? [...city.dictionary].sort() : [], ['München', 'Paris']);
		await helper.unload();
		await helper.load(loadEventsNode, flow({ source: 'payload', badRows: 'skip' }));
		arriving = message(helper.getNode('out'));
		helper.getNode('load').receive({ payload: latin1, filename: 'latin1.csv' });
		assert.deepEqual(((await arriving).loadSummary as { rejectedByReason: object }).rejectedByReason, { 'bad-encoding': 1 });
	});

	it('reads the fields named in the dialog when the columns are not the usual ones', async () => {
		const dir = freshDir('load-events-fields');
		const custom = path.join(dir, 'custom.csv');
		fs.writeFileSync(custom, 'who,when,what,amount\nu1,2026-01-01T00:00:00Z,signup,\nu1,2026-01-05T00:00:00Z,order,12.5\n');
		await helper.load(loadEventsNode, flow({ path: custom, preset: 'flat', idField: 'who', timeField: 'when', typeField: 'what', valueField: 'amount' }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('load').receive({});
		const events = (await arriving).events as EventTable;
		assert.deepEqual(events.profileIds, ['u1']);
		assert.deepEqual(Array.from(events.value), [NaN, 12.5]);
	});

	it('skips unreadable rows when asked, counts them and shows a yellow status', async () => {
		await helper.load(loadEventsNode, flow({ source: 'payload', badRows: 'skip' }));
		const shown = statuses(helper.getNode('load'));
		const arriving = message(helper.getNode('out'));
		helper.getNode('load').receive({ payload: [...rows, { customer_id: 'c3', timestamp: 'not a time', event_type: 'visit' }] });
		const msg = await arriving;
		assert.equal((msg.loadSummary as { rejectedRows: number }).rejectedRows, 1);
		assert.deepEqual(shown.at(-1), { fill: 'yellow', shape: 'dot', text: '2 profiles, 3 events · 1 rows skipped' });
	});

	it('sends a missing file to a Catch node with the core message, and sends nothing on', async () => {
		await helper.load(loadEventsNode, flow({ path: '/nowhere/events.csv' }));
		const shown = statuses(helper.getNode('load'));
		const caught = message(helper.getNode('errors'));
		let sent = false;
		helper.getNode('out').on('input', () => (sent = true));
		helper.getNode('load').receive({ payload: 'go' });
		const msg = await caught;
		const error = msg.error as { message: string; source: { id: string } };
		assert.equal(error.message, 'The events file "/nowhere/events.csv" cannot be read: it does not exist or is not readable. Check the path.');
		assert.equal(error.source.id, 'load');
		assert.equal(msg.payload, 'go', 'the Catch node gets the message that failed');
		assert.equal(shown.at(-1)?.fill, 'red');
		assert.equal(sent, false);
	});

	it('refuses a payload that is neither rows nor file contents, saying what it expected', async () => {
		await helper.load(loadEventsNode, flow({ source: 'payload' }));
		const caught = message(helper.getNode('errors'));
		helper.getNode('load').receive({ payload: 42 });
		assert.match(((await caught).error as { message: string }).message, /^msg\.payload must be a list of event objects, or the contents of an events file/);
	});

	it('handles messages one at a time, in the order they arrive', async () => {
		await helper.load(loadEventsNode, flow({ source: 'payload' }));
		const arriving = new Promise<Record<string, unknown>[]>((resolve) => {
			const got: Record<string, unknown>[] = [];
			helper.getNode('out').on('input', (msg: Record<string, unknown>) => {
				got.push(msg);
				if (got.length === 3) resolve(got);
			});
		});
		const node = helper.getNode('load');
		node.receive({ topic: 'first', payload: rows });
		node.receive({ topic: 'second', payload: rows.slice(0, 1) });
		node.receive({ topic: 'third', payload: rows.slice(0, 2) });
		const got = await arriving;
		assert.deepEqual(
			got.map((msg) => [msg.topic, (msg.events as EventTable).length]),
			[
				['first', 3],
				['second', 1],
				['third', 2],
			],
		);
	});
});
