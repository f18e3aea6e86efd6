// "Your own data": choose or drop a CSV, TSV or JSON Lines file, map its columns, check the preview, the
// label distribution and the skipped rows, then add the task to the task list with "Use this task".
import { useState, type DragEvent } from 'react';
import { DEFAULT_UPLOAD_LIMITS, MIN_UPLOAD_ROWS } from '../../data/upload';
import { useUploadStore, type UploadFormatChoice } from '../../store/upload';
import { formatCount } from '../format';
import { ColumnMappingFields } from './ColumnMappingFields';
import { LabelDistributionView } from './LabelDistributionView';
import { SkippedRowsList } from './SkippedRowsList';
import { UploadPreviewTable } from './UploadPreviewTable';
import { UploadTaskSummary } from './UploadTaskSummary';
import './upload.css';

const FORMAT_LABELS: Readonly<Record<UploadFormatChoice, string>> = {
  auto: 'By extension',
  csv: 'CSV',
  tsv: 'TSV',
  jsonl: 'JSON Lines',
};

const ACCEPTED_TYPES = '.csv,.tsv,.tab,.jsonl,.ndjson,text/csv,text/tab-separated-values';

export function UploadTaskPanel() {
  const [open, setOpen] = useState(false);
  const [dragging, setDragging] = useState(false);
  const fileName = useUploadStore((state) => state.fileName);
  const reading = useUploadStore((state) => state.reading);
  const format = useUploadStore((state) => state.format);
  const preview = useUploadStore((state) => state.preview);
  const columns = useUploadStore((state) => state.columns);
  const result = useUploadStore((state) => state.result);
  const error = useUploadStore((state) => state.error);
  const chooseFile = useUploadStore((state) => state.chooseFile);
  const setFormat = useUploadStore((state) => state.setFormat);

  const choose = (file: File | undefined) => {
    if (file) void chooseFile(file);
  };
  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer.files[0]);
  };
  const maxMiB = DEFAULT_UPLOAD_LIMITS.maxBytes / (1024 * 1024);

  return (
    <details className="upload-task" data-testid="upload-panel" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary data-testid="upload-toggle">Your own data: a CSV, TSV or JSON Lines file</summary>
      <p className="muted">
        The file needs a header (CSV, TSV) or one JSON object per line, a text column, an optional second text column and a label column with a class or a
        score; at least {MIN_UPLOAD_ROWS} usable rows, at most {DEFAULT_UPLOAD_LIMITS.maxRows.toLocaleString('en-US')} rows and {maxMiB} MiB, UTF-8 encoded. The file
        stays in this browser: it is stored with its experiments in IndexedDB.
      </p>

      <div className="upload-source">
        <label
          className="drop-zone"
          data-dragging={dragging}
          data-testid="upload-drop-zone"
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <span>
            Drop a file here, or <span className="drop-zone-action">choose a file</span>
          </span>
          <input
            type="file"
            className="visually-hidden"
            accept={ACCEPTED_TYPES}
            data-testid="upload-input"
            onChange={(event) => {
              choose(event.target.files?.[0]);
              // Cleared, so that choosing the same file again after editing it reads it again.
              event.target.value = '';
            }}
          />
        </label>
        <div className="field">
          <label htmlFor="upload-format">Format</label>
          <select id="upload-format" value={format} data-testid="upload-format" disabled={fileName === null} onChange={(event) => setFormat(event.target.value as UploadFormatChoice)}>
            {Object.entries(FORMAT_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>

      {fileName !== null && (
        <p className="upload-file" data-testid="upload-file-name">
          {reading ? `Reading ${fileName}…` : `File: ${fileName}${preview ? ` (${preview.table.format.toUpperCase()}, ${formatCount(preview.dataRows, 'data row')})` : ''}`}
        </p>
      )}
      {error !== null && (
        <p role="alert" className="error" data-testid="upload-error">
          {error}
        </p>
      )}
      {columns.length > 0 && <ColumnMappingFields />}
      {preview && (
        <>
          <UploadPreviewTable preview={preview} />
          <LabelDistributionView distribution={result?.distribution ?? preview.distribution} />
          {/* A task's summary lists these warnings with its own; without a task they are shown here. */}
          {result === null && preview.warnings.length > 0 && (
            <ul className="upload-warnings" data-testid="upload-label-warnings">
              {preview.warnings.map((warning) => (
                <li key={warning}>{warning}</li>
              ))}
            </ul>
          )}
          <SkippedRowsList skipped={result?.skipped ?? preview.skipped} rows={result?.rows ?? preview.dataRows} />
        </>
      )}
      {result && <UploadTaskSummary result={result} />}
    </details>
  );
}
