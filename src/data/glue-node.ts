// Node-only: reads GLUE Parquet files from a local folder with the Hub repository's layout
// (<folder>/<config>/<split>-00000-of-00001.parquet), for the compare CLI's --data option.

import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { GlueFileReader } from './glue';
import { DatasetFileError } from './parquet';

/** Returns a reader of files under `folder`; a missing file raises a DatasetFileError naming its path. */
export function folderFileReader(folder: string): GlueFileReader {
  const root = resolve(folder);
  return async (path, onProgress, signal) => {
    signal?.throwIfAborted();
    const filePath = join(root, path);
    let size: number;
    try {
      size = (await stat(filePath)).size;
    } catch {
      throw new DatasetFileError(filePath, `not found. The data folder must have the Hub layout of nyu-mll/glue, e.g. ${join(root, 'sst2', 'train-00000-of-00001.parquet')}.`);
    }
    onProgress(0, size);
    const bytes = await readFile(filePath, { signal });
    onProgress(bytes.length, size);
    // A Buffer may share a larger pool, so copy exactly its bytes into an ArrayBuffer of its own.
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  };
}
