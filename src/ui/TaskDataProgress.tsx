// Byte progress of the task data that the training Worker downloads (GLUE Parquet files from the Hub), from
// its "Loading task data: …" status lines. The last value stays visible for the rest of the live experiment,
// so the size of the data remains readable after the download.
import { useEffect, useState } from 'react';
import { formatDataBytes, parseTaskDataProgress } from '../data/task-progress';
import { getExperimentStore, useExperimentStore } from '../store/experiment';

interface LatestProgress {
  experimentId: string;
  loaded: number;
  total: number | null;
}

export function TaskDataProgress() {
  const live = useExperimentStore((state) => state.live);
  const experimentId = useExperimentStore((state) => state.view?.record.spec.id ?? null);
  const [latest, setLatest] = useState<LatestProgress | null>(null);

  // A store listener receives every status line. A render may skip some, e.g. the final "x of x" line when
  // the next status line arrives before React renders.
  useEffect(
    () =>
      getExperimentStore().subscribe((state, previous) => {
        const message = state.view?.workerMessage ?? null;
        if (!state.live || state.view === null || message === null || message === previous.view?.workerMessage) return;
        const parsed = parseTaskDataProgress(message);
        if (parsed !== null) setLatest({ experimentId: state.view.record.spec.id, ...parsed });
      }),
    [],
  );
  if (!live || latest === null || latest.experimentId !== experimentId) return null;

  const done = latest.total !== null && latest.loaded >= latest.total;
  const amount = latest.total === null ? formatDataBytes(latest.loaded) : `${formatDataBytes(latest.loaded)} of ${formatDataBytes(latest.total)}`;
  return (
    <div className="task-data-progress" data-testid="task-data-progress" data-loaded={latest.loaded} data-total={latest.total ?? ''} data-done={done}>
      <div className="progress-label">
        <span>Task data {done ? 'loaded' : 'loading'}</span>
        <span className="muted" data-testid="task-data-amount">
          {amount}
        </span>
      </div>
      {latest.total === null ? <progress aria-label="Task data loaded" /> : <progress aria-label="Task data loaded" value={latest.loaded} max={Math.max(latest.total, 1)} />}
    </div>
  );
}
