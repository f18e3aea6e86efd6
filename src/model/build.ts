// Builds the model's modules from host weights: uploads each weight once under its Hugging Face name and
// wires it into the module that uses it.
import type { LowRankAdapter } from '../adapters/lowrank';
import { AttentionBlock } from './attention-block';
import type { BertArchitecture, HostTensor, NamedBertWeights } from './bert-weights';
import { Dense } from './dense';
import { BertEmbeddings } from './embeddings';
import { EncoderLayer } from './encoder-layer';
import { MlmHead } from './heads';
import type { AdapterTarget, ModelParameter, ParameterSet } from './trainable';

/** Uploads named weights into one parameter set, all trainable or all frozen. */
export class WeightUploader {
  constructor(
    private readonly parameters: ParameterSet,
    private readonly weights: NamedBertWeights,
    private readonly trainable: boolean,
  ) {}

  /** Uploads weight `name`, or `host` in its place (e.g. a pooler drawn from the seed). */
  parameter(name: string, host: HostTensor = this.weights[name]): ModelParameter {
    return this.parameters.add(name, host, this.trainable);
  }

  /** Uploads `${name}.weight` and `${name}.bias` as one linear layer. */
  dense(name: string, adapter: LowRankAdapter | null = null): Dense {
    return new Dense(name, this.parameter(`${name}.weight`), this.parameter(`${name}.bias`), adapter);
  }
}

export function buildEmbeddings(uploader: WeightUploader, config: BertArchitecture): BertEmbeddings {
  return new BertEmbeddings(
    {
      word: uploader.parameter('embeddings.word_embeddings.weight'),
      position: uploader.parameter('embeddings.position_embeddings.weight'),
      tokenType: uploader.parameter('embeddings.token_type_embeddings.weight'),
      normWeight: uploader.parameter('embeddings.LayerNorm.weight'),
      normBias: uploader.parameter('embeddings.LayerNorm.bias'),
    },
    config.layerNormEps,
    config.hiddenDropoutProb,
  );
}

/** Builds encoder layer `index`; `adapterFor` returns the adapter of a target, or null where there is none. */
export function buildEncoderLayer(
  uploader: WeightUploader,
  config: BertArchitecture,
  index: number,
  adapterFor: (target: AdapterTarget) => LowRankAdapter | null,
): EncoderLayer {
  const layer = `encoder.layer.${index}`;
  const attention = new AttentionBlock(
    `${layer}.attention`,
    {
      query: uploader.dense(`${layer}.attention.self.query`, adapterFor('query')),
      key: uploader.dense(`${layer}.attention.self.key`, adapterFor('key')),
      value: uploader.dense(`${layer}.attention.self.value`, adapterFor('value')),
      output: uploader.dense(`${layer}.attention.output.dense`, adapterFor('attention.output')),
      normWeight: uploader.parameter(`${layer}.attention.output.LayerNorm.weight`),
      normBias: uploader.parameter(`${layer}.attention.output.LayerNorm.bias`),
    },
    config.numAttentionHeads,
    config.layerNormEps,
    config.hiddenDropoutProb,
    config.attentionProbsDropoutProb,
  );
  const feedForward = {
    intermediate: uploader.dense(`${layer}.intermediate.dense`, adapterFor('intermediate')),
    output: uploader.dense(`${layer}.output.dense`, adapterFor('output')),
    normWeight: uploader.parameter(`${layer}.output.LayerNorm.weight`),
    normBias: uploader.parameter(`${layer}.output.LayerNorm.bias`),
  };
  return new EncoderLayer(layer, attention, feedForward, config.layerNormEps, config.hiddenDropoutProb);
}

/** Builds the frozen masked-language-model head, its decoder tied to the (already uploaded) word embeddings. */
export function buildMlmHead(uploader: WeightUploader, config: BertArchitecture, wordEmbeddings: ModelParameter): MlmHead {
  return new MlmHead(
    {
      transform: uploader.dense('cls.predictions.transform.dense'),
      normWeight: uploader.parameter('cls.predictions.transform.LayerNorm.weight'),
      normBias: uploader.parameter('cls.predictions.transform.LayerNorm.bias'),
      decoderWeight: wordEmbeddings,
      decoderBias: uploader.parameter('cls.predictions.bias'),
    },
    config.layerNormEps,
  );
}
