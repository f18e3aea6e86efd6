// A labelled text input for one numeric hyperparameter, with its unit, default and validation message.
import { useId } from 'react';

interface NumberFieldProps {
  label: string;
  hint: string;
  /** Allowed values, e.g. "1–64". */
  range: string;
  value: string;
  defaultValue: number;
  error: string | undefined;
  testId: string;
  onChange(text: string): void;
}

export function NumberField({ label, hint, range, value, defaultValue, error, testId, onChange }: NumberFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        autoComplete="off"
        spellCheck={false}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${hintId} ${errorId}` : hintId}
        data-testid={testId}
        onChange={(event) => onChange(event.target.value)}
      />
      <small id={hintId} className="muted">
        {hint}
        <br />
        {range}, default {defaultValue}
      </small>
      {error && (
        <small id={errorId} className="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}
