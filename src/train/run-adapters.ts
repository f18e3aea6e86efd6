// The training Worker's side of keeping adapters. After each finished adapter run, the runner's onRunFinished
// hook serializes the native adapter file while the model still exists. The runner posts that run's
// 'run-finished' event right after the hook, and the file is attached to it.
import { fingerprintBaseModel, type BaseModelFingerprint } from '../adapters/io/fingerprint';
import { nativeAdapterFile } from '../adapters/io/run-files';
import { runInfoFromRecord } from '../adapters/io/run-info';
import type { BertModel } from '../model/bert';
import type { BertArchitecture, NamedBertWeights } from '../model/bert-weights';
import type { WorkerEvent } from './protocol';
import type { ExperimentSpec, RunRecord } from './types';

/** Returns the run's key within one experiment, as store-db's runKeyString does, without importing IndexedDB code into the Worker. */
function runKey(record: RunRecord): string {
  return `${record.method}:${record.seed}`;
}

type RunFinishedEvent = Extract<WorkerEvent, { type: 'run-finished' }>;

export class RunAdapterExporter {
  private base: BaseModelFingerprint | null = null;
  /** Adapter files (or serialization errors) of runs whose 'run-finished' event has not been posted yet. */
  private readonly pending = new Map<string, Pick<RunFinishedEvent, 'adapters' | 'adapterError'>>();

  constructor(
    private readonly spec: ExperimentSpec,
    private readonly config: BertArchitecture,
    private readonly weights: NamedBertWeights,
  ) {}

  /**
   * The runner's onRunFinished hook. Head-only and full fine-tuning runs have no adapters and are skipped. A
   * failure is kept as the event's adapterError and not thrown, because the trainer would then mark the run failed.
   */
  readonly onRunFinished = async (model: BertModel, record: RunRecord): Promise<void> => {
    if (model.trainable.kind !== 'adapters') return;
    const key = runKey(record);
    try {
      this.base ??= fingerprintBaseModel(this.config, this.weights);
      this.pending.set(key, { adapters: await nativeAdapterFile(model, runInfoFromRecord(this.spec, record, this.base)) });
    } catch (error) {
      this.pending.set(key, { adapterError: `Saving the adapters of ${record.method} seed ${record.seed} failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  /** Returns the event with the adapter file of its run attached; any other event unchanged. */
  attach(event: WorkerEvent): WorkerEvent {
    if (event.type !== 'run-finished') return event;
    const key = runKey(event.record);
    const extra = this.pending.get(key);
    this.pending.delete(key);
    return extra ? { ...event, ...extra } : event;
  }
}
