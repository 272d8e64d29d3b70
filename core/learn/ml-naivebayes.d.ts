/** The part of ml-naivebayes 4.0.0 that the tests use as naiveBayes.ts's reference (the package ships no types). */
declare module 'ml-naivebayes' {
	export class GaussianNB {
		/** Per class (by label value), the mean of each feature. */
		means: number[][];
		/** Per class: [log prior, then per feature [1 / (√(2π)·σ), −2σ²]] (σ the sample standard deviation). */
		calculateProbabilities: (number | [number, number])[][];
		train(trainingSet: number[][], trainingLabels: number[]): void;
		predict(dataset: number[][]): number[];
	}
}
