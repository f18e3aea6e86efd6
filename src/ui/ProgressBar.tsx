// Progress of the experiment on screen: steps done of the total, estimated time left and throughput.
import type { ExperimentView } from '../store/experiment-view';
import { formatDuration, formatInteger } from './format';
import { currentRunText } from './progress-text';

interface ProgressBarProps {
  view: ExperimentView;
  live: boolean;
}

export function ProgressBar({ view, live }: ProgressBarProps) {
  const { done, total } = view.progress;
  const percent = total > 0 ? (100 * done) / total : 0;
  // While paused, the last throughput and time estimate are stale, so only the paused position is shown.
  const paused = view.record.status === 'paused';
  const runText = live ? currentRunText(view) : null;
  let etaText = '';
  if (live && view.record.status === 'running') {
    if (total > 0 && done >= total) etaText = 'all steps done, waiting for the final evaluations…';
    else if (view.etaMs === null) etaText = 'estimating time left…';
    else etaText = `about ${formatDuration(view.etaMs)} left`;
  }
  return (
    <div className="progress-block">
      <label className="progress-label" htmlFor="experiment-progress">
        <span>
          {formatInteger(done)} / {formatInteger(total)} steps ({percent.toFixed(1)} %)
        </span>
        <span data-testid="eta" className="muted">
          {etaText}
        </span>
      </label>
      <progress id="experiment-progress" data-testid="progress" value={done} max={Math.max(total, 1)} />
      <p className="muted progress-facts" aria-live="polite">
        {live && !paused && view.tokensPerSecond !== null && <span data-testid="tokens-per-second">{formatInteger(view.tokensPerSecond)} tokens/s</span>}
        {live && view.adapterName && <span>Worker GPU: {view.adapterName}</span>}
        {runText && (
          <span data-testid="current-run" data-paused={paused}>
            {runText}
          </span>
        )}
        {live && view.workerMessage && <span data-testid="worker-message">{view.workerMessage}</span>}
      </p>
    </div>
  );
}
