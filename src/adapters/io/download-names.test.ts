import { describe, expect, it } from 'vitest';
import { runDownloadName, shortExperimentId } from './download-names';

describe('download names', () => {
  it('task, short UUID, method and seed', () => {
    expect(runDownloadName({ taskId: 'spam', experimentId: '3F2A9C1E-0d4b-4a4e-9d2f-0123456789ab', method: 'lora', seed: 1 }, '-peft.zip')).toBe('spam-3f2a9c1e-lora-seed1-peft.zip');
  });

  it('uploaded task id is file-name safe', () => {
    expect(runDownloadName({ taskId: 'upload:4b2a2edf', experimentId: '3f2a9c1e-0d4b-4a4e-9d2f-0123456789ab', method: 'dtsm', seed: 3 }, '.mtlora.safetensors')).toBe(
      'upload-4b2a2edf-3f2a9c1e-dtsm-seed3.mtlora.safetensors',
    );
  });

  it('CLI experiment id is kept whole', () => {
    expect(shortExperimentId('compare-2026-12-04T23-10-00-000Z')).toBe('compare-2026-12-04T23-10-00-000Z');
  });

  it('long id is capped at 40 characters', () => {
    expect(shortExperimentId('x'.repeat(60))).toBe('x'.repeat(40));
  });

  it('no experiment id leaves it out', () => {
    expect(runDownloadName({ taskId: 'rte', method: 'icfm', seed: 2 }, '-results.json')).toBe('rte-icfm-seed2-results.json');
  });

  it('two experiments get different names', () => {
    const first = runDownloadName({ taskId: 'spam', experimentId: '11111111-0000-4000-8000-000000000000', method: 'lora', seed: 1 }, '-peft.zip');
    const second = runDownloadName({ taskId: 'spam', experimentId: '22222222-0000-4000-8000-000000000000', method: 'lora', seed: 1 }, '-peft.zip');
    expect(first).not.toBe(second);
  });

  it('path separators never reach the name', () => {
    expect(runDownloadName({ taskId: '../etc/passwd', experimentId: 'a/b', method: 'lora', seed: 1 }, '.json')).toBe('etc-passwd-a-b-lora-seed1.json');
  });
});
