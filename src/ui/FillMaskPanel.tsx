// Tries the loaded checkpoint: the user types a text with [MASK], and the panel shows the five most probable tokens
// for each mask with their probabilities, computed by the masked-language-model head on the page's GPU.
import { useId, useState, type FormEvent } from 'react';
import type { LoadedModel } from '../model/load';
import { useGpuStore } from '../store/gpu';
import { useModelStore, type PanelFillMaskResult } from '../store/model';

const EXAMPLE_TEXT = 'The cat sat on the [MASK].';

type RunState =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; result: PanelFillMaskResult; milliseconds: number }
  | { kind: 'failed'; message: string };

export function FillMaskPanel() {
  const loaded = useModelStore((state) => state.loaded);
  const runFillMask = useModelStore((state) => state.fillMask);
  const gpu = useGpuStore((state) => state.status);
  const [text, setText] = useState(EXAMPLE_TEXT);
  // The state records which checkpoint produced it, so a result of the previous model is never shown.
  const [run, setRun] = useState<{ model: LoadedModel | null; state: RunState }>({ model: null, state: { kind: 'idle' } });
  const ids = useId();

  if (loaded === null) return null;
  const state = run.model === loaded ? run.state : { kind: 'idle' as const };

  if (loaded.checkpoint.mlmHead === undefined) {
    return (
      <p className="muted" data-testid="fill-mask-unavailable">
        Fill-mask needs a masked-language-model head (cls.predictions.*), and this checkpoint has none. Load a BertForMaskedLM checkpoint to try it.
      </p>
    );
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (gpu.kind !== 'ready') return;
    const started = performance.now();
    setRun({ model: loaded, state: { kind: 'running' } });
    runFillMask(gpu.engine, text).then(
      (result) => setRun({ model: loaded, state: { kind: 'done', result, milliseconds: performance.now() - started } }),
      (error: unknown) => setRun({ model: loaded, state: { kind: 'failed', message: error instanceof Error ? error.message : String(error) } }),
    );
  };

  return (
    <div data-testid="fill-mask" data-status={state.kind} style={{ marginTop: '1rem' }}>
      <h3 id={`${ids}-heading`} style={{ margin: '0 0 0.5rem', fontSize: '1rem' }}>
        Fill-mask
      </h3>
      <form onSubmit={onSubmit} aria-labelledby={`${ids}-heading`}>
        <label>
          Text with [MASK]{' '}
          <input type="text" data-testid="fill-mask-text" value={text} onChange={(event) => setText(event.target.value)} size={44} spellCheck={false} />
        </label>{' '}
        <button type="submit" data-testid="fill-mask-run" disabled={gpu.kind !== 'ready' || state.kind === 'running' || text.trim() === ''}>
          {state.kind === 'running' ? 'Predicting…' : 'Predict'}
        </button>
      </form>
      {gpu.kind !== 'ready' && <p className="muted">Fill-mask runs on WebGPU, which is not ready (see the WebGPU panel).</p>}

      {state.kind === 'failed' && (
        <p role="alert" className="error" data-testid="fill-mask-error">
          {state.message}
        </p>
      )}
      {state.kind === 'done' && <FillMaskResultView result={state.result} milliseconds={state.milliseconds} />}
    </div>
  );
}

function FillMaskResultView({ result, milliseconds }: { result: PanelFillMaskResult; milliseconds: number }) {
  return (
    <div data-testid="fill-mask-result">
      {result.masks.map((mask, index) => (
        <div key={mask.position} data-testid="fill-mask-mask">
          <p>
            {result.masks.length > 1 ? `Mask ${index + 1} of ${result.masks.length} (token ${mask.position})` : '[MASK]'}: the {mask.predictions.length} most probable tokens
          </p>
          <table className="values">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col" style={{ textAlign: 'left' }}>
                  Token
                </th>
                <th scope="col">Probability</th>
                <th scope="col" style={{ textAlign: 'left' }}>
                  Filled text
                </th>
              </tr>
            </thead>
            <tbody>
              {mask.predictions.map((prediction, rank) => (
                <tr key={prediction.id} data-testid="fill-mask-prediction" data-token={prediction.token} data-probability={prediction.probability}>
                  <td>{rank + 1}</td>
                  <td style={{ textAlign: 'left' }}>
                    <code>{prediction.token}</code>
                  </td>
                  <td>{(prediction.probability * 100).toFixed(2)} %</td>
                  <td style={{ textAlign: 'left' }}>{prediction.sequence}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <p className="muted" data-testid="fill-mask-timing">
        {result.tokens.length} tokens, {milliseconds.toFixed(0)} ms on the GPU{result.uploadedWeights ? ', including the weight upload' : ''}.
      </p>
    </div>
  );
}
