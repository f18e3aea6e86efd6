// Reads named columns of a Parquet file held in memory, with hyparquet. Files that this reader cannot
// handle (not Parquet, a missing column, a compression codec without a decoder) raise a DatasetFileError
// that names the file and states what was found. hyparquet is imported on first use, so that modules which
// only list tasks do not pull it into the main bundle.

import type { FileMetaData } from 'hyparquet';

type Hyparquet = typeof import('hyparquet');

/** An error in one data file; `file` names it (a URL or a path) and the message starts with that name. */
export class DatasetFileError extends Error {
  readonly file: string;

  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'DatasetFileError';
    this.file = file;
  }
}

/**
 * Codecs hyparquet decodes without extra packages. The Hub's Parquet conversions (pyarrow's defaults)
 * use Snappy; other codecs would need hyparquet-compressors.
 */
const SUPPORTED_CODECS = new Set(['UNCOMPRESSED', 'SNAPPY']);

export interface ParquetRows {
  /** Rows in file order. Each row contains the requested columns in the requested order. */
  rows: unknown[][];
  /** Names of all top-level columns of the file. */
  columnNames: string[];
}

function readMetadata(hyparquet: Hyparquet, data: ArrayBuffer, file: string): FileMetaData {
  try {
    return hyparquet.parquetMetadata(data);
  } catch (error) {
    throw new DatasetFileError(file, `not a readable Parquet file (${(error as Error).message}); check that the URL or path points to a .parquet file.`);
  }
}

/** Returns the names of the top-level columns, in schema order. */
export async function parquetColumnNames(data: ArrayBuffer, file: string): Promise<string[]> {
  const hyparquet = await import('hyparquet');
  return hyparquet.parquetSchema(readMetadata(hyparquet, data, file)).children.map((child) => child.element.name);
}

/**
 * Reads `columns` of every row. Integer columns of type INT64 come back as bigint and strings as string;
 * a null in the file stays null, so callers check each value.
 */
export async function readParquetColumns(data: ArrayBuffer, file: string, columns: readonly string[]): Promise<ParquetRows> {
  const hyparquet = await import('hyparquet');
  const metadata = readMetadata(hyparquet, data, file);
  const columnNames = hyparquet.parquetSchema(metadata).children.map((child) => child.element.name);
  const missing = columns.filter((column) => !columnNames.includes(column));
  if (missing.length > 0) {
    throw new DatasetFileError(file, `column ${missing.map((name) => `"${name}"`).join(', ')} is missing; the file has columns ${columnNames.map((name) => `"${name}"`).join(', ')}.`);
  }

  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta !== undefined && columns.includes(meta.path_in_schema[0]) && !SUPPORTED_CODECS.has(meta.codec)) {
        throw new DatasetFileError(file, `column "${meta.path_in_schema.join('.')}" uses ${meta.codec} compression, which this app cannot decode; supported codecs are ${[...SUPPORTED_CODECS].join(' and ')}.`);
      }
    }
  }

  let rows: unknown[][] = [];
  try {
    await hyparquet.parquetRead({ file: data, metadata, columns: [...columns], rowFormat: 'array', onComplete: (result) => (rows = result) });
  } catch (error) {
    throw new DatasetFileError(file, `reading columns ${columns.join(', ')} failed (${(error as Error).message}); the file may be truncated or corrupt, so download it again.`);
  }
  if (rows.length !== Number(metadata.num_rows)) {
    throw new DatasetFileError(file, `read ${rows.length} rows, but the file declares ${metadata.num_rows}; the file may be truncated, so download it again.`);
  }
  return { rows, columnNames };
}
