// The adapter rows of `npm run check:kernels`, one test per method.
import { describe, expect, it } from 'vitest';
import { MAX_RELATIVE_ERROR, runCheck } from '../gpu/checks/compare';
import { testEngine } from '../gpu/test-engine';
import { adapterChecks } from './checks';

describe('adapter path matches PyTorch', () => {
  for (const check of adapterChecks) {
    it(check.row, async () => {
      const engine = await testEngine();
      const result = await runCheck(engine, check);
      expect(Object.keys(result.errors).length).toBeGreaterThanOrEqual(4);
      for (const [name, error] of Object.entries(result.errors)) {
        expect(error, `${check.row} output ${name}`).not.toBeNaN();
        expect(error, `${check.row} output ${name}`).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
      }
    });
  }
});
