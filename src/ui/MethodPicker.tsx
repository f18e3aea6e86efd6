// Checkboxes for the five adapter methods (with the core T of each) and the two baselines.
import { useExperimentStore } from '../store/experiment';
import { ALL_METHODS } from '../train/types';
import { METHOD_COLORS, METHOD_LABELS } from './methods';

export function MethodPicker() {
  const selected = useExperimentStore((state) => state.form.methods);
  const error = useExperimentStore((state) => state.errors.methods);
  const toggleMethod = useExperimentStore((state) => state.toggleMethod);

  return (
    <fieldset className="choices" aria-describedby={error ? 'methods-error' : undefined}>
      <legend>Methods</legend>
      <p className="muted fieldset-hint">ΔW = s·B·T·A with s = alpha / r. Default: the five adapters.</p>
      <div className="choice-grid">
        {ALL_METHODS.map((method) => (
          <label key={method} className="choice" title={METHOD_LABELS[method].description}>
            <input type="checkbox" checked={selected.includes(method)} data-testid={`method-${method}`} onChange={(event) => toggleMethod(method, event.target.checked)} />
            <span className="swatch" style={{ background: METHOD_COLORS[method] }} aria-hidden="true" />
            <span className="choice-name">{METHOD_LABELS[method].name}</span>
            <code className="choice-formula">{METHOD_LABELS[method].formula}</code>
          </label>
        ))}
      </div>
      {error && (
        <p id="methods-error" className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
