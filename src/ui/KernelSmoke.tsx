// Runs one real kernel (GELU, shaders/gelu.wgsl) on the page's device and displays its output as proof that
// a WGSL kernel compiles and runs in this browser. The end-to-end test compares the values with PyTorch.
import { useEffect, useState } from 'react';
import type { Engine } from '../gpu/engine';
import { geluForward } from '../gpu/ops/gelu';
import type { Tensor } from '../gpu/tensor';

/** Inputs around zero and in both tails. Seven values fill part of one workgroup, so the bounds check must hold. */
const SMOKE_INPUT: readonly number[] = [-3, -1, -0.5, 0, 0.5, 1, 3];

type SmokeState =
  | { kind: 'running' }
  | { kind: 'done'; output: Float32Array; milliseconds: number }
  | { kind: 'failed'; message: string };

async function runGeluSmoke(engine: Engine): Promise<{ output: Float32Array; milliseconds: number }> {
  const start = performance.now();
  const x = engine.tensor(new Float32Array(SMOKE_INPUT), [SMOKE_INPUT.length], 'f32', 'smoke.x');
  let y: Tensor | null = null;
  try {
    y = geluForward(x);
    const output = await y.readFloat();
    return { output, milliseconds: performance.now() - start };
  } finally {
    x.destroy();
    y?.destroy();
  }
}

export function KernelSmoke({ engine }: { engine: Engine }) {
  const [state, setState] = useState<SmokeState>({ kind: 'running' });

  useEffect(() => {
    // The flag drops the result of a run whose component was unmounted or given another engine meanwhile.
    let current = true;
    runGeluSmoke(engine).then(
      ({ output, milliseconds }) => {
        if (current) setState({ kind: 'done', output, milliseconds });
      },
      (error: unknown) => {
        if (current) setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [engine]);

  return (
    <section className="panel" aria-labelledby="smoke-heading" data-testid="kernel-smoke" data-status={state.kind}>
      <h2 id="smoke-heading">Kernel check</h2>
      <p>
        GELU, y = x · Φ(x), computed on the GPU by <code>shaders/gelu.wgsl</code>.
      </p>
      <SmokeBody state={state} />
    </section>
  );
}

function SmokeBody({ state }: { state: SmokeState }) {
  if (state.kind === 'running') {
    return (
      <p role="status" className="muted">
        Running the kernel…
      </p>
    );
  }

  if (state.kind === 'failed') {
    return (
      <p role="alert" className="error">
        The GELU kernel failed: {state.message}
      </p>
    );
  }

  return (
    <>
      <table className="values">
        <thead>
          <tr>
            <th scope="col">x</th>
            <th scope="col">gelu(x)</th>
          </tr>
        </thead>
        <tbody>
          {SMOKE_INPUT.map((x, i) => (
            <tr key={i}>
              <td>{x}</td>
              <td data-testid="gelu-output" data-value={state.output[i]}>
                {state.output[i].toFixed(6)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Upload, dispatch and read-back took {state.milliseconds.toFixed(1)} ms.
      </p>
    </>
  );
}
