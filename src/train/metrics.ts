// Evaluation metrics over a whole split: predictions against labels.
//
// Classification metrics take class indices (the argmax of the logits), and regression metrics take scores.
// Pearson and Spearman come from simple-statistics (sampleCorrelation, and sampleRankCorrelation, which
// gives tied values their average rank). Accuracy, F1 and the Matthews correlation coefficient are
// computed here from the confusion matrix. Where a metric is undefined (a zero denominator), it is 0,
// as scikit-learn returns for F1 and MCC. SciPy returns NaN for a constant input to Pearson or
// Spearman, but 0 is returned here, so that a run whose predictions collapse to a constant scores as
// "no correlation" and does not turn the mean over seeds into NaN.

import { sampleCorrelation, sampleRankCorrelation } from 'simple-statistics';
import type { MetricId } from '../data/task';

export interface ClassificationOptions {
  /**
   * Number of classes of the task. With 2, F1 is the binary F1 of class 1, and with more, it is the
   * macro F1. When omitted, the task counts as binary if every label and prediction is 0 or 1.
   */
  numClasses?: number;
}

type Values = ArrayLike<number>;

function validatePair(metric: string, predictions: Values, labels: Values): void {
  if (predictions.length !== labels.length) {
    throw new RangeError(`${metric}: ${predictions.length} predictions but ${labels.length} labels; pass one prediction per label.`);
  }
  if (labels.length === 0) {
    throw new RangeError(`${metric}: no predictions; evaluate at least one example.`);
  }
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isFinite(predictions[i]) || !Number.isFinite(labels[i])) {
      throw new RangeError(`${metric}: prediction ${predictions[i]} or label ${labels[i]} at index ${i} is not a finite number.`);
    }
  }
}

/** Checks that all values are class indices and returns the number of classes to use. */
function validateClasses(metric: string, predictions: Values, labels: Values, options: ClassificationOptions): number {
  validatePair(metric, predictions, labels);
  const { numClasses } = options;
  if (numClasses !== undefined && (!Number.isSafeInteger(numClasses) || numClasses < 2)) {
    throw new RangeError(`${metric}: numClasses ${numClasses} is invalid: use an integer of at least 2.`);
  }
  let largest = 0;
  for (const [name, values] of [['prediction', predictions], ['label', labels]] as const) {
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (!Number.isInteger(value) || value < 0 || (numClasses !== undefined && value >= numClasses)) {
        const range = numClasses === undefined ? 'an integer from 0' : `an integer in [0, ${numClasses - 1}]`;
        throw new RangeError(`${metric}: ${name} ${value} at index ${i} is not a class index; expected ${range}.`);
      }
      largest = Math.max(largest, value);
    }
  }
  return numClasses ?? Math.max(2, largest + 1);
}

/** confusion[label][prediction] = count. */
function confusionMatrix(predictions: Values, labels: Values, numClasses: number): number[][] {
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    matrix[labels[i]][predictions[i]]++;
  }
  return matrix;
}

/** Share of predictions equal to their label. */
export function accuracy(predictions: Values, labels: Values): number {
  validatePair('accuracy', predictions, labels);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    if (predictions[i] === labels[i]) {
      correct++;
    }
  }
  return correct / labels.length;
}

/** F1 of one class, 2·TP / (2·TP + FP + FN), or 0 when the class is neither predicted nor present. */
function classF1(matrix: number[][], index: number): number {
  const truePositives = matrix[index][index];
  let falsePositives = 0;
  let falseNegatives = 0;
  for (let other = 0; other < matrix.length; other++) {
    if (other !== index) {
      falsePositives += matrix[other][index];
      falseNegatives += matrix[index][other];
    }
  }
  const denominator = 2 * truePositives + falsePositives + falseNegatives;
  return denominator === 0 ? 0 : (2 * truePositives) / denominator;
}

/**
 * F1 score. Binary tasks: F1 of the positive class 1 (scikit-learn's average="binary"). More than two
 * classes: the unweighted mean of the per-class F1 over the classes that occur in the labels or the
 * predictions (scikit-learn's average="macro" with its default labels).
 */
export function f1Score(predictions: Values, labels: Values, options: ClassificationOptions = {}): number {
  const numClasses = validateClasses('f1', predictions, labels, options);
  const matrix = confusionMatrix(predictions, labels, numClasses);
  if (numClasses === 2) {
    return classF1(matrix, 1);
  }

  let sum = 0;
  let present = 0;
  for (let index = 0; index < numClasses; index++) {
    const occurs = matrix[index].some((count) => count > 0) || matrix.some((row) => row[index] > 0);
    if (occurs) {
      sum += classF1(matrix, index);
      present++;
    }
  }
  return sum / present;
}

/**
 * Matthews correlation coefficient. For K classes this is Gorodkin's R_K (as scikit-learn computes it):
 * (c·s − Σ_k p_k·t_k) / √((s² − Σ_k p_k²)·(s² − Σ_k t_k²)), with c correct predictions, s examples,
 * p_k predictions of class k and t_k labels of class k. For two classes it equals
 * (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)). It is 0 when the denominator is 0, i.e. when all
 * labels or all predictions are one class.
 */
export function matthewsCorrelation(predictions: Values, labels: Values, options: ClassificationOptions = {}): number {
  const numClasses = validateClasses('mcc', predictions, labels, options);
  const matrix = confusionMatrix(predictions, labels, numClasses);
  const samples = labels.length;

  let correct = 0;
  let predictedTimesTrue = 0;
  let predictedSquared = 0;
  let trueSquared = 0;
  for (let k = 0; k < numClasses; k++) {
    correct += matrix[k][k];
    const trueCount = matrix[k].reduce((sum, count) => sum + count, 0);
    const predictedCount = matrix.reduce((sum, row) => sum + row[k], 0);
    predictedTimesTrue += predictedCount * trueCount;
    predictedSquared += predictedCount * predictedCount;
    trueSquared += trueCount * trueCount;
  }

  const denominator = Math.sqrt((samples * samples - predictedSquared) * (samples * samples - trueSquared));
  return denominator === 0 ? 0 : (correct * samples - predictedTimesTrue) / denominator;
}

/** Turns an undefined correlation (NaN from a zero variance) into 0 and clamps rounding beyond ±1. */
function finiteCorrelation(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(-1, value)) : 0;
}

/** Pearson correlation coefficient; 0 for fewer than two examples or a constant input. */
export function pearsonCorrelation(predictions: Values, labels: Values): number {
  validatePair('pearson', predictions, labels);
  if (labels.length < 2) {
    return 0;
  }
  return finiteCorrelation(sampleCorrelation(Array.from(predictions), Array.from(labels)));
}

/**
 * Spearman rank correlation: the Pearson correlation of the ranks, with tied values given the mean of
 * the ranks they span. 0 for fewer than two examples or a constant input.
 */
export function spearmanCorrelation(predictions: Values, labels: Values): number {
  validatePair('spearman', predictions, labels);
  if (labels.length < 2) {
    return 0;
  }
  return finiteCorrelation(sampleRankCorrelation(Array.from(predictions), Array.from(labels)));
}

/** Computes each requested metric; the result has exactly those keys. */
export function computeMetrics(
  metricIds: readonly MetricId[],
  predictions: Values,
  labels: Values,
  options: ClassificationOptions = {},
): Partial<Record<MetricId, number>> {
  const result: Partial<Record<MetricId, number>> = {};
  for (const id of metricIds) {
    switch (id) {
      case 'accuracy':
        result.accuracy = accuracy(predictions, labels);
        break;
      case 'f1':
        result.f1 = f1Score(predictions, labels, options);
        break;
      case 'mcc':
        result.mcc = matthewsCorrelation(predictions, labels, options);
        break;
      case 'pearson':
        result.pearson = pearsonCorrelation(predictions, labels);
        break;
      case 'spearman':
        result.spearman = spearmanCorrelation(predictions, labels);
        break;
      default:
        throw new RangeError(`Metric "${String(id)}" is not known; use one of accuracy, f1, mcc, pearson, spearman.`);
    }
  }
  return result;
}
