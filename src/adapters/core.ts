// Dispatches shaders/adapter_core.wgsl: the core T from C (and D), and dC (and dD) from dT.
import code from '../../shaders/adapter_core.wgsl?raw';
import { expectShape } from '../gpu/errors';
import { packParams } from '../gpu/params';
import type { Tensor } from '../gpu/tensor';
import type { AdapterMethod } from './methods';

const TILE = 8;

function grid(rank: number): [number, number, number] {
  return [Math.ceil(rank / TILE), Math.ceil(rank / TILE), 1];
}

/**
 * Returns T [rank, rank] for this step, or null for LoRA (T = I, skipped). For SHIM the core is C
 * itself, returned as a view so that the caller never destroys C through it.
 */
export function buildCore(method: AdapterMethod, c: Tensor | null, d: Tensor | null): Tensor | null {
  if (method === 'lora') return null;
  if (!c) throw new Error(`Method ${method} needs its factor C.`);
  const rank = c.shape[0];
  expectShape(`${method} C`, c.shape, [rank, rank]);
  if (method === 'shim') return c.reshape([rank, rank]);

  const engine = c.engine;
  const t = engine.empty([rank, rank], 'f32', `${method}.T`);
  const params = packParams([['u32', rank], ['u32', 0]]);
  if (method === 'icfm') {
    engine.dispatch(engine.pipeline(code, 'icfm_forward', {}, 'adapter_core'), { params, buffers: [c, null, t] }, grid(rank));
    return t;
  }
  if (!d) throw new Error(`Method ${method} needs its factor D.`);
  expectShape(`${method} D`, d.shape, [rank, rank]);
  engine.dispatch(engine.pipeline(code, `${method}_forward`, {}, 'adapter_core'), { params, buffers: [c, d, t] }, grid(rank));
  return t;
}

/** Writes (or with `accumulate` adds) dC and dD from dT = ∂L/∂T. LoRA has nothing to do. */
export function coreBackward(method: AdapterMethod, c: Tensor | null, d: Tensor | null, dt: Tensor, gradC: Tensor | null, gradD: Tensor | null, accumulate: boolean): void {
  if (method === 'lora') return;
  if (!c || !gradC) throw new Error(`Method ${method} needs C and its gradient buffer.`);
  const rank = c.shape[0];
  expectShape(`${method} dT`, dt.shape, [rank, rank]);
  expectShape(`${method} dC`, gradC.shape, [rank, rank]);

  const engine = c.engine;
  const params = packParams([['u32', rank], ['u32', accumulate ? 1 : 0]]);
  const pipeline = engine.pipeline(code, `${method}_backward`, {}, 'adapter_core');
  if (method === 'shim') {
    engine.dispatch(pipeline, { params, buffers: [null, null, null, dt, gradC] }, grid(rank));
  } else if (method === 'icfm') {
    engine.dispatch(pipeline, { params, buffers: [c, null, null, dt, gradC] }, grid(rank));
  } else if (method === 'ctcm') {
    if (!d || !gradD) throw new Error('Method ctcm needs D and its gradient buffer.');
    engine.dispatch(pipeline, { params, buffers: [c, d, null, dt, gradC, gradD] }, grid(rank));
  } else {
    if (!gradD) throw new Error('Method dtsm needs the gradient buffer of D.');
    engine.dispatch(pipeline, { params, buffers: [null, null, null, dt, gradC, gradD] }, grid(rank));
  }
}
