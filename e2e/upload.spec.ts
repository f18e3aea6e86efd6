// "Your own data" in Chromium. A CSV made at test time from the shared CoLA training file trains on the real
// Worker, survives a reload mid-run through the resume banner, and reports MCC. Every malformed file shows its
// message. Test files are written to a temporary folder or built in memory, never committed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { fillTinyRun } from './tiny-run';
import { SHARED_GLUE_DIR, sharedGlueMissingReason } from '../src/data/glue-fixtures';

const missingReason = sharedGlueMissingReason();
if (missingReason !== null) console.log(`Skipping the CoLA upload test: ${missingReason}.`);

/** Every 21st line of CoLA's train.tsv: 407 sentences, 27% of them unacceptable (label 0). */
const COLA_EVERY = 21;
const COLA_FILE_NAME = 'cola-sample.csv';

let folder: string;

test.beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'upload-e2e-'));
});

test.afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Quotes a CSV field: in quotes, with every quote doubled (RFC 4180). */
function csvField(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** Writes the CoLA sample as sentence,label and returns its path and the share of the smaller class. */
function writeColaSample(): { path: string; minorityShare: number } {
  const lines = readFileSync(join(SHARED_GLUE_DIR, 'cola', 'train.tsv'), 'utf8').split('\n').filter((line) => line !== '');
  const rows = lines.filter((_, index) => (index + 1) % COLA_EVERY === 0).map((line) => line.split('\t'));
  const unacceptable = rows.filter((row) => row[1] === '0').length;
  const path = join(folder, COLA_FILE_NAME);
  writeFileSync(path, ['sentence,label', ...rows.map((row) => `${csvField(row[0])},${row[1]}`)].join('\n') + '\n');
  return { path, minorityShare: Math.min(unacceptable, rows.length - unacceptable) / rows.length };
}

async function openUploadPanel(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('adapter-name')).toBeVisible();
  await page.getByTestId('upload-toggle').click();
  await expect(page.getByTestId('upload-drop-zone')).toBeVisible();
}

/** Chooses a file built in memory. */
async function chooseBuffer(page: Page, name: string, content: string | Buffer): Promise<void> {
  const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  await page.getByTestId('upload-input').setInputFiles({ name, mimeType: 'text/csv', buffer });
}

/** CSV lines "sentence,label" with `count` rows whose labels cycle through `labels`. */
function csvRows(count: number, labels: readonly string[]): string[] {
  return Array.from({ length: count }, (_, index) => `sentence number ${index} is here,${labels[index % labels.length]}`);
}

test('uploaded CoLA sample trains, resumes and reports MCC', async ({ page }) => {
  test.skip(missingReason !== null, `needs the shared GLUE data: ${missingReason}`);
  test.setTimeout(600_000);
  const { path, minorityShare } = writeColaSample();
  expect(minorityShare, 'the sample is imbalanced enough for MCC (under 35 %)').toBeLessThan(0.35);

  await openUploadPanel(page);
  await page.getByTestId('upload-input').setInputFiles(path);
  await expect(page.getByTestId('upload-file-name')).toContainText(`File: ${COLA_FILE_NAME} (CSV, 407 data rows)`);
  await expect(page.getByTestId('upload-text-column')).toHaveValue('sentence');
  await expect(page.getByTestId('upload-label-column')).toHaveValue('label');
  await expect(page.getByTestId('upload-task-type')).toHaveValue('classification');
  await expect(page.getByTestId('upload-preview').locator('tbody tr')).toHaveCount(10);
  await expect(page.getByTestId('upload-class')).toHaveCount(2);
  await expect(page.getByTestId('upload-metrics')).toHaveAttribute('data-primary-metric', 'mcc');
  await expect(page.getByTestId('upload-metrics')).toContainText('The charts and the summary use MCC, because the smaller class has');

  await page.getByTestId('upload-use').click();
  await expect(page.getByTestId('upload-added')).toBeVisible();
  await expect(page.getByTestId('task-select')).toHaveValue(/^upload:[0-9a-f]{8}$/);
  const taskId = await page.getByTestId('task-select').inputValue();
  await expect(page.getByTestId('task-metrics')).toContainText('(charts show MCC)');

  await fillTinyRun(page, ['lora']);
  await page.getByTestId('start-button').click();

  // A reload while the Worker runs leaves the experiment interrupted; the file comes back from IndexedDB.
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toHaveAttribute('data-status', 'running');
  await page.reload();
  const banner = page.getByTestId('resume-banner');
  await expect(banner).toContainText(`The ${COLA_FILE_NAME} (uploaded) experiment of`);
  await expect(page.getByTestId('history-task').first()).toHaveText(`${COLA_FILE_NAME} (uploaded)`);
  await expect(page.getByTestId('task-select').locator(`option[value="${taskId}"]`)).toHaveCount(1);
  await banner.getByTestId('resume-interrupted-button').click();
  await expect(page.getByTestId('task-select')).toHaveValue(taskId);

  await expect(page.getByTestId('results-title')).toContainText('done', { timeout: 540_000 });
  const table = page.getByTestId('summary-table');
  await expect(table.locator('thead')).toContainText('Test MCC');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(table.getByTestId('summary-test-mean')).toHaveText(/^-?\d+(\.\d+)?(e-?\d+)?\b/);
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toHaveAttribute('data-status', 'done');
});

test('malformed files show their messages', async ({ page }) => {
  await openUploadPanel(page);
  const error = page.getByTestId('upload-error');
  const header = 'sentence,label';

  // A tab-separated file named .csv has one column.
  await chooseBuffer(page, 'tabs.csv', ['sentence\tlabel', ...csvRows(30, ['a', 'b']).map((row) => row.replace(',', '\t'))].join('\n'));
  await expect(error).toHaveText(
    'tabs.csv has only one column, "sentence\tlabel"; a task needs a text column and a label column. The header contains tabs, so the file is probably tab-separated: choose TSV in the Format menu, or rename the file to .tsv.',
  );
  await expect(page.getByTestId('upload-use')).toHaveCount(0);
  // The Format menu fixes it without renaming the file.
  await page.getByTestId('upload-format').selectOption('tsv');
  await expect(error).toHaveCount(0);
  await expect(page.getByTestId('upload-file-name')).toHaveText('File: tabs.csv (TSV, 30 data rows)');

  await chooseBuffer(page, 'semicolons.csv', ['sentence;label', ...csvRows(30, ['a', 'b']).map((row) => row.replace(',', ';'))].join('\n'));
  await expect(error).toContainText('The header contains semicolons, but semicolon-separated files are not supported: save the file as CSV with commas, or as TSV with tabs');

  await chooseBuffer(page, 'header_only.csv', `${header}\n`);
  await expect(error).toHaveText('header_only.csv has a header but no data rows; add at least 20 rows below the header.');
  await expect(page.getByTestId('upload-distribution')).toHaveCount(0);
  await expect(page.getByTestId('upload-preview')).toHaveCount(0);

  // Numbers mixed with words: the task can be used, but a warning names the odd values.
  await chooseBuffer(page, 'mixed.csv', [header, ...csvRows(40, ['0', '1']), ...csvRows(4, ['maybe']).map((row) => row.replace('sentence', 'other'))].join('\n'));
  await expect(page.getByTestId('upload-warnings')).toContainText('Column "label" mixes numbers (40 rows) and words (4 rows) in its labels.');
  await expect(page.getByTestId('upload-warnings')).toContainText('"maybe" (4 rows)');

  await chooseBuffer(page, 'empty-text.csv', [header, ...Array.from({ length: 25 }, (_, index) => `,${index % 2}`)].join('\n'));
  await expect(error).toContainText('empty-text.csv: only 0 usable rows of 25; at least 20 are needed. 25 rows were skipped, e.g. line 2 has an empty or missing text in column "sentence" ("")');

  // Scores with words among them: classification is inferred, and regression skips the words by line.
  const scores = ['sentence,score', ...Array.from({ length: 30 }, (_, index) => `s${index},${index < 10 ? (index / 2).toFixed(1) : 'n/a'}`)];
  await chooseBuffer(page, 'scores.csv', scores.join('\n'));
  await expect(page.getByTestId('upload-task-type')).toHaveValue('classification');
  await page.getByTestId('upload-task-type').selectOption('regression');
  await expect(error).toContainText('scores.csv: only 10 usable rows of 30; at least 20 are needed. 20 rows were skipped, e.g. line 12 has the label "n/a" in column "score", which is not a number');
  await expect(page.getByTestId('upload-skipped-count')).toHaveText('20 of 30 rows are skipped');

  await chooseBuffer(page, 'one-class.csv', [header, ...csvRows(30, ['spam'])].join('\n'));
  await expect(error).toHaveText('one-class.csv: every usable row has the label "spam" in column "label"; classification needs at least two classes.');
  await expect(page.getByTestId('upload-class')).toHaveCount(1);

  await chooseBuffer(page, 'few.csv', [header, ...csvRows(12, ['a', 'b'])].join('\n'));
  await expect(error).toHaveText('few.csv: only 12 usable rows of 12; at least 20 are needed.');

  await chooseBuffer(page, 'many-rows.csv', [header, ...csvRows(50_001, ['a', 'b'])].join('\n'));
  await expect(error).toHaveText('many-rows.csv has more than 50,000 data rows, the limit; remove rows or split the file.');

  // One byte over the default limit of 20 MiB, built in memory.
  const large = Buffer.alloc(20 * 1024 * 1024 + 1, 'a');
  await chooseBuffer(page, 'large.csv', large);
  await expect(error).toHaveText('large.csv is 20,971,521 bytes (20.0 MiB); the limit is 20,971,520 bytes (20.0 MiB). Remove rows or split the file.');

  // "café" saved as Windows-1252: é is the single byte 0xE9.
  const latin1 = Buffer.concat([Buffer.from(`${header}\nfirst row,a\ncaf`), Buffer.from([0xe9]), Buffer.from(',b\n')]);
  await chooseBuffer(page, 'latin1.csv', latin1);
  await expect(error).toHaveText(
    'latin1.csv: line 3 is not valid UTF-8 (byte 0xE9 at byte offset 30). The file is probably in another encoding such as Windows-1252 or ISO-8859-1; save it as UTF-8.',
  );

  // A few bad rows are skipped by line, and the task can still be used.
  const bad = [header, ...csvRows(30, ['a', 'b']), 'too,many,fields', ',a', 'text with a replacement \uFFFD character,b'];
  await chooseBuffer(page, 'some-bad.csv', bad.join('\n'));
  await expect(error).toHaveCount(0);
  await expect(page.getByTestId('upload-skipped-count')).toHaveText('3 of 33 rows are skipped');
  const reasons = page.getByTestId('upload-skipped').locator('li');
  await expect(reasons).toHaveText([
    'Line 32 has 3 fields, but the header has 2 columns.',
    'Line 33 has an empty or missing text in column "sentence" ("").',
    'Line 34 contains U+FFFD replacement characters, which mark text decoded with the wrong encoding before the file was saved.',
  ]);
  await expect(page.getByTestId('upload-examples')).toContainText('30 of 33 rows');
  await expect(page.getByTestId('upload-use')).toBeEnabled();
});
