// Short names of the task of a stored experiment, for the history list and the one-line descriptions: the
// display name from the task registry, the file name of an uploaded task, and the train size of a GLUE task.
import { builtinTasks } from '../data/registry';
import { describeTrainSize } from '../store/train-size';
import type { ExperimentSpec } from '../train/types';

/**
 * E.g. "reviews.csv (uploaded)", "SST-2 sentiment (GLUE; train: 1,000 examples)" or "Spam detection (SpamAssassin)".
 * A task id that the registry no longer has (a stored experiment of an older version) is shown as it is.
 */
export function taskLabel(spec: Pick<ExperimentSpec, 'taskId' | 'taskOptions'>): string {
  const upload = spec.taskOptions?.upload;
  if (upload !== undefined) return `${upload.fileName} (uploaded)`;

  const name = builtinTasks.find((task) => task.id === spec.taskId)?.name ?? spec.taskId;
  const trainSize = spec.taskOptions?.trainSize;
  if (trainSize === undefined) return name;
  // GLUE names end with "(GLUE)", so the train size joins those brackets instead of opening a second pair.
  const detail = `train: ${describeTrainSize(trainSize)}`;
  return name.endsWith(')') ? `${name.slice(0, -1)}; ${detail})` : `${name} (${detail})`;
}
