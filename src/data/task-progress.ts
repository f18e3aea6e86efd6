// The status line that the training Worker posts while a task's data downloads, and its parser for the
// page's progress bar. Both sides use this file, so the text and the parser stay in step.

const PREFIX = 'Loading task data: ';

const UNITS = { B: 1, KiB: 1024, MiB: 1024 * 1024 } as const;

type Unit = keyof typeof UNITS;

/** Formats a byte count as "512 B", "12.5 KiB" or "3.4 MiB". */
export function formatDataBytes(bytes: number): string {
  if (bytes < UNITS.KiB) return `${bytes} B`;
  if (bytes < UNITS.MiB) return `${(bytes / UNITS.KiB).toFixed(1)} KiB`;
  return `${(bytes / UNITS.MiB).toFixed(1)} MiB`;
}

/** Returns the status line for bytes loaded so far and the total (null while unknown), e.g. "Loading task data: 1.2 MiB of 3.4 MiB.". */
export function taskDataProgressMessage(loaded: number, total: number | null): string {
  return `${PREFIX}${formatDataBytes(loaded)}${total === null ? '' : ` of ${formatDataBytes(total)}`}.`;
}

const MESSAGE = /^Loading task data: (\d+(?:\.\d+)?) (B|KiB|MiB)(?: of (\d+(?:\.\d+)?) (B|KiB|MiB))?\.$/;

/**
 * Parses a line written by taskDataProgressMessage back into bytes, or returns null for any other status
 * line. The numbers are rounded to 0.1 KiB or 0.1 MiB, which is precise enough for a progress bar.
 */
export function parseTaskDataProgress(message: string): { loaded: number; total: number | null } | null {
  const match = MESSAGE.exec(message);
  if (match === null) return null;
  const loaded = Number(match[1]) * UNITS[match[2] as Unit];
  const total = match[3] === undefined ? null : Number(match[3]) * UNITS[match[4] as Unit];
  return { loaded, total };
}
