// Turns the files of a checkpoint, from any source, into a checked BertCheckpoint and its tokenizer.

import { readBertCheckpoint, type BertCheckpoint } from './checkpoint';
import { parseBertConfigText } from './config';
import { ModelFileError, parseJsonText } from './errors';
import { SafetensorsFile } from './safetensors';
import type { ModelFiles } from './sources';
import { BertTokenizer } from './tokenizer';

export interface LoadedModel {
  checkpoint: BertCheckpoint;
  tokenizer: BertTokenizer;
}

/** Builds the tokenizer from tokenizer.json when present, else from vocab.txt. */
export async function loadTokenizer(files: ModelFiles): Promise<BertTokenizer> {
  const tokenizerConfig = files.tokenizerConfig === undefined
    ? undefined
    : parseJsonText(await files.tokenizerConfig.data.text(), files.tokenizerConfig.location);

  if (files.tokenizerJson !== undefined) {
    const json = parseJsonText(await files.tokenizerJson.data.text(), files.tokenizerJson.location);
    return BertTokenizer.fromTokenizerJson(json, tokenizerConfig, files.tokenizerJson.location);
  }
  if (files.vocab !== undefined) {
    return BertTokenizer.fromVocab(await files.vocab.data.text(), tokenizerConfig, files.vocab.location);
  }
  throw new ModelFileError(files.origin, 'has neither tokenizer.json nor vocab.txt; one of them is needed to tokenize text.');
}

/**
 * Parses config.json, reads and checks every weight in model.safetensors, and builds the tokenizer.
 * Rejects a tokenizer whose ids reach past the embedding table (vocab_size in config.json).
 */
export async function loadCheckpoint(files: ModelFiles): Promise<LoadedModel> {
  const config = parseBertConfigText(await files.config.data.text(), files.config.location);
  const weights = await SafetensorsFile.open(files.weights.data, files.weights.location);
  const checkpoint = await readBertCheckpoint(weights, config);
  const tokenizer = await loadTokenizer(files);

  const tokenizerFile = files.tokenizerJson ?? files.vocab!;
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new ModelFileError(
      tokenizerFile.location,
      `the tokenizer has ${tokenizer.vocabSize} tokens, but config.json sets vocab_size = ${config.vocabSize}; ` +
        'ids from the tokenizer would index past the word embeddings. The files belong to different models.',
    );
  }
  if (tokenizer.padTokenId !== config.padTokenId) {
    checkpoint.notes.push(`The tokenizer's pad token id is ${tokenizer.padTokenId}, but config.json sets pad_token_id = ${config.padTokenId}; padding uses the tokenizer's.`);
  }
  return { checkpoint, tokenizer };
}
