// Option parsing of `npm run compare`: defaults, the full-fine-tuning learning rate, and messages for
// invalid input.
import { describe, expect, it } from 'vitest';
import { helpText, OPTION_SPECS, parseCompareOptions } from './compare-options';

describe('parseCompareOptions', () => {
  it('fills in the defaults', () => {
    const options = parseCompareOptions([])!;
    expect(options.task).toBe('spam');
    expect(options.methods).toEqual(['lora', 'shim', 'icfm', 'ctcm', 'dtsm']);
    expect(options.seeds).toEqual([1, 2, 3]);
    expect(options.model).toBe('public/models/mtlora-bert-tiny/');
    expect(options.modelIsDefault).toBe(true);
    expect(options.out).toBe('results/');
    expect(options.hyperparameters).toEqual({
      rank: 8,
      alpha: 16,
      learningRate: 5e-3,
      batchSize: 16,
      maxLength: 128,
      steps: 200,
      warmupSteps: 20,
      weightDecay: 0.01,
      dropout: 0.1,
      maxGradNorm: 1,
      modules: ['query', 'value'],
      evalInterval: 50,
      evalExamples: 0,
    });
    expect(options.learningRates).toEqual({});
  });

  it('parses every option', () => {
    const options = parseCompareOptions([
      '--task', 'spam', '--methods', 'lora,full', '--seeds', '2', '--seed-base', '10', '--steps', '30', '--model', 'm/', '--out=o/',
      '--rank', '4', '--alpha', '8', '--batch-size', '4', '--max-length', '32', '--warmup', '0', '--weight-decay', '0',
      '--dropout', '0', '--max-grad-norm', '0.5', '--modules', 'key,intermediate', '--eval-interval', '7',
    ])!;
    expect(options.methods).toEqual(['lora', 'full']);
    expect(options.seeds).toEqual([10, 11]);
    expect(options.model).toBe('m/');
    expect(options.modelIsDefault).toBe(false);
    expect(options.out).toBe('o/');
    expect(options.hyperparameters).toMatchObject({ rank: 4, alpha: 8, batchSize: 4, maxLength: 32, steps: 30, warmupSteps: 0, weightDecay: 0, dropout: 0, maxGradNorm: 0.5, evalInterval: 7 });
    expect(options.hyperparameters.modules).toEqual(['key', 'intermediate']);
  });

  it('lowers the full fine-tuning rate unless --lr is given', () => {
    expect(parseCompareOptions(['--methods', 'head,full'])!.learningRates).toEqual({ full: 5e-5 });
    const explicit = parseCompareOptions(['--methods', 'head,full', '--lr', '2e-4'])!;
    expect(explicit.learningRates).toEqual({});
    expect(explicit.hyperparameters.learningRate).toBe(2e-4);
  });

  it('derives the warm-up from the steps', () => {
    expect(parseCompareOptions(['--steps', '37'])!.hyperparameters.warmupSteps).toBe(3);
    expect(parseCompareOptions(['--steps', '1'])!.hyperparameters.warmupSteps).toBe(0);
  });

  it('returns null for help', () => {
    expect(parseCompareOptions(['--steps', '3', '--help'])).toBeNull();
    expect(parseCompareOptions(['-h'])).toBeNull();
  });

  const invalid: Array<[string[], string]> = [
    [['--rank', '0'], '--rank 0 is out of range; use an integer of at least 1.'],
    [['--rank', '2.5'], '--rank 2.5 is not an integer; use an integer of at least 1.'],
    [['--alpha', '0'], '--alpha 0 is out of range; use a number above 0.'],
    [['--lr', 'fast'], '--lr fast is not a number; use a number above 0.'],
    [['--dropout', '1'], '--dropout 1 is out of range; use a number in [0, 1).'],
    [['--seeds', '0'], '--seeds 0 is out of range; use an integer from 1 to 1000.'],
    [['--seed-base', '-1'], '--seed-base -1 is out of range; use an integer from 0 to 4294967295.'],
    [['--seed-base', '4294967295', '--seeds', '2'], '--seed-base 4294967295 with --seeds 2 reaches seed 4294967296, above the largest seed 4294967295; lower --seed-base.'],
    [['--max-length', '3'], '--max-length 3 is out of range; use an integer of at least 4.'],
    [['--steps', '10', '--warmup', '10'], '--warmup 10 is invalid for --steps 10; use an integer from 0 to 9.'],
    [['--methods', 'lora,adapter'], '--methods: "adapter" is not allowed; use one or more of lora, shim, icfm, ctcm, dtsm, head, full.'],
    [['--methods', 'lora,,shim'], '--methods "lora,,shim" has an empty item; separate values with single commas, e.g. lora,shim.'],
    [['--modules', 'query,query'], '--modules: "query" is listed twice.'],
    [['--modules', 'dense'], '--modules: "dense" is not allowed; use one or more of query, key, value, attention.output, intermediate, output.'],
    [['--steps'], 'Option --steps needs a value <count>.'],
    [['--steps', '--rank', '2'], 'Option --steps needs a value <count>.'],
    [['--steps', '5', '--steps', '6'], 'Option --steps is given twice; give it once.'],
    [['steps'], 'Unexpected argument "steps"; options start with "--". Run with --help for the list.'],
  ];
  for (const [argv, message] of invalid) {
    it(`rejects ${argv.join(' ')}`, () => {
      expect(() => parseCompareOptions(argv)).toThrow(message);
    });
  }

  it('rejects unknown options with the list', () => {
    expect(() => parseCompareOptions(['--learning-rate', '1'])).toThrow(/^Unknown option "--learning-rate"; the options are --task, --methods, .* and --help\.$/);
  });
});

describe('helpText', () => {
  it('lists every option with its default', () => {
    const text = helpText();
    for (const spec of OPTION_SPECS) {
      expect(text).toContain(`--${spec.name} ${spec.value}`);
      expect(text).toContain(`default ${spec.defaultText}`);
    }
    expect(text).toContain('full fine-tuning included');
  });
});
