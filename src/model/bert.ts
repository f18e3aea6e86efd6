// The BERT encoder with a sequence-classification or regression head on the WebGPU engine, forward and
// backward, as transformers' BertForSequenceClassification computes it. BertForMaskedLM's head adds fill-mask.
// Activations are [batch·tokens, hidden] row-major, and parameter names are Hugging Face's without the
// "bert." prefix.
import { LowRankAdapter } from '../adapters/lowrank';
import { METHOD_SPECS, validateRank } from '../adapters/methods';
import type { Engine } from '../gpu/engine';
import type { Tensor } from '../gpu/tensor';
import { deriveSeed } from '../util/random';
import type { BatchGeometry } from './attention-block';
import { checkBertWeights, DEFAULT_INITIALIZER_RANGE, validateArchitecture, type BertArchitecture, type NamedBertWeights } from './bert-weights';
import { buildEmbeddings, buildEncoderLayer, buildMlmHead, WeightUploader } from './build';
import { uploadBatch, validateBatch, type BatchTensors, type BertBatch } from './batch';
import { Dense } from './dense';
import type { BertEmbeddings, EmbeddingsCache } from './embeddings';
import type { EncoderLayer, EncoderLayerCache } from './encoder-layer';
import { headOutputs, Pooler, TaskHead, type MlmHead, type PoolerCache, type TaskHeadCache, type TaskSpec } from './heads';
import { normalValues } from './init';
import { ActivationTape, type ForwardStep } from './step';
import { ADAPTER_TARGETS, adapterModulePath, ParameterSet, validateTrainable, type AdapterTarget, type ModelParameter, type TrainableSpec } from './trainable';

export interface BertModelOptions {
  task: TaskSpec;
  trainable: TrainableSpec;
  /** Seeds the head (and a missing pooler), the standard adapter init, and every dropout mask. An integer in [0, 2³²). */
  seed: number;
  /** Starting head values: weight [outputs, hidden] and bias [outputs]. Drawn from the seed when omitted. */
  head?: { weight: Float32Array; bias: Float32Array };
}

export interface ForwardOptions {
  /** A training forward keeps the intermediates for backward() and applies dropout (unless `dropout` is false). */
  train: boolean;
  /** Optimizer step, a non-negative integer; with the seed it draws this step's dropout masks. Needed when dropout runs. */
  step?: number;
  /** Apply dropout in a training forward (default true). False gives the gradients of the evaluation-mode model. */
  dropout?: boolean;
}

/**
 * The outputs of one forward. The model owns these tensors: they stay valid until the next forward() or
 * destroy(), and calling destroy() on them is harmless (they are views).
 */
export interface BertOutput {
  /** [batch, numLabels] for classification, [batch, 1] for regression. */
  logits: Tensor;
  /** Mean loss [1], when the batch had labels. */
  loss: Tensor | null;
  /** Last hidden state [batch, tokens, hidden]. */
  hiddenStates: Tensor;
  /** Pooler output tanh(dense(hidden[CLS])) [batch, hidden]. */
  pooled: Tensor;
}

export interface NamedGradient {
  name: string;
  param: Tensor;
  grad: Tensor;
}

/** The containers that the constructor uploads into. */
interface ModelStorage {
  base: ParameterSet;
  /** The masked-language-model head's own weights (empty without one). */
  mlm: ParameterSet;
  adapters: Map<string, LowRankAdapter>;
}

/** Everything one training forward kept for backward(). */
interface PendingBackward {
  tape: ActivationTape;
  geometry: BatchGeometry;
  head: TaskHeadCache;
  pooler: PoolerCache | null;
  layers: EncoderLayerCache[];
  embeddings: EmbeddingsCache | null;
}

export class BertModel {
  /** Facts the caller should know, e.g. that the checkpoint had no pooler and it was drawn from the seed. */
  readonly notes: string[] = [];

  private readonly base: ParameterSet;
  private readonly mlmParameters: ParameterSet;
  private readonly adapterModules: Map<string, LowRankAdapter>;
  private readonly embeddings: BertEmbeddings;
  private readonly layers: EncoderLayer[] = [];
  private readonly pooler: Pooler;
  private readonly head: TaskHead;
  private readonly mlmHead: MlmHead | null = null;

  /** Tensors returned by the last forward, destroyed by the next one. */
  private outputs: Tensor[] = [];
  private pending: PendingBackward | null = null;
  private destroyed = false;

  private constructor(
    readonly engine: Engine,
    readonly config: BertArchitecture,
    readonly task: TaskSpec,
    readonly trainable: TrainableSpec,
    readonly seed: number,
    weights: NamedBertWeights,
    head: { weight: Float32Array; bias: Float32Array } | undefined,
    storage: ModelStorage,
  ) {
    const { hasPooler, hasMlmHead } = checkBertWeights(config, weights);
    const full = trainable.kind === 'full';
    const hidden = config.hiddenSize;
    const std = config.initializerRange ?? DEFAULT_INITIALIZER_RANGE;
    this.base = storage.base;
    this.mlmParameters = storage.mlm;
    this.adapterModules = storage.adapters;
    const uploader = new WeightUploader(this.base, weights, full);

    this.embeddings = buildEmbeddings(uploader, config);
    for (let i = 0; i < config.numHiddenLayers; i++) {
      this.layers.push(buildEncoderLayer(uploader, config, i, (target) => this.createAdapter(i, target)));
    }

    // A checkpoint without a pooler gets one drawn like transformers' _init_weights: N(0, std²), bias 0.
    if (hasPooler) {
      this.pooler = new Pooler(uploader.dense('pooler.dense'));
    } else {
      const poolerWeight = { shape: [hidden, hidden], data: normalValues(deriveSeed(seed, 'pooler.dense'), hidden * hidden, std) };
      const poolerBias = { shape: [hidden], data: new Float32Array(hidden) };
      this.pooler = new Pooler(new Dense('pooler.dense', uploader.parameter('pooler.dense.weight', poolerWeight), uploader.parameter('pooler.dense.bias', poolerBias)));
      this.notes.push('The weights have no pooler.dense; it was drawn from the seed (normal weight, zero bias), as transformers initialises a missing pooler.');
    }

    // The head always trains.
    const outputs = headOutputs(task);
    const headWeight = head?.weight ?? normalValues(deriveSeed(seed, 'classifier'), outputs * hidden, std);
    const headBias = head?.bias ?? new Float32Array(outputs);
    const classifier = new Dense(
      'classifier',
      this.base.add('classifier.weight', { shape: [outputs, hidden], data: headWeight }, true),
      this.base.add('classifier.bias', { shape: [outputs], data: headBias }, true),
    );
    this.head = new TaskHead(task, classifier, config.classifierDropout ?? config.hiddenDropoutProb);

    if (hasMlmHead) {
      const frozen = new WeightUploader(this.mlmParameters, weights, false);
      this.mlmHead = buildMlmHead(frozen, config, this.base.get('embeddings.word_embeddings.weight'));
    }
  }

  /**
   * Uploads the weights and builds the model. Throws when the config, the weights, the task, the trainability
   * spec, the seed or the head values are invalid.
   */
  static create(engine: Engine, config: BertArchitecture, weights: NamedBertWeights, options: BertModelOptions): BertModel {
    validateArchitecture(config);
    validateOptions(config, options);
    // The constructor uploads into these containers, so that a failure part-way (e.g. out of memory) frees them.
    const storage: ModelStorage = { base: new ParameterSet(engine), mlm: new ParameterSet(engine), adapters: new Map() };
    try {
      return new BertModel(engine, config, options.task, options.trainable, options.seed, weights, options.head, storage);
    } catch (error) {
      storage.base.destroy();
      storage.mlm.destroy();
      for (const adapter of storage.adapters.values()) adapter.destroy();
      throw error;
    }
  }

  /** The adapters by module path, e.g. "encoder.layer.0.attention.self.query"; empty unless adapters train. */
  get adapters(): ReadonlyMap<string, LowRankAdapter> {
    return this.adapterModules;
  }

  get hasMlmHead(): boolean {
    return this.mlmHead !== null;
  }

  /**
   * Returns a base parameter or the head by Hugging Face name without "bert.", e.g. "classifier.weight" or
   * "encoder.layer.0.attention.self.query.weight". Merging adapters writes into these weights in place.
   */
  parameter(name: string): ModelParameter {
    this.assertAlive('parameter()');
    return this.base.get(name);
  }

  /**
   * Runs the model on a batch. With labels it also computes the mean loss. A training forward keeps what
   * backward() needs; another forward() discards it.
   */
  forward(batch: BertBatch, options: ForwardOptions): BertOutput {
    this.assertAlive('forward()');
    validateBatch(this.config, this.task, batch);
    const dropout = options.train && (options.dropout ?? true);
    const step = options.step ?? 0;
    if (dropout && (options.step === undefined || !Number.isInteger(step) || step < 0)) {
      throw new RangeError(`A training forward with dropout needs the optimizer step as a non-negative integer to seed the masks; got ${options.step}.`);
    }
    if (options.train && [...this.adapterModules.values()].some((adapter) => adapter.merged)) {
      throw new Error('The adapters are merged into the base weights; call unmergeAdapters(model) before a training forward.');
    }
    this.discardPending();
    this.releaseOutputs();
    this.beginAdapterStep();

    // In training the head always records for the backward. The pooler and the encoder record when adapters
    // or all weights train, and the embeddings only in full fine-tuning.
    const kind = this.trainable.kind;
    const tape = options.train ? new ActivationTape() : null;
    const encoderTape = kind === 'head' ? null : tape;
    const embeddingsTape = kind === 'full' ? tape : null;
    const forwardStep: ForwardStep = { dropout, seed: this.seed, step };
    const geometry: BatchGeometry = { batch: batch.batch, tokens: batch.tokens };

    const tensors = uploadBatch(this.engine, this.config, batch, embeddingsTape !== null);
    const encoded = this.encode(tensors, geometry, forwardStep, embeddingsTape, encoderTape);
    const pooler = this.pooler.forward(encoded.hidden, geometry, encoderTape);
    const head = this.head.forward(pooler.pooled, tensors.labels, forwardStep, tape);

    this.outputs = [encoded.hidden, pooler.pooled, head.logits];
    if (head.loss) this.outputs.push(head.loss);
    if (tape) {
      tensors.all.forEach((tensor) => tape.keep(tensor.label, tensor));
      if (head.cache) {
        this.pending = { tape, geometry, head: head.cache, pooler: pooler.cache, layers: encoded.layers, embeddings: encoded.embeddings };
      } else {
        tape.release();
      }
    } else {
      tensors.all.forEach((tensor) => tensor.destroy());
    }

    const view = (tensor: Tensor, shape: readonly number[] = tensor.shape): Tensor => tensor.reshape(shape);
    return {
      logits: view(head.logits),
      loss: head.loss ? view(head.loss) : null,
      hiddenStates: view(encoded.hidden, [batch.batch, batch.tokens, this.config.hiddenSize]),
      pooled: view(pooler.pooled),
    };
  }

  /**
   * Backpropagates the mean loss of the last training forward into every gradient buffer: the head, and
   * the adapters or all base weights. Gradients are overwritten, or added to with `accumulate` (micro-batches).
   * Frees the intermediates of that forward.
   */
  backward(options: { accumulate?: boolean } = {}): void {
    this.assertAlive('backward()');
    const pending = this.pending;
    if (!pending) {
      throw new Error('backward() needs a training forward with labels first: call forward(batch with labels, { train: true, step }).');
    }
    this.pending = null;
    const accumulate = options.accumulate ?? false;
    const kind = this.trainable.kind;
    const { geometry } = pending;

    const dPooled = this.head.backward(pending.head, kind === 'head' ? 'none' : 'new', accumulate);
    if (dPooled && pending.pooler) {
      let dHidden: Tensor | null = this.pooler.backward(pending.pooler, dPooled, geometry, accumulate);
      dPooled.destroy();
      for (let i = this.layers.length - 1; i >= 0 && dHidden; i--) {
        // Layer 0 passes a gradient down only when the embeddings train.
        const inputGrad = i > 0 || pending.embeddings ? 'new' : 'none';
        const dx: Tensor | null = this.layers[i].backward(pending.layers[i], dHidden, geometry, inputGrad, accumulate);
        dHidden.destroy();
        dHidden = dx;
      }
      if (dHidden && pending.embeddings) {
        this.embeddings.backward(pending.embeddings, dHidden, accumulate);
        dHidden.destroy();
      }
    }
    pending.tape.release();
  }

  /**
   * Returns the masked-language-model logits [batch·tokens, vocab] of an evaluation forward (no dropout), for
   * fill-mask. The caller owns and destroys the result. Leaves the last forward's outputs and tape alone.
   */
  mlmLogits(batch: BertBatch): Tensor {
    this.assertAlive('mlmLogits()');
    if (!this.mlmHead) throw new Error('These weights have no masked-language-model head (cls.predictions.*); load a BertForMaskedLM checkpoint for fill-mask.');
    validateBatch(this.config, null, batch);
    this.beginAdapterStep();
    const geometry: BatchGeometry = { batch: batch.batch, tokens: batch.tokens };
    const tensors = uploadBatch(this.engine, this.config, { ...batch, labels: undefined }, false);
    const { hidden } = this.encode(tensors, geometry, { dropout: false, seed: this.seed, step: 0 }, null, null);
    tensors.all.forEach((tensor) => tensor.destroy());
    const logits = this.mlmHead.logits(hidden);
    hidden.destroy();
    return logits;
  }

  /** Returns the trainable parameters with their gradient buffers for AdamW: the head, then the adapters or the base weights. */
  trainableParameters(): NamedGradient[] {
    const trained: NamedGradient[] = [];
    for (const { name, param, grad } of this.base.all()) if (grad) trained.push({ name, param, grad });
    for (const adapter of this.adapterModules.values()) trained.push(...adapter.parameters());
    return trained;
  }

  /** Returns the parameter counts of the model that trains: encoder, pooler, head and adapters, without the MLM head. */
  parameterCounts(): { trainable: number; total: number } {
    let trainable = 0;
    let total = 0;
    for (const { param, grad } of this.base.all()) {
      total += param.size;
      if (grad) trainable += param.size;
    }
    for (const adapter of this.adapterModules.values()) {
      total += adapter.trainableParameterCount;
      trainable += adapter.trainableParameterCount;
    }
    return { trainable, total };
  }

  /** Destroys every tensor of the model: weights, gradients, adapters, outputs and pending intermediates. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.discardPending();
    this.releaseOutputs();
    this.base.destroy();
    this.mlmParameters.destroy();
    for (const adapter of this.adapterModules.values()) adapter.destroy();
    this.adapterModules.clear();
  }

  /** Runs the embeddings and every encoder layer; returns the last hidden state [rows, hidden] and the caches. */
  private encode(
    tensors: BatchTensors,
    geometry: BatchGeometry,
    step: ForwardStep,
    embeddingsTape: ActivationTape | null,
    encoderTape: ActivationTape | null,
  ): { hidden: Tensor; embeddings: EmbeddingsCache | null; layers: EncoderLayerCache[] } {
    const embedded = this.embeddings.forward(tensors.ids, step, embeddingsTape);
    let hidden = embedded.y;
    const layers: EncoderLayerCache[] = [];
    this.layers.forEach((layer, i) => {
      const result = layer.forward(hidden, tensors.mask, geometry, step, encoderTape);
      // The layer input is the Q/K/V input and the attention residual, so the backward needs it.
      if (encoderTape) encoderTape.keep(i === 0 ? 'embeddings.output' : `encoder.layer.${i - 1}.output`, hidden);
      else hidden.destroy();
      if (result.cache) layers.push(result.cache);
      hidden = result.y;
    });
    return { hidden, embeddings: embedded.cache, layers };
  }

  private createAdapter(layer: number, target: AdapterTarget): LowRankAdapter | null {
    const spec = this.trainable;
    if (spec.kind !== 'adapters' || !spec.modules.includes(target)) return null;
    const { hiddenSize, intermediateSize } = this.config;
    const path = adapterModulePath(layer, target);
    const config = {
      method: spec.method,
      rank: spec.rank,
      alpha: spec.alpha,
      inFeatures: target === 'output' ? intermediateSize : hiddenSize,
      outFeatures: target === 'intermediate' ? intermediateSize : hiddenSize,
      name: path,
    };
    const values = spec.values?.[path];
    const adapter = values ? LowRankAdapter.fromValues(this.engine, config, values) : LowRankAdapter.create(this.engine, config, deriveSeed(this.seed, path));
    this.adapterModules.set(path, adapter);
    return adapter;
  }

  /**
   * Rebuilds each adapter's core T from its current C and D, which the optimizer may have changed since the last
   * forward. A merged adapter is skipped: the forward does not use it, and its factors cannot change while merged.
   */
  private beginAdapterStep(): void {
    for (const adapter of this.adapterModules.values()) if (!adapter.merged) adapter.beginStep();
  }

  private discardPending(): void {
    this.pending?.tape.release();
    this.pending = null;
  }

  private releaseOutputs(): void {
    for (const tensor of this.outputs) tensor.destroy();
    this.outputs = [];
  }

  private assertAlive(method: string): void {
    if (this.destroyed) throw new Error(`BertModel.${method} was called after destroy().`);
  }
}

/**
 * Checks the task, the trainability spec, the seed and any given head or adapter values before anything is
 * uploaded, so that a bad option never leaves tensors behind.
 */
function validateOptions(config: BertArchitecture, options: BertModelOptions): void {
  const outputs = headOutputs(options.task);
  validateTrainable(options.trainable);
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new RangeError(`Model seed ${options.seed} is invalid; use an integer in [0, 4294967295].`);
  }
  const hidden = config.hiddenSize;
  if (options.head && (options.head.weight.length !== outputs * hidden || options.head.bias.length !== outputs)) {
    throw new RangeError(
      `Head values have ${options.head.weight.length} weights and ${options.head.bias.length} biases; expected ${outputs * hidden} ([${outputs}, ${hidden}]) and ${outputs}.`,
    );
  }

  const spec = options.trainable;
  if (spec.kind !== 'adapters') return;
  const expected = new Map<string, { inFeatures: number; outFeatures: number }>();
  for (let i = 0; i < config.numHiddenLayers; i++) {
    for (const target of spec.modules) {
      const inFeatures = target === 'output' ? config.intermediateSize : hidden;
      const outFeatures = target === 'intermediate' ? config.intermediateSize : hidden;
      validateRank(spec.rank, inFeatures, outFeatures, adapterModulePath(i, target));
      expected.set(adapterModulePath(i, target), { inFeatures, outFeatures });
    }
  }
  if (!(Number.isFinite(spec.alpha) && spec.alpha > 0)) {
    throw new RangeError(`Adapter alpha ${spec.alpha} is invalid; use a positive number (the scaling is alpha / rank).`);
  }
  const factors = METHOD_SPECS[spec.method].factors;
  for (const [path, values] of Object.entries(spec.values ?? {})) {
    const sizes = expected.get(path);
    if (!sizes) throw new RangeError(`Adapter values are given for "${path}", which has no adapter; the adapted modules are ${[...expected.keys()].join(', ')}.`);
    const r = spec.rank;
    const lengths: Array<[string, Float32Array | undefined, number]> = [
      ['A', values.a, r * sizes.inFeatures],
      ['B', values.b, sizes.outFeatures * r],
    ];
    if (factors.includes('C')) lengths.push(['C', values.c, r * r]);
    if (factors.includes('D')) lengths.push(['D', values.d, r * r]);
    for (const [factor, data, length] of lengths) {
      if (data?.length !== length) {
        throw new RangeError(`Adapter values of "${path}" have ${data?.length ?? 'no'} values for ${factor}; ${METHOD_SPECS[spec.method].name} at rank ${r} needs ${length}.`);
      }
    }
  }
}

export { ADAPTER_TARGETS };
export type { AdapterTarget, BertBatch, TaskSpec, TrainableSpec };
