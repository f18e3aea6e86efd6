// The train-size choice of GLUE tasks in the setup form: the task's default, a preset, all examples, or a
// number typed by the user. The spec records the size that results, so a stored experiment states it.
import { GLUE_CONFIGS, type GlueTaskId, type GlueTrainSize } from '../data/glue-configs';

export type TrainSizeOption = 'default' | '1000' | '4000' | 'all' | 'custom';

export interface TrainSizeChoice {
  option: TrainSizeOption;
  /** The text typed in the custom field, kept as typed until validation parses it. */
  custom: string;
}

export const DEFAULT_TRAIN_SIZE_CHOICE: Readonly<TrainSizeChoice> = { option: 'default', custom: '' };

/** Sizes offered besides the default, "all" and a custom number. */
export const TRAIN_SIZE_PRESETS: readonly number[] = [1000, 4000];

/** Returns the choice that shows a stored train size: a preset, "all", or the number in the custom field. */
export function trainSizeChoiceOf(trainSize: GlueTrainSize): TrainSizeChoice {
  if (trainSize === 'all') return { option: 'all', custom: '' };
  if (TRAIN_SIZE_PRESETS.includes(trainSize)) return { option: String(trainSize) as TrainSizeOption, custom: '' };
  return { option: 'custom', custom: String(trainSize) };
}

/** Describes a train size in words, e.g. "1,000 examples" or "all examples". */
export function describeTrainSize(trainSize: GlueTrainSize): string {
  return trainSize === 'all' ? 'all examples' : `${trainSize.toLocaleString('en-US')} examples`;
}

/** Digits, optionally grouped by commas ("20,000"). */
const WHOLE_NUMBER = /^(\d+|\d{1,3}(,\d{3})+)$/;

/**
 * Returns the train size of a choice, or the message for an invalid custom number. A size above
 * the examples left after the test hold-out keeps all of them.
 */
export function validateTrainSizeChoice(choice: TrainSizeChoice, taskId: GlueTaskId): GlueTrainSize | { error: string } {
  switch (choice.option) {
    case 'default':
      return GLUE_CONFIGS[taskId].defaultTrainSize;
    case 'all':
      return 'all';
    case '1000':
    case '4000':
      return Number(choice.option);
    case 'custom':
      break;
    default:
      return { error: `Train size option "${String(choice.option)}" is unknown: choose the default, 1,000, 4,000, all or a custom number.` };
  }

  const text = choice.custom.trim();
  if (text === '') {
    return { error: 'Train size is empty: enter a positive whole number of training examples, such as 2000, or choose All.' };
  }
  const value = WHOLE_NUMBER.test(text) ? Number(text.replaceAll(',', '')) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    return { error: `Train size "${text}" is not a positive whole number: enter the number of training examples, such as 2000, or choose All.` };
  }
  return value;
}
