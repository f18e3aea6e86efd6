// The model choice of the setup form for a checkpoint loaded in the Model panel: how the training Worker finds
// it again (Hub id, URL or the picked files) and the sizes that bound the rank and the maximum length.
import type { ModelOption } from './form';
import type { ModelRequest, ModelSummary } from './model';

/** Returns the setup option of a loaded checkpoint, or null for the embedded model, which the form always offers. */
export function modelOptionOf(request: ModelRequest, summary: ModelSummary): ModelOption | null {
  const sizes = { hiddenSize: summary.hiddenSize, maxPositionEmbeddings: summary.maxPositionEmbeddings };
  switch (request.kind) {
    case 'embedded':
      return null;
    case 'hub':
      return {
        ref: request.revision === undefined ? { id: request.id, source: 'hub' } : { id: request.id, source: 'hub', revision: request.revision },
        name: request.revision === undefined ? request.id : `${request.id}@${request.revision}`,
        ...sizes,
      };
    case 'url':
      return { ref: { id: request.baseUrl, source: 'url' }, name: request.baseUrl, ...sizes };
    case 'files': {
      const name = pickedFolderName(request.files);
      return { ref: { id: name, source: 'files' }, name, files: request.files, ...sizes };
    }
  }
}

/** Names picked files by their folder (the first segment of webkitRelativePath), else by their count. */
function pickedFolderName(files: readonly File[]): string {
  // Files from a plain file input or a drop have an empty (or, outside browsers, no) webkitRelativePath.
  const folder = files
    .map((file) => ((file as { webkitRelativePath?: string }).webkitRelativePath ?? '').split('/'))
    .find((segments) => segments.length > 1)?.[0];
  return folder ?? `${files.length} picked files`;
}
