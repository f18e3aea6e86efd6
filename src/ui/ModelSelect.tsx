// The model to fine-tune: the embedded encoder, or the checkpoint loaded in the Model panel (a Hub id, a URL or
// files picked on this computer), which the training Worker then loads again by the same reference.
import { useEffect, useMemo } from 'react';
import { useExperimentStore } from '../store/experiment';
import { EMBEDDED_MODEL, type ModelOption } from '../store/form';
import { modelOptionOf } from '../store/model-option';
import { useModelStore } from '../store/model';

const EMBEDDED = 'embedded';
const LOADED = 'loaded';

function sameModel(a: ModelOption, b: ModelOption): boolean {
  return a.ref.source === b.ref.source && a.ref.id === b.ref.id && a.ref.revision === b.ref.revision && a.files === b.files;
}

export function ModelSelect() {
  const model = useExperimentStore((state) => state.model);
  const setModel = useExperimentStore((state) => state.setModel);
  const error = useExperimentStore((state) => state.errors.modelId);
  const status = useModelStore((state) => state.status);
  const request = useModelStore((state) => state.request);
  const summary = useModelStore((state) => state.summary);
  const loaded = useMemo(() => (status === 'ready' && request && summary ? modelOptionOf(request, summary) : null), [status, request, summary]);

  // When the Model panel loads another checkpoint, a choice of the previous one follows it, or falls back to the embedded model.
  useEffect(() => {
    if (model.ref.source === 'embedded') return;
    const next = loaded ?? EMBEDDED_MODEL;
    if (!sameModel(model, next)) setModel(next);
  }, [loaded, model, setModel]);

  const value = model.ref.source === 'embedded' ? EMBEDDED : LOADED;
  return (
    <div className="field">
      <label htmlFor="model-select">Model</label>
      <select
        id="model-select"
        value={value}
        data-testid="model-select"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'model-error' : 'model-hint'}
        onChange={(event) => setModel(event.target.value === LOADED && loaded ? loaded : EMBEDDED_MODEL)}
      >
        <option value={EMBEDDED}>{EMBEDDED_MODEL.name} (embedded)</option>
        {loaded && <option value={LOADED}>{loaded.name} (loaded in the Model panel)</option>}
      </select>
      {error ? (
        <small id="model-error" className="field-error" role="alert">
          {error}
        </small>
      ) : (
        <small id="model-hint" className="muted">
          {loaded ? 'The Worker loads the chosen model again for training.' : 'Load a Hub id, URL or folder in the Model panel to fine-tune it instead.'}
        </small>
      )}
    </div>
  );
}
