// The column mapping of an uploaded file: the text column, an optional second text column, the label column,
// and the task type inferred from the label column, which the user can change.
import type { ColumnMapping, UploadTaskType } from '../../data/upload';
import { useUploadStore } from '../../store/upload';

const NO_COLUMN = '';

export function ColumnMappingFields() {
  const columns = useUploadStore((state) => state.columns);
  const chosenMapping = useUploadStore((state) => state.mapping);
  const chosenTaskType = useUploadStore((state) => state.taskType);
  const preview = useUploadStore((state) => state.preview);
  const setMapping = useUploadStore((state) => state.setMapping);
  const setTaskType = useUploadStore((state) => state.setTaskType);

  const mapping: ColumnMapping = chosenMapping ?? preview?.mapping ?? { text: columns[0], label: columns[columns.length - 1] };
  const taskType = chosenTaskType ?? preview?.taskType ?? 'classification';
  const inference = preview?.inference ?? null;

  const update = (role: keyof ColumnMapping, column: string) => {
    const next: ColumnMapping = { ...mapping };
    if (role === 'textPair') {
      if (column === NO_COLUMN) delete next.textPair;
      else next.textPair = column;
    } else {
      next[role] = column;
    }
    setMapping(next);
  };

  const columnOptions = columns.map((column) => (
    <option key={column} value={column}>
      {column}
    </option>
  ));

  return (
    <fieldset className="choices upload-mapping" data-testid="upload-mapping">
      <legend>Columns and task type</legend>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="upload-text-column">Text</label>
          <select id="upload-text-column" value={mapping.text} data-testid="upload-text-column" onChange={(event) => update('text', event.target.value)}>
            {columnOptions}
          </select>
        </div>
        <div className="field">
          <label htmlFor="upload-pair-column">Second text (optional)</label>
          <select id="upload-pair-column" value={mapping.textPair ?? NO_COLUMN} data-testid="upload-pair-column" onChange={(event) => update('textPair', event.target.value)}>
            <option value={NO_COLUMN}>None (single text)</option>
            {columnOptions}
          </select>
        </div>
        <div className="field">
          <label htmlFor="upload-label-column">Label or score</label>
          <select id="upload-label-column" value={mapping.label} data-testid="upload-label-column" onChange={(event) => update('label', event.target.value)}>
            {columnOptions}
          </select>
        </div>
        <div className="field">
          <label htmlFor="upload-task-type">Task type</label>
          <select id="upload-task-type" value={taskType} data-testid="upload-task-type" aria-describedby="upload-task-type-reason" onChange={(event) => setTaskType(event.target.value as UploadTaskType)}>
            <option value="classification">Classification</option>
            <option value="regression">Regression</option>
          </select>
          {inference && (
            <small id="upload-task-type-reason" className="muted" data-testid="upload-inference">
              {chosenTaskType === null || chosenTaskType === inference.taskType ? `Inferred: ${inference.reason}` : `Changed from the inferred ${inference.taskType}: ${inference.reason}`}
            </small>
          )}
        </div>
      </div>
    </fieldset>
  );
}
