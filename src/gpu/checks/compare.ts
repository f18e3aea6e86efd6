// Runs kernel checks against fixtures and measures the relative error ‖out − ref‖ / ‖ref‖.
import type { Engine } from '../engine';
import { loadFixture, type FixtureCase } from './fixtures';

/** Largest relative error a kernel may show against PyTorch (f32 on both sides). */
export const MAX_RELATIVE_ERROR = 1e-4;

export interface KernelCheck {
  /** Row name in the report, e.g. "matmul" or "adapter-icfm". */
  row: string;
  /** Fixture file name (without .json) under tools/reference/fixtures/kernels/. */
  fixture: string;
  /** Runs the kernel on one case and returns every output named in the case's `outputs`. */
  run(engine: Engine, fixtureCase: FixtureCase): Promise<Record<string, Float32Array | Int32Array>>;
}

export interface CheckResult {
  row: string;
  /** Max relative error over all cases, per output name; NaN when any value was not finite. */
  errors: Record<string, number>;
  cases: number;
  passed: boolean;
}

/** ‖actual − expected‖₂ / ‖expected‖₂, or ‖actual‖₂ when the reference is all zeros; NaN on a non-finite value or a length mismatch. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.NaN;
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    const value = actual[i];
    if (!Number.isFinite(value)) return Number.NaN;
    diff += (value - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff);
}

/** Runs every case of a check and keeps the worst error of each output. */
export async function runCheck(engine: Engine, check: KernelCheck): Promise<CheckResult> {
  const fixture = loadFixture(check.fixture);
  const errors: Record<string, number> = {};
  for (const fixtureCase of fixture.cases) {
    const outputs = await check.run(engine, fixtureCase);
    for (const [name, reference] of Object.entries(fixtureCase.outputs)) {
      const actual = outputs[name];
      if (!actual) throw new Error(`Check "${check.row}" returned no output "${name}" for case "${fixtureCase.label}".`);
      const error = relativeError(actual, reference.data);
      const previous = errors[name] ?? 0;
      errors[name] = Number.isNaN(error) || Number.isNaN(previous) ? Number.NaN : Math.max(previous, error);
    }
  }
  const passed = Object.values(errors).every((error) => !Number.isNaN(error) && error <= MAX_RELATIVE_ERROR);
  return { row: check.row, errors, cases: fixture.cases.length, passed };
}
