// A task is the data and the metric a comparison runs on. Built-in tasks, GLUE tasks and uploads all
// implement TaskDefinition, so the runner never depends on where the examples came from.

export type TaskKind = 'classification' | 'regression';

export type MetricId = 'accuracy' | 'f1' | 'mcc' | 'pearson' | 'spearman';

export interface TaskExample {
  text: string;
  /** Second sentence of a sentence-pair task (token type 1). */
  textPair?: string;
  /** Class index for classification, score for regression. */
  label: number;
}

export interface TaskSplits {
  train: TaskExample[];
  dev: TaskExample[];
  test: TaskExample[];
}

export interface TaskLoadOptions {
  /** Bytes loaded so far and the total when known, for downloads. */
  onProgress?: (loaded: number, total: number | null) => void;
  signal?: AbortSignal;
}

export interface TaskDefinition {
  /** Stable id used in URLs, stored experiments and the CLI, e.g. "spam". */
  id: string;
  name: string;
  /** One or two sentences: what is predicted from what. */
  description: string;
  /** Origin of the data, shown in the UI; the licence is the next field. */
  source: string;
  license: string;
  kind: TaskKind;
  /** Class names in label order (classification only). */
  labels?: string[];
  /** Description of how the dev and test splits are made, shown in the UI. */
  splitDescription: string;
  metrics: MetricId[];
  /** The metric the task is known by, used for the bar chart and the summary. */
  primaryMetric: MetricId;
  load(options?: TaskLoadOptions): Promise<TaskSplits>;
}
