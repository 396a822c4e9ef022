/** The names generated code and the hosts agree on (src/host/ids.ts), as tables. */
import { describe, expect, it } from 'vitest';
import {
  fileOfWorkerModuleSpecifier, hasQueryFlag, isBundlerVirtual, isWorkerEntry, isWorkerEntryRequest, isWorkerModuleRequest,
  resolvedWorkerEntry, withoutQuery, workerEntryUrl, WORKER_MODULE_FILTER, workerModuleSourceOf, workerModuleSpecifier, workerModuleUrl,
} from '../src/host/ids.ts';

describe('queries', () => {
  const rows: Array<[id: string, entry: boolean, module: boolean]> = [
    ['/app/__suitkaise_worker__.js?sk-worker', true, false],
    ['/app/__suitkaise_worker__.js?sk-worker&worker_file&type=module', true, false],
    ['/app/__suitkaise_worker__.js?worker_file&sk-worker', true, false],
    ['/app/src/a.ts?sk-worker-module', false, true],
    ['/app/src/a.ts?v=3&sk-worker-module', false, true],
    ['/app/src/a.ts?sk-worker-modules', false, false],
    ['/app/src/a.ts?sk-worker=1', false, false],
    ['/app/src/sk-worker.ts', false, false],
    ['/app/src/a.ts', false, false],
  ];
  for (const [id, entry, module] of rows) {
    it(`${id}: entry ${entry}, worker module ${module}`, () => {
      expect(isWorkerEntryRequest(id)).toBe(entry);
      expect(isWorkerModuleRequest(id)).toBe(module);
    });
  }

  it('hasQueryFlag reads flags after the first ?, and only whole ones', () => {
    expect(hasQueryFlag('/a.ts?x&y', 'y')).toBe(true);
    expect(hasQueryFlag('/a.ts?xy', 'y')).toBe(false);
    expect(hasQueryFlag('/a.ts', 'a.ts')).toBe(false);
  });

  it('withoutQuery drops the query and the hash', () => {
    expect(withoutQuery('/a.ts?sk-worker-module&v=1')).toBe('/a.ts');
    expect(withoutQuery('/a.ts#x')).toBe('/a.ts');
    expect(withoutQuery('C:\\app\\a.ts?v=1')).toBe('C:\\app\\a.ts');
  });
});

describe('the shared browser worker entry', () => {
  const entries: Array<[id: string, is: boolean]> = [
    ['/__suitkaise_worker__.js', true],
    ['/app/__suitkaise_worker__.js?sk-worker', true],
    ['C:\\app\\__suitkaise_worker__.js', true],
    ['../__suitkaise_worker__.js?sk-worker', true],
    ['/app/my__suitkaise_worker__.js', false],
    ['/app/__suitkaise_worker__.ts', false],
  ];
  for (const [id, is] of entries) it(`${id} ${is ? 'is' : 'is not'} the entry`, () => expect(isWorkerEntry(id)).toBe(is));

  const urls: Array<[relative: string, url: string]> = [
    ['counter.ts', './__suitkaise_worker__.js?sk-worker'],
    ['src/counter.ts', '../__suitkaise_worker__.js?sk-worker'],
    ['src/jobs/a.ts', '../../__suitkaise_worker__.js?sk-worker'],
  ];
  for (const [relative, url] of urls) it(`from ${relative}: ${url}`, () => expect(workerEntryUrl(relative)).toBe(url));

  const resolved: Array<[root: string, request: string, id: string]> = [
    ['/app', '/app/src/__suitkaise_worker__.js', '/app/__suitkaise_worker__.js?sk-worker'],
    ['/app', '/__suitkaise_worker__.js?sk-worker&worker_file&type=module', '/app/__suitkaise_worker__.js?sk-worker&worker_file&type=module'],
    ['/app', '/__suitkaise_worker__.js?worker_file', '/app/__suitkaise_worker__.js?sk-worker&worker_file'],
    ['C:\\app', 'C:\\app\\__suitkaise_worker__.js', 'C:/app/__suitkaise_worker__.js?sk-worker'],
  ];
  for (const [root, request, id] of resolved) {
    it(`${request} at ${root} resolves to ${id}`, () => {
      expect(resolvedWorkerEntry(root, request)).toBe(id);
      expect(isWorkerEntryRequest(id)).toBe(true);
    });
  }
});

describe('a module as a worker imports it', () => {
  it('for Vite, a query; for esbuild, a prefix the plugin filter matches, naming the file back', () => {
    expect(workerModuleUrl('/app/src/a.ts')).toBe('/app/src/a.ts?sk-worker-module');
    expect(isWorkerModuleRequest(workerModuleUrl('/app/src/a.ts'))).toBe(true);
    const specifier = workerModuleSpecifier('/app/src/a.ts');
    expect(WORKER_MODULE_FILTER.test(specifier)).toBe(true);
    expect(fileOfWorkerModuleSpecifier(specifier)).toBe('/app/src/a.ts');
    expect(isBundlerVirtual(specifier)).toBe(true);
  });

  const sources: Array<[file: string, worker: string]> = [
    ['/app/src/counter.ts', '/app/src/counter.sk-worker.ts'],
    ['/app/src/app.worker.mts', '/app/src/app.worker.sk-worker.mts'],
    ['/app/src/view.tsx', '/app/src/view.sk-worker.tsx'],
    ['/app/src.d/plain', '/app/src.d/plain.sk-worker'],
  ];
  for (const [file, worker] of sources) it(`suitkaise build compiles ${file}'s worker module as ${worker}`, () => expect(workerModuleSourceOf(file)).toBe(worker));
});

describe("the Node bundler's own module names", () => {
  const rows: Array<[specifier: string, virtual: boolean]> = [
    ['sk-runtime', true],
    ['sk-runtime-entry', true],
    ['sk-runtime-names:2', true],
    ['sk-worker-module:/app/a.ts', true],
    ['sk-runtime-extra', false],
    ['sk-runtimes', false],
    ['@suitkaise/core', false],
    ['sk-utils', false],
  ];
  for (const [specifier, virtual] of rows) it(`${specifier}: ${virtual}`, () => expect(isBundlerVirtual(specifier)).toBe(virtual));
});

describe('the browser worker agrees', () => {
  it('imports a module on the dev server with the query the Vite host serves worker modules under', async () => {
    // @suitkaise/browser cannot depend on the transform, so it writes the query itself: this holds the two together.
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../browser/src/worker.ts', import.meta.url), 'utf8');
    const { WORKER_MODULE_QUERY } = await import('../src/host/ids.ts');
    expect(source).toContain(`workerModule.search = '?${WORKER_MODULE_QUERY}';`);
  });
});
