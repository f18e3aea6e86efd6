// Import of a native adapter file (.mtlora.safetensors). A fresh training Worker loads the base model and the
// task that the file names, and evaluates dev and test as the run's final evaluation did. The page shows the
// reproduced metrics next to the stored ones with a verdict, and offers to continue training the adapters.
import type { ChangeEvent } from 'react';
import { NATIVE_FILE_SUFFIX } from '../adapters/io/native-format';
import { MATCH_TOLERANCE, type EvaluationComparison } from '../store/adapter-comparison';
import { useAdapterStore } from '../store/adapters';
import { useExperimentStore } from '../store/experiment';
import type { AdapterEvaluation } from '../train/protocol';
import { ContinueTraining } from './ContinueTraining';
import { METHOD_LABELS } from './methods';

/** Six significant digits, enough to see that two values are equal and not only close. */
function formatPrecise(value: number | null): string {
  if (value === null) return '–';
  if (!Number.isFinite(value)) return String(value);
  return Number(value.toPrecision(6)).toString();
}

function formatDifference(value: number | null): string {
  if (value === null) return '–';
  return value === 0 ? '0' : value.toExponential(1);
}

const VERDICT_TEXT: Readonly<Record<EvaluationComparison['verdict'], string>> = {
  matches: 'matches',
  differs: 'differs',
  'no stored metrics': 'no stored metrics',
};

function ImportResult({ result, comparison }: { result: AdapterEvaluation; comparison: EvaluationComparison }) {
  const explanation =
    comparison.verdict === 'matches'
      ? `Every reproduced value equals the stored one to within ${MATCH_TOLERANCE.toExponential(0)}.`
      : comparison.verdict === 'differs'
        ? `At least one value differs from the stored one by more than ${MATCH_TOLERANCE.toExponential(0)} (largest difference ${formatDifference(comparison.maxDifference)}).`
        : 'The file records no metrics of its run, so there is nothing to compare with.';
  return (
    <div data-testid="import-result">
      <p>
        {METHOD_LABELS[result.method].name} seed {result.seed} on task "{result.taskId}" (base model "{result.modelId}"), evaluated on {result.examples.dev} dev
        and {result.examples.test} test examples:{' '}
        <strong className={`verdict verdict-${comparison.verdict === 'matches' ? 'ok' : 'bad'}`} data-testid="import-verdict">
          {VERDICT_TEXT[comparison.verdict]}
        </strong>
        . {explanation}
      </p>
      <div className="table-scroll">
        <table className="summary" data-testid="import-table">
          <thead>
            <tr>
              <th scope="col">Split</th>
              <th scope="col">Value</th>
              <th scope="col">Stored</th>
              <th scope="col">Reproduced</th>
              <th scope="col">Difference</th>
            </tr>
          </thead>
          <tbody>
            {comparison.rows.map((row) => (
              <tr key={`${row.split}:${row.name}`} data-row={`${row.split}:${row.name}`} data-matches={String(row.matches)}>
                <th scope="row">{row.split}</th>
                <td>{row.name}</td>
                <td data-testid="import-stored">{formatPrecise(row.stored)}</td>
                <td data-testid="import-reproduced">{formatPrecise(row.reproduced)}</td>
                <td>{formatDifference(row.difference)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function AdapterImport() {
  const importState = useAdapterStore((state) => state.importState);
  const importAdapter = useAdapterStore((state) => state.importAdapter);
  const live = useExperimentStore((state) => state.live);
  const evaluating = importState.status === 'evaluating';

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    // Cleared, so that choosing the same file again starts another import.
    input.value = '';
    if (!file) return;
    await importAdapter({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
  };

  let blocker: string | null = null;
  if (live) blocker = 'Import is available when no experiment is training, because both would share the GPU.';
  else if (evaluating) blocker = 'An import is being evaluated.';

  return (
    <section className="panel" aria-labelledby="import-heading">
      <h2 id="import-heading">Import adapter</h2>
      <p className="muted">
        Choose a native adapter file ({NATIVE_FILE_SUFFIX}) downloaded from the runs table. The base model and the task it names are loaded again, and
        dev and test are evaluated as at the end of its run: same examples, maximum length, batch size and seed.
      </p>
      <label className="file-field">
        <span>Adapter file</span>
        <input type="file" accept={NATIVE_FILE_SUFFIX} data-testid="import-adapter-input" disabled={blocker !== null} onChange={(event) => void onFile(event)} />
      </label>
      {blocker && live && <p className="muted">{blocker}</p>}
      {importState.status === 'evaluating' && (
        <p role="status" data-testid="import-status">
          Evaluating {importState.fileName}: {importState.message ?? 'starting the training Worker…'}
        </p>
      )}
      {importState.status === 'failed' && (
        <p role="alert" className="error" data-testid="import-error">
          {importState.fileName}: {importState.message}
        </p>
      )}
      {importState.status === 'done' && <ImportResult result={importState.result} comparison={importState.comparison} />}
      {importState.status === 'done' && <ContinueTraining />}
    </section>
  );
}
