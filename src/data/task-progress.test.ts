import { describe, expect, it } from 'vitest';
import { formatDataBytes, parseTaskDataProgress, taskDataProgressMessage } from './task-progress';

describe('task data progress', () => {
  it('formats bytes, KiB and MiB', () => {
    expect(formatDataBytes(512)).toBe('512 B');
    expect(formatDataBytes(12_800)).toBe('12.5 KiB');
    expect(formatDataBytes(3.4 * 1024 * 1024)).toBe('3.4 MiB');
  });

  it('writes the loaded bytes and the total', () => {
    expect(taskDataProgressMessage(1024 * 1024, 4 * 1024 * 1024)).toBe('Loading task data: 1.0 MiB of 4.0 MiB.');
    expect(taskDataProgressMessage(300, null)).toBe('Loading task data: 300 B.');
  });

  it('parses its own lines back', () => {
    expect(parseTaskDataProgress(taskDataProgressMessage(1024 * 1024, 4 * 1024 * 1024))).toEqual({ loaded: 1024 * 1024, total: 4 * 1024 * 1024 });
    expect(parseTaskDataProgress(taskDataProgressMessage(300, null))).toEqual({ loaded: 300, total: null });
    const parsed = parseTaskDataProgress(taskDataProgressMessage(700_000, 2_500_000))!;
    expect(Math.abs(parsed.loaded - 700_000)).toBeLessThan(0.05 * 1024 * 1024);
    expect(Math.abs(parsed.total! - 2_500_000)).toBeLessThan(0.05 * 1024 * 1024);
  });

  it('ignores other status lines', () => {
    expect(parseTaskDataProgress('Loading task "SST-2 sentiment (GLUE)".')).toBeNull();
    expect(parseTaskDataProgress('Loaded config.json (1.2 KiB).')).toBeNull();
  });
});
