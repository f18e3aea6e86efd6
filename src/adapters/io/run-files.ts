// The adapter files of one finished run, by relative path: the PEFT folder and the native file, named by method
// and seed so that every run of a comparison gets its own. Browser-safe: the caller writes or downloads them.
import type { BertModel } from '../../model/bert';
import { buildPeftFiles } from './export-peft';
import { nativeFileName, serializeNativeAdapters } from './native-format';
import type { RunInfo } from './run-info';
import { readAdapterSnapshot } from './snapshot';

/** Folder of a run's PEFT export, e.g. "icfm-seed3-peft". */
export function peftFolderName(method: string, seed: number): string {
  return `${method}-seed${seed}-peft`;
}

/**
 * Reads the run's adapters back from the GPU and returns "<method>-seed<seed>-peft/adapter_config.json",
 * ".../adapter_model.safetensors", ".../README.md" and "<method>-seed<seed>.mtlora.safetensors".
 */
export async function runAdapterFiles(model: BertModel, info: RunInfo): Promise<Record<string, Uint8Array>> {
  const snapshot = await readAdapterSnapshot(model);
  const folder = peftFolderName(snapshot.method, snapshot.seed);
  const files: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(buildPeftFiles(snapshot, info))) files[`${folder}/${name}`] = bytes;
  files[nativeFileName(snapshot.method, snapshot.seed)] = serializeNativeAdapters(snapshot, info);
  return files;
}

/** A native adapter file in memory: its name "<method>-seed<seed>.mtlora.safetensors" and its bytes. */
export interface NativeAdapterFile {
  fileName: string;
  bytes: Uint8Array;
}

/**
 * Reads the run's adapters back from the GPU and serializes them as the native file only. The training Worker
 * sends this file to the page, which builds the PEFT export from it on request (see from-native.ts).
 */
export async function nativeAdapterFile(model: BertModel, info: RunInfo): Promise<NativeAdapterFile> {
  const snapshot = await readAdapterSnapshot(model);
  return { fileName: nativeFileName(snapshot.method, snapshot.seed), bytes: serializeNativeAdapters(snapshot, info) };
}
