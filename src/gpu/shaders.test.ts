// Every shaders/*.wgsl compiles on Dawn, and each of its @compute entry points builds a pipeline with the
// default values of its override constants.
import { describe, expect, it } from 'vitest';
import { testEngine } from './test-engine';

/** File text by path, e.g. '/shaders/gelu.wgsl'. Paths start at the repository root. */
const shaders = import.meta.glob<string>('/shaders/*.wgsl', { query: '?raw', import: 'default', eager: true });

/** Removes // and nested /* *\/ comments, so that a commented-out entry point is not collected. */
function stripComments(code: string): string {
  let result = '';
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const pair = code.slice(i, i + 2);
    if (pair === '/*') {
      depth += 1;
      i += 1;
    } else if (depth > 0 && pair === '*/') {
      depth -= 1;
      i += 1;
    } else if (depth === 0 && pair === '//') {
      const end = code.indexOf('\n', i);
      i = end === -1 ? code.length : end - 1;
    } else if (depth === 0) {
      result += code[i];
    }
  }
  return result;
}

/**
 * Returns the names of the functions marked @compute. Attributes may come in any order and take
 * arguments with one level of nested parentheses, e.g. `@workgroup_size(min(8, X))`.
 */
function computeEntryPoints(code: string): string[] {
  const attribute = String.raw`@\w+\s*(?:\((?:[^()]|\([^()]*\))*\))?\s*`;
  const declaration = new RegExp(String.raw`((?:${attribute})+)fn\s+(\w+)`, 'g');
  const names: string[] = [];
  for (const match of stripComments(code).matchAll(declaration)) {
    if (/@compute\b/.test(match[1])) names.push(match[2]);
  }
  return names;
}

/** Runs validateShader inside an error scope, so a broken test shader does not leak errors to later reads. */
async function validate(code: string, entryPoints: readonly string[], label: string): Promise<string[]> {
  const engine = await testEngine();
  engine.device.pushErrorScope('validation');
  const messages = await engine.validateShader(code, entryPoints, label);
  await engine.device.popErrorScope();
  return messages;
}

describe('computeEntryPoints', () => {
  it('finds @compute functions only', () => {
    const code = `
      // @compute @workgroup_size(1) fn commented_out() {}
      /* @compute @workgroup_size(1) fn also_commented_out() {} */
      fn helper() -> f32 { return 1.0; }
      @compute @workgroup_size(64)
      fn first(@builtin(global_invocation_id) id: vec3<u32>) {}
      @workgroup_size(8, 8) @compute fn second() {}
      @compute @workgroup_size(min(8, 4), 2)
      fn third() {}
      @vertex fn not_compute() -> @builtin(position) vec4<f32> { return vec4<f32>(); }
    `;
    expect(computeEntryPoints(code)).toEqual(['first', 'second', 'third']);
  });
});

describe('validateShader', () => {
  it('reports a WGSL type error', async () => {
    const code = `
      @group(0) @binding(0) var<storage, read_write> out: array<f32>;
      @compute @workgroup_size(1)
      fn main() {
        out[0] = vec2<f32>(1.0, 2.0);
      }
    `;
    const messages = await validate(code, ['main'], 'broken.wgsl');
    expect(messages.length).toBeGreaterThan(0);
    expect(messages[0]).toMatch(/^broken\.wgsl:5:/);
  });

  it('reports a missing entry point', async () => {
    const code = '@compute @workgroup_size(1) fn main() {}';
    const messages = await validate(code, ['main', 'missing'], 'one-entry.wgsl');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('one-entry.wgsl:missing');
  });
});

describe('shaders/*.wgsl', () => {
  const files = Object.entries(shaders).sort(([a], [b]) => a.localeCompare(b));

  it('finds the shader files', () => {
    expect(files.map(([path]) => path)).toContain('/shaders/gelu.wgsl');
  });

  for (const [path, code] of files) {
    const file = path.slice(path.lastIndexOf('/') + 1);

    it(`${file} compiles and builds every entry point`, async () => {
      const entryPoints = computeEntryPoints(code);
      expect(entryPoints.length, `${file} has no @compute entry point`).toBeGreaterThan(0);

      const messages = await validate(code, entryPoints, file);
      expect(messages, `${file} (entry points: ${entryPoints.join(', ')})`).toEqual([]);
    });
  }
});
