// Lets Node import shader sources the way Vite does: `import code from './x.wgsl?raw'`
// yields the file's text as the default export. Used by the CLIs run through tsx.
import { register } from 'node:module';

register('./wgsl-hooks.mjs', import.meta.url);
