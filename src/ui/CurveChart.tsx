// A line per method (the mean over seeds) with a shaded ±1 std band, over optimizer steps.
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MethodId } from '../train/types';
import { bandKey, type CurveChartData } from './chart-data';
import { formatValue } from './format';
import { METHOD_COLORS, METHOD_LABELS } from './methods';

interface CurveChartProps {
  title: string;
  /** One sentence under the title: what is plotted and how many seeds it averages. */
  caption: string;
  data: CurveChartData;
  testId: string;
  /** Shown instead of the chart while no run has a point. */
  emptyMessage: string;
}

export function CurveChart({ title, caption, data, testId, emptyMessage }: CurveChartProps) {
  const headingId = `${testId}-title`;
  return (
    <figure className="chart" aria-labelledby={headingId} data-testid={testId} data-methods={data.methods.join(',')} data-rows={data.rows.length}>
      <figcaption>
        <h3 id={headingId}>{title}</h3>
        <p className="muted">{caption}</p>
      </figcaption>
      {data.rows.length === 0 ? (
        <p className="chart-empty muted">{emptyMessage}</p>
      ) : (
        <ResponsiveContainer width="100%" height={280}>
          <ComposedChart data={data.rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
            <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDecimals={false} stroke="var(--muted)" label={{ value: 'Step', position: 'insideBottom', offset: -2, fill: 'var(--muted)' }} height={40} />
            <YAxis stroke="var(--muted)" tickFormatter={formatValue} width={56} domain={['auto', 'auto']} />
            <Tooltip formatter={tooltipValue} labelFormatter={(step) => `Step ${String(step)}`} contentStyle={{ background: 'var(--panel)', borderColor: 'var(--border)' }} />
            <Legend itemSorter={null} wrapperStyle={{ paddingTop: 6 }} formatter={legendText} />
            {data.methods.map((method) => (
              <Area
                key={`${method}-band`}
                dataKey={bandKey(method)}
                stroke="none"
                fill={METHOD_COLORS[method]}
                fillOpacity={0.18}
                legendType="none"
                tooltipType="none"
                isAnimationActive={false}
                connectNulls
              />
            ))}
            {data.methods.map((method: MethodId) => (
              <Line key={method} dataKey={method} name={METHOD_LABELS[method].name} stroke={METHOD_COLORS[method]} strokeWidth={2} dot={false} isAnimationActive={false} connectNulls />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}

function tooltipValue(value: unknown): string {
  return typeof value === 'number' ? formatValue(value) : String(value);
}

/** Legend labels in the text colour, because some method colours are too dark to read on the dark theme. */
function legendText(value: unknown) {
  return <span style={{ color: 'var(--text)' }}>{String(value)}</span>;
}
