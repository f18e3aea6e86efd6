// Saving bytes that the page built (an adapter file, a zip, a JSON report) through the browser's download.

/**
 * Lifetime of the object URL of a download. The browser may read the Blob after the click returns, so the URL
 * is not revoked at once. A minute is an estimate, far longer than starting a download of a few megabytes takes.
 */
const OBJECT_URL_LIFETIME_MS = 60_000;

/** Starts a browser download of `bytes` under `fileName`. */
export function downloadBytes(fileName: string, bytes: Uint8Array, mimeType: string): void {
  // Copying into a fresh ArrayBuffer gives the Blob constructor the BufferSource type it expects.
  const blob = new Blob([bytes.slice()], { type: mimeType });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), OBJECT_URL_LIFETIME_MS);
}
