// Description of the chosen task: its prediction target, data source, licence and split.
import type { TaskChoice } from '../store/experiment';
import { METRIC_NAMES } from './format';

export function TaskInfo({ task }: { task: TaskChoice }) {
  return (
    <div className="task-info" data-testid="task-info">
      <p>{task.description}</p>
      <dl className="task-facts">
        <dt>Source</dt>
        <dd data-testid="task-source">{task.source}</dd>
        <dt>Licence</dt>
        <dd data-testid="task-license">{task.license}</dd>
        <dt>Splits</dt>
        <dd>{task.splitDescription}</dd>
        <dt>Metrics</dt>
        <dd>
          {task.metrics.map((metric) => METRIC_NAMES[metric]).join(', ')} (charts show {METRIC_NAMES[task.primaryMetric]})
        </dd>
      </dl>
    </div>
  );
}
