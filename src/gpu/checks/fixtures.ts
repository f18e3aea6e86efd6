// Reads the PyTorch reference fixtures written by tools/reference/kernels.py (Node only).
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export interface FixtureCase {
  /** Short description of the case, e.g. the shape it covers. */
  label: string;
  /** Scalar settings of the case (e.g. transposes, eps, method, seed). */
  params: Record<string, number | string | boolean>;
  inputs: Record<string, FixtureTensor>;
  /** Expected outputs and gradients from torch autograd, keyed by the names the check returns. */
  outputs: Record<string, FixtureTensor>;
}

export interface Fixture {
  kernel: string;
  torch: string;
  cases: FixtureCase[];
}

export const KERNEL_FIXTURE_DIR = fileURLToPath(new URL('../../../tools/reference/fixtures/kernels/', import.meta.url));

/** Loads `<name>.json`, or throws naming the file and the command that regenerates it. */
export function loadFixture(name: string): Fixture {
  const path = `${KERNEL_FIXTURE_DIR}${name}.json`;
  if (!existsSync(path)) {
    throw new Error(`Kernel fixture ${path} is missing. Regenerate the fixtures with \`npm run reference:kernels\` (needs Debian's python3-torch).`);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as Fixture;
}

export function f32(tensor: FixtureTensor): Float32Array {
  return Float32Array.from(tensor.data);
}

export function i32(tensor: FixtureTensor): Int32Array {
  return Int32Array.from(tensor.data);
}
