// The error type for every problem with a model file (a missing file, invalid JSON, a bad tensor), and JSON parsing that reports it.

/**
 * An error in one model file. `file` names it (for example "config.json", a URL or a path), and the
 * message repeats that name, the key or tensor, and what was expected and found.
 */
export class ModelFileError extends Error {
  readonly file: string;

  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ModelFileError';
    this.file = file;
  }
}

/** Parses JSON text, reporting invalid JSON as a ModelFileError for `file`. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(file, `invalid JSON (${(error as Error).message}).`);
  }
}
