// File names of the page's downloads of one run: "<task>-<experiment>-<method>-seed<seed><suffix>", e.g.
// "spam-3f2a9c1e-lora-seed1-peft.zip". The task and a short experiment id keep the downloads of two
// experiments apart, which a plain "lora-seed1-peft.zip" did not. The importer reads only the file's content,
// so a renamed native file imports the same (it only needs the suffix .mtlora.safetensors for the file picker).

/** Parts of a download name, provided by a native file's description or by a run's spec. */
export interface RunNameParts {
  taskId: string;
  /** Absent in files that do not record their experiment; the name then has no experiment part. */
  experimentId?: string;
  method: string;
  seed: number;
}

const UUID = /^([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Maximum length of the experiment part kept from an id that is not a UUID, e.g. the CLI's "compare-2026-12-04T23-10-00-000Z". */
const MAX_ID_PART = 40;

/** Replaces every run of characters other than letters, digits, "." and "_" by "-", e.g. "upload:4b2a2edf" by "upload-4b2a2edf". */
function fileNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._]+/g, '-').replace(/^[-.]+|-+$/g, '');
}

/** Returns the short experiment id: the first 8 hex digits of a UUID, else the id made file-name safe and capped. */
export function shortExperimentId(experimentId: string): string {
  const uuid = UUID.exec(experimentId);
  if (uuid) return uuid[1].toLowerCase();
  return fileNamePart(experimentId).slice(0, MAX_ID_PART).replace(/-+$/, '');
}

/** Returns the download name of one run's file, e.g. runDownloadName({ taskId: 'spam', … }, '-peft.zip'). */
export function runDownloadName(parts: RunNameParts, suffix: string): string {
  const task = fileNamePart(parts.taskId);
  const experiment = parts.experimentId === undefined ? '' : shortExperimentId(parts.experimentId);
  const prefix = [task, experiment].filter((part) => part.length > 0).join('-');
  const run = `${fileNamePart(parts.method)}-seed${parts.seed}`;
  return `${prefix.length > 0 ? `${prefix}-` : ''}${run}${suffix}`;
}
