// Seeded, stratified sampling for tasks whose splits are carved here: a hold-out taken from a training
// set, a subsample of a large training set, and train/dev/test splits of regression data, whose scores
// are grouped into quantile bins so that every split covers the whole score range.

import { createRandom, deriveSeed } from '../util/random';
import { shuffleInPlace } from './split';

/**
 * Divides `count` among strata in proportion to their sizes with the largest-remainder method, so the
 * shares add up to exactly `count`. Ties in the remainder go to the larger stratum, then to the lower
 * index, which keeps the result deterministic.
 */
export function apportion(sizes: readonly number[], count: number): number[] {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (!Number.isSafeInteger(count) || count < 0 || count > total) {
    throw new RangeError(`Cannot take ${count} items from strata of ${total} items in all; use an integer from 0 to ${total}.`);
  }
  if (total === 0) {
    return sizes.map(() => 0);
  }

  const exact = sizes.map((size) => (size * count) / total);
  const shares = exact.map(Math.floor);
  let left = count - shares.reduce((sum, share) => sum + share, 0);
  const order = sizes
    .map((size, index) => ({ index, size, remainder: exact[index] - shares[index] }))
    .sort((a, b) => b.remainder - a.remainder || b.size - a.size || a.index - b.index);
  for (const { index } of order) {
    if (left === 0) {
      break;
    }
    if (shares[index] < sizes[index]) {
      shares[index]++;
      left--;
    }
  }
  return shares;
}

export interface StratifiedSample<T> {
  /** The sampled items, shuffled with the seed. */
  selected: T[];
  /** The items not sampled, in their input order. */
  rest: T[];
}

/**
 * Takes `count` items so that each stratum keeps its share of the input (see apportion). Within a stratum
 * the choice is a seeded shuffle, so the result depends only on the input order, `seed` and `stream`.
 */
export function stratifiedSample<T>(items: readonly T[], count: number, stratumOf: (item: T) => number, seed: number, stream: string): StratifiedSample<T> {
  const byStratum = new Map<number, number[]>();
  items.forEach((item, index) => {
    const stratum = stratumOf(item);
    const members = byStratum.get(stratum) ?? [];
    members.push(index);
    byStratum.set(stratum, members);
  });

  const strata = [...byStratum.keys()].sort((a, b) => a - b);
  const shares = apportion(
    strata.map((stratum) => byStratum.get(stratum)!.length),
    count,
  );

  const chosen = new Set<number>();
  strata.forEach((stratum, position) => {
    const members = shuffleInPlace([...byStratum.get(stratum)!], createRandom(deriveSeed(seed, `${stream}.stratum.${stratum}`)));
    for (const index of members.slice(0, shares[position])) {
      chosen.add(index);
    }
  });

  const selected = shuffleInPlace(
    [...chosen].sort((a, b) => a - b).map((index) => items[index]),
    createRandom(deriveSeed(seed, `${stream}.order`)),
  );
  const rest = items.filter((_, index) => !chosen.has(index));
  return { selected, rest };
}

/**
 * Returns a function that maps a score to its quantile bin (0 … bins − 1) over `scores`, for stratifying
 * regression data. Equal scores always share a bin, so with many ties there can be fewer than `bins`
 * non-empty bins.
 */
export function quantileBinner(scores: readonly number[], bins: number): (score: number) => number {
  if (!Number.isSafeInteger(bins) || bins < 1) {
    throw new RangeError(`bins ${bins} is invalid: use a positive integer.`);
  }
  const sorted = [...scores].sort((a, b) => a - b);
  if (sorted.length === 0) {
    return () => 0;
  }
  // Upper edges of bins 0 … bins − 2; a score above every edge is in the last bin.
  const edges: number[] = [];
  for (let bin = 1; bin < bins; bin++) {
    edges.push(sorted[Math.min(sorted.length - 1, Math.floor((bin * sorted.length) / bins))]);
  }
  return (score) => {
    let bin = 0;
    while (bin < edges.length && score >= edges[bin]) {
      bin++;
    }
    return bin;
  };
}
