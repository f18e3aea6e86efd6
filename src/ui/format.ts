// Number and duration formats shared by the progress bar, the charts and the summary table.
export { METRIC_NAMES } from '../data/metric-names';

/** Formats milliseconds as "1 h 02 min", "3 min 05 s" or "42 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Formats a count with its noun, plural unless the count is 1: "1 class", "2,000 rows". The plural adds "s" or, after s, x, ch or sh, "es". */
export function formatCount(count: number, noun: string): string {
  if (count === 1) return `1 ${noun}`;
  return `${formatInteger(count)} ${/(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`}`;
}

/** Formats a metric or loss with 4 significant digits, e.g. 0.9312. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number(value.toPrecision(4)).toString();
}

/** Formats a fraction as a percentage with enough digits for small adapter shares, e.g. "0.37 %". */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  // Decimal places grow as the share shrinks: 12.3 %, 0.55 %, 0.017 %.
  let digits = 3;
  if (percent >= 10) digits = 1;
  else if (percent >= 0.1) digits = 2;
  return `${percent.toFixed(digits)} %`;
}
