import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { DatasetFileError, parquetColumnNames, readParquetColumns } from './parquet';

function table(): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: 'sentence', data: ['a', 'b é', null], type: 'STRING' },
      { name: 'label', data: [0n, 1n, -1n], type: 'INT64' },
      { name: 'score', data: [0.5, 4.25, 1], type: 'FLOAT' },
    ],
  });
}

describe('readParquetColumns', () => {
  it('reads the requested columns in the requested order', async () => {
    const { rows, columnNames } = await readParquetColumns(table(), 't.parquet', ['label', 'sentence']);
    expect(columnNames).toEqual(['sentence', 'label', 'score']);
    expect(rows).toEqual([
      [0n, 'a'],
      [1n, 'b é'],
      [-1n, null],
    ]);
  });

  it('lists the columns of the file', async () => {
    expect(await parquetColumnNames(table(), 't.parquet')).toEqual(['sentence', 'label', 'score']);
  });

  it('names a missing column and the columns present', async () => {
    await expect(readParquetColumns(table(), 't.parquet', ['sentence', 'idx'])).rejects.toThrow('t.parquet: column "idx" is missing; the file has columns "sentence", "label", "score".');
  });

  it('rejects a file that is not Parquet', async () => {
    const error = await readParquetColumns(new TextEncoder().encode('<html>Not found</html>').buffer as ArrayBuffer, 'page.html', ['a']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatasetFileError);
    expect((error as Error).message).toMatch(/^page\.html: not a readable Parquet file \(.+\); check that the URL or path points to a \.parquet file\.$/);
  });

  it('rejects a truncated file', async () => {
    const bytes = new Uint8Array(table());
    const truncated = bytes.slice(bytes.length - 200).buffer;
    await expect(readParquetColumns(truncated, 'cut.parquet', ['sentence'])).rejects.toThrow(/^cut\.parquet: /);
  });
});
