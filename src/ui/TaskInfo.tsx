// Description of the chosen task: its prediction target, data source, licence, split and metrics. For a
// GLUE task the split description follows the chosen train size.
import { glueSplitDescription } from '../data/glue';
import { GLUE_CONFIGS, isGlueTaskId, type GlueTrainSize } from '../data/glue-configs';
import type { TaskChoice } from '../store/experiment';
import { METRIC_NAMES } from './format';

interface TaskInfoProps {
  task: TaskChoice;
  /** Train size of a GLUE task from the form, or null while the typed size is invalid. */
  trainSize?: GlueTrainSize | null;
}

export function TaskInfo({ task, trainSize }: TaskInfoProps) {
  const splitDescription = isGlueTaskId(task.id) && trainSize !== undefined && trainSize !== null ? glueSplitDescription(GLUE_CONFIGS[task.id], trainSize) : task.splitDescription;
  return (
    <div className="task-info" data-testid="task-info">
      <p>{task.description}</p>
      <dl className="task-facts">
        <dt>Source</dt>
        <dd data-testid="task-source">{task.source}</dd>
        <dt>Licence</dt>
        <dd data-testid="task-license">{task.license}</dd>
        <dt>Splits</dt>
        <dd data-testid="task-splits">{splitDescription}</dd>
        <dt>Metrics</dt>
        <dd data-testid="task-metrics">
          {task.metrics.map((metric) => METRIC_NAMES[metric]).join(', ')} (charts show {METRIC_NAMES[task.primaryMetric]})
        </dd>
      </dl>
    </div>
  );
}
