/**
 * The explainer of a trained learner: TreeSHAP over boosted trees, the learner's own additive
 * log-odds contributions for logistic regression, naive Bayes and the forest (whose
 * contributions are TreeSHAP on its vote share, rescaled to log-odds).
 */
import type { GbdtModel } from '../learn/gbdt';
import type { TrainedLearner } from '../learn/learner';
import type { LinearContributions } from '../learn/logistic';
import type { Explainer } from './explainer';

interface ExplainsItself {
	explain(row: (feature: number) => number): LinearContributions;
}

export function explainerOf(learner: TrainedLearner): Explainer {
	if (learner.kind === 'gbdt') {
		const gbdt = learner as GbdtModel;
		return { kind: 'tree', trees: gbdt.trees, baseScore: gbdt.baseScore };
	}
	const linear = learner as TrainedLearner & ExplainsItself;
	return { kind: 'linear', explain: (row) => linear.explain(row) };
}
