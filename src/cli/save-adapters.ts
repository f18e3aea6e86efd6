// Writes the adapter files of one finished run next to results.json, for `npm run compare -- --save-adapters`:
// "<method>-seed<seed>-peft/" (adapter_config.json, adapter_model.safetensors, README.md) and
// "<method>-seed<seed>.mtlora.safetensors". Head-only and full fine-tuning runs have no adapters and are skipped.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BaseModelFingerprint } from '../adapters/io/fingerprint';
import { runAdapterFiles } from '../adapters/io/run-files';
import { runInfoFromRecord } from '../adapters/io/run-info';
import type { BertModel } from '../model/bert';
import type { ExperimentSpec, RunRecord } from '../train/types';

/** The command-line flag that turns the export on. */
export const SAVE_ADAPTERS_FLAG = '--save-adapters';

/** Removes `flag` from the arguments; returns the rest and whether it was there. */
export function takeFlag(argv: readonly string[], flag: string): { argv: string[]; present: boolean } {
  const rest = argv.filter((argument) => argument !== flag);
  return { argv: rest, present: rest.length !== argv.length };
}

/**
 * Writes the run's PEFT folder and native file under `outDir` and returns their paths, or an empty list for a
 * run without adapters. The model must still hold the trained values, so call it before the model is destroyed.
 */
export async function saveRunAdapters(outDir: string, model: BertModel, spec: ExperimentSpec, record: RunRecord, base: BaseModelFingerprint): Promise<string[]> {
  if (model.trainable.kind !== 'adapters') return [];
  const files = await runAdapterFiles(model, runInfoFromRecord(spec, record, base));
  const written: string[] = [];
  for (const [relativePath, bytes] of Object.entries(files)) {
    const path = join(outDir, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    written.push(path);
  }
  return written;
}
