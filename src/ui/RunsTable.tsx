// One row per run of the experiment on screen (method × seed) with its final metrics and its exports. A finished
// adapter run exports its adapters as a PEFT zip or as the native file, and every finished run its results.
import { useEffect } from 'react';
import { isAdapterMethod } from '../adapters/methods';
import type { MetricId } from '../data/task';
import { useAdapterStore } from '../store/adapters';
import { downloadBytes } from '../store/download';
import type { ExperimentView } from '../store/experiment-view';
import { runDownloadName } from '../adapters/io/download-names';
import { finalEvaluations } from '../adapters/io/run-info';
import { runKeyString } from '../train/store-db';
import type { ExperimentSpec, ExperimentStatus, RunRecord } from '../train/types';
import { formatValue, METRIC_NAMES } from './format';
import { METHOD_COLORS, METHOD_LABELS } from './methods';

interface RunsTableProps {
  view: ExperimentView;
  /** The metric shown for dev and test; null before any evaluation reported one. */
  metric: MetricId | null;
}

/** Downloads the spec and the whole record of one run (curve, evaluations, sizes) as JSON. */
function downloadResults(spec: ExperimentSpec, run: RunRecord): void {
  // The spec of an uploaded task contains the file's bytes, which do not belong in a results file.
  const { taskOptions, ...rest } = spec;
  const options = taskOptions?.upload ? { ...taskOptions, upload: { fileName: taskOptions.upload.fileName, mapping: taskOptions.upload.mapping } } : taskOptions;
  const json = JSON.stringify({ spec: { ...rest, ...(options ? { taskOptions: options } : {}) }, run }, null, 2);
  const fileName = runDownloadName({ taskId: spec.taskId, experimentId: spec.id, method: run.method, seed: run.seed }, '-results.json');
  downloadBytes(fileName, new TextEncoder().encode(`${json}\n`), 'application/json');
}

/** Says why a run that did not finish has no exports, or when they will appear. */
function noExportsReason(run: RunRecord, experimentStatus: ExperimentStatus): string {
  if (run.status === 'failed') return 'This run failed, so it has no adapters or results to export; only finished runs are exported.';
  if (run.status === 'cancelled') return 'This run was cancelled before its last step, so it has no adapters or results to export; only finished runs are exported.';
  if (experimentStatus === 'cancelled') return 'The experiment was cancelled before this run, so it has nothing to export.';
  if (experimentStatus === 'interrupted') return 'The experiment was interrupted; exports appear when the run finishes after it is resumed.';
  return 'Exports appear when the run finishes.';
}

function finalMetric(run: RunRecord, split: 'dev' | 'test', metric: MetricId | null): string {
  const point = finalEvaluations(run).find((candidate) => candidate.split === split);
  const value = metric ? point?.metrics[metric] : undefined;
  return value === undefined ? '–' : formatValue(value);
}

export function RunsTable({ view, metric }: RunsTableProps) {
  const experimentId = view.record.spec.id;
  const shownId = useAdapterStore((state) => state.experimentId);
  const storedRuns = useAdapterStore((state) => state.storedRuns);
  const errors = useAdapterStore((state) => state.errors);
  const downloadError = useAdapterStore((state) => state.downloadError);
  const showExperiment = useAdapterStore((state) => state.showExperiment);
  const downloadPeft = useAdapterStore((state) => state.downloadPeft);
  const downloadNative = useAdapterStore((state) => state.downloadNative);

  useEffect(() => {
    void showExperiment(experimentId);
  }, [experimentId, showExperiment]);

  const exportsOf = (run: RunRecord) => {
    if (run.status !== 'done') return <span className="muted">{noExportsReason(run, view.record.status)}</span>;
    const key = { experimentId, method: run.method, seed: run.seed };
    const id = runKeyString(run);
    // Each accessible name starts with its button's visible text (WCAG 2.5.3, Label in Name), so that a voice-control
    // user who says the visible text reaches the button.
    const label = `${METHOD_LABELS[run.method].name} seed ${run.seed}`;
    const results = (
      <button type="button" onClick={() => downloadResults(view.record.spec, run)} aria-label={`Results JSON of ${label}`}>
        Results JSON
      </button>
    );

    if (!isAdapterMethod(run.method)) {
      const reason = run.method === 'full' ? 'Full fine-tuning changes every weight, so it has no adapters; only its results are exported.' : 'Head only trains the classifier alone, so it has no adapters; only its results are exported.';
      return (
        <div className="row-actions">
          {results}
          <span className="muted">{reason}</span>
        </div>
      );
    }
    if (shownId === experimentId && storedRuns[id]) {
      return (
        <div className="row-actions">
          <button type="button" data-testid={`download-peft-${id}`} onClick={() => void downloadPeft(key)} aria-label={`Download PEFT zip of ${label}`}>
            Download PEFT zip
          </button>
          <button type="button" data-testid={`download-native-${id}`} onClick={() => void downloadNative(key)} aria-label={`Download native file of ${label}`}>
            Download native file
          </button>
          {results}
        </div>
      );
    }
    return (
      <div className="row-actions">
        {results}
        <span className={errors[id] ? 'error' : 'muted'}>{errors[id] ?? 'The adapters of this run are not stored in this browser.'}</span>
      </div>
    );
  };

  const metricName = metric ? METRIC_NAMES[metric] : 'metric';
  return (
    <div className="table-scroll">
      <table className="summary runs" data-testid="runs-table">
        <caption>
          Runs. Every finished adapter run keeps its native adapter file (A, B, C, D and the head) in this browser's IndexedDB. The PEFT zip folds
          T into B for Hugging Face PEFT; the native file keeps C and D and can be imported again below.
        </caption>
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th scope="col">Seed</th>
            <th scope="col">Status</th>
            <th scope="col">Dev {metricName}</th>
            <th scope="col">Test {metricName}</th>
            <th scope="col">Exports</th>
          </tr>
        </thead>
        <tbody>
          {view.runs.map((run) => (
            <tr key={runKeyString(run)} data-run={runKeyString(run)} data-status={run.status}>
              <th scope="row">
                <span className="swatch" style={{ background: METHOD_COLORS[run.method] }} aria-hidden="true" />
                {METHOD_LABELS[run.method].name}
              </th>
              <td>{run.seed}</td>
              <td>{run.status}</td>
              <td data-testid="run-dev-metric">{finalMetric(run, 'dev', metric)}</td>
              <td data-testid="run-test-metric">{finalMetric(run, 'test', metric)}</td>
              <td className="exports">{exportsOf(run)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {downloadError && (
        <p role="alert" className="error" data-testid="download-error">
          {downloadError}
        </p>
      )}
    </div>
  );
}
