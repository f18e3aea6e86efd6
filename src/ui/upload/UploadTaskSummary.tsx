// The task an uploaded file becomes: examples per split, the metrics and why the summary uses its metric,
// notes that do not stop the task, and "Use this task", which adds the task to the task list and selects it.
import { IMBALANCED_MINORITY_SHARE, type UploadResult } from '../../data/upload';
import { useExperimentStore } from '../../store/experiment';
import { useUploadStore } from '../../store/upload';
import { formatCount, METRIC_NAMES } from '../format';

/** Explains the primary metric that taskFromUpload chose. */
function primaryMetricReason(result: UploadResult): string {
  const { task, distribution } = result;
  const name = METRIC_NAMES[task.primaryMetric];
  if (distribution.kind === 'regression') return `${name}, the linear correlation of predicted and true scores.`;
  if (distribution.classes.length > 2) return `${name}, because the task has ${distribution.classes.length} classes.`;
  const total = distribution.classes.reduce((sum, entry) => sum + entry.count, 0);
  const minority = Math.min(...distribution.classes.map((entry) => entry.count)) / total;
  const share = `${(100 * minority).toFixed(1)} %`;
  const threshold = `${100 * IMBALANCED_MINORITY_SHARE} %`;
  return task.primaryMetric === 'mcc'
    ? `${name}, because the smaller class has ${share} of the rows (under ${threshold}), where always predicting the larger class scores a high accuracy but an MCC of 0.`
    : `${name}, because the smaller class has ${share} of the rows (at least ${threshold}).`;
}

export function UploadTaskSummary({ result }: { result: UploadResult }) {
  const addedTaskId = useUploadStore((state) => state.addedTaskId);
  const useTask = useUploadStore((state) => state.useTask);
  const selectedTaskId = useExperimentStore((state) => state.form.taskId);
  const { task, splits } = result;
  const added = addedTaskId === task.id && selectedTaskId === task.id;

  return (
    <div className="upload-summary" data-testid="upload-summary">
      <dl className="task-facts">
        <dt>Task</dt>
        <dd data-testid="upload-task-kind">
          {task.kind === 'classification' ? `Classification with ${formatCount(task.labels!.length, 'class')} (${task.labels!.join(', ')})` : 'Regression on a score'}
        </dd>
        <dt>Examples</dt>
        <dd data-testid="upload-examples">
          {result.examples.toLocaleString('en-US')} of {result.rows.toLocaleString('en-US')} rows: {splits.train.length.toLocaleString('en-US')} train,{' '}
          {splits.dev.length.toLocaleString('en-US')} dev, {splits.test.length.toLocaleString('en-US')} test
        </dd>
        <dt>Metrics</dt>
        <dd data-testid="upload-metrics" data-primary-metric={task.primaryMetric}>
          {task.metrics.map((metric) => METRIC_NAMES[metric]).join(', ')}. The charts and the summary use {primaryMetricReason(result)}
        </dd>
      </dl>
      {result.warnings.length > 0 && (
        <ul className="upload-warnings" data-testid="upload-warnings">
          {result.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      <div className="controls">
        <button type="button" className="primary" data-testid="upload-use" disabled={added} onClick={useTask}>
          Use this task
        </button>
        {added && (
          <span className="muted" role="status" data-testid="upload-added">
            Added to the task list as “{task.name}” and selected.
          </span>
        )}
      </div>
    </div>
  );
}
