// Display names, formulas and chart colours of the seven methods.
import { METHOD_SPECS, type AdapterMethod } from '../adapters/methods';
import type { MethodId } from '../train/types';

export interface MethodLabel {
  name: string;
  /** The core T for adapters; what trains for the baselines. */
  formula: string;
  description: string;
}

function adapterLabel(method: AdapterMethod): MethodLabel {
  const { name, formula, description } = METHOD_SPECS[method];
  return { name, formula, description };
}

export const METHOD_LABELS: Readonly<Record<MethodId, MethodLabel>> = {
  lora: adapterLabel('lora'),
  shim: adapterLabel('shim'),
  icfm: adapterLabel('icfm'),
  ctcm: adapterLabel('ctcm'),
  dtsm: adapterLabel('dtsm'),
  head: { name: 'Head only', formula: 'encoder frozen', description: 'Trains only the classifier head, the lower bound for every adapter.' },
  full: { name: 'Full fine-tuning', formula: 'all weights', description: 'Trains every weight of the encoder and the head, the usual upper bound.' },
};

/**
 * One colour per method from the Okabe–Ito palette, which stays distinguishable with the common colour
 * vision deficiencies. Grey marks full fine-tuning; the yellow of the palette is too light on white.
 */
export const METHOD_COLORS: Readonly<Record<MethodId, string>> = {
  lora: '#0072B2',
  shim: '#E69F00',
  icfm: '#009E73',
  ctcm: '#CC79A7',
  dtsm: '#D55E00',
  head: '#56B4E9',
  full: '#7A7A7A',
};
