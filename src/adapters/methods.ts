// The five adapter methods compared by the playground, in one place: ΔW = s·B·T·A with
// A [rank, in], B [out, rank], s = alpha / rank and the r×r core T chosen by the method
// (MTLoRA, arXiv 2403.07440). LoRA is the baseline with T = I.

export const ADAPTER_METHODS = ['lora', 'shim', 'icfm', 'ctcm', 'dtsm'] as const;

export type AdapterMethod = (typeof ADAPTER_METHODS)[number];

/** Whether a method name is one of the adapter methods (not a baseline such as head-only or full fine-tuning). */
export function isAdapterMethod(method: string): method is AdapterMethod {
  return (ADAPTER_METHODS as readonly string[]).includes(method);
}

export interface MethodSpec {
  method: AdapterMethod;
  /** Display name, e.g. "ICFM". */
  name: string;
  /** The core as a formula, e.g. "T = C·Cᵀ". */
  formula: string;
  /** Effect of the structure on the low-rank update, in one sentence. */
  description: string;
  /** Learnable r×r factors besides A and B. */
  factors: ReadonlyArray<'C' | 'D'>;
}

export const METHOD_SPECS: Readonly<Record<AdapterMethod, MethodSpec>> = {
  lora: { method: 'lora', name: 'LoRA', formula: 'T = I', description: 'Plain low-rank update B·A, the baseline.', factors: [] },
  shim: { method: 'shim', name: 'SHIM', formula: 'T = C', description: 'A free r×r linear map between the down- and up-projection.', factors: ['C'] },
  icfm: { method: 'icfm', name: 'ICFM', formula: 'T = C·Cᵀ', description: 'A positive semi-definite core, so T only stretches directions of the rank space.', factors: ['C'] },
  ctcm: { method: 'ctcm', name: 'CTCM', formula: 'T = C·D', description: 'A product of two free r×r matrices.', factors: ['C', 'D'] },
  dtsm: { method: 'dtsm', name: 'DTSM', formula: 'T = C + D', description: 'A sum of two free r×r matrices.', factors: ['C', 'D'] },
};

/** Throws unless `name` is one of the five methods, naming the accepted values. */
export function parseMethod(name: string): AdapterMethod {
  const method = name.trim().toLowerCase();
  if (!(ADAPTER_METHODS as readonly string[]).includes(method)) {
    throw new Error(`Unknown adapter method "${name}". Use one of: ${ADAPTER_METHODS.join(', ')}.`);
  }
  return method as AdapterMethod;
}

/** Scaling s = alpha / rank applied to the low-rank update. */
export function scaling(alpha: number, rank: number): number {
  return alpha / rank;
}

/** Trainable parameters of one adapter on an [out, in] weight: r·(in + out) for A and B, plus r² per factor. */
export function trainableParameters(method: AdapterMethod, rank: number, inFeatures: number, outFeatures: number): number {
  return rank * (inFeatures + outFeatures) + METHOD_SPECS[method].factors.length * rank * rank;
}

/**
 * Checks an adapter's rank against the layer it wraps: 1 ≤ rank ≤ min(in, out), because a larger
 * rank adds parameters without adding expressiveness (ΔW has rank at most min(in, out)).
 */
export function validateRank(rank: number, inFeatures: number, outFeatures: number, where = 'adapter'): void {
  const maxRank = Math.min(inFeatures, outFeatures);
  if (!Number.isInteger(rank) || rank < 1 || rank > maxRank) {
    throw new RangeError(`Rank ${rank} of ${where} is invalid for a [${outFeatures}, ${inFeatures}] weight: use an integer from 1 to ${maxRank} (min(in, out)).`);
  }
}

/** Builds the core T [rank, rank] on the host (row-major), e.g. for folding B' = B·T on export. */
export function coreOnHost(method: AdapterMethod, rank: number, c?: ArrayLike<number>, d?: ArrayLike<number>): Float64Array {
  const r = rank;
  const t = new Float64Array(r * r);
  const factor = (name: 'C' | 'D', values: ArrayLike<number> | undefined): ArrayLike<number> => {
    if (!values || values.length !== r * r) throw new Error(`${METHOD_SPECS[method].name} needs ${name} with ${r * r} values, got ${values?.length ?? 'none'}.`);
    return values;
  };
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) {
      let value = 0;
      if (method === 'lora') {
        value = i === j ? 1 : 0;
      } else if (method === 'shim') {
        value = factor('C', c)[i * r + j];
      } else if (method === 'icfm') {
        const cc = factor('C', c);
        for (let k = 0; k < r; k++) value += cc[i * r + k] * cc[j * r + k];
      } else if (method === 'ctcm') {
        const cc = factor('C', c);
        const dd = factor('D', d);
        for (let k = 0; k < r; k++) value += cc[i * r + k] * dd[k * r + j];
      } else {
        value = factor('C', c)[i * r + j] + factor('D', d)[i * r + j];
      }
      t[i * r + j] = value;
    }
  }
  return t;
}
