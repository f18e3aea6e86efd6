// Linear layer y = x·Wᵀ + b with PyTorch's weight layout W [out, in], built from matmul and bias.
// The backward pass computes only the gradients it is given buffers for, so frozen weights cost nothing.
import { ShapeError, expectShape, formatShape } from '../errors';
import type { Tensor } from '../tensor';
import { biasAddForward, biasBackward } from './bias';
import { matmul } from './matmul';

/** Computes y [M, out] = x [M, in] · weightᵀ + bias for weight [out, in] and an optional bias [out]. */
export function linearForward(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const { outFeatures } = linearSizes(x, weight);
  if (bias) expectShape(`linear bias "${bias.label}"`, bias.shape, [outFeatures]);

  const y = matmul(x, weight, { transposeB: true });
  if (bias) biasAddForward(y, bias);
  return y;
}

export interface LinearBackwardOptions {
  /** Request for dx [M, in] = dy · W in the result (default false, e.g. for the first layer of a frozen stack). */
  inputGrad?: boolean;
  /** Receives dW [out, in] = dyᵀ · x; omit for a frozen weight. */
  weightGrad?: Tensor;
  /** Receives db [out] = Σ_m dy[m, :]; omit for a frozen or absent bias. */
  biasGrad?: Tensor;
  /** Add to weightGrad and biasGrad instead of overwriting them (default false). */
  accumulate?: boolean;
}

/**
 * Backward pass of linearForward for x [M, in], weight [out, in] and dy [M, out]. Writes (or, with
 * `accumulate`, adds) the weight and bias gradients into the buffers given, and returns dx when
 * `inputGrad` is set.
 */
export function linearBackward(x: Tensor, weight: Tensor, dy: Tensor, options: LinearBackwardOptions = {}): { dx?: Tensor } {
  const { rows, inFeatures, outFeatures } = linearSizes(x, weight);
  expectShape(`linear dy "${dy.label}"`, dy.shape, [rows, outFeatures]);
  const { weightGrad, biasGrad } = options;
  if (weightGrad) expectShape(`linear weightGrad "${weightGrad.label}"`, weightGrad.shape, [outFeatures, inFeatures]);
  if (biasGrad) expectShape(`linear biasGrad "${biasGrad.label}"`, biasGrad.shape, [outFeatures]);
  const beta = options.accumulate ? 1 : 0;

  // dW [out, in] = dyᵀ [out, M] · x [M, in]
  if (weightGrad) matmul(dy, x, { transposeA: true, out: weightGrad, beta });

  // db [out] = column sums of dy [M, out]
  if (biasGrad) biasBackward(dy, { out: biasGrad, beta });

  // dx [M, in] = dy [M, out] · W [out, in]
  return options.inputGrad ? { dx: matmul(dy, weight) } : {};
}

function linearSizes(x: Tensor, weight: Tensor): { rows: number; inFeatures: number; outFeatures: number } {
  if (x.shape.length !== 2) {
    throw new ShapeError(`linear input x "${x.label}" has shape ${formatShape(x.shape)}; it must be 2-D [rows, in]. Reshape [batch, tokens, in] to [batch·tokens, in] first.`);
  }
  if (weight.shape.length !== 2) {
    throw new ShapeError(`linear weight "${weight.label}" has shape ${formatShape(weight.shape)}; it must be 2-D [out, in].`);
  }
  if (weight.shape[1] !== x.shape[1]) {
    throw new ShapeError(
      `linear weight "${weight.label}" has shape ${formatShape(weight.shape)} but x "${x.label}" has ${x.shape[1]} features (shape ${formatShape(x.shape)}). ` +
        `The weight must be [out, ${x.shape[1]}] in PyTorch's layout; transpose it if it is stored [in, out].`,
    );
  }
  return { rows: x.shape[0], inFeatures: x.shape[1], outFeatures: weight.shape[0] };
}
