// Experiments stored in IndexedDB, newest first, to show again or delete.
import { useExperimentStore } from '../store/experiment';
import { formatDate, modelLabel } from './describe';
import { METHOD_LABELS } from './methods';
import { taskLabel } from './task-label';

export function ExperimentHistory() {
  const history = useExperimentStore((state) => state.history);
  const initialized = useExperimentStore((state) => state.initialized);
  const live = useExperimentStore((state) => state.live);
  const shownId = useExperimentStore((state) => state.view?.record.spec.id);
  // The list is read from IndexedDB at start and end; the view has the live status (e.g. paused) in between.
  const shownStatus = useExperimentStore((state) => state.view?.record.status);
  const openExperiment = useExperimentStore((state) => state.openExperiment);
  const deleteExperiment = useExperimentStore((state) => state.deleteExperiment);

  return (
    <section className="panel" aria-labelledby="history-heading">
      <h2 id="history-heading">Stored experiments</h2>
      {!initialized ? (
        <p className="muted">Reading IndexedDB…</p>
      ) : history.length === 0 ? (
        <p className="muted">None yet. Finished and interrupted experiments are kept in this browser's IndexedDB.</p>
      ) : (
        <div className="table-scroll">
          <table className="history" data-testid="history-table">
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Model</th>
                <th scope="col">Task</th>
                <th scope="col">Methods</th>
                <th scope="col">Seeds</th>
                <th scope="col">Steps</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {history.map((record) => {
                const id = record.spec.id;
                const isShown = id === shownId;
                const isLive = isShown && live;
                return (
                  <tr key={id} aria-current={isShown ? 'true' : undefined} data-status={isShown && shownStatus ? shownStatus : record.status}>
                    <td>{formatDate(record.spec.createdAt)}</td>
                    <td data-testid="history-model">{modelLabel(record.spec.model)}</td>
                    <td data-testid="history-task">{taskLabel(record.spec)}</td>
                    <td>{record.spec.methods.map((method) => METHOD_LABELS[method]?.name ?? method).join(', ')}</td>
                    <td>{record.spec.seeds.length}</td>
                    <td>{record.spec.hyperparameters.steps}</td>
                    <td data-testid="history-status">{isShown && shownStatus ? shownStatus : record.status}</td>
                    <td className="row-actions">
                      <button type="button" disabled={live || isShown} onClick={() => void openExperiment(id)}>
                        {isShown ? 'Shown' : 'Show'}
                      </button>
                      <button type="button" className="danger" disabled={isLive} onClick={() => void deleteExperiment(id)} aria-label={`Delete the experiment of ${formatDate(record.spec.createdAt)}`}>
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
