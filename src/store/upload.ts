// The "Your own data" step of the setup: the chosen file, and the column mapping and task type that the
// user picks. Each choice is previewed (previewUpload) and fully checked (taskFromUpload, which builds the
// task), and "Use this task" adds the task to the task list and selects it.
import { createStore, useStore, type StoreApi } from 'zustand';
import {
  checkUploadSize,
  previewUpload,
  taskFromUpload,
  type ColumnMapping,
  type UploadedTaskSpec,
  type UploadFormat,
  type UploadPreview,
  type UploadResult,
  type UploadTaskType,
} from '../data/upload';
import { getExperimentStore, type ExperimentState } from './experiment';
import { addUploadedTask } from './uploaded-tasks';

/** The format of the file: from its extension ('auto'), or chosen by the user. */
export type UploadFormatChoice = UploadFormat | 'auto';

/** The parts of a File that the store reads. A test can pass a plain object. */
export type UploadFile = Pick<File, 'name' | 'size' | 'arrayBuffer'>;

export interface UploadState {
  fileName: string | null;
  bytes: Uint8Array | null;
  /** True while the file is read into memory. */
  reading: boolean;
  format: UploadFormatChoice;
  /** The mapping the user chose, or null to use the one suggested from the column names. */
  mapping: ColumnMapping | null;
  /** The task type the user chose, or null to use the one inferred from the label column. */
  taskType: UploadTaskType | null;
  /** Columns of the file, kept while a mapping error leaves no preview, so the mapping can be fixed. */
  columns: string[];
  preview: UploadPreview | null;
  /** The task that "Use this task" adds, present when the file and the mapping pass every check. */
  result: UploadResult | null;
  /** Why the file or the mapping cannot become a task: an UploadError's message, or a failed read. */
  error: string | null;
  /** Id of the task that "Use this task" added last from the current choice. */
  addedTaskId: string | null;

  /** Reads a file and previews it with the suggested mapping. A newer call makes an older one a no-op. */
  chooseFile(file: UploadFile): Promise<void>;
  setFormat(format: UploadFormatChoice): void;
  setMapping(mapping: ColumnMapping): void;
  setTaskType(taskType: UploadTaskType): void;
  /** Adds the checked task to the experiment store's task list and selects it. */
  useTask(): void;
}

/** Returns the task's display name, e.g. "reviews.csv: stars from text". */
export function uploadTaskName(fileName: string, mapping: ColumnMapping): string {
  const inputs = mapping.textPair === undefined ? mapping.text : `${mapping.text} and ${mapping.textPair}`;
  return `${fileName}: ${mapping.label} from ${inputs}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createUploadStore(experimentStore: StoreApi<ExperimentState>): StoreApi<UploadState> {
  // Counts chooseFile calls, so a slow read of an older file cannot overwrite a newer one.
  let reads = 0;

  return createStore<UploadState>()((set, get) => {
    /** Returns the spec of the current choice, with the mapping and task type that the preview used. */
    const specOf = (preview: UploadPreview): UploadedTaskSpec | null => {
      const { fileName, bytes, format } = get();
      if (fileName === null || bytes === null || preview.mapping === null || preview.taskType === null) return null;
      return {
        fileName,
        bytes,
        ...(format === 'auto' ? {} : { format }),
        mapping: preview.mapping,
        taskType: preview.taskType,
        name: uploadTaskName(fileName, preview.mapping),
      };
    };

    /** Previews the current choice, then builds the task to find every problem before "Use this task". */
    // NOTE: both steps parse the whole file on the main thread, at every change of the mapping or task type.
    // A file near the 20 MiB limit may then block the page for a moment; a Worker would avoid that.
    const analyze = () => {
      const { fileName, bytes, format, mapping, taskType } = get();
      if (fileName === null || bytes === null) return;
      let preview: UploadPreview;
      try {
        preview = previewUpload(fileName, bytes, {
          ...(format === 'auto' ? {} : { format }),
          ...(mapping === null ? {} : { mapping }),
          ...(taskType === null ? {} : { taskType }),
        });
      } catch (error) {
        // A whole-file problem clears the columns, but a mapping problem keeps them for the mapping form.
        const columns = mapping === null && taskType === null ? [] : get().columns;
        set({ columns, preview: null, result: null, error: messageOf(error), addedTaskId: null });
        return;
      }

      const spec = specOf(preview);
      let result: UploadResult | null = null;
      let error: string | null = null;
      if (spec !== null) {
        try {
          result = taskFromUpload(spec);
        } catch (caught) {
          error = messageOf(caught);
        }
      }
      set({ columns: preview.table.columns, preview, result, error, addedTaskId: null });
    };

    return {
      fileName: null,
      bytes: null,
      reading: false,
      format: 'auto',
      mapping: null,
      taskType: null,
      columns: [],
      preview: null,
      result: null,
      error: null,
      addedTaskId: null,

      async chooseFile(file) {
        const read = ++reads;
        set({ fileName: file.name, bytes: null, reading: true, format: 'auto', mapping: null, taskType: null, columns: [], preview: null, result: null, error: null, addedTaskId: null });
        try {
          // Checked before reading, so that a file of gigabytes is never read into memory.
          checkUploadSize(file.name, file.size);
        } catch (error) {
          set({ reading: false, error: messageOf(error) });
          return;
        }

        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await file.arrayBuffer());
        } catch (error) {
          if (read === reads) set({ reading: false, error: `Reading ${file.name} failed (${messageOf(error)}); choose the file again.` });
          return;
        }
        if (read !== reads) return;
        set({ bytes, reading: false });
        analyze();
      },

      setFormat(format) {
        // Another format gives other columns, so the mapping starts again from the suggestion.
        set({ format, mapping: null, taskType: null, columns: [] });
        analyze();
      },

      setMapping(mapping) {
        set({ mapping });
        analyze();
      },

      setTaskType(taskType) {
        set({ taskType });
        analyze();
      },

      useTask() {
        const { preview, result } = get();
        const spec = preview === null ? null : specOf(preview);
        if (result === null || spec === null) return;
        addUploadedTask(experimentStore, result.task, spec);
        set({ addedTaskId: result.task.id });
      },
    };
  });
}

let pageStore: StoreApi<UploadState> | null = null;

/** Returns the page's upload store, bound to the page's experiment store. */
export function getUploadStore(): StoreApi<UploadState> {
  pageStore ??= createUploadStore(getExperimentStore());
  return pageStore;
}

export function useUploadStore<T>(selector: (state: UploadState) => T): T {
  return useStore(getUploadStore(), selector);
}
