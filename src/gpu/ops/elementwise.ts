// Shared dispatch geometry for kernels with one invocation per element.
import { gridFor } from '../params';

/** Workgroup size of the element-wise kernels; matches their WORKGROUP_SIZE override default. */
export const ELEMENTWISE_WORKGROUP = 256;

/** Workgroup grid covering `count` elements at ELEMENTWISE_WORKGROUP invocations per workgroup. */
export function elementwiseGrid(count: number): [number, number, number] {
  return gridFor(Math.ceil(count / ELEMENTWISE_WORKGROUP));
}
