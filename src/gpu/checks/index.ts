// Every kernel check, in report order. Each group lives next to the others in this folder.
import { activationChecks } from './activations';
import { attentionAdamWChecks } from './attention-adamw';
import type { KernelCheck } from './compare';
import { linearChecks } from './linear';
import { modelOpChecks } from './model-ops';
import { normLossChecks } from './norm-losses';

export const kernelChecks: KernelCheck[] = [...activationChecks, ...linearChecks, ...attentionAdamWChecks, ...normLossChecks, ...modelOpChecks];
