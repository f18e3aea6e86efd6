// Model sources: a Hugging Face Hub model id, a base URL, or files the user picked or dropped.
// Every source yields the same ModelFiles, which loadCheckpoint parses. This module runs in the
// browser and in Node. Reading a folder in Node is in node-sources.ts.

import { parseBertConfigText } from './config';
import { ModelFileError } from './errors';
import { fetchModelFile } from './http-files';

export const HUB_ENDPOINT = 'https://huggingface.co';

/** The file names a BERT checkpoint folder uses on the Hub. */
export const MODEL_FILE_NAMES = {
  config: 'config.json',
  weights: 'model.safetensors',
  tokenizerJson: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
  vocab: 'vocab.txt',
} as const;

export type ModelSource =
  /** A Hub model id, "owner/name" or "name"; `revision` is a branch, tag or commit (default "main"). */
  | { kind: 'hub'; id: string; revision?: string }
  /** A folder served over HTTP(S): files are fetched from `<baseUrl>/<file name>`. */
  | { kind: 'url'; baseUrl: string }
  /** Files the user picked or dropped, matched by file name. */
  | { kind: 'files'; files: FileList | readonly File[] };

/** One fetched or picked file. */
export interface ModelFile {
  name: string;
  /** URL or path, used in messages. */
  location: string;
  data: Blob;
  /** True when the browser's Cache Storage served it, without network. */
  fromCache: boolean;
}

/** The files of one checkpoint: config and weights, and tokenizer.json or vocab.txt. */
export interface ModelFiles {
  /** The source in words, e.g. "hub:prajjwal1/bert-tiny@main", a base URL or a folder path. */
  origin: string;
  config: ModelFile;
  weights: ModelFile;
  tokenizerJson?: ModelFile;
  tokenizerConfig?: ModelFile;
  vocab?: ModelFile;
  /** True when every file came from Cache Storage, so the load used no network. */
  fromCache: boolean;
}

/** Byte-level progress of one file; `total` is null when the server sends no usable Content-Length. */
export interface FileProgress {
  file: string;
  location: string;
  loaded: number;
  total: number | null;
  fromCache: boolean;
  done: boolean;
}

export interface LoadModelFilesOptions {
  onProgress?: (progress: FileProgress) => void;
  signal?: AbortSignal;
  /** Cache Storage name for downloaded files; null disables caching. */
  cacheName?: string | null;
}

/**
 * Fetches one file by name. Returns undefined for an absent optional file; an absent required file
 * raises a ModelFileError that names its location and the reason (e.g. the HTTP status).
 */
export type ModelFileFetcher = (name: string, required: boolean) => Promise<ModelFile | undefined>;

const HUB_ID_PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const HUB_ID_EXAMPLE = 'for example "sentence-transformers/all-MiniLM-L6-v2" or "bert-base-uncased"';

/**
 * Checks a Hub model id with the rules of huggingface_hub's validate_repo_id. The id is "owner/name"
 * or "name", made of letters, digits, "-", "_" and ".". Each part starts and ends with a letter, digit
 * or "_", "--" and ".." are not allowed, and the name has at most 96 characters.
 * Returns the id with surrounding spaces removed.
 */
export function validateHubModelId(id: string): string {
  const trimmed = id.trim();
  const fail = (reason: string): never => {
    throw new Error(`Invalid Hugging Face model id ${JSON.stringify(id)}: ${reason}. Enter "owner/name" or "name", ${HUB_ID_EXAMPLE}.`);
  };

  if (trimmed.length === 0) {
    fail('it is empty');
  }
  if (/^[a-z]+:\/\//i.test(trimmed)) {
    fail('it is a URL; enter only the id after "huggingface.co/", or use a base URL source');
  }
  const parts = trimmed.split('/');
  if (parts.length > 2) {
    fail(`it has ${parts.length - 1} slashes, expected at most one`);
  }
  for (const part of parts) {
    if (!HUB_ID_PART.test(part)) {
      fail(`"${part}" may contain only letters, digits, "-", "_" and ".", and must start and end with a letter, digit or "_"`);
    }
  }
  if (trimmed.includes('--') || trimmed.includes('..')) {
    fail('it contains "--" or ".."');
  }
  if (parts[parts.length - 1].length > 96) {
    fail(`the name has ${parts[parts.length - 1].length} characters, expected at most 96`);
  }
  if (trimmed.endsWith('.git')) {
    fail('it ends with ".git"');
  }
  return trimmed;
}

/** Checks a Hub revision: a branch, tag or commit hash, non-empty and without whitespace. */
export function validateRevision(revision: string): string {
  if (revision.length === 0 || /\s/.test(revision)) {
    throw new Error(`Invalid revision ${JSON.stringify(revision)}: use a branch, tag or commit hash without spaces, such as "main".`);
  }
  return revision;
}

/** Returns `https://huggingface.co/<id>/resolve/<revision>/<file>`, with the revision URL-encoded (e.g. "refs%2Fpr%2F1"). */
export function hubFileUrl(id: string, file: string, revision = 'main'): string {
  return `${HUB_ENDPOINT}/${validateHubModelId(id)}/resolve/${encodeURIComponent(validateRevision(revision))}/${file}`;
}

/** Resolves a base URL (absolute, or relative to the page in a browser) to one that ends with "/". */
export function normalizeBaseUrl(baseUrl: string): string {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  // A relative URL resolves against the page, where "not a url" would become ".../not%20a%20url/"; a URL never
  // contains spaces, so text with spaces is rejected here.
  if (/\s/.test(baseUrl.trim())) {
    throw new Error(
      `Invalid base URL ${JSON.stringify(baseUrl)}: a URL has no spaces. Use an absolute http(s) URL such as "http://localhost:8000/models/bert-tiny/", or a path on this site such as "/models/mtlora-bert-tiny/".`,
    );
  }
  let url: URL;
  try {
    url = new URL(baseUrl.trim(), page);
  } catch {
    throw new Error(`Invalid base URL ${JSON.stringify(baseUrl)}: use an absolute http(s) URL such as "http://localhost:8000/models/bert-tiny/".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Invalid base URL ${JSON.stringify(baseUrl)}: the protocol is ${url.protocol}, expected http: or https:.`);
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) {
    url.pathname += '/';
  }
  return url.href;
}

/**
 * Fetches the files of a checkpoint in this order: config.json (parsed at once, so a wrong config
 * fails before the weights download), tokenizer.json, then tokenizer_config.json if tokenizer.json
 * exists, else vocab.txt (required then) and tokenizer_config.json, and model.safetensors last.
 */
export async function collectModelFiles(origin: string, fetchFile: ModelFileFetcher): Promise<ModelFiles> {
  const config = (await fetchFile(MODEL_FILE_NAMES.config, true))!;
  const configText = await config.data.text();
  checkNotHtml(config, configText, origin);
  parseBertConfigText(configText, config.location);

  const tokenizerJson = await fetchFile(MODEL_FILE_NAMES.tokenizerJson, false);
  const vocab = tokenizerJson === undefined ? await fetchFile(MODEL_FILE_NAMES.vocab, true) : undefined;
  const tokenizerConfig = await fetchFile(MODEL_FILE_NAMES.tokenizerConfig, false);
  // NOTE: only a single model.safetensors is read; sharded weights (model.safetensors.index.json)
  // and pytorch_model.bin are not supported.
  const weights = (await fetchFile(MODEL_FILE_NAMES.weights, true))!;

  const files: ModelFiles = { origin, config, weights, fromCache: false };
  if (tokenizerJson !== undefined) files.tokenizerJson = tokenizerJson;
  if (tokenizerConfig !== undefined) files.tokenizerConfig = tokenizerConfig;
  if (vocab !== undefined) files.vocab = vocab;

  const all = [config, weights, tokenizerJson, tokenizerConfig, vocab].filter((file): file is ModelFile => file !== undefined);
  files.fromCache = all.every((file) => file.fromCache);
  return files;
}

/**
 * Raises a ModelFileError when config.json is an HTML page. A web server returns a page for a path outside any model
 * folder (often an app's index.html, with status 200), which would otherwise fail as "invalid JSON".
 * The page is recognised by its Content-Type or by a body that starts with "<".
 */
function checkNotHtml(config: ModelFile, text: string, origin: string): void {
  const contentType = config.data.type;
  const isHtml = /^(text\/html|application\/xhtml\+xml)\b/i.test(contentType) || text.trimStart().startsWith('<');
  if (!isHtml) return;
  const typeText = contentType === '' ? 'no Content-Type' : `Content-Type ${contentType}`;
  throw new ModelFileError(
    config.location,
    `the server returned an HTML page (${typeText}), not config.json, so ${origin} does not serve a Hugging Face model folder. ` +
      'Use the URL of the folder that contains config.json, model.safetensors and tokenizer.json or vocab.txt.',
  );
}

/** Returns the path of a picked file inside a dropped or picked folder, else its name. */
function pickedPath(file: File): string {
  const relative = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
  return relative !== undefined && relative.length > 0 ? relative : file.name;
}

/**
 * Matches picked files by name. When a folder was picked, a name can occur more than once (the
 * sentence-transformers layout has "1_Pooling/config.json" beside "config.json"): the file closest
 * to the folder root wins, and a tie is an error.
 */
export function localFileFetcher(files: FileList | readonly File[], onProgress?: (progress: FileProgress) => void): ModelFileFetcher {
  const picked = Array.from(files as ArrayLike<File>);
  return async (name, required) => {
    const matches = picked.filter((file) => file.name === name);
    if (matches.length === 0) {
      if (!required) {
        return undefined;
      }
      const names = picked.map(pickedPath).join(', ') || 'none';
      throw new ModelFileError(
        name,
        `not among the chosen files (${names}). Choose the model folder, or its config.json, model.safetensors and tokenizer.json or vocab.txt.`,
      );
    }

    const depth = (file: File): number => pickedPath(file).split('/').length;
    const shallowest = Math.min(...matches.map(depth));
    const closest = matches.filter((file) => depth(file) === shallowest);
    if (closest.length > 1) {
      throw new ModelFileError(name, `chosen more than once (${closest.map(pickedPath).join(', ')}); choose one model at a time.`);
    }

    const file = closest[0];
    const location = pickedPath(file);
    onProgress?.({ file: name, location, loaded: file.size, total: file.size, fromCache: false, done: true });
    return { name, location, data: file, fromCache: false };
  };
}

/** Loads the files of a checkpoint from any source, reporting byte progress per file. */
export async function loadModelFiles(source: ModelSource, options: LoadModelFilesOptions = {}): Promise<ModelFiles> {
  switch (source.kind) {
    case 'hub': {
      const id = validateHubModelId(source.id);
      const revision = validateRevision(source.revision ?? 'main');
      return collectModelFiles(`hub:${id}@${revision}`, (name, required) =>
        fetchModelFile(hubFileUrl(id, name, revision), name, required, options),
      );
    }
    case 'url': {
      const base = normalizeBaseUrl(source.baseUrl);
      return collectModelFiles(base, (name, required) => fetchModelFile(new URL(name, base).href, name, required, options));
    }
    case 'files':
      return collectModelFiles('local files', localFileFetcher(source.files, options.onProgress));
    default: {
      const unknown: never = source;
      throw new Error(`Unknown model source ${JSON.stringify(unknown)}: use kind "hub", "url" or "files".`);
    }
  }
}
