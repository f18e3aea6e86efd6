// Every kernel check, in report order. Each group lives next to the others in this folder.
import { activationChecks } from './activations';
import type { KernelCheck } from './compare';

export const kernelChecks: KernelCheck[] = [...activationChecks];
