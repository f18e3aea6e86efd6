// `cli fill-mask`: loads a checkpoint folder, runs the masked-language-model head on the GPU through Dawn and
// prints the most probable tokens for every [MASK] of every text.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Engine } from '../gpu/engine';
import { acquireNodeDevice } from '../gpu/node-device';
import { createFillMaskModel, DEFAULT_TOP_K, encodeMaskedTexts, fillMask, requireMlmHead, type FillMaskResult } from '../model/fill-mask';
import { loadCheckpointFromFolder } from '../model/node-sources';
import { EMBEDDED_MODEL_PATH } from '../train/embedded-model';

/** The embedded default model, which tools/pretrain writes and the web app serves. */
export const EMBEDDED_MODEL_FOLDER = fileURLToPath(new URL(`../../public/${EMBEDDED_MODEL_PATH}`, import.meta.url));

export const FILL_MASK_HELP = `Usage: npm run cli -- fill-mask [--model DIR] [--top-k N] "TEXT with [MASK]" ["TEXT" …]

Predicts the most probable tokens for every [MASK] in each text with a BERT masked-language model
(BertForMaskedLM weights in model.safetensors) and prints them with their softmax probabilities.
All texts run as one batch on the GPU (Dawn; SwiftShader on the CPU when there is no GPU).

Options:
  -m, --model DIR   checkpoint folder with config.json, model.safetensors and tokenizer.json or vocab.txt
                    (default: the embedded model, public/models/mtlora-bert-tiny)
  -k, --top-k N     tokens to print per mask, an integer ≥ 1 (default ${DEFAULT_TOP_K})
  -h, --help        print this help

Example:
  npm run cli -- fill-mask --model public/models/mtlora-bert-tiny "The cat sat on the [MASK]."`;

interface FillMaskArguments {
  model: string;
  topK: number;
  texts: string[];
}

/** Parses the arguments after "fill-mask"; returns null when --help was given. */
export function parseFillMaskArguments(args: readonly string[]): FillMaskArguments | null {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      model: { type: 'string', short: 'm' },
      'top-k': { type: 'string', short: 'k' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    return null;
  }

  const topKText = values['top-k'] ?? String(DEFAULT_TOP_K);
  const topK = Number(topKText);
  if (!/^\d+$/.test(topKText.trim()) || !Number.isSafeInteger(topK) || topK < 1) {
    throw new Error(`--top-k is "${topKText}"; expected an integer ≥ 1, such as ${DEFAULT_TOP_K}.`);
  }
  if (positionals.length === 0) {
    throw new Error('fill-mask needs at least one text with [MASK], e.g. npm run cli -- fill-mask "The cat sat on the [MASK]." (see --help).');
  }
  return { model: values.model ?? EMBEDDED_MODEL_FOLDER, topK, texts: positionals };
}

/** Formats the results as an indented list per text and mask. */
export function formatFillMaskResults(results: readonly FillMaskResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    lines.push('', JSON.stringify(result.text));
    result.masks.forEach((mask, index) => {
      if (result.masks.length > 1) {
        lines.push(`  mask ${index + 1} (token ${mask.position}):`);
      }
      const indent = result.masks.length > 1 ? '    ' : '  ';
      const width = Math.max(...mask.predictions.map(({ token }) => token.length));
      mask.predictions.forEach(({ token, probability, sequence }, rank) => {
        lines.push(`${indent}${rank + 1}. ${token.padEnd(width)}  ${probability.toFixed(4)}  ${sequence}`);
      });
    });
  }
  return lines.join('\n');
}

/** Runs `fill-mask` with the arguments after the subcommand; returns the exit code. */
export async function runFillMask(args: readonly string[]): Promise<number> {
  const parsed = parseFillMaskArguments(args);
  if (parsed === null) {
    console.log(FILL_MASK_HELP);
    return 0;
  }

  const { checkpoint, tokenizer } = await loadCheckpointFromFolder(parsed.model);
  const { config } = checkpoint;
  console.log(
    `Model: ${parsed.model} (${config.numHiddenLayers} layers, hidden size ${config.hiddenSize}, ${config.numAttentionHeads} heads, ` +
      `vocabulary ${config.vocabSize}, tokenizer from ${tokenizer.origin})`,
  );

  // Check the head and the texts before the GPU starts, which takes seconds on SwiftShader.
  requireMlmHead(checkpoint);
  encodeMaskedTexts(tokenizer, parsed.texts, config.maxPositionEmbeddings);

  const { device, adapterName } = await acquireNodeDevice();
  const engine = new Engine(device, { adapterName });
  const model = createFillMaskModel(engine, checkpoint);
  try {
    const started = performance.now();
    const results = await fillMask(model, tokenizer, parsed.texts, { topK: parsed.topK });
    console.log(formatFillMaskResults(results));
    console.log(`\n${parsed.texts.length} text(s) in ${((performance.now() - started) / 1000).toFixed(2)} s on ${adapterName}`);
  } finally {
    model.destroy();
    engine.dispose();
  }
  return 0;
}
