// The embedded default model: the encoder that tools/pretrain builds into public/models/<name>/ in the
// Hugging Face layout. The Worker fetches it from the app's base URL, and the compare CLI reads the folder.

/** Folder name of the embedded model under public/models/. */
export const EMBEDDED_MODEL_NAME = 'mtlora-bert-tiny';

/** Path of the embedded model's folder relative to public/ (and to the app's base URL), ending with "/". */
export const EMBEDDED_MODEL_PATH = `models/${EMBEDDED_MODEL_NAME}/`;

/** Returns the embedded model's URL under the app's base URL, e.g. "/models/mtlora-bert-tiny/" for base "/". */
export function embeddedModelUrl(baseUrl: string): string {
  return `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}${EMBEDDED_MODEL_PATH}`;
}
