import { describe, expect, it } from 'vitest';
import { countLabels, duplicateKey } from './split';
import type { TaskExample } from './task';
import { inferTaskType, MIN_UPLOAD_ROWS, mixedLabelWarning, previewUpload, suggestMapping, taskFromUpload, UploadError, type UploadedTaskSpec } from './upload';
import { firstInvalidUtf8Byte, parseUploadTable } from './upload-validation';

const encoder = new TextEncoder();

/** CSV text with a header and `count` rows whose labels cycle through `labels`. */
function csvRows(count: number, labels: readonly string[], header = 'text,label'): string {
  const rows = Array.from({ length: count }, (_, index) => `review number ${index} is here,${labels[index % labels.length]}`);
  return [header, ...rows].join('\n') + '\n';
}

function spec(text: string, overrides: Partial<UploadedTaskSpec> = {}): UploadedTaskSpec {
  return { fileName: 'reviews.csv', text, mapping: { text: 'text', label: 'label' }, ...overrides };
}

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, but none was thrown');
}

describe('parseUploadTable', () => {
  it('reads quoted CSV fields with commas, quotes and line breaks', () => {
    const table = parseUploadTable('a.csv', 'text,label\n"Hello, world",pos\n"She said ""hi""\nand left",neg\nplain,pos\n');
    expect(table.columns).toEqual(['text', 'label']);
    expect(table.rows).toEqual([
      { line: 2, values: { text: 'Hello, world', label: 'pos' } },
      { line: 3, values: { text: 'She said "hi"\nand left', label: 'neg' } },
      { line: 5, values: { text: 'plain', label: 'pos' } },
    ]);
  });

  it('reads CRLF line ends and skips blank lines', () => {
    const table = parseUploadTable('a.csv', 'text,label\r\none,a\r\n\r\ntwo,b\r\n');
    expect(table.rows.map((row) => [row.line, row.values.text])).toEqual([
      [2, 'one'],
      [4, 'two'],
    ]);
  });

  it('reads TSV without quoting', () => {
    const table = parseUploadTable('a.tsv', 'sentence\tscore\n"quoted" words, here\t3.5\n');
    expect(table.rows).toEqual([{ line: 2, values: { sentence: '"quoted" words, here', score: '3.5' } }]);
  });

  it('reads JSON Lines and skips invalid lines', () => {
    const table = parseUploadTable('a.jsonl', '{"text": "one", "label": 1}\n\n{"text": "two", "label": 0, "extra": true}\nnot json\n[1, 2]\n');
    expect(table.columns).toEqual(['text', 'label', 'extra']);
    expect(table.rows.map((row) => row.line)).toEqual([1, 3]);
    expect(table.skipped.map((row) => row.line)).toEqual([4, 5]);
    expect(table.skipped[0].reason).toMatch(/^is not valid JSON \(/);
    expect(table.skipped[1].reason).toBe('is an array, not a JSON object');
  });

  it('skips a row with the wrong number of fields', () => {
    const table = parseUploadTable('a.csv', 'text,label\none,a\ntwo,b,extra\n');
    expect(table.skipped).toEqual([{ line: 3, reason: 'has 3 fields, but the header has 2 columns' }]);
  });

  it('rejects a malformed quote with its line', () => {
    expect(() => parseUploadTable('a.csv', 'text,label\none,a\n"bad"x,b\nthree,c\n')).toThrow(/^a\.csv: line 3: trailing quote on quoted field is malformed, so the parser read lines 3 to 4 as one row\. Fix the quotes/);
  });

  it('rejects an empty or repeated column name', () => {
    expect(() => parseUploadTable('a.csv', 'text,,label\n')).toThrow('a.csv: line 1, column 2 of the header is empty; every column needs a name.');
    expect(() => parseUploadTable('a.csv', 'text,label,text\n')).toThrow('a.csv: line 1: column name "text" occurs twice (columns 1 and 3); rename one.');
  });

  it('rejects an unknown extension and a JSON array file', () => {
    expect(() => parseUploadTable('data.txt', 'x')).toThrow('data.txt: the extension is unknown, so the format is unknown; use a .csv, .tsv or .jsonl file, or choose the format.');
    expect(() => parseUploadTable('data.json', '[]')).toThrow(/JSON files are read as JSON Lines/);
  });

  it('states the row limit', () => {
    expect(() => parseUploadTable('a.csv', csvRows(6, ['a']), { limits: { maxRows: 5 } })).toThrow('a.csv has more than 5 data rows, the limit; remove rows or split the file.');
    expect(() => parseUploadTable('a.jsonl', '{"a":1}\n{"a":2}\n', { limits: { maxRows: 1 } })).toThrow('a.jsonl has more than 1 data rows, the limit');
  });

  it('states the byte limit', () => {
    expect(() => parseUploadTable('a.csv', encoder.encode(csvRows(100, ['a'])), { limits: { maxBytes: 1000 } })).toThrow(
      /^a\.csv is 2,701 bytes \(2\.6 KiB\); the limit is 1,000 bytes \(1\.0 KiB\)\. Remove rows or split the file\.$/,
    );
  });
});

describe('upload encodings', () => {
  it('removes a UTF-8 byte order mark at the start', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('text,label\nx,y\n')]);
    expect(parseUploadTable('a.csv', bytes).columns).toEqual(['text', 'label']);
  });

  it('rejects UTF-16', () => {
    expect(() => parseUploadTable('a.csv', new Uint8Array([0xff, 0xfe, 0x74, 0x00]))).toThrow('a.csv is UTF-16 encoded (it starts with the byte order mark FF FE); save it as UTF-8.');
  });

  it('names the line of an invalid UTF-8 byte', () => {
    // "café" in Windows-1252: é is the single byte 0xE9.
    const bytes = new Uint8Array([...encoder.encode('text,label\nok,a\ncaf'), 0xe9, ...encoder.encode(',b\n')]);
    expect(() => parseUploadTable('a.csv', bytes)).toThrow(
      'a.csv: line 3 is not valid UTF-8 (byte 0xE9 at byte offset 19). The file is probably in another encoding such as Windows-1252 or ISO-8859-1; save it as UTF-8.',
    );
  });

  it('finds invalid UTF-8 sequences', () => {
    expect(firstInvalidUtf8Byte(encoder.encode('aé😀'))).toBe(-1);
    expect(firstInvalidUtf8Byte(new Uint8Array([0x61, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8Byte(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8Byte(new Uint8Array([0x61, 0xe2, 0x82]))).toBe(1);
  });

  it('skips a row with U+FFFD and names it', () => {
    const text = csvRows(30, ['a', 'b']).replace('review number 3 is', 'caf\uFFFD number 3 is');
    const table = parseUploadTable('a.csv', text);
    expect(table.skipped).toEqual([{ line: 5, reason: 'contains U+FFFD replacement characters, which mark text decoded with the wrong encoding before the file was saved' }]);
  });

  it('rejects a file where many rows have U+FFFD', () => {
    const text = csvRows(30, ['a', 'b']).replace(/number 1/g, 'n\uFFFDmber 1');
    expect(() => parseUploadTable('a.csv', text)).toThrow(/^a\.csv: 11 of 30 rows contain U\+FFFD replacement characters \(first on line 3\), so the file was read with the wrong encoding\./);
  });

  it('skips a row with a byte order mark inside the file', () => {
    const table = parseUploadTable('a.tsv', 'text\tlabel\none\ta\n\uFEFFtwo\tb\n');
    expect(table.skipped).toEqual([{ line: 3, reason: expect.stringContaining('contains a byte order mark (U+FEFF) inside the file') as string }]);
  });
});

describe('files without data rows', () => {
  it('header-only CSV gets one message', () => {
    expect(() => previewUpload('header_only.csv', 'text,label\n')).toThrow('header_only.csv has a header but no data rows; add at least 20 rows below the header.');
  });

  it('header-only TSV gets one message', () => {
    expect(() => previewUpload('h.tsv', 'text\tlabel\n\n')).toThrow('h.tsv has a header but no data rows; add at least 20 rows below the header.');
  });

  it('empty CSV', () => {
    expect(() => previewUpload('empty.csv', '')).toThrow('empty.csv is empty; write a header line with the column names, then at least 20 data rows.');
    expect(() => previewUpload('blank.csv', '\n\n')).toThrow('blank.csv is empty;');
  });

  it('empty JSON Lines', () => {
    expect(() => previewUpload('empty.jsonl', '\n')).toThrow('empty.jsonl is empty; write one JSON object per line, at least 20 lines.');
  });
});

describe('delimiter hints', () => {
  const rows = (separator: string) => ['text', 'label'].join(separator) + '\n' + Array.from({ length: 30 }, (_, index) => [`row ${index}`, index % 2].join(separator)).join('\n');

  it('semicolons in a .csv file', () => {
    expect(() => previewUpload('semi.csv', rows(';'))).toThrow(
      'semi.csv has only one column, "text;label"; a task needs a text column and a label column. The header contains semicolons, but semicolon-separated files are not supported: save the file as CSV with commas, or as TSV with tabs, and choose it again.',
    );
  });

  it('semicolons in a .tsv file', () => {
    expect(() => previewUpload('semi.tsv', rows(';'))).toThrow('The header contains semicolons, but semicolon-separated files are not supported');
  });

  it('commas in a .tsv file', () => {
    expect(() => previewUpload('commas.tsv', rows(','))).toThrow('The header contains commas, so the file is probably comma-separated: choose CSV in the Format menu, or rename the file to .csv.');
  });

  it('one column without another delimiter', () => {
    expect(() => previewUpload('one.csv', rows(' | '))).toThrow(
      'Fields of a CSV file are separated by commas. If the file uses tabs, choose TSV in the Format menu, or rename the file to .tsv.',
    );
  });

  it('tabs read with the CSV format chosen', () => {
    expect(() => previewUpload('data.txt', rows('\t'), { format: 'csv' })).toThrow('choose TSV in the Format menu');
    expect(previewUpload('data.txt', rows('\t'), { format: 'tsv' }).table.columns).toEqual(['text', 'label']);
  });
});

describe('JSON Lines row counts', () => {
  it('dataRows counts unreadable lines too', () => {
    const lines = Array.from({ length: 197 }, (_, index) => JSON.stringify({ text: `line ${index}`, label: index % 2 }));
    lines.splice(3, 0, '{not json');
    lines.splice(4, 0, '[1,2]');
    const preview = previewUpload('bad.jsonl', lines.join('\n'));
    expect(preview.dataRows).toBe(199);
    expect(preview.rowCount).toBe(197);
    expect(preview.skipped.map((row) => row.line)).toEqual([4, 5]);
    expect(preview.skipped[0].reason).toMatch(/^is not valid JSON \(/);
    expect(taskFromUpload({ fileName: 'bad.jsonl', text: lines.join('\n'), mapping: { text: 'text', label: 'label' } }).rows).toBe(preview.dataRows);
  });
});

describe('mixedLabelWarning', () => {
  /** 160 labels 0 and 1, 20 "maybe" and 20 "1.5": the tester's file. */
  const labels = [...Array.from({ length: 160 }, (_, index) => String(index % 2)), ...Array(20).fill('maybe'), ...Array(20).fill('1.5')] as string[];

  it('names words and fractions among whole numbers', () => {
    expect(mixedLabelWarning(labels, 'label')).toBe(
      'Column "label" mixes numbers (180 rows) and words (20 rows) in its labels. These values look out of place, and each becomes a class of its own: "1.5" (20 rows), "maybe" (20 rows). ' +
        'If they are typos, correct them in the file and choose it again; if the column contains scores, choose Regression as the task type, which skips the rows whose label is not a number.',
    );
  });

  it('names numbers among words', () => {
    const warning = mixedLabelWarning([...Array(30).fill('pos'), ...Array(30).fill('neg'), '1'], 'sentiment');
    expect(warning).toContain('Column "sentiment" mixes numbers (1 row) and words (60 rows)');
    expect(warning).toContain('each becomes a class of its own: "1" (1 row).');
  });

  it('names fractions among whole numbers', () => {
    const warning = mixedLabelWarning([...Array(30).fill(0), ...Array(30).fill(1), 0.5], 'y');
    expect(warning).toContain('Column "y" has whole-number labels and a few fractional ones.');
    expect(warning).toContain('"0.5" (1 row)');
  });

  it('lists at most five values', () => {
    const words = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const warning = mixedLabelWarning([...Array(50).fill('0'), ...Array(50).fill('1'), ...words], 'label');
    expect(warning).toContain('"a" (1 row), "b" (1 row), "c" (1 row), "d" (1 row), "e" (1 row) and 2 more values.');
  });

  it('no warning for plain columns', () => {
    expect(mixedLabelWarning(['pos', 'neg', 'pos'], 'label')).toBeNull();
    expect(mixedLabelWarning(['0', '1', 2, ''], 'label')).toBeNull();
    expect(mixedLabelWarning(['0.5', '1.5', '2.5', '3'], 'label')).toBeNull();
  });

  it('preview and task show the warning', () => {
    const text = ['text,label', ...labels.map((label, index) => `sentence ${index},${label}`)].join('\n');
    const preview = previewUpload('mixed.csv', text);
    expect(preview.warnings).toEqual([mixedLabelWarning(labels, 'label')]);
    expect(preview.inference?.reason).toBe('The labels are a mix of numbers and words with 4 distinct values, so each value is a class.');
    const result = taskFromUpload({ fileName: 'mixed.csv', text, mapping: { text: 'text', label: 'label' } });
    expect(result.warnings).toContain(mixedLabelWarning(labels, 'label'));
  });

  it('regression shows no label warning', () => {
    const text = ['text,label', ...labels.map((label, index) => `sentence ${index},${label}`)].join('\n');
    expect(previewUpload('mixed.csv', text, { taskType: 'regression' }).warnings).toEqual([]);
  });
});

describe('inferTaskType', () => {
  it('one distinct value is singular', () => {
    expect(inferTaskType(['1', '1', 1]).reason).toBe('The labels are numbers with 1 distinct value, so each value is a class.');
  });

  it('no labels at all', () => {
    expect(inferTaskType(['', null]).reason).toBe('No row has a label in the chosen column, so the task type cannot be inferred and classification is assumed.');
  });

  it('treats many distinct numbers as regression', () => {
    expect(inferTaskType(Array.from({ length: 30 }, (_, index) => String(index / 7))).taskType).toBe('regression');
  });

  it('treats few distinct numbers as classes', () => {
    const inference = inferTaskType(['0', '1', '2', 1, '0']);
    expect(inference).toEqual({ taskType: 'classification', distinct: 3, reason: 'The labels are numbers with 3 distinct values, so each value is a class.' });
  });

  it('treats text labels as classes', () => {
    expect(inferTaskType(Array.from({ length: 30 }, (_, index) => `topic ${index}`)).taskType).toBe('classification');
  });
});

describe('suggestMapping', () => {
  it('uses common column names', () => {
    expect(suggestMapping(['id', 'sentence1', 'sentence2', 'label'])).toEqual({ text: 'sentence1', textPair: 'sentence2', label: 'label' });
  });

  it('falls back to the first and last columns', () => {
    expect(suggestMapping(['body', 'x', 'stars'])).toEqual({ text: 'body', label: 'stars' });
    expect(suggestMapping(['only'])).toBeNull();
  });
});

describe('previewUpload', () => {
  it('shows the first rows and the label distribution', () => {
    const preview = previewUpload('reviews.csv', csvRows(40, ['neg', 'pos', 'pos']));
    expect(preview.rows).toHaveLength(10);
    expect(preview.rowCount).toBe(40);
    expect(preview.mapping).toEqual({ text: 'text', label: 'label' });
    expect(preview.taskType).toBe('classification');
    expect(preview.distribution).toEqual({ kind: 'classification', classes: [{ name: 'neg', count: 14 }, { name: 'pos', count: 26 }] });
  });

  it('shows a score histogram for regression', () => {
    const text = ['text,score', ...Array.from({ length: 40 }, (_, index) => `pair ${index},${index / 10}`)].join('\n');
    const preview = previewUpload('s.csv', text, { mapping: { text: 'text', label: 'score' } });
    expect(preview.taskType).toBe('regression');
    const distribution = preview.distribution!;
    expect(distribution.kind).toBe('regression');
    if (distribution.kind === 'regression') {
      expect([distribution.min, distribution.max]).toEqual([0, 3.9]);
      expect(distribution.histogram.map((bin) => bin.count)).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 4, 4]);
    }
  });

  it('rejects a file with one column', () => {
    const tabs = ['sentence\tlabel', ...Array.from({ length: 30 }, (_, index) => `row ${index}\t${index % 2}`)].join('\n');
    expect(() => previewUpload('cola.csv', tabs)).toThrow(
      'cola.csv has only one column, "sentence\tlabel"; a task needs a text column and a label column. The header contains tabs, so the file is probably tab-separated: choose TSV in the Format menu, or rename the file to .tsv.',
    );
    expect(() => taskFromUpload(spec(tabs, { fileName: 'cola.csv' }))).toThrow('cola.csv has only one column');
  });

  it('rejects JSON Lines without a readable row', () => {
    expect(() => previewUpload('r.jsonl', 'not json\n[1]\n')).toThrow(/^r\.jsonl: no row could be read, so the file has no columns \(line 1 is not valid JSON \(.*\)\)\. Each JSON object needs/);
  });

  it('names a mapped column that is missing', () => {
    expect(() => previewUpload('r.csv', csvRows(30, ['a', 'b']), { mapping: { text: 'review', label: 'label' } })).toThrow('r.csv: the text column "review" is missing; the file has columns "text", "label".');
  });
});

describe('taskFromUpload', () => {
  it('splits 80/10/10 stratified by class', () => {
    const result = taskFromUpload(spec(csvRows(200, ['neg', 'pos', 'pos', 'pos'])));
    const { train, dev, test } = result.splits;
    expect([train.length, dev.length, test.length]).toEqual([160, 20, 20]);
    expect(Object.fromEntries(countLabels(test))).toEqual({ 0: 5, 1: 15 });
    expect(result.task.labels).toEqual(['neg', 'pos']);
    expect(result.task.kind).toBe('classification');
    expect(result.skipped).toEqual([]);
    const keys = new Set(train.map(duplicateKey));
    expect([...dev, ...test].some((example) => keys.has(duplicateKey(example)))).toBe(false);
  });

  it('returns the same task for the same spec', async () => {
    const first = taskFromUpload(spec(csvRows(50, ['a', 'b'])));
    expect(first.task.id).toMatch(/^upload:[0-9a-f]{8}$/);
    const stored = structuredClone(spec(csvRows(50, ['a', 'b'])));
    const second = taskFromUpload(stored);
    expect(second.task.id).toBe(first.task.id);
    expect(await second.task.load()).toEqual(first.splits);
  });

  it('gives the same task for bytes and text', () => {
    const fromText = taskFromUpload(spec(csvRows(50, ['a', 'b'])));
    const fromBytes = taskFromUpload({ ...spec(''), text: undefined, bytes: encoder.encode(csvRows(50, ['a', 'b'])) });
    expect(fromBytes.splits).toEqual(fromText.splits);
  });

  it('splits differently with another seed', () => {
    const one = taskFromUpload(spec(csvRows(100, ['a', 'b'])));
    const two = taskFromUpload(spec(csvRows(100, ['a', 'b']), { seed: 99 }));
    expect(two.task.id).not.toBe(one.task.id);
    expect(two.splits.test).not.toEqual(one.splits.test);
  });

  it('reads a second text column', () => {
    const text = ['premise,hypothesis,label', ...Array.from({ length: 30 }, (_, index) => `p${index},h${index},${index % 2 === 0 ? 'yes' : 'no'}`)].join('\n');
    const result = taskFromUpload(spec(text, { mapping: { text: 'premise', textPair: 'hypothesis', label: 'label' } }));
    const all = [...result.splits.train, ...result.splits.dev, ...result.splits.test];
    expect(all.find((example) => example.text === 'p4')).toEqual({ text: 'p4', textPair: 'h4', label: 1 });
  });

  it('skips empty texts, empty labels, duplicates and conflicts by line', () => {
    const lines = csvRows(30, ['a', 'b']).trimEnd().split('\n');
    lines.push(',a', 'review number 0 is here,a', 'Review Number 1 Is Here,b', 'fresh text,', 'review number 2 is here,b');
    const result = taskFromUpload(spec(lines.join('\n')));
    expect(result.skipped).toEqual([
      { line: 4, reason: 'has the same text as line 36 ("b") but label "a"; rows whose text has two labels are all skipped' },
      { line: 32, reason: 'has an empty or missing text in column "text" ("")' },
      { line: 33, reason: 'duplicates the text and label of line 2' },
      { line: 34, reason: 'duplicates the text and label of line 3' },
      { line: 35, reason: 'has an empty or missing label in column "label" ("")' },
      { line: 36, reason: 'has the same text as line 4 ("a") but label "b"; rows whose text has two labels are all skipped' },
    ]);
    expect(result.examples).toBe(29);
    expect(result.rows).toBe(35);
    expect(result.distribution).toEqual({ kind: 'classification', classes: [{ name: 'a', count: 14 }, { name: 'b', count: 15 }] });
  });

  it('merges numeric class names and orders them by value', () => {
    const lines = ['text,label', ...Array.from({ length: 30 }, (_, index) => `t${index},${['10', '2', '1.0', '1'][index % 4]}`)];
    const result = taskFromUpload(spec(lines.join('\n')));
    expect(result.task.labels).toEqual(['1', '2', '10']);
    expect(result.distribution).toEqual({ kind: 'classification', classes: [{ name: '1', count: 14 }, { name: '2', count: 8 }, { name: '10', count: 8 }] });
    expect(result.task.metrics).toEqual(['accuracy', 'f1']);
  });

  it('builds a regression task stratified by score', () => {
    const lines = ['text,score', ...Array.from({ length: 100 }, (_, index) => `sentence ${index},${(index % 50) / 10}`)];
    const result = taskFromUpload(spec(lines.join('\n'), { mapping: { text: 'text', label: 'score' } }));
    expect(result.taskType).toBe('regression');
    expect(result.task.labels).toBeUndefined();
    expect(result.task.metrics).toEqual(['pearson', 'spearman']);
    const mean = (examples: TaskExample[]): number => examples.reduce((sum, example) => sum + example.label, 0) / examples.length;
    expect([result.splits.train.length, result.splits.dev.length, result.splits.test.length]).toEqual([80, 10, 10]);
    expect(Math.abs(mean(result.splits.test) - 2.45)).toBeLessThan(0.3);
  });

  it('skips non-numeric scores', () => {
    const lines = ['text,score', ...Array.from({ length: 30 }, (_, index) => `s${index},${index / 3}`), 's99,"3,5"', 's98,high'];
    const result = taskFromUpload(spec(lines.join('\n'), { mapping: { text: 'text', label: 'score' }, taskType: 'regression' }));
    expect(result.skipped).toEqual([
      { line: 32, reason: 'has the label "3,5" in column "score", which is not a number; write decimals with a period, e.g. 3.5' },
      { line: 33, reason: 'has the label "high" in column "score", which is not a number' },
    ]);
  });

  it('rejects fewer than the minimum of usable rows', () => {
    const error = thrown(() => taskFromUpload(spec(`${csvRows(MIN_UPLOAD_ROWS - 2, ['a', 'b'])},b\n`)));
    expect(error).toBeInstanceOf(UploadError);
    expect(error.message).toBe(`reviews.csv: only ${MIN_UPLOAD_ROWS - 2} usable rows of ${MIN_UPLOAD_ROWS - 1}; at least ${MIN_UPLOAD_ROWS} are needed. 1 row was skipped, e.g. line 20 has an empty or missing text in column "text" ("").`);
  });

  it('rejects a single class', () => {
    expect(() => taskFromUpload(spec(csvRows(30, ['spam'])))).toThrow('reviews.csv: every usable row has the label "spam" in column "label"; classification needs at least two classes.');
  });

  it('rejects a constant score', () => {
    const lines = ['text,score', ...Array.from({ length: 30 }, (_, index) => `s${index},2`)];
    expect(() => taskFromUpload(spec(lines.join('\n'), { mapping: { text: 'text', label: 'score' }, taskType: 'regression' }))).toThrow(
      'reviews.csv: every usable row has the score 2 in column "score"; regression needs at least two distinct scores.',
    );
  });

  it('rejects too many classes', () => {
    const lines = ['text,label', ...Array.from({ length: 202 }, (_, index) => `t${index},class ${index % 101}`)];
    expect(() => taskFromUpload(spec(lines.join('\n')))).toThrow('reviews.csv: column "label" has 101 distinct labels, more than the 100 classes supported; choose another label column, or regression for numeric scores.');
  });

  it('scores an imbalanced binary task by MCC', () => {
    const result = taskFromUpload(spec(csvRows(100, ['ham', 'ham', 'ham', 'ham', 'spam'])));
    expect(result.task.metrics).toEqual(['accuracy', 'f1', 'mcc']);
    expect(result.task.primaryMetric).toBe('mcc');
  });

  it('warns about a class too small for dev and test', () => {
    const lines = csvRows(40, ['a', 'b']).trimEnd().split('\n');
    lines.push('rare one,c', 'rare two,c');
    const result = taskFromUpload(spec(lines.join('\n')));
    expect(result.warnings).toEqual(['Class "c" has 2 usable rows, too few to reach the dev and test splits.']);
  });

  it('reads JSON Lines with numeric labels', () => {
    const text = Array.from({ length: 30 }, (_, index) => JSON.stringify({ review: `text ${index}`, stars: index % 2 })).join('\n');
    const result = taskFromUpload({ fileName: 'r.jsonl', text, mapping: { text: 'review', label: 'stars' } });
    expect(result.task.labels).toEqual(['0', '1']);
    expect(result.examples).toBe(30);
  });
});
