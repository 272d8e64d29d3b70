/**
 * XGBoost's JSON model (1.7, binary:logistic) in the shared tree format, so our TreeSHAP can run
 * on XGBoost's own trees and be compared with its pred_contribs (bench/shap.ts).
 */
import * as fs from 'node:fs';
import type { Tree } from '../core/learn/tree';

interface XgbTreeJson {
	left_children: number[];
	right_children: number[];
	split_indices: number[];
	split_conditions: number[];
	default_left: number[];
	sum_hessian: number[];
}

/**
 * XGBoost's JSON model in the shared tree format. XGBoost sends x left when x < condition (in
 * float32); ours when x <= threshold, so the threshold is the float32 just below the condition.
 * Nodes are renumbered in depth-first order so children follow their parents.
 */
export function readXgboostModel(file: string): { trees: Tree[]; baseScore: number } {
	const json = JSON.parse(fs.readFileSync(file, 'utf8'));
	const learner = json.learner;
	const p = Number(learner.learner_model_param.base_score);
	const baseScore = Math.log(p / (1 - p));
	const trees = (learner.gradient_booster.model.trees as XgbTreeJson[]).map((t) => {
		const order: number[] = [];
		const visit = (node: number): void => {
			order.push(node);
			if (t.left_children[node] !== -1) {
				visit(t.left_children[node]);
				visit(t.right_children[node]);
			}
		};
		visit(0);
		const index = new Map(order.map((node, i) => [node, i]));
		const isLeaf = (node: number): boolean => t.left_children[node] === -1;
		return {
			feature: Int32Array.from(order, (node) => (isLeaf(node) ? -1 : t.split_indices[node])),
			threshold: Float64Array.from(order, (node) => (isLeaf(node) ? 0 : float32Below(t.split_conditions[node]))),
			left: Int32Array.from(order, (node) => (isLeaf(node) ? -1 : (index.get(t.left_children[node]) as number))),
			right: Int32Array.from(order, (node) => (isLeaf(node) ? -1 : (index.get(t.right_children[node]) as number))),
			missingLeft: Uint8Array.from(order, (node) => t.default_left[node]),
			value: Float64Array.from(order, (node) => (isLeaf(node) ? Math.fround(t.split_conditions[node]) : 0)),
			cover: Float64Array.from(order, (node) => t.sum_hessian[node]),
		};
	});
	return { trees, baseScore };
}

/** The largest float32 strictly below the float32 nearest to `value`. */
function float32Below(value: number): number {
	const buffer = new Float32Array(1);
	const bits = new Int32Array(buffer.buffer);
	buffer[0] = value;
	if (buffer[0] === 0) return -1.401298464324817e-45;
	bits[0] += buffer[0] > 0 ? -1 : 1;
	return buffer[0];
}
