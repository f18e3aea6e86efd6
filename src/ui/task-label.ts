// Short names of the task of a stored experiment, for the history list and the one-line descriptions:
// the file name of an uploaded task, and the train size of a GLUE task.
import { describeTrainSize } from '../store/train-size';
import type { ExperimentSpec } from '../train/types';

/** E.g. "reviews.csv (uploaded)", "sst2 (train: 1,000 examples)" or "spam". */
export function taskLabel(spec: Pick<ExperimentSpec, 'taskId' | 'taskOptions'>): string {
  const upload = spec.taskOptions?.upload;
  if (upload !== undefined) return `${upload.fileName} (uploaded)`;
  const trainSize = spec.taskOptions?.trainSize;
  if (trainSize !== undefined) return `${spec.taskId} (train: ${describeTrainSize(trainSize)})`;
  return spec.taskId;
}
