// The label distribution of an uploaded file: the count of each class, or the range, mean and histogram of
// the scores.
import type { LabelDistribution } from '../../data/upload';
import { formatCount, formatValue } from '../format';

export function LabelDistributionView({ distribution }: { distribution: LabelDistribution | null }) {
  if (distribution === null) return null;

  if (distribution.kind === 'classification') {
    const total = distribution.classes.reduce((sum, entry) => sum + entry.count, 0);
    return (
      <div className="label-distribution" data-testid="upload-distribution" data-kind="classification">
        <h4>
          {formatCount(distribution.classes.length, 'class')} in {formatCount(total, 'row')}
        </h4>
        <table className="distribution-table">
          <tbody>
            {distribution.classes.map((entry) => {
              const share = total === 0 ? 0 : entry.count / total;
              return (
                <tr key={entry.name} data-testid="upload-class" data-class={entry.name} data-count={entry.count}>
                  <th scope="row">{entry.name}</th>
                  <td>{entry.count.toLocaleString('en-US')}</td>
                  <td>{(100 * share).toFixed(1)} %</td>
                  <td className="bar-cell" aria-hidden="true">
                    <span className="bar" style={{ width: `${100 * share}%` }} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    );
  }

  const highest = Math.max(1, ...distribution.histogram.map((bin) => bin.count));
  const count = distribution.histogram.reduce((sum, bin) => sum + bin.count, 0);
  return (
    <div className="label-distribution" data-testid="upload-distribution" data-kind="regression">
      <h4 data-testid="upload-score-range">
        {formatCount(count, 'score')} from {formatValue(distribution.min)} to {formatValue(distribution.max)}, mean {formatValue(distribution.mean)}
      </h4>
      <div className="histogram" role="img" aria-label={`Histogram of the scores in ${distribution.histogram.length} equal bins`}>
        {distribution.histogram.map((bin) => (
          <span
            key={bin.from}
            className="histogram-bin"
            style={{ height: `${(100 * bin.count) / highest}%` }}
            title={`${formatValue(bin.from)} to ${formatValue(bin.to)}: ${bin.count} rows`}
          />
        ))}
      </div>
    </div>
  );
}
