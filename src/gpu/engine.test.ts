// Bad input to the engine and the ops raises errors that name the value and the fix, and outputs are poisoned.
import { afterEach, describe, expect, it, vi } from 'vitest';
import geluCode from '../../shaders/gelu.wgsl?raw';
import { acquireBrowserDevice } from './device';
import { Engine } from './engine';
import { ShapeError, WebGPUUnavailableError } from './errors';
import { geluBackward, geluForward } from './ops/gelu';
import { testEngine } from './test-engine';

describe('tensor shapes', () => {
  it('rejects a zero-sized dimension', async () => {
    const engine = await testEngine();
    const before = engine.allocatedTensors;

    expect(() => engine.empty([3, 0], 'f32', 'hidden')).toThrow(ShapeError);
    expect(() => engine.empty([3, 0], 'f32', 'hidden')).toThrow('Tensor "hidden" has shape [3, 0]: every dimension must be a positive integer.');
    expect(() => engine.zeros([0], 'f32', 'moments')).toThrow('"moments" has shape [0]');
    expect(() => engine.tensor(new Float32Array(0), [0, 4], 'f32', 'input')).toThrow('"input" has shape [0, 4]');
    expect(engine.allocatedTensors).toBe(before);
  });

  it('rejects a non-integer dimension', async () => {
    const engine = await testEngine();

    expect(() => engine.empty([2.5, 4], 'f32', 'logits')).toThrow('Tensor "logits" has shape [2.5, 4]: every dimension must be a positive integer.');
    expect(() => engine.empty([4, Number.NaN], 'f32', 'logits')).toThrow('[4, NaN]');
    expect(() => engine.empty([-2, 4], 'f32', 'logits')).toThrow('[-2, 4]');
    expect(() => engine.empty([], 'f32', 'scalar')).toThrow('Tensor "scalar" has an empty shape; use [1] for a scalar.');
  });

  it('rejects a data length mismatch', async () => {
    const engine = await testEngine();

    expect(() => engine.tensor(new Float32Array(5), [2, 3], 'f32', 'weights')).toThrow(ShapeError);
    expect(() => engine.tensor(new Float32Array(5), [2, 3], 'f32', 'weights')).toThrow('Tensor "weights" has 5 values for shape [2, 3], which needs 6.');
    expect(() => engine.tensor([1, 2, 3, 4, 5, 6, 7], [2, 3], 'f32', 'weights')).toThrow('has 7 values for shape [2, 3]');

    const target = engine.zeros([2, 3], 'f32', 'target');
    expect(() => engine.write(target, new Float32Array(4))).toThrow('Cannot write 4 values into tensor "target" of shape [2, 3].');
    const source = engine.zeros([7], 'f32', 'source');
    expect(() => engine.copy(source, target)).toThrow('Cannot copy "source" [7] into "target" [2, 3].');
    source.destroy();
    target.destroy();
  });

  it('rejects a tensor over maxStorageBufferBindingSize before allocating', async () => {
    const engine = await testEngine();
    const limit = engine.limits.maxStorageBufferBindingSize;
    const bytesBefore = engine.allocatedBytes;
    const tensorsBefore = engine.allocatedTensors;

    // One f32 element more than the largest bindable buffer, as [rows, 1025] so the shape is not a power of two.
    const rows = Math.ceil((limit / 4 + 1) / 1025);
    const shape = [rows, 1025];
    const bytes = rows * 1025 * 4;
    expect(bytes).toBeGreaterThan(limit);

    let message = '';
    try {
      engine.empty(shape, 'f32', 'activations');
    } catch (error) {
      expect(error).toBeInstanceOf(ShapeError);
      message = (error as Error).message;
    }
    expect(message).toContain(`Tensor "activations" of shape [${rows}, 1025] needs ${bytes} bytes`);
    expect(message).toContain(`maxStorageBufferBindingSize of ${limit} bytes`);
    expect(message).toContain('Reduce the batch size or the maximum sequence length.');

    // Uploads are checked the same way. The data length check comes later, so no huge array is needed.
    expect(() => engine.tensor(new Float32Array(1), shape, 'f32', 'upload')).toThrow('maxStorageBufferBindingSize');
    expect(engine.allocatedBytes).toBe(bytesBefore);
    expect(engine.allocatedTensors).toBe(tensorsBefore);
  });
});

describe('op input checks', () => {
  it('gelu backward rejects a wrong dy shape', async () => {
    const engine = await testEngine();
    const x = engine.tensor(new Float32Array(6), [2, 3], 'f32', 'x');
    const dy = engine.tensor(new Float32Array(6), [3, 2], 'f32', 'dy');

    expect(() => geluBackward(x, dy)).toThrow(ShapeError);
    expect(() => geluBackward(x, dy)).toThrow('gelu dy has shape [3, 2], expected [2, 3].');
    x.destroy();
    dy.destroy();
  });

  it('dispatch rejects an empty workgroup grid', async () => {
    const engine = await testEngine();
    const x = engine.tensor(new Float32Array([1, 2, 3]), [3], 'f32', 'x');
    const y = geluForward(x);
    await y.readFloat();

    // The same pipeline geluForward built (from the cache), dispatched over grids the device cannot run.
    const pipeline = engine.pipeline(geluCode, 'gelu_forward', {}, 'gelu');
    expect(() => engine.dispatch(pipeline, { buffers: [x, y] }, [0])).toThrow('Dispatch of gelu:gelu_forward over [0, 1, 1] workgroups is outside 1..');
    const max = engine.limits.maxComputeWorkgroupsPerDimension;
    expect(() => engine.dispatch(pipeline, { buffers: [x, y] }, [1, max + 1])).toThrow(`over [1, ${max + 1}, 1] workgroups is outside 1..${max} per dimension.`);
    x.destroy();
    y.destroy();
  });
});

describe('destroyed tensors', () => {
  it('cannot be read', async () => {
    const engine = await testEngine();
    const t = engine.tensor(new Float32Array([1, 2, 3]), [3], 'f32', 'scores');
    const tensorsBefore = engine.allocatedTensors;

    t.destroy();
    expect(t.isDestroyed).toBe(true);
    expect(engine.allocatedTensors).toBe(tensorsBefore - 1);
    await expect(t.read()).rejects.toThrow('Tensor "scores" was destroyed before it was read.');
    await expect(t.readFloat()).rejects.toThrow('was destroyed before it was read');
  });

  it('cannot be bound to a dispatch', async () => {
    const engine = await testEngine();
    const x = engine.tensor(new Float32Array([1, 2, 3]), [3], 'f32', 'x');
    x.destroy();

    expect(() => geluForward(x)).toThrow('Tensor "x" is bound to gelu:gelu_forward after it was destroyed.');
  });
});

describe('poisonOutputs', () => {
  it('fills new outputs with NaN', async () => {
    const engine = await testEngine();
    expect(engine.poisonOutputs).toBe(true);

    // An odd size, so the 16-byte padding of the buffer is not all that gets poisoned.
    const out = engine.empty([3, 5], 'f32', 'unwritten');
    const values = await out.readFloat();
    expect(values).toHaveLength(15);
    expect(values.every((value) => Number.isNaN(value))).toBe(true);
    out.destroy();
  });

  it('leaves zeros() and unpoisoned outputs at zero', async () => {
    const engine = await testEngine();
    const accumulator = engine.zeros([7], 'f32', 'accumulator');
    expect(Array.from(await accumulator.readFloat())).toEqual([0, 0, 0, 0, 0, 0, 0]);
    accumulator.destroy();

    // A second engine on the same device, as the browser app creates it (poisonOutputs off).
    const plain = new Engine(engine.device, { adapterName: engine.adapterName });
    const out = plain.empty([7], 'f32', 'plain');
    expect(Array.from(await out.readFloat())).toEqual([0, 0, 0, 0, 0, 0, 0]);
    out.destroy();
    plain.flush();
  });

  it('is overwritten by every element a kernel writes', async () => {
    const engine = await testEngine();
    const x = engine.tensor(new Float32Array([-2, -0.5, 0, 0.5, 2]), [5], 'f32', 'x');
    const y = geluForward(x);
    const values = await y.readFloat();
    expect(values.some((value) => Number.isNaN(value))).toBe(false);
    x.destroy();
    y.destroy();
  });
});

describe('acquireBrowserDevice without WebGPU', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('raises when navigator is undefined', async () => {
    vi.stubGlobal('navigator', undefined);

    await expect(acquireBrowserDevice()).rejects.toThrow(WebGPUUnavailableError);
    await expect(acquireBrowserDevice()).rejects.toThrow('WebGPU is not available: navigator.gpu is undefined in this browser.');
    await expect(acquireBrowserDevice()).rejects.toThrow('chrome://flags/#enable-unsafe-webgpu');
  });

  it('raises when navigator.gpu is undefined', async () => {
    vi.stubGlobal('navigator', { userAgent: 'test browser without WebGPU' });

    await expect(acquireBrowserDevice()).rejects.toThrow(WebGPUUnavailableError);
    await expect(acquireBrowserDevice()).rejects.toThrow('navigator.gpu is undefined in this browser');
    await expect(acquireBrowserDevice()).rejects.toThrow('--enable-unsafe-webgpu');
  });

  it('raises when requestAdapter returns null', async () => {
    const requestAdapter = vi.fn(() => Promise.resolve(null));
    vi.stubGlobal('navigator', { gpu: { requestAdapter } });

    await expect(acquireBrowserDevice()).rejects.toThrow(WebGPUUnavailableError);
    await expect(acquireBrowserDevice()).rejects.toThrow('navigator.gpu.requestAdapter() returned no adapter');
    await expect(acquireBrowserDevice()).rejects.toThrow('Use a Chromium-based browser (Chrome 113 or later) with WebGPU enabled');
    expect(requestAdapter).toHaveBeenCalledWith({ powerPreference: 'high-performance' });
  });
});

