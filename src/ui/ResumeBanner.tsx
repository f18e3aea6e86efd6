// Offers to resume the newest interrupted experiment from its finished runs.
import { useExperimentStore } from '../store/experiment';
import { describeExperiment } from './describe';

export function ResumeBanner() {
  const interrupted = useExperimentStore((state) => state.interrupted);
  const live = useExperimentStore((state) => state.live);
  const resumeInterrupted = useExperimentStore((state) => state.resumeInterrupted);
  const dismissInterrupted = useExperimentStore((state) => state.dismissInterrupted);
  const record = interrupted[0];
  if (!record || live) return null;

  return (
    <section className="banner" aria-labelledby="resume-heading" data-testid="resume-banner" data-experiment-id={record.spec.id}>
      <h2 id="resume-heading">Interrupted experiment</h2>
      <p>
        {describeExperiment(record)} stopped before it finished (the page was closed or the Worker failed). Resuming keeps its finished runs
        and trains the others from the start.
      </p>
      <div className="controls">
        <button type="button" className="primary" data-testid="resume-interrupted-button" onClick={() => void resumeInterrupted(record.spec.id)}>
          Resume
        </button>
        <button type="button" data-testid="dismiss-interrupted-button" onClick={() => void dismissInterrupted(record.spec.id)}>
          Keep as cancelled
        </button>
      </div>
      {interrupted.length > 1 && <p className="muted">{interrupted.length - 1} older interrupted experiments are listed under Stored experiments.</p>}
    </section>
  );
}
