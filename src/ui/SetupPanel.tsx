// The experiment setup: model, task (with the train size of a GLUE task, or the user's own file), methods,
// adapter modules and hyperparameters. Locked while an experiment runs, because the running spec was fixed
// when it started.
import { useEffect, useMemo } from 'react';
import { isGlueTaskId } from '../data/glue-configs';
import { isUploadTaskId } from '../data/registry';
import { getExperimentStore, useExperimentStore } from '../store/experiment';
import { validateTrainSizeChoice } from '../store/train-size';
import { watchStoredUploads } from '../store/uploaded-tasks';
import { HyperparameterFields } from './HyperparameterFields';
import { MethodPicker } from './MethodPicker';
import { ModelSelect } from './ModelSelect';
import { ModulePicker } from './ModulePicker';
import { TaskDataProgress } from './TaskDataProgress';
import { TaskInfo } from './TaskInfo';
import { TrainSizeField } from './TrainSizeField';
import { UploadTaskPanel } from './upload/UploadTaskPanel';
import './task-setup.css';

export function SetupPanel() {
  const live = useExperimentStore((state) => state.live);
  const tasks = useExperimentStore((state) => state.tasks);
  const taskId = useExperimentStore((state) => state.form.taskId);
  const trainSizeChoice = useExperimentStore((state) => state.form.trainSize);
  const taskError = useExperimentStore((state) => state.errors.taskId);
  const setTaskId = useExperimentStore((state) => state.setTaskId);
  const resetForm = useExperimentStore((state) => state.resetForm);
  const task = tasks.find((candidate) => candidate.id === taskId);
  const builtin = tasks.filter((candidate) => !isUploadTaskId(candidate.id));
  const uploaded = tasks.filter((candidate) => isUploadTaskId(candidate.id));

  // Stored experiments on uploaded files bring their tasks back into the list after a reload.
  useEffect(() => watchStoredUploads(getExperimentStore()), []);

  const trainSize = useMemo(() => {
    if (!isGlueTaskId(taskId)) return undefined;
    const size = validateTrainSizeChoice(trainSizeChoice, taskId);
    return typeof size === 'object' ? null : size;
  }, [taskId, trainSizeChoice]);

  return (
    <section className="panel" aria-labelledby="setup-heading">
      <div className="panel-heading">
        <h2 id="setup-heading">Setup</h2>
        <button type="button" className="link-button" onClick={resetForm} disabled={live}>
          Restore defaults
        </button>
      </div>
      <form className="setup" onSubmit={(event) => event.preventDefault()}>
        <fieldset disabled={live} className="setup-body">
          <div className="field-row">
            <ModelSelect />
            <div className="field">
              <label htmlFor="task-select">Task</label>
              <select
                id="task-select"
                value={taskId}
                data-testid="task-select"
                aria-invalid={taskError ? true : undefined}
                aria-describedby={taskError ? 'task-error' : undefined}
                onChange={(event) => setTaskId(event.target.value)}
              >
                {tasks.length === 0 && <option value="">No task available</option>}
                {builtin.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.name}
                  </option>
                ))}
                {uploaded.length > 0 && (
                  <optgroup label="Your own data">
                    {uploaded.map((candidate) => (
                      <option key={candidate.id} value={candidate.id}>
                        {candidate.name}
                      </option>
                    ))}
                  </optgroup>
                )}
              </select>
              {taskError && (
                <small id="task-error" className="field-error" role="alert">
                  {taskError}
                </small>
              )}
            </div>
          </div>
          {isGlueTaskId(taskId) && <TrainSizeField taskId={taskId} />}
          {task && <TaskInfo task={task} trainSize={trainSize} />}
          <TaskDataProgress />
          <UploadTaskPanel />
          <MethodPicker />
          <ModulePicker />
          <HyperparameterFields />
        </fieldset>
      </form>
    </section>
  );
}
