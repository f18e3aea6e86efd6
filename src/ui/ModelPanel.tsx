// Chooses and loads the checkpoint: the embedded default, a Hugging Face Hub id, a base URL, or a local folder or
// files. Shows byte progress per file, then a summary of the model and the fill-mask panel to try it.
import { useId, useState, type DragEvent, type FormEvent } from 'react';
import type { FileProgress } from '../model/sources';
import { useModelStore, type ModelLoadError, type ModelRequest, type ModelSummary } from '../store/model';
import { FillMaskPanel } from './FillMaskPanel';

type SourceKind = ModelRequest['kind'];

const SOURCE_OPTIONS: ReadonlyArray<{ kind: SourceKind; label: string }> = [
  { kind: 'embedded', label: 'Embedded default' },
  { kind: 'hub', label: 'Hugging Face Hub' },
  { kind: 'url', label: 'URL' },
  { kind: 'files', label: 'Local folder or files' },
];

export function ModelPanel() {
  const status = useModelStore((state) => state.status);
  const progress = useModelStore((state) => state.progress);
  const summary = useModelStore((state) => state.summary);
  const error = useModelStore((state) => state.error);
  const load = useModelStore((state) => state.load);

  const [kind, setKind] = useState<SourceKind>('embedded');
  const [hubId, setHubId] = useState('');
  const [revision, setRevision] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const ids = useId();

  const request = buildRequest(kind, hubId, revision, baseUrl, files);

  const onSubmit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (request !== null) void load(request);
  };

  return (
    <section className="panel" aria-labelledby={`${ids}-heading`} data-testid="model-panel" data-status={status}>
      <h2 id={`${ids}-heading`}>Model</h2>

      {/* noValidate: the browser's own check of type="url" would reject a path such as /models/x/ and block Load
          without a message, so the loader checks the URL and reports the problem in the panel instead. */}
      <form onSubmit={onSubmit} noValidate>
        <fieldset style={{ border: 'none', padding: 0, margin: 0 }}>
          <legend className="muted">Load a BERT checkpoint (config.json, model.safetensors, and tokenizer.json or vocab.txt) from</legend>
          {SOURCE_OPTIONS.map((option) => (
            <label key={option.kind} style={{ marginRight: '1rem', whiteSpace: 'nowrap' }}>
              <input type="radio" name={`${ids}-source`} value={option.kind} checked={kind === option.kind} onChange={() => setKind(option.kind)} /> {option.label}
            </label>
          ))}
        </fieldset>

        <div style={{ margin: '0.75rem 0' }}>
          {kind === 'embedded' && (
            <p className="muted">
              mtlora-bert-tiny, the small encoder that ships with this app (served from <code>{EMBEDDED_FOLDER_LABEL}</code>).
            </p>
          )}

          {kind === 'hub' && (
            <>
              <label>
                Model id{' '}
                <input
                  type="text"
                  data-testid="hub-model-id"
                  value={hubId}
                  onChange={(event) => setHubId(event.target.value)}
                  placeholder="e.g. google/bert_uncased_L-2_H-128_A-2"
                  size={40}
                  spellCheck={false}
                  autoComplete="off"
                />
              </label>{' '}
              <label>
                Revision{' '}
                <input type="text" data-testid="hub-revision" value={revision} onChange={(event) => setRevision(event.target.value)} placeholder="main" size={10} spellCheck={false} />
              </label>
              <p className="muted">Files are downloaded from huggingface.co without an access token, and kept in the browser&apos;s Cache Storage for the next load.</p>
            </>
          )}

          {kind === 'url' && (
            <label>
              Base URL{' '}
              <input
                type="url"
                data-testid="model-base-url"
                value={baseUrl}
                onChange={(event) => setBaseUrl(event.target.value)}
                placeholder="e.g. http://localhost:8000/models/bert-tiny/"
                size={48}
                spellCheck={false}
              />
            </label>
          )}

          {kind === 'files' && <LocalFilesPicker files={files} onChange={setFiles} />}
        </div>

        <button type="submit" disabled={request === null} data-testid="model-load">
          {status === 'loading' ? 'Loading…' : 'Load'}
        </button>
      </form>

      {progress.length > 0 && <ProgressList progress={progress} />}
      {error !== null && <LoadError error={error} />}
      {summary !== null && <SummaryView summary={summary} />}
      {status === 'ready' && summary !== null && <FillMaskPanel />}
    </section>
  );
}

const EMBEDDED_FOLDER_LABEL = 'public/models/mtlora-bert-tiny/';

/** Returns the request for the chosen source, or null while its input is empty. */
function buildRequest(kind: SourceKind, hubId: string, revision: string, baseUrl: string, files: readonly File[]): ModelRequest | null {
  switch (kind) {
    case 'embedded':
      return { kind };
    case 'hub':
      if (hubId.trim() === '') return null;
      return revision.trim() === '' ? { kind, id: hubId } : { kind, id: hubId, revision: revision.trim() };
    case 'url':
      return baseUrl.trim() === '' ? null : { kind, baseUrl };
    case 'files':
      return files.length === 0 ? null : { kind, files };
  }
}

function LocalFilesPicker({ files, onChange }: { files: readonly File[]; onChange: (files: File[]) => void }) {
  const [dragging, setDragging] = useState(false);
  const [dropError, setDropError] = useState<string | null>(null);

  const onDrop = (event: DragEvent<HTMLDivElement>): void => {
    event.preventDefault();
    setDragging(false);
    setDropError(null);
    filesFromDrop(event.dataTransfer).then(
      (dropped) => {
        if (dropped.length === 0) setDropError('The drop contained no files. Drop the model folder or its files.');
        else onChange(dropped);
      },
      (error: unknown) => setDropError(`Reading the dropped folder failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };

  return (
    <div
      data-testid="model-drop-zone"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      style={{ border: `2px dashed ${dragging ? 'var(--accent)' : 'var(--border)'}`, borderRadius: 6, padding: '0.75rem' }}
    >
      <p style={{ marginTop: 0 }}>
        <label>
          Folder{' '}
          <input type="file" multiple webkitdirectory="" data-testid="model-folder-input" onChange={(event) => onChange(Array.from(event.target.files ?? []))} />
        </label>
      </p>
      <p>
        <label>
          Files{' '}
          <input
            type="file"
            multiple
            accept=".json,.safetensors,.txt"
            data-testid="model-files-input"
            onChange={(event) => onChange(Array.from(event.target.files ?? []))}
          />
        </label>
      </p>
      <p className="muted" style={{ marginBottom: 0 }}>
        Or drop the model folder or its files here. Choose config.json, model.safetensors, and tokenizer.json or vocab.txt (tokenizer_config.json is optional).
      </p>
      {files.length > 0 && (
        <p data-testid="model-chosen-files">
          {files.length} file{files.length === 1 ? '' : 's'} chosen: {files.map(relativePath).join(', ')}
        </p>
      )}
      {dropError !== null && (
        <p role="alert" className="error">
          {dropError}
        </p>
      )}
    </div>
  );
}

function relativePath(file: File): string {
  return file.webkitRelativePath !== '' ? file.webkitRelativePath : file.name;
}

/**
 * Collects dropped files, reading dropped folders recursively. Each file gets its path inside the drop as
 * webkitRelativePath, so that the loader prefers config.json at the folder root over one in a subfolder.
 * Folders whose names start with "." (such as .git in a clone of a Hub repository) are skipped.
 */
async function filesFromDrop(transfer: DataTransfer): Promise<File[]> {
  const entries = Array.from(transfer.items)
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null))
    .filter((entry): entry is FileSystemEntry => entry !== null);
  if (entries.length === 0) return Array.from(transfer.files);

  const files: File[] = [];
  const visit = async (entry: FileSystemEntry, path: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      // A File made from an entry has an empty webkitRelativePath, and the property has no setter.
      Object.defineProperty(file, 'webkitRelativePath', { value: path });
      files.push(file);
      return;
    }
    if (entry.name.startsWith('.')) return;
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns the entries in batches, and an empty batch at the end.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await visit(child, `${path}/${child.name}`);
    }
  };
  for (const entry of entries) await visit(entry, entry.name);
  return files;
}

function ProgressList({ progress }: { progress: readonly FileProgress[] }) {
  return (
    <ul data-testid="model-progress" style={{ listStyle: 'none', padding: 0, margin: '0.75rem 0' }}>
      {progress.map((entry) => (
        <li
          key={entry.file}
          data-testid="file-progress"
          data-file={entry.file}
          data-loaded={entry.loaded}
          data-total={entry.total ?? ''}
          data-done={String(entry.done)}
          data-from-cache={String(entry.fromCache)}
        >
          <code>{entry.file}</code>{' '}
          <progress max={entry.total ?? undefined} value={entry.total === null && !entry.done ? undefined : entry.loaded} aria-label={`${entry.file} download`} />{' '}
          <span className="muted">{describeProgress(entry)}</span>
        </li>
      ))}
    </ul>
  );
}

/** Describes one file's progress, e.g. "1.5 MiB of 5.9 MiB" or "812 bytes of 812 bytes, from cache". */
function describeProgress(entry: FileProgress): string {
  const amount = entry.total === null ? formatBytes(entry.loaded) : `${formatBytes(entry.loaded)} of ${formatBytes(entry.total)}`;
  if (!entry.done) return amount;
  return entry.fromCache ? `${amount}, from cache` : `${amount}, done`;
}

function LoadError({ error }: { error: ModelLoadError }) {
  return (
    <div role="alert" className="error" data-testid="model-error">
      <p style={{ margin: 0 }}>
        <strong>Loading the model failed.</strong> {error.message}
      </p>
      {error.file !== null && (
        <p style={{ marginBottom: 0 }}>
          File: <code data-testid="model-error-file">{error.file}</code>
        </p>
      )}
    </div>
  );
}

function SummaryView({ summary }: { summary: ModelSummary }) {
  const rows: Array<[id: string, label: string, value: string]> = [
    ['origin', 'Loaded from', summary.origin],
    ['layers', 'Layers', String(summary.layers)],
    ['hidden', 'Hidden size', String(summary.hiddenSize)],
    ['heads', 'Attention heads', String(summary.heads)],
    ['intermediate', 'Intermediate size', String(summary.intermediateSize)],
    ['positions', 'Max positions', String(summary.maxPositionEmbeddings)],
    ['vocab', 'Vocabulary', summary.tokenizerVocabSize === summary.vocabSize ? formatCount(summary.vocabSize) : `${formatCount(summary.vocabSize)} embeddings, ${formatCount(summary.tokenizerVocabSize)} in the tokenizer`],
    ['parameters', 'Parameters', formatParameters(summary)],
    ['mlm', 'MLM head', summary.hasMlmHead ? 'yes' : 'no'],
    ['tokenizer', 'Tokenizer', `from ${summary.tokenizerOrigin}`],
  ];
  return (
    <div data-testid="model-summary">
      {summary.fromCache && (
        <p data-testid="model-from-cache">
          <strong>Loaded from cache:</strong> every file came from the browser&apos;s Cache Storage, without network.
        </p>
      )}
      <dl className="facts">
        {rows.map(([id, label, value]) => (
          <div key={id} className="facts-row">
            <dt>{label}</dt>
            <dd data-testid={`summary-${id}`}>{value}</dd>
          </div>
        ))}
      </dl>
      {summary.notes.length > 0 && (
        <ul className="muted" data-testid="model-notes">
          {summary.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function formatParameters(summary: ModelSummary): string {
  const encoder = `${formatCount(summary.encoderParameters)} in the encoder`;
  return summary.hasMlmHead ? `${encoder}, ${formatCount(summary.mlmHeadParameters)} in the MLM head` : encoder;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** Formats bytes in binary units, e.g. "1.5 MiB" or "812 bytes". */
function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
