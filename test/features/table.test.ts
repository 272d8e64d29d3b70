/**
 * The feature table (`propensity features`, n8n and Node-RED feature exports) holds the same
 * buy-till-you-die features as training: fitted on the histories as of the moment, and equal
 * to the BG/NBD formula with the parameters it declares.
 */
import assert from 'node:assert/strict';
import { featureTable } from '../../core/features/table';
import { bgnbdPurchaseChance } from '../../core/features/bgnbd';
import { parseGoal } from '../../core/goal';
import { rfmAsOf, simulateBgnbd } from '../../core/simulate/bgnbd';
import { bgnbdTable } from '../support/accuracyHarness';

const DAY = 86_400_000;

describe('the feature table', () => {
	const sim = simulateBgnbd({ customers: 2000, seed: 8, historyDays: 300 });
	const table = bgnbdTable(sim);
	const goal = parseGoal({
		name: 'p',
		propensityType: 'conversion',
		lookbackDays: 365,
		outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	});
	const asOf = sim.start + 240 * DAY;

	it('holds the buy-till-you-die features, equal to the BG/NBD formula with the declared parameters', async () => {
		const result = await featureTable(table, goal, { asOf });
		const names = result.features.map((feature) => feature.name);
		const repeat = names.indexOf('purchase_repeat_chance_30d');
		assert.ok(repeat >= 0 && names.includes('purchase_active_chance'), names.join(', '));
		const params = result.features[repeat].bgnbd;
		assert.ok(params, 'the fitted parameters are declared');
		const byId = new Map(sim.customers.map((customer) => [customer.id, customer]));
		let checked = 0;
		result.profile.forEach((p, row) => {
			if (row % 97 !== 0) return;
			const rfm = rfmAsOf(byId.get(table.profileIds[p])?.purchases ?? new Float64Array(), asOf);
			if (!rfm) return;
			const expected = bgnbdPurchaseChance(params, rfm.x, rfm.tx, rfm.T, 30);
			assert.ok(Math.abs(result.columns[repeat][row] - expected) < 1e-5, `row ${row}: ${result.columns[repeat][row]} against ${expected}`);
			checked++;
		});
		assert.ok(checked >= 10, `checked ${checked} rows`);
	});

	it('fits them on the histories only: events after the moment change neither the parameters nor the values', async () => {
		const result = await featureTable(table, goal, { asOf });
		const earlier = bgnbdTable({
			...sim,
			customers: sim.customers.map((customer) => {
				const kept = Array.from(customer.purchases).filter((t) => t <= asOf).length;
				return { ...customer, purchases: customer.purchases.slice(0, kept), values: customer.values.slice(0, kept) };
			}),
		});
		const cut = await featureTable(earlier, goal, { asOf });
		const bgnbd = (features: typeof result.features) => features.filter((feature) => feature.bgnbd).map((feature) => feature.bgnbd);
		assert.deepEqual(bgnbd(cut.features), bgnbd(result.features));
		const repeat = result.features.findIndex((feature) => feature.aggregate === 'repeatChance');
		assert.deepEqual(Array.from(cut.columns[repeat]), Array.from(result.columns[repeat]));
		assert.ok(result.labelled && !cut.labelled, 'control: only the full table can label the window');
	});
});
