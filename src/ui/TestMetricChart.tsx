// The final test metric per method as bars of the mean over seeds, with ±1 std error bars.
import { Bar, BarChart, CartesianGrid, ErrorBar, Rectangle, ResponsiveContainer, Tooltip, XAxis, YAxis, type BarShapeProps } from 'recharts';
import type { MetricId } from '../data/task';
import type { MethodId } from '../train/types';
import { metricAxis, type MethodResult } from './chart-data';
import { formatValue } from './format';
import { METHOD_COLORS, METHOD_LABELS } from './methods';

interface TestMetricChartProps {
  results: readonly MethodResult[];
  metric: MetricId;
  metricName: string;
}

export function TestMetricChart({ results, metric, metricName }: TestMetricChartProps) {
  const rows = results.flatMap((result) =>
    result.test ? [{ method: result.method, name: METHOD_LABELS[result.method].name, mean: result.test.mean, std: result.test.std, count: result.test.count }] : [],
  );
  // One seed has no std; its error bar is empty and its lower end is the mean.
  const axis = metricAxis(
    metric,
    rows.map((row) => row.mean - (Number.isFinite(row.std) ? row.std : 0)),
  );
  return (
    <figure
      className="chart"
      aria-labelledby="test-bar-chart-title"
      data-testid="test-bar-chart"
      data-methods={rows.map((row) => row.method).join(',')}
      data-y-domain={axis.domain.join(',')}
    >
      <figcaption>
        <h3 id="test-bar-chart-title">Test {metricName}</h3>
        <p className="muted">Mean over seeds of the final evaluation on the test split; error bars span ±1 standard deviation.</p>
      </figcaption>
      {rows.length === 0 ? (
        <p className="chart-empty muted">No run has a test evaluation yet. It comes after a run's last step.</p>
      ) : (
        <ResponsiveContainer width="100%" height={280}>
          <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
            <XAxis dataKey="name" stroke="var(--muted)" interval={0} tick={{ fontSize: 12 }} />
            <YAxis stroke="var(--muted)" tickFormatter={formatValue} width={56} domain={axis.domain} ticks={axis.ticks} />
            <Tooltip
              formatter={(value, _name, item) => {
                const row = item.payload as (typeof rows)[number];
                return [`${formatValue(Number(value))} ± ${formatValue(row.std)} (${row.count} seeds)`, metricName];
              }}
              contentStyle={{ background: 'var(--panel)', borderColor: 'var(--border)' }}
            />
            <Bar dataKey="mean" name={metricName} isAnimationActive={false} shape={methodBar}>
              <ErrorBar dataKey="std" width={8} strokeWidth={1.5} stroke="var(--text)" isAnimationActive={false} />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}

/** Draws each bar in its method's colour. */
function methodBar(props: BarShapeProps) {
  const method = (props.payload as { method: MethodId }).method;
  return <Rectangle {...props} fill={METHOD_COLORS[method]} />;
}
