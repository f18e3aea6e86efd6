import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts'],
    // Dawn is a native addon: run test files in child processes, not worker threads.
    pool: 'forks',
    // SwiftShader runs the kernels on the CPU, so a file with many kernel runs needs minutes, not seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
