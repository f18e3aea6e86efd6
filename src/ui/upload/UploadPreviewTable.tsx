// The first rows of an uploaded file as read, with the role of each mapped column in its header.
import type { ColumnMapping, UploadPreview } from '../../data/upload';
import { formatCount } from '../format';

/** Characters of a cell shown before it is cut with an ellipsis. The title attribute contains the whole text. */
const CELL_CHARACTERS = 80;

function roleOf(column: string, mapping: ColumnMapping | null): string | null {
  if (mapping === null) return null;
  if (column === mapping.text) return 'text';
  if (column === mapping.textPair) return 'second text';
  if (column === mapping.label) return 'label';
  return null;
}

function cellText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function UploadPreviewTable({ preview }: { preview: UploadPreview }) {
  const { columns } = preview.table;
  return (
    <div className="upload-preview">
      <h4>
        {preview.rowCount === preview.dataRows
          ? `First ${preview.rows.length} of ${formatCount(preview.rowCount, 'row')}`
          : `First ${preview.rows.length} of ${formatCount(preview.rowCount, 'readable row')} (${formatCount(preview.dataRows, 'data row')} in the file)`}
      </h4>
      <div className="table-scroll">
        <table className="preview-table" data-testid="upload-preview">
          <thead>
            <tr>
              <th scope="col">Line</th>
              {columns.map((column) => {
                const role = roleOf(column, preview.mapping);
                return (
                  <th key={column} scope="col" data-role={role ?? undefined}>
                    {column}
                    {role && <span className="column-role"> ({role})</span>}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row) => (
              <tr key={row.line}>
                <td>{row.line}</td>
                {columns.map((column) => {
                  const text = cellText(row.values[column]);
                  return (
                    <td key={column} title={text.length > CELL_CHARACTERS ? text : undefined}>
                      {text.length > CELL_CHARACTERS ? `${text.slice(0, CELL_CHARACTERS)}…` : text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
