// The GLUE tasks this app loads from the Hugging Face Hub dataset nyu-mll/glue: which folder, columns,
// class names and metrics each one has. Class names and their order follow the Hub's ClassLabel features,
// as defined in the GLUE loading script of the `datasets` library (datasets/glue/glue.py: label_classes
// per config), so label 0 of RTE is "entailment" and label 1 "not_entailment".

import type { MetricId, TaskKind } from './task';

export const GLUE_TASK_IDS = ['sst2', 'cola', 'mrpc', 'stsb', 'rte', 'qnli', 'qqp', 'mnli'] as const;

export type GlueTaskId = (typeof GLUE_TASK_IDS)[number];

/** Number of training examples to keep after the test hold-out, or 'all'. */
export type GlueTrainSize = number | 'all';

export interface GlueConfig {
  id: GlueTaskId;
  name: string;
  description: string;
  /** Folder of the config in the Hub repository, e.g. "sst2". */
  hubConfig: string;
  /** Split whose labels are public, used as the dev split: "validation", or "validation_matched" for MNLI. */
  evaluationSplit: 'validation' | 'validation_matched';
  textColumn: string;
  /** Column of the second sentence of a sentence-pair task. */
  pairColumn?: string;
  kind: TaskKind;
  /** Class names in label order (classification only). */
  labels?: string[];
  /** Inclusive range of the scores (regression only). */
  scoreRange?: readonly [number, number];
  metrics: MetricId[];
  primaryMetric: MetricId;
  /**
   * Training examples kept when the caller does not choose. The large tasks default to a subsample,
   * because the runner tokenizes the whole train split into [examples, maxLength] arrays up front:
   * MNLI's 392,702 pairs at 128 tokens would need about 600 MB of host memory.
   */
  defaultTrainSize: GlueTrainSize;
  /** Original corpus and its terms, shown in the UI. */
  source: string;
  license: string;
}

/** Training examples kept by default for QNLI, QQP and MNLI (about 31 MB of token arrays at 128 tokens). */
export const GLUE_LARGE_TASK_TRAIN_SIZE = 20_000;

const GLUE_LICENSE_NOTE = 'The Hub dataset card lists the licence as "other"; the terms of the original corpus apply.';

export const GLUE_CONFIGS: Readonly<Record<GlueTaskId, GlueConfig>> = {
  sst2: {
    id: 'sst2',
    name: 'SST-2 sentiment (GLUE)',
    description: 'Predict whether a sentence or phrase from a movie review is negative or positive.',
    hubConfig: 'sst2',
    evaluationSplit: 'validation',
    textColumn: 'sentence',
    kind: 'classification',
    labels: ['negative', 'positive'],
    metrics: ['accuracy'],
    primaryMetric: 'accuracy',
    defaultTrainSize: 'all',
    source: 'Stanford Sentiment Treebank (Socher et al., 2013), binary version as distributed with GLUE.',
    license: `No explicit licence; used for research. ${GLUE_LICENSE_NOTE}`,
  },
  cola: {
    id: 'cola',
    name: 'CoLA acceptability (GLUE)',
    description: 'Predict whether an English sentence is grammatically acceptable.',
    hubConfig: 'cola',
    evaluationSplit: 'validation',
    textColumn: 'sentence',
    kind: 'classification',
    labels: ['unacceptable', 'acceptable'],
    metrics: ['mcc', 'accuracy'],
    // GLUE scores CoLA by the Matthews correlation, because about 70% of the sentences are acceptable.
    primaryMetric: 'mcc',
    defaultTrainSize: 'all',
    source: 'Corpus of Linguistic Acceptability (Warstadt et al., 2019), as distributed with GLUE.',
    license: `No explicit licence; used for research. ${GLUE_LICENSE_NOTE}`,
  },
  mrpc: {
    id: 'mrpc',
    name: 'MRPC paraphrase (GLUE)',
    description: 'Predict whether two sentences from news articles are paraphrases (equivalent) or not.',
    hubConfig: 'mrpc',
    evaluationSplit: 'validation',
    textColumn: 'sentence1',
    pairColumn: 'sentence2',
    kind: 'classification',
    labels: ['not_equivalent', 'equivalent'],
    metrics: ['f1', 'accuracy'],
    primaryMetric: 'f1',
    defaultTrainSize: 'all',
    source: 'Microsoft Research Paraphrase Corpus (Dolan & Brockett, 2005), as distributed with GLUE.',
    license: `Microsoft Research licence terms for the corpus. ${GLUE_LICENSE_NOTE}`,
  },
  stsb: {
    id: 'stsb',
    name: 'STS-B similarity (GLUE)',
    description: 'Predict how similar in meaning two sentences are, as a score from 0 (unrelated) to 5 (equivalent).',
    hubConfig: 'stsb',
    evaluationSplit: 'validation',
    textColumn: 'sentence1',
    pairColumn: 'sentence2',
    kind: 'regression',
    scoreRange: [0, 5],
    metrics: ['pearson', 'spearman'],
    // The BERT paper reports Spearman for STS-B; GLUE shows both.
    primaryMetric: 'spearman',
    defaultTrainSize: 'all',
    source: 'Semantic Textual Similarity Benchmark (Cer et al., 2017), as distributed with GLUE.',
    license: `Scores CC BY-SA 4.0; each source corpus of the sentences has its own licence. ${GLUE_LICENSE_NOTE}`,
  },
  rte: {
    id: 'rte',
    name: 'RTE entailment (GLUE)',
    description: 'Predict whether the first text entails the second (entailment) or not (not_entailment).',
    hubConfig: 'rte',
    evaluationSplit: 'validation',
    textColumn: 'sentence1',
    pairColumn: 'sentence2',
    kind: 'classification',
    labels: ['entailment', 'not_entailment'],
    metrics: ['accuracy'],
    primaryMetric: 'accuracy',
    defaultTrainSize: 'all',
    source: 'Recognizing Textual Entailment challenges RTE1, RTE2, RTE3 and RTE5, merged into two classes by GLUE.',
    license: `No explicit licence; used for research. ${GLUE_LICENSE_NOTE}`,
  },
  qnli: {
    id: 'qnli',
    name: 'QNLI question answering (GLUE)',
    description: 'Predict whether a Wikipedia sentence contains the answer to a question (entailment) or not (not_entailment).',
    hubConfig: 'qnli',
    evaluationSplit: 'validation',
    textColumn: 'question',
    pairColumn: 'sentence',
    kind: 'classification',
    labels: ['entailment', 'not_entailment'],
    metrics: ['accuracy'],
    primaryMetric: 'accuracy',
    defaultTrainSize: GLUE_LARGE_TASK_TRAIN_SIZE,
    source: 'Stanford Question Answering Dataset (Rajpurkar et al., 2016), turned into sentence pairs by GLUE.',
    license: GLUE_LICENSE_NOTE,
  },
  qqp: {
    id: 'qqp',
    name: 'QQP duplicate questions (GLUE)',
    description: 'Predict whether two questions from Quora ask the same thing (duplicate) or not.',
    hubConfig: 'qqp',
    evaluationSplit: 'validation',
    textColumn: 'question1',
    pairColumn: 'question2',
    kind: 'classification',
    labels: ['not_duplicate', 'duplicate'],
    metrics: ['f1', 'accuracy'],
    primaryMetric: 'f1',
    defaultTrainSize: GLUE_LARGE_TASK_TRAIN_SIZE,
    source: 'Quora Question Pairs (First Quora Dataset Release, 2017), as distributed with GLUE.',
    license: GLUE_LICENSE_NOTE,
  },
  mnli: {
    id: 'mnli',
    name: 'MNLI inference, matched (GLUE)',
    description: 'Predict whether a premise entails, is neutral to, or contradicts a hypothesis; evaluated on the matched (same-genre) validation set.',
    hubConfig: 'mnli',
    evaluationSplit: 'validation_matched',
    textColumn: 'premise',
    pairColumn: 'hypothesis',
    kind: 'classification',
    labels: ['entailment', 'neutral', 'contradiction'],
    metrics: ['accuracy'],
    primaryMetric: 'accuracy',
    defaultTrainSize: GLUE_LARGE_TASK_TRAIN_SIZE,
    source: 'Multi-Genre Natural Language Inference corpus (Williams et al., 2018), as distributed with GLUE.',
    license: GLUE_LICENSE_NOTE,
  },
};

/** Returns true when `id` names a GLUE task of this app. */
export function isGlueTaskId(id: string): id is GlueTaskId {
  return (GLUE_TASK_IDS as readonly string[]).includes(id);
}
