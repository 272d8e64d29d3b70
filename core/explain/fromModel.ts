/**
 * What explaining a model needs beyond its learner: the explainer (TreeSHAP over boosted trees;
 * the learner's own additive log-odds contributions for logistic regression, naive Bayes and the
 * forest, whose contributions are TreeSHAP on its vote share rescaled to log-odds) and the words
 * its factors are told in.
 */
import { InputError } from '../errors';
import { withLookbackWindows, type FeatureDecl } from '../features/declaration';
import { describeOutcome } from '../goal/describe';
import type { PropensityType } from '../goal/schema';
import type { ForestModel } from '../learn/forest';
import type { GbdtModel } from '../learn/gbdt';
import { explainsItself, type TrainedLearner } from '../learn/learner';
import type { Model } from '../model/schema';
import type { Explainer } from './explainer';
import { forestContributions } from './forest';

export function explainerOf(learner: TrainedLearner): Explainer {
	if (learner.kind === 'gbdt') {
		const gbdt = learner as GbdtModel;
		return { kind: 'tree', trees: gbdt.trees, baseScore: gbdt.baseScore };
	}
	if (learner.kind === 'forest') {
		const forest = learner as ForestModel;
		return { kind: 'linear', explain: (row) => forestContributions(forest, row) };
	}
	if (explainsItself(learner)) return { kind: 'linear', explain: (row) => learner.explain(row) };
	throw new InputError(`The ${learner.kind} learner cannot split its scores into factors; train with another learner to explain scores.`, 'not-explainable');
}

export interface FactorWords {
	/** The declarations with the lookback written out, so sentences name the period. */
	readonly declarations: FeatureDecl[];
	readonly propensityType: PropensityType;
	/** What "the chance of …" names: the goal's outcome, e.g. "a purchase within 30 days". */
	readonly outcome?: string;
}

/** How an events-mode model's factors are worded. */
export function factorWordsOf(model: Model): FactorWords {
	const declarations = model.features.mode === 'events' ? model.features.declarations : [];
	if (!model.goal) return { declarations: [...declarations], propensityType: model.propensityType };
	return {
		declarations: withLookbackWindows(declarations, model.goal.lookbackDays),
		propensityType: model.propensityType,
		outcome: describeOutcome(model.goal),
	};
}
