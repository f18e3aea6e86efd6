// Seeded pseudo-random numbers for parameter initialisation, so that a seed reproduces a run.

/** A generator of uniform numbers in [0, 1). */
export interface Random {
  next(): number;
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number;
}

/**
 * Creates a Mulberry32 generator (32-bit state, period 2³²): fast and good enough for weight
 * initialisation, which needs reproducibility rather than cryptographic quality.
 */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`Seed ${seed} is invalid: use an integer in [0, 4294967295].`);
  }
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  return { next, uniform: (low, high) => low + (high - low) * next() };
}

/**
 * Derives an independent seed for one named stream (e.g. "encoder.layer.0.attention.self.query")
 * from a run's seed, so that adding a module does not shift the numbers every other module draws.
 */
export function deriveSeed(seed: number, stream: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < stream.length; i++) {
    hash ^= stream.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // A final avalanche so that streams differing in their last character still diverge in all bits.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  return hash >>> 0;
}
