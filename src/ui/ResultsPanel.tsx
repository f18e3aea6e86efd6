// The charts and the summary table of the experiment on screen, live or stored.
import { useMemo } from 'react';
import { useExperimentStore } from '../store/experiment';
import { devChartData, lossChartData, methodResults, resultMetric } from './chart-data';
import { CurveChart } from './CurveChart';
import { describeExperiment } from './describe';
import { METRIC_NAMES } from './format';
import { RunsTable } from './RunsTable';
import { SummaryTable } from './SummaryTable';
import { TestMetricChart } from './TestMetricChart';

export function ResultsPanel() {
  const view = useExperimentStore((state) => state.view);
  const tasks = useExperimentStore((state) => state.tasks);
  const storageError = useExperimentStore((state) => state.storageError);

  const results = useMemo(() => {
    if (!view) return null;
    const { spec } = view.record;
    const task = tasks.find((candidate) => candidate.id === spec.taskId);
    const metric = resultMetric(task?.primaryMetric, view.runs);
    const seeds = spec.seeds.length;
    return {
      metric,
      loss: lossChartData(view.runs, spec.methods),
      dev: metric ? devChartData(view.runs, spec.methods, metric) : null,
      methods: metric ? methodResults(view.runs, spec.methods, seeds, metric) : null,
      seeds,
    };
  }, [view, tasks]);

  return (
    <section className="panel results" aria-labelledby="results-heading">
      <h2 id="results-heading">Results</h2>
      {storageError && (
        <p role="alert" className="error" data-testid="storage-error">
          {storageError}
        </p>
      )}
      {!view || !results ? (
        <p className="muted">Curves appear here as soon as the first run trains.</p>
      ) : (
        <>
          <p className="muted" data-testid="results-title">
            {describeExperiment(view.record)}: {view.record.status}.
          </p>
          {view.error && (
            <p role="alert" className="error" data-testid="experiment-error">
              {view.error}
            </p>
          )}
          <div className="chart-grid">
            <CurveChart
              title="Training loss"
              caption={`Mean over ${results.seeds} seed${results.seeds === 1 ? '' : 's'} per step, with a ±1 std band.`}
              data={results.loss}
              testId="loss-chart"
              emptyMessage="No training step yet."
            />
            <CurveChart
              title={`Dev ${results.metric ? METRIC_NAMES[results.metric] : 'metric'}`}
              caption={`Evaluated every ${view.record.spec.hyperparameters.evalInterval} steps; mean over seeds with a ±1 std band.`}
              data={results.dev ?? { rows: [], methods: [] }}
              testId="dev-chart"
              emptyMessage="No dev evaluation yet."
            />
          </div>
          {results.metric && results.methods ? (
            <>
              <TestMetricChart results={results.methods} metric={results.metric} metricName={METRIC_NAMES[results.metric]} />
              <SummaryTable results={results.methods} metricName={METRIC_NAMES[results.metric]} />
            </>
          ) : (
            <p className="muted" data-testid="summary-table">
              No evaluation has reported a metric yet, so there is no summary.
            </p>
          )}
          <RunsTable view={view} metric={results.metric} />
        </>
      )}
    </section>
  );
}
