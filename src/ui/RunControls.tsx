// Start, pause, resume and cancel, with the progress of the experiment on screen. Start stays disabled
// without WebGPU, while the form is invalid and while an experiment runs.
import type { GpuStatus } from '../store/gpu';
import { useExperimentStore } from '../store/experiment';
import { ProgressBar } from './ProgressBar';

export function RunControls({ gpu }: { gpu: GpuStatus }) {
  const live = useExperimentStore((state) => state.live);
  const view = useExperimentStore((state) => state.view);
  const errors = useExperimentStore((state) => state.errors);
  const pendingCommand = useExperimentStore((state) => state.pendingCommand);
  const start = useExperimentStore((state) => state.start);
  const pause = useExperimentStore((state) => state.pause);
  const resume = useExperimentStore((state) => state.resume);
  const cancel = useExperimentStore((state) => state.cancel);

  const invalidFields = Object.keys(errors).length;
  const status = live ? view?.record.status : undefined;
  const startBlocker =
    gpu.kind === 'unavailable' || gpu.kind === 'failed'
      ? `Training needs WebGPU. ${gpu.message}`
      : gpu.kind !== 'ready'
        ? 'Waiting for the WebGPU device…'
        : invalidFields > 0
          ? `Fix ${invalidFields === 1 ? 'the invalid setting' : `the ${invalidFields} invalid settings`} in the setup first.`
          : null;

  return (
    <section className="panel" aria-labelledby="controls-heading">
      <h2 id="controls-heading">Run</h2>
      <div className="controls">
        {!live && (
          <button type="button" className="primary" data-testid="start-button" disabled={startBlocker !== null} aria-describedby={startBlocker ? 'start-blocker' : undefined} onClick={() => void start()}>
            Start
          </button>
        )}
        {live && status !== 'paused' && (
          <button type="button" data-testid="pause-button" disabled={pendingCommand !== null} onClick={pause}>
            {pendingCommand === 'pause' ? 'Pausing…' : 'Pause'}
          </button>
        )}
        {live && status === 'paused' && (
          <button type="button" data-testid="resume-button" disabled={pendingCommand !== null} onClick={resume}>
            {pendingCommand === 'resume' ? 'Resuming…' : 'Resume'}
          </button>
        )}
        {live && (
          <button type="button" className="danger" data-testid="cancel-button" onClick={cancel}>
            {pendingCommand === 'cancel' ? 'Stop now' : 'Cancel'}
          </button>
        )}
      </div>
      {!live && startBlocker && (
        <p id="start-blocker" className={gpu.kind === 'unavailable' || gpu.kind === 'failed' ? 'error' : 'muted'} data-testid="start-blocker">
          {startBlocker}
        </p>
      )}
      {pendingCommand === 'cancel' && <p className="muted">Cancelling after the current step. Press Stop now to end the Worker at once.</p>}
      {view ? <ProgressBar view={view} live={live} /> : <p className="muted">No experiment yet. Choose the settings and press Start.</p>}
    </section>
  );
}
