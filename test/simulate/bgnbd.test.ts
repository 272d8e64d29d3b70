import assert from 'node:assert/strict';
import {
	bgnbdAliveChance,
	bgnbdExpectedPurchases,
	bgnbdLogLikelihood,
	bgnbdPurchaseChance,
	cdnowParams,
	fitBgnbd,
	rfmAsOf,
	simulateBgnbd,
} from '../../core/simulate/bgnbd';
import { logGamma } from '../../core/features/bgnbd';

const DAY = 86_400_000;

describe('the BG/NBD simulator and formulas', () => {
	it('gives the same purchases for the same seed, and others for another', () => {
		const one = simulateBgnbd({ customers: 300, seed: 3 });
		const again = simulateBgnbd({ customers: 300, seed: 3 });
		const other = simulateBgnbd({ customers: 300, seed: 4 });
		assert.deepEqual(again.customers, one.customers);
		assert.notDeepEqual(
			other.customers.map((c) => c.purchases.length),
			one.customers.map((c) => c.purchases.length),
		);
		assert.ok(
			one.customers.every((c) => c.purchases[0] < one.start + 84 * DAY),
			'everyone joins in the first 12 weeks',
		);
	});

	it('computes ln Γ exactly at worked values (Γ(5) = 24, Γ(1/2) = √π)', () => {
		assert.ok(Math.abs(logGamma(5) - Math.log(24)) < 1e-12);
		assert.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-12);
		assert.ok(Math.abs(logGamma(0.243) - 1.3180435846996699) < 1e-12, 'as math.lgamma in Python gives');
	});

	it('without repeat purchases, a customer is surely alive and buys as the gamma-Poisson (NBD) says', () => {
		const { r, alpha } = cdnowParams;
		assert.equal(bgnbdAliveChance(cdnowParams, 0, 0, 100), 1);
		const expected = 1 - Math.pow((alpha + 100) / (alpha + 191), r);
		assert.ok(Math.abs(bgnbdPurchaseChance(cdnowParams, 0, 0, 100, 91) - expected) < 1e-12);
	});

	it('gives the chance of a purchase that simulation bears out, for one history', () => {
		// Customers with x = 2 repeat purchases, the last at day 60, seen at day 200: the exact
		// chance against the share of simulated customers with that history who buy in 91 days.
		const sim = simulateBgnbd({ customers: 60_000, seed: 8, historyDays: 200, joinDays: 1 });
		let matched = 0;
		let bought = 0;
		let predicted = 0;
		for (const c of sim.customers) {
			const rfm = rfmAsOf(c.purchases, sim.end);
			if (!rfm || rfm.x !== 2 || rfm.tx < 120) continue;
			matched++;
			predicted += bgnbdPurchaseChance(sim.params, rfm.x, rfm.tx, rfm.T, 91);
			if (c.purchases.some((t) => t > sim.end && t <= sim.end + 91 * DAY)) bought++;
		}
		const share = bought / matched;
		const mean = predicted / matched;
		const noise = Math.sqrt((mean * (1 - mean)) / matched);
		assert.ok(matched > 300, `${matched} customers matched`);
		assert.ok(Math.abs(share - mean) < 4 * noise, `observed ${share.toFixed(3)}, predicted ${mean.toFixed(3)} ± ${noise.toFixed(3)}`);
	});

	it('expects more purchases from a frequent recent buyer than from one who went quiet', () => {
		const recent = bgnbdExpectedPurchases(cdnowParams, 5, 180, 182, 91);
		const quiet = bgnbdExpectedPurchases(cdnowParams, 5, 30, 182, 91);
		assert.ok(recent > 1 && quiet < 0.2, `recent ${recent}, quiet ${quiet}`);
	});

	it('recovers the four parameters by maximum likelihood from 20,000 simulated customers', () => {
		const sim = simulateBgnbd({ customers: 20_000, seed: 12 });
		const rfm = sim.customers.map((c) => rfmAsOf(c.purchases, sim.end)).filter((s) => s !== undefined);
		const fitted = fitBgnbd({ x: rfm.map((s) => s.x), tx: rfm.map((s) => s.tx), T: rfm.map((s) => s.T) });
		assert.ok(fitted);
		assert.ok(Math.abs(fitted.r - cdnowParams.r) < 0.03, `r ${fitted.r}`);
		assert.ok(Math.abs(fitted.alpha / cdnowParams.alpha - 1) < 0.15, `alpha ${fitted.alpha}`);
		const likelihood = (p: typeof cdnowParams) => rfm.reduce((sum, s) => sum + bgnbdLogLikelihood(p, s.x, s.tx, s.T), 0);
		assert.ok(likelihood(fitted) >= likelihood(cdnowParams), 'the fit is at least as likely as the truth');
	});

	it('refuses to fit when nobody repeats', () => {
		assert.equal(fitBgnbd({ x: new Array(100).fill(0), tx: new Array(100).fill(0), T: new Array(100).fill(50) }), undefined);
	});
});
