// The train size of a GLUE task: the task's default, 1,000, 4,000, all examples or a custom number, with
// the validation message of an invalid number.
import { useId } from 'react';
import { GLUE_CONFIGS, type GlueTaskId } from '../data/glue-configs';
import { useExperimentStore } from '../store/experiment';
import { describeTrainSize, TRAIN_SIZE_PRESETS, type TrainSizeOption } from '../store/train-size';

export function TrainSizeField({ taskId }: { taskId: GlueTaskId }) {
  const id = useId();
  const choice = useExperimentStore((state) => state.form.trainSize);
  const error = useExperimentStore((state) => state.errors.trainSize);
  const setTrainSize = useExperimentStore((state) => state.setTrainSize);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = error ? `${hintId} ${errorId}` : hintId;

  return (
    <div className="field train-size" data-testid="train-size-field">
      <label htmlFor={`${id}-select`}>Train size</label>
      <div className="train-size-inputs">
        <select
          id={`${id}-select`}
          value={choice.option}
          data-testid="train-size-select"
          aria-describedby={describedBy}
          onChange={(event) => setTrainSize({ ...choice, option: event.target.value as TrainSizeOption })}
        >
          <option value="default">Task default: {describeTrainSize(GLUE_CONFIGS[taskId].defaultTrainSize)}</option>
          {TRAIN_SIZE_PRESETS.map((size) => (
            <option key={size} value={String(size)}>
              {describeTrainSize(size)}
            </option>
          ))}
          <option value="all">All examples</option>
          <option value="custom">Custom number…</option>
        </select>
        {choice.option === 'custom' && (
          <input
            type="text"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            aria-label="Custom train size in examples"
            placeholder="e.g. 2000"
            value={choice.custom}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy}
            data-testid="train-size-custom"
            onChange={(event) => setTrainSize({ ...choice, custom: event.target.value })}
          />
        )}
      </div>
      <small id={hintId} className="muted">
        Training examples kept after the test hold-out, as a seeded sample stratified by {GLUE_CONFIGS[taskId].kind === 'classification' ? 'label' : 'score decile'}. A size larger
        than the train split keeps all of it.
      </small>
      {error && (
        <small id={errorId} className="field-error" role="alert" data-testid="train-size-error">
          {error}
        </small>
      )}
    </div>
  );
}
