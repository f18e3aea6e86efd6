// The verdict of an adapter import: the metrics a re-evaluation reproduced next to those the run recorded.
import type { EvalPoint } from '../train/types';

/**
 * Largest absolute difference of a metric or loss that still counts as a match. On the GPU that trained the run
 * the values are identical. On another GPU the float32 sums of the loss may round differently, by an estimated
 * 1e-7, well below this bound. One changed prediction moves accuracy or F1 by at least 1 / examples.
 */
export const MATCH_TOLERANCE = 1e-6;

export interface ComparisonRow {
  split: EvalPoint['split'];
  /** "loss" or a metric id such as "accuracy". */
  name: string;
  stored: number | null;
  reproduced: number | null;
  /** |reproduced − stored|, or null when one side is missing. */
  difference: number | null;
  matches: boolean;
}

export interface EvaluationComparison {
  rows: ComparisonRow[];
  /** 'matches' when every row matches; 'no stored metrics' when the file recorded none to compare with. */
  verdict: 'matches' | 'differs' | 'no stored metrics';
  /** The largest difference over the rows that have both values; 0 when none has. */
  maxDifference: number;
}

/** Compares the reproduced evaluations with the stored ones, split by split: the loss, then every metric. */
export function compareEvaluations(stored: readonly EvalPoint[], reproduced: readonly EvalPoint[]): EvaluationComparison {
  const rows: ComparisonRow[] = [];
  for (const point of reproduced) {
    const before = stored.find((candidate) => candidate.split === point.split);
    const names = ['loss', ...new Set([...Object.keys(point.metrics), ...Object.keys(before?.metrics ?? {})])];
    for (const name of names) {
      const valueOf = (evaluation: EvalPoint | undefined): number | null => {
        if (!evaluation) return null;
        const value = name === 'loss' ? evaluation.loss : evaluation.metrics[name as keyof EvalPoint['metrics']];
        return value ?? null;
      };
      const storedValue = valueOf(before);
      const reproducedValue = valueOf(point);
      const difference = storedValue === null || reproducedValue === null ? null : Math.abs(reproducedValue - storedValue);
      rows.push({ split: point.split, name, stored: storedValue, reproduced: reproducedValue, difference, matches: difference !== null && difference <= MATCH_TOLERANCE });
    }
  }

  const maxDifference = rows.reduce((max, row) => (row.difference !== null && row.difference > max ? row.difference : max), 0);
  let verdict: EvaluationComparison['verdict'] = rows.length > 0 && rows.every((row) => row.matches) ? 'matches' : 'differs';
  if (stored.length === 0) verdict = 'no stored metrics';
  return { rows, verdict, maxDifference };
}
