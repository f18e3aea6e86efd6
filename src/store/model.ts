// The checkpoint the page has loaded: where it came from, byte progress per file, a summary of its config, the
// parsed checkpoint and tokenizer, and the error of a failed load. Fill-mask runs here too, because the
// model it uploads to the GPU belongs to the loaded checkpoint and is freed when another one loads.
import { create } from 'zustand';
import type { Engine } from '../gpu/engine';
import type { BertModel } from '../model/bert';
import { listWeights } from '../model/checkpoint';
import { ModelFileError } from '../model/errors';
import { createFillMaskModel, fillMask, type FillMaskResult } from '../model/fill-mask';
import { loadCheckpoint, type LoadedModel } from '../model/load';
import { loadModelFiles, type FileProgress, type ModelSource } from '../model/sources';
import { embeddedModelUrl } from '../train/embedded-model';

/** The source the user chose in the model panel. */
export type ModelRequest =
  | { kind: 'embedded' }
  | { kind: 'hub'; id: string; revision?: string }
  | { kind: 'url'; baseUrl: string }
  | { kind: 'files'; files: readonly File[] };

/** Sizes and facts of the loaded checkpoint, as the model panel shows them. */
export interface ModelSummary {
  /** The source in words, e.g. "hub:google/bert_uncased_L-2_H-128_A-2@main" or a base URL. */
  origin: string;
  layers: number;
  hiddenSize: number;
  heads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  /** vocab_size of config.json, the rows of the word embeddings. */
  vocabSize: number;
  /** Entries of the tokenizer's vocabulary, at most vocabSize. */
  tokenizerVocabSize: number;
  /** Parameters of the embeddings, the encoder layers and the pooler. */
  encoderParameters: number;
  /** Parameters of the masked-language-model head without the decoder tied to the word embeddings; 0 without a head. */
  mlmHeadParameters: number;
  hasMlmHead: boolean;
  tokenizerOrigin: 'tokenizer.json' | 'vocab.txt';
  /** True when Cache Storage served every file, so the load used no network. */
  fromCache: boolean;
  /** Facts from loading, such as a missing pooler or a tied decoder. */
  notes: string[];
}

/** A failed load: the message, and the file it concerns when one is known (a URL, a path or a file name). */
export interface ModelLoadError {
  message: string;
  file: string | null;
}

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'failed';

/** A fill-mask result of the model panel. */
export interface PanelFillMaskResult extends FillMaskResult {
  /** True when this call uploaded the checkpoint's weights to the GPU, so its time includes the upload. */
  uploadedWeights: boolean;
}

interface ModelStore {
  status: ModelStatus;
  request: ModelRequest | null;
  /** One entry per file, in the order the files were requested. */
  progress: FileProgress[];
  summary: ModelSummary | null;
  loaded: LoadedModel | null;
  error: ModelLoadError | null;
  /** Loads a checkpoint and replaces the current one. A load started meanwhile cancels this one. */
  load(request: ModelRequest): Promise<void>;
  /** Runs fill-mask on one text with the loaded checkpoint, uploading its weights to `engine` on the first call. */
  fillMask(engine: Engine, text: string, topK?: number): Promise<PanelFillMaskResult>;
}

/** Maps a request to a loader source and its Cache Storage setting. */
function toSource(request: ModelRequest): { source: ModelSource; cacheName?: null } {
  switch (request.kind) {
    case 'embedded':
      // The page's own server sends the embedded files, so the browser's HTTP cache is enough, and a rebuilt
      // model is never hidden behind a stale Cache Storage entry.
      return { source: { kind: 'url', baseUrl: embeddedModelUrl(import.meta.env.BASE_URL) }, cacheName: null };
    case 'hub':
      return { source: request.revision === undefined ? { kind: 'hub', id: request.id } : { kind: 'hub', id: request.id, revision: request.revision } };
    case 'url':
      return { source: { kind: 'url', baseUrl: request.baseUrl } };
    case 'files':
      return { source: { kind: 'files', files: request.files } };
  }
}

/** Counts parameters of the encoder (embeddings, layers, pooler) and of the MLM head's own weights. */
export function summarizeModel(loaded: LoadedModel, origin: string, fromCache: boolean): ModelSummary {
  const { checkpoint, tokenizer } = loaded;
  const { config } = checkpoint;
  let encoderParameters = 0;
  let mlmHeadParameters = 0;
  for (const weight of listWeights(checkpoint)) {
    if (weight.name.startsWith('cls.')) {
      mlmHeadParameters += weight.data.length;
    } else {
      encoderParameters += weight.data.length;
    }
  }
  return {
    origin,
    layers: config.numHiddenLayers,
    hiddenSize: config.hiddenSize,
    heads: config.numAttentionHeads,
    intermediateSize: config.intermediateSize,
    maxPositionEmbeddings: config.maxPositionEmbeddings,
    vocabSize: config.vocabSize,
    tokenizerVocabSize: tokenizer.vocabSize,
    encoderParameters,
    mlmHeadParameters,
    hasMlmHead: checkpoint.mlmHead !== undefined,
    tokenizerOrigin: tokenizer.origin,
    fromCache,
    notes: [...checkpoint.notes],
  };
}

function toLoadError(error: unknown): ModelLoadError {
  if (error instanceof ModelFileError) {
    return { message: error.message, file: error.file };
  }
  return { message: error instanceof Error ? error.message : String(error), file: null };
}

/** Replaces the entry of `update.file`, or appends it for a file not seen before. */
function withProgress(progress: readonly FileProgress[], update: FileProgress): FileProgress[] {
  const index = progress.findIndex((entry) => entry.file === update.file);
  if (index < 0) {
    return [...progress, update];
  }
  const next = [...progress];
  next[index] = update;
  return next;
}

// Not state, because nothing renders them. `generation` lets a load detect that a newer load replaced it.
let generation = 0;
let controller: AbortController | null = null;
/** The GPU model of the loaded checkpoint, built by the first fill-mask on an engine. */
let gpuModel: { model: BertModel; loaded: LoadedModel; engine: Engine } | null = null;
/** GPU work runs one item at a time, so that a model is never destroyed while a fill-mask still uses it. */
let gpuQueue: Promise<unknown> = Promise.resolve();

function enqueueGpuWork<T>(work: () => Promise<T>): Promise<T> {
  const result = gpuQueue.then(work);
  gpuQueue = result.catch(() => undefined);
  return result;
}

function releaseGpuModel(): void {
  void enqueueGpuWork(async () => {
    gpuModel?.model.destroy();
    gpuModel = null;
  });
}

export const useModelStore = create<ModelStore>()((set, get) => ({
  status: 'idle',
  request: null,
  progress: [],
  summary: null,
  loaded: null,
  error: null,

  async load(request) {
    generation += 1;
    const current = generation;
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    releaseGpuModel();
    set({ status: 'loading', request, progress: [], summary: null, loaded: null, error: null });

    const isCurrent = (): boolean => current === generation;
    try {
      const { source, cacheName } = toSource(request);
      const files = await loadModelFiles(source, {
        signal,
        ...(cacheName === undefined ? {} : { cacheName }),
        onProgress: (progress) => {
          if (isCurrent()) set((state) => ({ progress: withProgress(state.progress, progress) }));
        },
      });
      const loaded = await loadCheckpoint(files);
      if (!isCurrent()) return;
      set({ status: 'ready', loaded, summary: summarizeModel(loaded, files.origin, files.fromCache) });
    } catch (error) {
      if (!isCurrent()) return;
      console.error('Loading the model failed:', error);
      set({ status: 'failed', error: toLoadError(error) });
    }
  },

  fillMask(engine, text, topK) {
    const loaded = get().loaded;
    if (loaded === null) {
      return Promise.reject(new Error('No model is loaded; load one in the model panel first.'));
    }
    return enqueueGpuWork(async () => {
      if (get().loaded !== loaded) {
        throw new Error('Another model was loaded while this fill-mask waited; run it again.');
      }
      let current = gpuModel;
      let uploadedWeights = false;
      if (current === null || current.loaded !== loaded || current.engine !== engine) {
        current?.model.destroy();
        gpuModel = null;
        current = { model: createFillMaskModel(engine, loaded.checkpoint), loaded, engine };
        gpuModel = current;
        uploadedWeights = true;
      }
      const [result] = await fillMask(current.model, loaded.tokenizer, [text], topK === undefined ? {} : { topK });
      return { ...result, uploadedWeights };
    });
  },
}));
