// The base model reference of the PEFT export for every model source. The embedded model's download code is
// run with Debian's Python against a local HTTP server that serves public/models/mtlora-bert-tiny/, and the
// files it writes must equal the repository's.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peftBaseReference } from './peft-base-model';
import type { RunInfo } from './run-info';

const PYTHON = '/usr/bin/python3';
const EMBEDDED_FOLDER = fileURLToPath(new URL('../../../public/models/mtlora-bert-tiny/', import.meta.url));
const EMBEDDED_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];

function info(modelId: string, modelSource: RunInfo['modelSource'], modelRevision?: string): RunInfo {
  return {
    modelId,
    modelSource,
    ...(modelRevision === undefined ? {} : { modelRevision }),
    taskId: 'spam',
    // peftBaseReference reads only the model fields.
    base: {} as RunInfo['base'],
  };
}

/** Returns the first ```python block of the lines that contains `marker`, without the fences. */
function pythonBlock(lines: readonly string[], marker: string): string {
  const text = lines.join('\n');
  const blocks = [...text.matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1]);
  const block = blocks.find((candidate) => candidate.includes(marker));
  if (block === undefined) throw new Error(`No python block contains ${JSON.stringify(marker)}:\n${text}`);
  return block;
}

describe('peftBaseReference', () => {
  it('embedded model: local folder, URL and repository path', () => {
    const reference = peftBaseReference(info('embedded', 'embedded'), { embeddedModelUrl: 'https://example.org/app/models/mtlora-bert-tiny/' });
    expect(reference.nameOrPath).toBe('mtlora-bert-tiny');
    expect(reference.revision).toBeNull();
    expect(reference.loadArgument).toBe('"mtlora-bert-tiny"');
    expect(reference.title).toBe("mtlora-bert-tiny (the playground's embedded model)");
    const text = reference.preparation.join('\n');
    expect(text).toContain('serves at https://example.org/app/models/mtlora-bert-tiny/');
    expect(text).toContain('public/models/mtlora-bert-tiny/');
    for (const name of EMBEDDED_FILES) expect(text).toContain(`\`${name}\``);
    expect(pythonBlock(reference.preparation, 'base_url')).toContain('base_url = "https://example.org/app/models/mtlora-bert-tiny/"\n');
  });

  it('embedded model without an app URL', () => {
    const reference = peftBaseReference(info('embedded', 'embedded'));
    const code = pythonBlock(reference.preparation, 'base_url');
    expect(code).toContain('base_url = "<app URL>/models/mtlora-bert-tiny/"  # replace <app URL> with the address of the playground');
  });

  it('old file without a source and id "embedded"', () => {
    expect(peftBaseReference(info('embedded', undefined)).nameOrPath).toBe('mtlora-bert-tiny');
  });

  it('Hub model keeps id and revision', () => {
    const reference = peftBaseReference(info('prajjwal1/bert-tiny', 'hub', 'v1.0'));
    expect(reference.nameOrPath).toBe('prajjwal1/bert-tiny');
    expect(reference.revision).toBe('v1.0');
    expect(reference.loadArgument).toBe('"prajjwal1/bert-tiny", revision="v1.0"');
    expect(reference.title).toBe('prajjwal1/bert-tiny (revision v1.0)');
  });

  it('Hub model on the default branch', () => {
    const reference = peftBaseReference(info('prajjwal1/bert-tiny', 'hub'));
    expect(reference.revision).toBeNull();
    expect(reference.loadArgument).toBe('"prajjwal1/bert-tiny"');
  });

  it('URL model downloads into a folder named after the URL', () => {
    const reference = peftBaseReference(info('http://127.0.0.1:8000/models/bert-tiny', 'url'));
    expect(reference.nameOrPath).toBe('http://127.0.0.1:8000/models/bert-tiny');
    expect(reference.loadArgument).toBe('"bert-tiny"');
    const code = pythonBlock(reference.preparation, 'base_url');
    expect(code).toContain('base_url = "http://127.0.0.1:8000/models/bert-tiny/"');
    expect(code).toContain('folder = "bert-tiny"');
  });

  it('URL without a usable folder name', () => {
    expect(peftBaseReference(info('http://127.0.0.1:8000/', 'url')).loadArgument).toBe('"base-model"');
  });

  it('local files: the folder, which must hold the same files', () => {
    const reference = peftBaseReference(info('/data/models/my-bert', 'files'));
    expect(reference.nameOrPath).toBe('/data/models/my-bert');
    expect(reference.loadArgument).toBe('"/data/models/my-bert"');
    expect(reference.preparation.join(' ')).toContain('It must contain the same files');
  });

  it('quotes a Python string with quotes and backslashes', () => {
    expect(peftBaseReference(info('C:\\models\\"bert"', 'files')).loadArgument).toBe('"C:\\\\models\\\\\\"bert\\""');
  });
});

describe('embedded download code in Python', () => {
  let server: Server;
  let baseUrl: string;
  let workDir: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const name = (request.url ?? '').replace(/^\/models\/mtlora-bert-tiny\//, '');
      if (!EMBEDDED_FILES.includes(name)) {
        response.writeHead(404).end();
        return;
      }
      readFile(join(EMBEDDED_FOLDER, name)).then(
        (bytes) => response.writeHead(200, { 'Content-Length': String(bytes.length), Connection: 'close' }).end(bytes),
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/mtlora-bert-tiny/`;
    workDir = await mkdtemp(join(tmpdir(), 'peft-base-'));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(workDir, { recursive: true, force: true });
  });

  it.skipIf(!existsSync(PYTHON))('downloads the six files into mtlora-bert-tiny/', async () => {
    const reference = peftBaseReference(info('embedded', 'embedded'), { embeddedModelUrl: baseUrl });
    const code = pythonBlock(reference.preparation, 'base_url');
    // spawnSync would block the event loop, which also runs the server, so Python runs asynchronously.
    const result = await new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn(PYTHON, ['-c', code], { cwd: workDir });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', (status) => resolve({ status, output }));
    });
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
    for (const name of EMBEDDED_FILES) {
      // Buffer.equals, because toEqual compares a 6 MB buffer byte by byte for tens of seconds.
      const same = (await readFile(join(workDir, 'mtlora-bert-tiny', name))).equals(await readFile(join(EMBEDDED_FOLDER, name)));
      expect(same, `${name} differs from the repository's copy`).toBe(true);
    }
  });

  it.skipIf(!existsSync(PYTHON))('URL model code compiles in Python', () => {
    const reference = peftBaseReference(info('http://127.0.0.1:9/models/bert-tiny/', 'url'));
    const code = pythonBlock(reference.preparation, 'base_url');
    const result = spawnSync(PYTHON, ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: code, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
