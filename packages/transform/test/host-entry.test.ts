/**
 * The worker entries the hosts generate (src/host/entry.ts), run: each is bundled by esbuild with
 * the modules it imports replaced by stand-ins that log what happens, then imported.
 */
import { build, type Plugin } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { browserWorkerEntry, nodeWorkerEntry, workerModulesTable } from '../src/host/entry.ts';
import { WORKER_MODULES_ID, workerModuleUrl } from '../src/host/ids.ts';

/** What the stand-ins log, in order, in this thread. */
const log = (): string[] => ((globalThis as { __entryLog?: string[] }).__entryLog ??= []);
afterEach(() => { log().length = 0; });

/** A stand-in module whose text is `code`, which may log with `__log(...)`. */
const standIn = (code: string) => `const __log = (...a) => globalThis.__entryLog.push(a.map((x) => typeof x === 'function' ? x.name : typeof x === 'string' ? x : JSON.stringify(x)).join(' '));\n${code}`;

/** Bundles `entry` with `modules` (specifier → stand-in text) and imports it. */
async function run(entry: string, modules: Record<string, string>): Promise<void> {
  log(); // the stand-ins log into it
  const standIns: Plugin = {
    name: 'stand-ins',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => (args.path in modules ? { path: args.path, namespace: 'stand-in' } : { errors: [{ text: `unexpected import ${args.path}` }] }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({ contents: standIn(modules[args.path]!), loader: 'js' }));
    },
  };
  const built = await build({ stdin: { contents: entry, loader: 'js' }, bundle: true, write: false, format: 'esm', logLevel: 'silent', plugins: [standIns] });
  await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0]!.text).toString('base64')}`);
}

describe('the Node worker entry', () => {
  const file = '/app/src/counter.ts';
  const modules = {
    [`sk-worker-module:${file}`]: "__log('module');",
    '@suitkaise/node/worker': "export function serve(...args) { __log('serve', ...args); }",
    'sk-runtime': "export function saveRuntimeCache() {}\n__log('runtime');",
  };

  it('with the runtime: loads the runtime, then the module, then serves with the runtime cache saver', async () => {
    await run(nodeWorkerEntry(file, { runtime: true }), modules);
    expect(log()).toEqual(['runtime', 'module', 'serve saveRuntimeCache']);
  });

  it('without: loads the module, then serves with nothing', async () => {
    await run(nodeWorkerEntry(file, { runtime: false }), modules);
    expect(log()).toEqual(['module', 'serve']);
  });
});

describe('the browser worker entry and its table', () => {
  const serve = "export function serve(modules, devServer) { __log('serve', Object.keys(modules), devServer); globalThis.__entryModules = modules; }";

  it('in a build: serves a table with a lazy import() of each module as a worker imports it', async () => {
    const table = workerModulesTable(new Map([['src/a.ts', '/app/src/a.ts'], ['lib/b.ts', '/lib/b.ts']]));
    await run(browserWorkerEntry(), {
      '@suitkaise/browser/worker': serve,
      [WORKER_MODULES_ID]: table,
      [workerModuleUrl('/app/src/a.ts')]: "__log('a loaded');",
      [workerModuleUrl('/lib/b.ts')]: "__log('b loaded');",
    });
    expect(log()).toEqual(['serve ["src/a.ts","lib/b.ts"] false']);
    await (globalThis as { __entryModules?: Record<string, () => Promise<unknown>> }).__entryModules!['lib/b.ts']!();
    expect(log()).toEqual(['serve ["src/a.ts","lib/b.ts"] false', 'b loaded']);
  });

  it('on a dev server: an empty table, and says so', async () => {
    await run(browserWorkerEntry(), { '@suitkaise/browser/worker': serve, [WORKER_MODULES_ID]: workerModulesTable(null) });
    expect(log()).toEqual(['serve [] true']);
  });
});
