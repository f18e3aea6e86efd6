// The numeric settings of an experiment: seeds and the training hyperparameters.
import { DEFAULT_HYPERPARAMETERS, DEFAULT_SEED_COUNT, FIELD_SPECS, fieldRange, formatRange, NUMERIC_FIELDS, type NumericField } from '../store/form';
import { useExperimentStore } from '../store/experiment';
import { NumberField } from './NumberField';

function defaultOf(field: NumericField): number {
  return field === 'seedCount' ? DEFAULT_SEED_COUNT : (DEFAULT_HYPERPARAMETERS[field] ?? 0);
}

export function HyperparameterFields() {
  const form = useExperimentStore((state) => state.form);
  const errors = useExperimentStore((state) => state.errors);
  const model = useExperimentStore((state) => state.model);
  const setValue = useExperimentStore((state) => state.setValue);

  return (
    <fieldset className="hyperparameters">
      <legend>Hyperparameters</legend>
      <div className="field-grid">
        {NUMERIC_FIELDS.map((field) => (
          <NumberField
            key={field}
            label={FIELD_SPECS[field].label}
            hint={FIELD_SPECS[field].hint}
            range={formatRange(fieldRange(field, form, model))}
            value={form.values[field]}
            defaultValue={defaultOf(field)}
            error={errors[field]}
            testId={`field-${field}`}
            onChange={(text) => setValue(field, text)}
          />
        ))}
      </div>
      <p className="muted note">
        The adapter methods and the head-only baseline train at the learning rate. Full fine-tuning trains at its own rate, by default{' '}
        {DEFAULT_HYPERPARAMETERS.fullLearningRate?.toExponential()}, because it changes every pretrained weight and a rate suited to adapters
        would overwrite what pretraining learned.
      </p>
    </fieldset>
  );
}
