// Checkboxes for the linear layers of each encoder layer that carry an adapter.
import { DEFAULT_HYPERPARAMETERS } from '../store/form';
import { useExperimentStore } from '../store/experiment';
import { ADAPTER_MODULES, type AdapterModule } from '../train/types';

const MODULE_NAMES: Readonly<Record<AdapterModule, string>> = {
  query: 'Query',
  key: 'Key',
  value: 'Value',
  'attention.output': 'Attention output',
  intermediate: 'Feed-forward in',
  output: 'Feed-forward out',
};

export function ModulePicker() {
  const selected = useExperimentStore((state) => state.form.modules);
  const error = useExperimentStore((state) => state.errors.modules);
  const toggleModule = useExperimentStore((state) => state.toggleModule);

  return (
    <fieldset className="choices" aria-describedby={error ? 'modules-error' : undefined}>
      <legend>Adapter modules</legend>
      <p className="muted fieldset-hint">Linear layers of every encoder layer that get an adapter. Default: {DEFAULT_HYPERPARAMETERS.modules.map((module) => MODULE_NAMES[module].toLowerCase()).join(' and ')}.</p>
      <div className="choice-grid">
        {ADAPTER_MODULES.map((module) => (
          <label key={module} className="choice">
            <input type="checkbox" checked={selected.includes(module)} data-testid={`module-${module}`} onChange={(event) => toggleModule(module, event.target.checked)} />
            <span className="choice-name">{MODULE_NAMES[module]}</span>
            <code className="choice-formula">{module}</code>
          </label>
        ))}
      </div>
      {error && (
        <p id="modules-error" className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
