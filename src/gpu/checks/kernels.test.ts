// The same comparison as `npm run check:kernels`, one test per kernel row.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../test-engine';
import { kernelChecks } from '.';
import { MAX_RELATIVE_ERROR, runCheck } from './compare';

describe('kernels match PyTorch', () => {
  for (const check of kernelChecks) {
    it(check.row, async () => {
      const engine = await testEngine();
      const result = await runCheck(engine, check);
      for (const [name, error] of Object.entries(result.errors)) {
        expect(error, `${check.row} output ${name}`).not.toBeNaN();
        expect(error, `${check.row} output ${name}`).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
      }
    });
  }
});
