// Loads a checkpoint from a local folder in Node (CLIs and tests). Browser code must not import
// this module, because it uses node:fs.

import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelFileError } from './errors';
import { loadCheckpoint, type LoadedModel } from './load';
import { collectModelFiles, type FileProgress, type ModelFileFetcher, type ModelFiles } from './sources';

/** Reads files from `folder` as lazy Blobs, so model.safetensors is read by slices, never whole. */
export function folderFileFetcher(folder: string, onProgress?: (progress: FileProgress) => void): ModelFileFetcher {
  return async (name, required) => {
    const path = join(folder, name);
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) {
        throw new ModelFileError(path, 'is not a regular file; expected the model file itself.');
      }
      size = info.size;
    } catch (error) {
      if (error instanceof ModelFileError) {
        throw error;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !required) {
        return undefined;
      }
      throw new ModelFileError(path, `cannot be read (${code ?? (error as Error).message}); the folder must contain ${name}.`);
    }

    const data = await openAsBlob(path);
    onProgress?.({ file: name, location: path, loaded: size, total: size, fromCache: false, done: true });
    return { name, location: path, data, fromCache: false };
  };
}

/** Collects the files of the checkpoint in `folder`, with the same rules as the browser sources. */
export async function loadModelFolder(folder: string, options: { onProgress?: (progress: FileProgress) => void } = {}): Promise<ModelFiles> {
  const absolute = resolve(folder);
  return collectModelFiles(absolute, folderFileFetcher(absolute, options.onProgress));
}

/** Loads the checkpoint and tokenizer in `folder`. */
export async function loadCheckpointFromFolder(folder: string): Promise<LoadedModel> {
  return loadCheckpoint(await loadModelFolder(folder));
}
