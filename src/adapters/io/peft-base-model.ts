// The base model reference of a PEFT export: the adapter_config.json fields base_model_name_or_path and
// revision, and the README steps that load the base model in Python before PeftModel.from_pretrained.
// transformers' from_pretrained accepts a Hub id or a local folder, not a URL, so a model that the page fetched
// from a URL (the embedded default included) is first downloaded into a local folder.
import { EMBEDDED_MODEL_NAME, EMBEDDED_MODEL_PATH, embeddedModelUrl } from '../../train/embedded-model';
import type { RunInfo } from './run-info';

/** Options of a PEFT export that depend on where it is built. */
export interface PeftExportOptions {
  /**
   * Absolute URL of the embedded model's folder as the app serves it, ending with "/", e.g.
   * "https://example.org/playground/models/mtlora-bert-tiny/". Without it the README names the URL as
   * "<app URL>/models/mtlora-bert-tiny/".
   */
  embeddedModelUrl?: string;
}

/** The reference a PEFT export gives to its base model. */
export interface PeftBaseReference {
  /** adapter_config.json's base_model_name_or_path: a Hub id, a URL or a local folder. */
  nameOrPath: string;
  /** adapter_config.json's revision: the Hub branch, tag or commit, or null. */
  revision: string | null;
  /** The model in words, for the README's title and its "Base model" line. */
  title: string;
  /** The first argument of from_pretrained in the README, as Python source. */
  loadArgument: string;
  /** Markdown paragraphs and code before the loading code: where to get the base model's files. */
  preparation: string[];
}

/** Files the page reads from a model folder; the first two load the model, the others its tokenizer. */
const MODEL_FILES = ['config.json', 'model.safetensors'] as const;
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'] as const;

/** The placeholder for the app's address when the export does not know it (e.g. in Node). */
const APP_URL_PLACEHOLDER = '<app URL>';

/** Returns a Python string literal: a JSON string literal is a valid Python one, quotes and backslashes escaped. */
function pythonString(text: string): string {
  return JSON.stringify(text);
}

/** Returns the last path segment of a URL's path, e.g. "bert-tiny" for "http://host/models/bert-tiny/"; "base-model" when there is none. */
function folderNameOfUrl(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  const segments = path.split('/').filter((segment) => segment.length > 0);
  const name = segments.at(-1) ?? '';
  return /^[A-Za-z0-9._-]+$/.test(name) && name !== '.' && name !== '..' ? name : 'base-model';
}

/**
 * Returns Python code that downloads a served model folder into `folder`. A missing tokenizer file is skipped,
 * because a checkpoint needs only tokenizer.json or vocab.txt; a missing config.json or model.safetensors raises.
 */
function downloadCode(baseUrl: string, folder: string, baseUrlNote?: string): string[] {
  const list = (names: readonly string[]) => `[${names.map(pythonString).join(', ')}]`;
  return [
    '```python',
    'import os',
    'import urllib.error',
    'import urllib.request',
    '',
    `base_url = ${pythonString(baseUrl)}${baseUrlNote ? `  # ${baseUrlNote}` : ''}`,
    `folder = ${pythonString(folder)}`,
    'os.makedirs(folder, exist_ok=True)',
    `for name in ${list(MODEL_FILES)}:`,
    '    urllib.request.urlretrieve(base_url + name, os.path.join(folder, name))',
    `for name in ${list(TOKENIZER_FILES)}:`,
    '    try:',
    '        urllib.request.urlretrieve(base_url + name, os.path.join(folder, name))',
    '    except urllib.error.HTTPError as error:',
    '        print(f"skipped {name}: HTTP {error.code}")',
    '```',
  ];
}

/** Returns the reference for the embedded model: a local folder named after it, filled from the app or the repository. */
function embeddedReference(options: PeftExportOptions): PeftBaseReference {
  const folder = EMBEDDED_MODEL_NAME;
  const knownUrl = options.embeddedModelUrl;
  const url = knownUrl ?? `${APP_URL_PLACEHOLDER}/${EMBEDDED_MODEL_PATH}`;
  const files = [...MODEL_FILES, ...TOKENIZER_FILES].map((name) => `\`${name}\``).join(', ');
  return {
    nameOrPath: folder,
    revision: null,
    title: `${EMBEDDED_MODEL_NAME} (the playground's embedded model)`,
    loadArgument: pythonString(folder),
    preparation: [
      `The base model is the playground's embedded checkpoint ${EMBEDDED_MODEL_NAME}, which is not on the Hugging Face Hub.`,
      `It is a Hugging Face model folder that the app serves at ${url} and that the repository keeps at public/${EMBEDDED_MODEL_PATH}.`,
      `Put its files ${files} into a local folder named \`${folder}\`, either by copying public/${EMBEDDED_MODEL_PATH} from a clone of the`,
      'repository or by downloading them from the app while it runs:',
      '',
      ...downloadCode(url, folder, knownUrl ? undefined : `replace ${APP_URL_PLACEHOLDER} with the address of the playground`),
      '',
      `adapter_config.json names the folder \`${folder}\` as base_model_name_or_path, so run Python in the folder that contains it,`,
      'or pass the folder\'s full path to from_pretrained. config.json and model.safetensors load the model; the other files load its tokenizer.',
    ],
  };
}

/**
 * Returns how the export of a run refers to its base model:
 * - embedded: the local folder "mtlora-bert-tiny", with the steps to fill it from the app or the repository;
 * - Hub: the model id and its revision;
 * - URL: the URL, with the steps to download the folder, because from_pretrained does not read URLs;
 * - files picked on a computer: the folder name as recorded, which must contain the same files.
 * A run info without a source (files written before it was recorded) keeps its model id, except the old id
 * "embedded", which is the embedded model.
 */
export function peftBaseReference(info: RunInfo, options: PeftExportOptions = {}): PeftBaseReference {
  const { modelId, modelSource } = info;
  if (modelSource === 'embedded' || (modelSource === undefined && modelId === 'embedded')) return embeddedReference(options);

  if (modelSource === 'hub') {
    const revision = info.modelRevision ?? null;
    return {
      nameOrPath: modelId,
      revision,
      title: revision === null ? modelId : `${modelId} (revision ${revision})`,
      loadArgument: revision === null ? pythonString(modelId) : `${pythonString(modelId)}, revision=${pythonString(revision)}`,
      preparation: [`The base model is ${modelId} on the Hugging Face Hub${revision === null ? '' : ` at revision ${revision}`}; from_pretrained downloads it.`],
    };
  }

  if (modelSource === 'url') {
    const folder = folderNameOfUrl(modelId);
    return {
      nameOrPath: modelId,
      revision: null,
      title: modelId,
      loadArgument: pythonString(folder),
      preparation: [
        `The base model was loaded from the URL ${modelId}. from_pretrained reads a Hub id or a local folder, not a URL, so download`,
        `the folder's files into a local folder named \`${folder}\` first (the URL must still serve the same files):`,
        '',
        ...downloadCode(modelId.endsWith('/') ? modelId : `${modelId}/`, folder),
      ],
    };
  }

  if (modelSource === 'files') {
    return {
      nameOrPath: modelId,
      revision: null,
      title: modelId,
      loadArgument: pythonString(modelId),
      preparation: [
        `The base model was loaded from files on the computer that trained the adapters, from the folder \`${modelId}\`.`,
        'Pass that folder to from_pretrained. It must contain the same files (config.json and model.safetensors, byte for byte),',
        'because the adapters and the head only fit the weights they were trained on.',
      ],
    };
  }

  return { nameOrPath: modelId, revision: null, title: modelId, loadArgument: pythonString(modelId), preparation: [] };
}

/**
 * Returns the absolute URL of the embedded model's folder for the page that runs this code, or undefined outside
 * a browser. Vite sets import.meta.env.BASE_URL to the app's base path; Node and tsx leave import.meta.env unset.
 */
export function pageEmbeddedModelUrl(): string | undefined {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  if (page === undefined) return undefined;
  const base = (import.meta as { env?: { BASE_URL?: string } }).env?.BASE_URL ?? '/';
  return new URL(embeddedModelUrl(base), page).href;
}
