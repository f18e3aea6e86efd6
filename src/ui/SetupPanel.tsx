// The experiment setup: model, task, methods, adapter modules and hyperparameters. Locked while an
// experiment runs, because the running spec was fixed when it started.
import { useExperimentStore } from '../store/experiment';
import { HyperparameterFields } from './HyperparameterFields';
import { MethodPicker } from './MethodPicker';
import { ModulePicker } from './ModulePicker';
import { TaskInfo } from './TaskInfo';

export function SetupPanel() {
  const live = useExperimentStore((state) => state.live);
  const model = useExperimentStore((state) => state.model);
  const tasks = useExperimentStore((state) => state.tasks);
  const taskId = useExperimentStore((state) => state.form.taskId);
  const taskError = useExperimentStore((state) => state.errors.taskId);
  const setTaskId = useExperimentStore((state) => state.setTaskId);
  const resetForm = useExperimentStore((state) => state.resetForm);
  const task = tasks.find((candidate) => candidate.id === taskId);

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
            <div className="field">
              <label htmlFor="model-select">Model</label>
              <select id="model-select" value={model.ref.id} data-testid="model-select" onChange={() => undefined}>
                <option value={model.ref.id}>
                  {model.name} (embedded)
                </option>
                <option value="hub" disabled>
                  Hugging Face Hub id…
                </option>
              </select>
            </div>
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
                {tasks.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.name}
                  </option>
                ))}
              </select>
              {taskError && (
                <small id="task-error" className="field-error" role="alert">
                  {taskError}
                </small>
              )}
            </div>
          </div>
          {task && <TaskInfo task={task} />}
          <MethodPicker />
          <ModulePicker />
          <HyperparameterFields />
        </fieldset>
      </form>
    </section>
  );
}
