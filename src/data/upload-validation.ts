// Reading a user's data file into a table of rows with line numbers: size and row limits, text encoding
// checks, and CSV (papaparse), TSV and JSON Lines parsing. A problem with the whole file raises an
// UploadError; a problem with one row skips that row and records its line and the reason.

import Papa from 'papaparse';

export type UploadFormat = 'csv' | 'tsv' | 'jsonl';

export interface UploadLimits {
  /** Largest file size in bytes (of the UTF-8 encoding when the input is text). */
  maxBytes: number;
  /** Most data rows (header and blank lines excluded). */
  maxRows: number;
}

/**
 * Default limits. The runner tokenizes every example into [examples, maxLength] int32 arrays, so
 * 50,000 rows at 128 tokens take about 77 MB in the browser. 50,000 rows of about 400 characters fit
 * in 20 MiB.
 */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxBytes: 20 * 1024 * 1024, maxRows: 50_000 };

/** Minimum of usable rows: with 10% dev and test, 20 rows leave 2 examples in each. */
export const MIN_UPLOAD_ROWS = 20;

/**
 * Share of rows with U+FFFD above which the file counts as decoded with the wrong encoding, rather than
 * as a few damaged rows to skip.
 */
const MAX_REPLACEMENT_SHARE = 0.1;

/** A problem with the whole file. The message names the file and, where it applies, the line and column. */
export class UploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadError';
  }
}

/** A row that was left out, with its 1-based line in the file. */
export interface SkippedRow {
  line: number;
  reason: string;
}

/** One data row: the values of its columns (strings for CSV and TSV, JSON values for JSON Lines). */
export interface UploadRow {
  line: number;
  values: Record<string, unknown>;
}

export interface UploadTable {
  fileName: string;
  format: UploadFormat;
  /** Column names: the header of CSV and TSV, the keys in order of first appearance for JSON Lines. */
  columns: string[];
  rows: UploadRow[];
  skipped: SkippedRow[];
  /** Size of the file in bytes. */
  bytes: number;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Chooses the format from the file name's extension: .csv, .tsv or .tab, .jsonl or .ndjson. */
export function formatFromFileName(fileName: string): UploadFormat {
  const extension = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase();
  switch (extension) {
    case 'csv':
      return 'csv';
    case 'tsv':
    case 'tab':
      return 'tsv';
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'json':
      throw new UploadError(`${fileName}: JSON files are read as JSON Lines (one object per line); rename the file to .jsonl if it has that layout, or convert a JSON array to one object per line.`);
    default:
      throw new UploadError(`${fileName}: the extension is unknown, so the format is unknown; use a .csv, .tsv or .jsonl file, or choose the format.`);
  }
}

/**
 * Raises an UploadError when a file of `bytes` bytes exceeds the size limit. The page also calls it with
 * File.size before reading a file, so that a huge file is never read into memory.
 */
export function checkUploadSize(fileName: string, bytes: number, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): void {
  if (bytes > limits.maxBytes) {
    throw new UploadError(`${fileName} is ${bytes.toLocaleString('en-US')} bytes (${formatBytes(bytes)}); the limit is ${limits.maxBytes.toLocaleString('en-US')} bytes (${formatBytes(limits.maxBytes)}). Remove rows or split the file.`);
  }
}

/** Returns the 1-based line of a byte offset. */
function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) line++;
  }
  return line;
}

/** Returns the offset of the first byte that does not belong to a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i];
    let length: number;
    let min: number;
    if (byte < 0x80) {
      i++;
      continue;
    } else if (byte >= 0xc2 && byte <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (byte >= 0xe0 && byte <= 0xef) {
      length = 3;
      min = 0x800;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      length = 4;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + length > bytes.length) return i;
    let codePoint = byte & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are invalid UTF-8.
    if (codePoint < min || (codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint > 0x10ffff) return i;
    i += length;
  }
  return -1;
}

/**
 * Decodes the file to text. Bytes must be UTF-8: a UTF-8 byte order mark at the start is removed, a
 * UTF-16 byte order mark or an invalid byte rejects the file with the line and the byte. Text input
 * (e.g. from File.text()) is only checked against the size limit.
 */
export function decodeUpload(fileName: string, input: string | Uint8Array, limits: UploadLimits): { text: string; bytes: number } {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input).length : input.length;
  checkUploadSize(fileName, bytes, limits);
  if (typeof input === 'string') {
    return { text: input.replace(/^\uFEFF/, ''), bytes };
  }

  if ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff)) {
    throw new UploadError(`${fileName} is UTF-16 encoded (it starts with the byte order mark ${input[0].toString(16).toUpperCase()} ${input[1].toString(16).toUpperCase()}); save it as UTF-8.`);
  }
  const invalid = firstInvalidUtf8Byte(input);
  if (invalid >= 0) {
    throw new UploadError(
      `${fileName}: line ${lineOfByte(input, invalid)} is not valid UTF-8 (byte 0x${input[invalid].toString(16).toUpperCase().padStart(2, '0')} at byte offset ${invalid}). ` +
        'The file is probably in another encoding such as Windows-1252 or ISO-8859-1; save it as UTF-8.',
    );
  }
  const text = new TextDecoder('utf-8').decode(input);
  return { text: text.replace(/^\uFEFF/, ''), bytes };
}

/**
 * Returns the reason to skip a row because of its characters, or null. U+FFFD marks text that was decoded
 * with the wrong encoding before this file was written; U+FEFF after the start of the file is a byte
 * order mark left where two files were joined.
 */
function encodingProblem(line: string): string | null {
  if (line.includes('\uFFFD')) {
    return 'contains U+FFFD replacement characters, which mark text decoded with the wrong encoding before the file was saved';
  }
  if (line.includes('\uFEFF')) {
    return 'contains a byte order mark (U+FEFF) inside the file, which is left where files in different encodings or with BOMs were joined; remove it';
  }
  return null;
}

/** Raises an UploadError when too many rows carry U+FFFD: then the whole file was decoded wrongly. */
function checkReplacementShare(fileName: string, skipped: readonly SkippedRow[], rows: number): void {
  const replaced = skipped.filter((row) => row.reason.startsWith('contains U+FFFD'));
  if (replaced.length > 0 && replaced.length > MAX_REPLACEMENT_SHARE * rows) {
    throw new UploadError(
      `${fileName}: ${replaced.length} of ${rows} rows contain U+FFFD replacement characters (first on line ${replaced[0].line}), so the file was read with the wrong encoding. ` +
        'Save it as UTF-8 and choose it again.',
    );
  }
}

function checkRowLimit(fileName: string, rows: number, limits: UploadLimits): void {
  if (rows > limits.maxRows) {
    throw new UploadError(`${fileName} has more than ${limits.maxRows.toLocaleString('en-US')} data rows, the limit; remove rows or split the file.`);
  }
}

/** Checks the header: every column needs a name, and no name may occur twice. */
function checkHeader(fileName: string, header: string[], line: number): string[] {
  const names = header.map((name) => name.trim());
  names.forEach((name, index) => {
    if (name === '') {
      throw new UploadError(`${fileName}: line ${line}, column ${index + 1} of the header is empty; every column needs a name.`);
    }
    const first = names.indexOf(name);
    if (first !== index) {
      throw new UploadError(`${fileName}: line ${line}: column name "${name}" occurs twice (columns ${first + 1} and ${index + 1}); rename one.`);
    }
  });
  return names;
}

/** Turns parsed records (header first) into rows, skipping blank records and records of the wrong width. */
function rowsFromRecords(fileName: string, records: { line: number; fields: string[]; raw: string }[], limits: UploadLimits): Pick<UploadTable, 'columns' | 'rows' | 'skipped'> {
  const content = records.filter((record) => record.fields.some((field) => field.trim() !== ''));
  if (content.length === 0) {
    throw new UploadError(`${fileName} is empty; write a header line with the column names, then at least ${MIN_UPLOAD_ROWS} data rows.`);
  }
  const [header, ...data] = content;
  const columns = checkHeader(fileName, header.fields, header.line);
  if (data.length === 0) {
    throw new UploadError(`${fileName} has a header but no data rows; add at least ${MIN_UPLOAD_ROWS} rows below the header.`);
  }
  checkRowLimit(fileName, data.length, limits);

  const rows: UploadRow[] = [];
  const skipped: SkippedRow[] = [];
  for (const record of data) {
    const problem = encodingProblem(record.raw);
    if (problem !== null) {
      skipped.push({ line: record.line, reason: problem });
    } else if (record.fields.length !== columns.length) {
      skipped.push({ line: record.line, reason: `has ${record.fields.length} fields, but the header has ${columns.length} columns` });
    } else {
      rows.push({ line: record.line, values: Object.fromEntries(columns.map((name, index) => [name, record.fields[index]])) });
    }
  }
  checkReplacementShare(fileName, skipped, data.length);
  return { columns, rows, skipped };
}

/** Splits text into lines with their 1-based numbers, removing a carriage return before each line feed. */
function splitLines(text: string): { line: number; text: string }[] {
  return text.split('\n').map((line, index) => ({ line: index + 1, text: line.endsWith('\r') ? line.slice(0, -1) : line }));
}

/** CSV by RFC 4180 rules (quoted fields may hold commas, quotes as "" and line breaks), with papaparse. */
function parseCsv(fileName: string, text: string, limits: UploadLimits): Pick<UploadTable, 'columns' | 'rows' | 'skipped'> {
  const records: { line: number; fields: string[]; raw: string }[] = [];
  let start = 0;
  let line = 1;
  let quoteError: string | null = null;
  Papa.parse<string[]>(text, {
    delimiter: ',',
    skipEmptyLines: false,
    step: (result, parser) => {
      const end = result.meta.cursor;
      const raw = text.slice(start, end);
      if (result.errors.length > 0 && quoteError === null) {
        const lastLine = line + (raw.replace(/\n$/, '').match(/\n/g)?.length ?? 0);
        quoteError =
          `${fileName}: line ${line}: ${result.errors[0].message.toLowerCase()}, so the parser read lines ${line} to ${lastLine} as one row. ` +
          'Fix the quotes: a field with a quote inside is written in quotes with the quote doubled ("").';
        parser.abort();
        return;
      }
      records.push({ line, fields: result.data, raw });
      line += raw.match(/\n/g)?.length ?? 0;
      start = end;
    },
  });
  if (quoteError !== null) {
    throw new UploadError(quoteError);
  }
  return rowsFromRecords(fileName, records, limits);
}

/** TSV as IANA text/tab-separated-values: one record per line, fields split on tabs, no quoting. */
function parseTsv(fileName: string, text: string, limits: UploadLimits): Pick<UploadTable, 'columns' | 'rows' | 'skipped'> {
  const records = splitLines(text).map(({ line, text: lineText }) => ({ line, fields: lineText.split('\t'), raw: lineText }));
  return rowsFromRecords(fileName, records, limits);
}

/** JSON Lines: one JSON object per line; blank lines are ignored. */
function parseJsonLines(fileName: string, text: string, limits: UploadLimits): Pick<UploadTable, 'columns' | 'rows' | 'skipped'> {
  const lines = splitLines(text).filter((line) => line.text.trim() !== '');
  checkRowLimit(fileName, lines.length, limits);

  const columns: string[] = [];
  const seen = new Set<string>();
  const rows: UploadRow[] = [];
  const skipped: SkippedRow[] = [];
  for (const { line, text: lineText } of lines) {
    const problem = encodingProblem(lineText);
    if (problem !== null) {
      skipped.push({ line, reason: problem });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch (error) {
      skipped.push({ line, reason: `is not valid JSON (${(error as Error).message})` });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      skipped.push({ line, reason: `is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, not a JSON object` });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
    rows.push({ line, values: value as Record<string, unknown> });
  }
  if (rows.length === 0 && skipped.length === 0) {
    throw new UploadError(`${fileName} is empty; write one JSON object per line, at least ${MIN_UPLOAD_ROWS} lines.`);
  }
  checkReplacementShare(fileName, skipped, lines.length);
  return { columns, rows, skipped };
}

/** Reads a file into a table: decodes and checks it, then parses it as `format` (default: by extension). */
export function parseUploadTable(fileName: string, input: string | Uint8Array, options: { format?: UploadFormat; limits?: Partial<UploadLimits> } = {}): UploadTable {
  const limits = { ...DEFAULT_UPLOAD_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`Upload limit ${name} ${value} is invalid: use a positive integer.`);
    }
  }
  const format = options.format ?? formatFromFileName(fileName);
  const { text, bytes } = decodeUpload(fileName, input, limits);
  const parsers = { csv: parseCsv, tsv: parseTsv, jsonl: parseJsonLines };
  const parse = parsers[format];
  if (parse === undefined) {
    throw new UploadError(`${fileName}: format "${String(format)}" is invalid; use csv, tsv or jsonl.`);
  }
  return { fileName, format, bytes, ...parse(fileName, text, limits) };
}
