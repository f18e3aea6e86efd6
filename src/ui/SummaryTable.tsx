// Per-method summary of an experiment: the final test metric over seeds, the adapter size and the speed.
import type { Summary } from '../train/statistics';
import type { MethodResult } from './chart-data';
import { formatInteger, formatPercent, formatValue, METRIC_NAMES } from './format';
import { METHOD_COLORS, METHOD_LABELS } from './methods';

interface SummaryTableProps {
  results: readonly MethodResult[];
  metricName: string;
}

export function SummaryTable({ results, metricName }: SummaryTableProps) {
  const failures = results.flatMap((result) => result.failures.map((failure) => ({ method: result.method, ...failure })));
  return (
    <div className="table-scroll">
      <table className="summary" data-testid="summary-table">
        <caption>
          Final test {metricName}
          {results[0]?.otherTests.length ? ' and the other test metrics' : ''} over seeds (mean ± sample standard deviation), trainable parameters and mean time per optimizer step.
        </caption>
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th scope="col">Test {metricName}</th>
            <th scope="col">Min</th>
            <th scope="col">Max</th>
            {results[0]?.otherTests.map(({ metric }) => <th key={metric} scope="col">Test {METRIC_NAMES[metric]}</th>)}
            <th scope="col">Runs done</th>
            <th scope="col">Trainable parameters</th>
            <th scope="col">Share of model</th>
            <th scope="col">Step time (ms)</th>
          </tr>
        </thead>
        <tbody>
          {results.map((result) => (
            <tr key={result.method} data-method={result.method}>
              <th scope="row">
                <span className="swatch" style={{ background: METHOD_COLORS[result.method] }} aria-hidden="true" />
                {METHOD_LABELS[result.method].name}
              </th>
              <td data-testid="summary-test-mean">{formatMeanStd(result.test)}</td>
              <td>{result.test ? formatValue(result.test.min) : '–'}</td>
              <td>{result.test ? formatValue(result.test.max) : '–'}</td>
              {result.otherTests.map(({ metric, summary }) => <td key={metric} data-testid={`summary-test-${metric}`}>{formatMeanStd(summary)}</td>)}
              <td>
                {result.finished} / {result.seeds}
              </td>
              <td>{result.trainableParameters === null ? '–' : formatInteger(result.trainableParameters)}</td>
              <td>{result.trainableParameters === null || !result.totalParameters ? '–' : formatPercent(result.trainableParameters / result.totalParameters)}</td>
              <td>{result.stepTimeMs ? formatValue(result.stepTimeMs.mean) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {failures.length > 0 && (
        <ul className="failures" aria-label="Failed runs">
          {failures.map((failure) => (
            <li key={`${failure.method}:${failure.seed}`}>
              {METHOD_LABELS[failure.method].name}, seed {failure.seed}: {failure.error}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Formats the mean ± sample std over seeds. One finished run has no spread, so it shows the value and notes that. */
function formatMeanStd(summary: Summary | null): string {
  if (summary === null) return '–';
  if (summary.count === 1) return `${formatValue(summary.mean)} (1 run, no std)`;
  return `${formatValue(summary.mean)} ± ${formatValue(summary.std)}`;
}
