// "Continue training" after a successful adapter import: a new experiment with one run, the file's method and
// seed, whose adapters and head start from the file. The run uses the experiment's usual Worker, charts, runs
// table and IndexedDB records.
import type { FormEvent } from 'react';
import { useAdapterStore } from '../store/adapters';
import { CONTINUE_LABELS, continueFieldRange } from '../store/continue-form';
import { useExperimentStore } from '../store/experiment';
import { continuationWarmupSteps } from '../train/continuation';
import { METHOD_LABELS } from './methods';
import { NumberField } from './NumberField';

export function ContinueTraining() {
  const source = useAdapterStore((state) => state.continueSource);
  const form = useAdapterStore((state) => state.continueForm);
  const errors = useAdapterStore((state) => state.continueErrors);
  const continueState = useAdapterStore((state) => state.continueState);
  const setValue = useAdapterStore((state) => state.setContinueValue);
  const continueTraining = useAdapterStore((state) => state.continueTraining);
  const live = useExperimentStore((state) => state.live);
  if (!source || !form) return null;

  const hp = source.hyperparameters;
  const steps = Number(form.steps);
  // The warm-up shown follows the typed steps while they are valid, as continuationSpec() computes it.
  const warmup = errors.steps === undefined && Number.isInteger(steps) && steps > 0 ? continuationWarmupSteps(hp.warmupSteps, steps) : null;
  const invalid = errors.steps !== undefined || errors.learningRate !== undefined;
  const starting = continueState.status === 'starting';

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void continueTraining();
  };

  return (
    <form aria-labelledby="continue-heading" onSubmit={onSubmit} data-testid="continue-form">
      <h3 id="continue-heading">Continue training</h3>
      <p className="muted">
        Starts a new experiment with one run, {METHOD_LABELS[source.method].name} seed {source.seed}, whose A, B, C, D and head start from {source.fileName} exactly as
        stored. The AdamW moments start at zero, because the file does not store them.
        {warmup === null ? '' : ` Warm-up: ${warmup} step${warmup === 1 ? '' : 's'} (the file's ${hp.warmupSteps}, at most steps − 1), then the learning rate decays linearly to 0.`}{' '}
        The batch order and the dropout masks continue after the file's {source.stepsBefore} steps, and dev is evaluated once before the first step (step 0), which
        reproduces the file's final dev metrics. Batch size {hp.batchSize}, max length {hp.maxLength}, dropout {hp.dropout}, weight decay {hp.weightDecay} and eval
        interval {hp.evalInterval} stay the file's.
      </p>
      <div className="field-grid">
        <NumberField
          label={CONTINUE_LABELS.steps}
          hint="Optimizer steps of the continued run"
          range={continueFieldRange('steps')}
          value={form.steps}
          defaultValue={hp.steps}
          error={errors.steps}
          testId="continue-steps"
          onChange={(text) => setValue('steps', text)}
        />
        <NumberField
          label={CONTINUE_LABELS.learningRate}
          hint="Peak AdamW rate; empty keeps the file's"
          range={continueFieldRange('learningRate')}
          value={form.learningRate}
          defaultValue={hp.learningRate}
          error={errors.learningRate}
          testId="continue-learning-rate"
          onChange={(text) => setValue('learningRate', text)}
        />
      </div>
      <button type="submit" className="primary" data-testid="continue-button" disabled={live || starting || invalid}>
        Continue training
      </button>
      {live && continueState.status !== 'started' && <p className="muted">An experiment is training; continue when it has ended, because both would share the GPU.</p>}
      {continueState.status === 'started' && (
        <p role="status" data-testid="continue-status" data-experiment-id={continueState.experimentId}>
          Started a new experiment: {continueState.steps} steps from {continueState.fileName} at learning rate {continueState.learningRate} with{' '}
          {continueState.warmupSteps} warm-up steps. Its curves and runs appear under Results, and it is stored with the other experiments.
        </p>
      )}
      {continueState.status === 'failed' && (
        <p role="alert" className="error" data-testid="continue-error">
          {continueState.message}
        </p>
      )}
    </form>
  );
}
