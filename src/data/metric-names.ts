// Display names of the evaluation metrics, shared by the page and the compare CLI so both write "F1" and "Spearman ρ".
import type { MetricId } from './task';

export const METRIC_NAMES: Readonly<Record<MetricId, string>> = {
  accuracy: 'Accuracy',
  f1: 'F1',
  mcc: 'MCC',
  pearson: 'Pearson r',
  spearman: 'Spearman ρ',
};
