// One-line descriptions of stored experiments for the banner and the history list.
import { EMBEDDED_MODEL } from '../store/form';
import type { ExperimentRecord, ModelRef } from '../train/types';
import { METHOD_LABELS } from './methods';
import { taskLabel } from './task-label';

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

/** Describes the model of a stored experiment, e.g. "mtlora-bert-tiny (embedded)" or "my-bert (local files)". */
export function modelLabel(model: ModelRef): string {
  switch (model.source) {
    case 'embedded':
      return `${EMBEDDED_MODEL.name} (embedded)`;
    case 'hub':
      return model.revision === undefined ? model.id : `${model.id}@${model.revision}`;
    case 'url':
      return model.id;
    case 'files':
      return `${model.id} (local files)`;
  }
}

/** E.g. "The Spam detection (SpamAssassin) experiment of Mar 1, 2025, 10:00 AM (LoRA, SHIM; 3 seeds; 200 steps)". */
export function describeExperiment(record: ExperimentRecord): string {
  const { spec } = record;
  const methods = spec.methods.map((method) => METHOD_LABELS[method]?.name ?? method).join(', ');
  const seeds = `${spec.seeds.length} seed${spec.seeds.length === 1 ? '' : 's'}`;
  return `The ${taskLabel(spec)} experiment of ${formatDate(spec.createdAt)} (${methods}; ${seeds}; ${spec.hyperparameters.steps} steps)`;
}
