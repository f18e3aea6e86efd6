// Rows of an uploaded file that are left out, with the count and the first reasons by line.
import type { SkippedRow } from '../../data/upload';
import { formatCount } from '../format';

/** Reasons listed before the rest are only counted. */
const REASONS_SHOWN = 5;

/** `rows` is the number of data rows in the file, which the skipped rows are counted against. */
export function SkippedRowsList({ skipped, rows }: { skipped: readonly SkippedRow[]; rows: number }) {
  if (skipped.length === 0) {
    return (
      <p className="muted" data-testid="upload-skipped" data-count="0">
        No row is skipped.
      </p>
    );
  }
  const count = skipped.length.toLocaleString('en-US');
  const verb = skipped.length === 1 ? 'is' : 'are';
  const counted = `${count} of ${formatCount(rows, 'row')} ${verb} skipped`;
  return (
    <div className="skipped-rows" data-testid="upload-skipped" data-count={skipped.length}>
      <h4 data-testid="upload-skipped-count">{counted}</h4>
      <ul>
        {skipped.slice(0, REASONS_SHOWN).map((row, index) => (
          <li key={`${row.line}-${index}`}>
            {/* Each reason is a predicate, e.g. "is not valid JSON (…)", so the line reads as one sentence. */}
            Line {row.line} {row.reason}.
          </li>
        ))}
      </ul>
      {skipped.length > REASONS_SHOWN && <p className="muted">… and {(skipped.length - REASONS_SHOWN).toLocaleString('en-US')} more.</p>}
    </div>
  );
}
