// The same comparison as `npm run check:encoder`: the BERT model against the PyTorch fixtures, one test per row.
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_RELATIVE_ERROR } from '../gpu/checks/compare';
import { testEngine } from '../gpu/test-engine';
import { runEncoderChecks, type EncoderCheckRow } from './encoder-check';

const ROWS = [
  'hidden-states',
  'pooled',
  'logits-cls',
  'loss-cls',
  'logits-reg',
  'loss-reg',
  'mlm-logits',
  'adapter-lora',
  'adapter-shim',
  'adapter-icfm',
  'adapter-ctcm',
  'adapter-dtsm',
  'full-finetune',
];

describe('encoder matches PyTorch', () => {
  let rows: EncoderCheckRow[] = [];

  beforeAll(async () => {
    rows = await runEncoderChecks(await testEngine());
  }, 600_000);

  it('reports every row', () => {
    expect(rows.map((row) => row.row)).toEqual(ROWS);
  });

  for (const name of ROWS) {
    it(name, () => {
      const row = rows.find((candidate) => candidate.row === name);
      expect(row, `row ${name}`).toBeDefined();
      for (const [group, error] of Object.entries(row!.errors)) {
        expect(error, `${name} ${group} (worst: ${row!.worst})`).not.toBeNaN();
        expect(error, `${name} ${group} (worst: ${row!.worst})`).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
      }
    });
  }
});
