/**
 * `suitkaise build <tsconfig>`: the transform's `workerModuleSuffix` option and the source map
 * helpers as units, then the real command end to end on fixtures/cli-app (a plain-tsc project
 * with an @sk() process and a main module that runs it at top level), copied to a temporary
 * directory whose node_modules links to the repository's, as an installed project's would. Its
 * package.json says `"sideEffects": false`, which must not lose the worker module's
 * registrations when the Node adapter bundles it. Last, the command line it shares with `tsc -p`
 * (`--help`, `-p`/`--project`, `--watch`) and where its type errors come from: the project's own
 * tsc, or nowhere (said so) when the project has no typescript.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from '@jridgewell/sourcemap-codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transform } from '../src/index.ts';
import { ensurePackagesBuilt } from '../../node/test/helpers/installed.ts';
import { REPO, stubProject } from './helpers/projects.ts';

const BIN = fileURLToPath(new URL('../bin/suitkaise.mjs', import.meta.url));
const APP = fileURLToPath(new URL('./fixtures/cli-app/', import.meta.url));
const HANG_MS = 60_000;

const counterSource = [
  "import { sk, Skprocess } from '@suitkaise/core';",
  '@sk()',
  'export class Counter extends Skprocess<number> {',
  '  __run__() {}',
  '}',
  'export const square = sk((x: number) => x * x);',
].join('\n');

describe('transform option workerModuleSuffix', () => {
  it('gives every registration the URL of the sibling worker module', () => {
    const result = transform(counterSource, '/project/src/counter.ts', { root: '/project', browserWorkers: false, workerModuleSuffix: '.sk-worker.js' });
    expect(result.diagnostics).toEqual([]);
    const url = 'workerModuleUrl: new URL("./counter.sk-worker.js", import.meta.url).href';
    expect(result.code.split(url)).toHaveLength(3); // the class and the sk() function
    expect(result.code).toContain(`__sk_register(Counter, { id: "src/counter.ts#Counter", moduleUrl: import.meta.url, exportName: "Counter", ${url} });`);
  });

  it('replaces only the last extension', () => {
    const result = transform(counterSource, '/project/src/app.worker.mts', { root: '/project', workerModuleSuffix: '.sk-worker.mjs' });
    expect(result.code).toContain('new URL("./app.worker.sk-worker.mjs", import.meta.url).href');
  });

  it('is absent by default and ignored for the worker-module target', () => {
    expect(transform(counterSource, '/project/src/counter.ts', { root: '/project' }).code).not.toContain('workerModuleUrl');
    const worker = transform(counterSource, '/project/src/counter.ts', { root: '/project', target: 'worker-module', workerModuleSuffix: '.sk-worker.js' });
    expect(worker.code).not.toContain('workerModuleUrl');
  });

  it('must be a file name suffix', () => {
    for (const bad of ['sk-worker.js', './x.js', '.a/b.js', '', 3]) {
      expect(() => transform(counterSource, '/project/a.ts', { root: '/project', workerModuleSuffix: bad as string })).toThrow(
        /options\.workerModuleSuffix must be a file name suffix starting with '\.'/,
      );
    }
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  hung: boolean;
  ms: number;
}

function run(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    let hung = false;
    const timer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, HANG_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung, ms: Math.round(performance.now() - started) });
    });
  });
}

/** `suitkaise build` from the TypeScript sources under test (not a possibly stale dist/). */
const suitkaiseBuild = (cwd: string): Promise<Run> => run(['--conditions=@suitkaise/source', BIN, 'build', 'tsconfig.json'], cwd);

const output = (run: Run): string => `exit ${run.code} after ${run.ms} ms\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

/** A copy of the fixture app in a temporary directory, resolving packages from the repository. */
function copyApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'suitkaise-cli-'));
  cpSync(APP, dir, { recursive: true, filter: (source) => !/[\\/](?:dist|node_modules)$/.test(source) });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

describe('suitkaise build', () => {
  const dirs: string[] = [];
  let app = '';
  let built: Promise<Run>;
  let broken = '';
  let failed: Promise<Run>;

  beforeAll(() => {
    app = copyApp();
    broken = copyApp();
    dirs.push(app, broken);
    // A type error and a misplaced @sk() class, each in its own module. This project types
    // @suitkaise/core with a stub: type-checking the packages' TypeScript sources (as the app
    // above does, through the @suitkaise/source condition) costs seconds, and the transform
    // needs only the import, not the types.
    const tsconfig = JSON.parse(readFileSync(join(broken, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    delete tsconfig.compilerOptions.customConditions;
    tsconfig.compilerOptions.paths = { '@suitkaise/core': ['./core-stub.d.ts'] };
    writeFileSync(join(broken, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    writeFileSync(
      join(broken, 'core-stub.d.ts'),
      'export declare function sk(): (target: abstract new (...args: any[]) => unknown, context: ClassDecoratorContext) => void;\n' +
        'export declare abstract class Skprocess<R = unknown> { processConfig: { runs: number | null }; run(): Promise<R>; }\n',
    );
    writeFileSync(join(broken, 'src', 'broken.ts'), "export const count: number = 'three';\n");
    writeFileSync(
      join(broken, 'src', 'nested.ts'),
      [
        "import { sk, Skprocess } from '@suitkaise/core';",
        'export function make(): Skprocess<void> {',
        '  @sk()',
        '  class Inner extends Skprocess<void> { __run__(): void {} }',
        '  return new Inner();',
        '}',
        '',
      ].join('\n'),
    );
    // Start both builds at once: the first type-checks the packages' sources, which takes a while.
    built = suitkaiseBuild(app);
    failed = suitkaiseBuild(broken);
  });

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('emits the JavaScript, declarations, source maps and a sibling .sk-worker.js', async () => {
    const result = await built;
    expect(result.code, output(result)).toBe(0);
    expect(result.stdout).toContain('1 module transformed, 1 worker module');
    const dist = join(app, 'dist');
    expect(readdirSync(dist).sort()).toEqual([
      'counter.d.ts', 'counter.js', 'counter.js.map', 'counter.sk-worker.js', 'counter.sk-worker.js.map', 'main.d.ts', 'main.js', 'main.js.map',
    ]);
    const counter = readFileSync(join(dist, 'counter.js'), 'utf8');
    expect(counter).not.toContain('@sk');
    expect(counter).toContain(
      '__sk_register(Counter, { id: "src/counter.ts#Counter", moduleUrl: import.meta.url, exportName: "Counter", ' +
        'workerModuleUrl: new URL("./counter.sk-worker.js", import.meta.url).href });',
    );
    const worker = readFileSync(join(dist, 'counter.sk-worker.js'), 'utf8');
    expect(worker).toContain('__sk_register(Counter, { id: "src/counter.ts#Counter"');
    expect(worker).not.toContain('workerModuleUrl');
    expect(worker).not.toContain("console.log('counter module loaded')"); // pruned: top-level side effect
    expect(readFileSync(join(dist, 'main.js'), 'utf8')).toContain("import { Counter } from './counter.js';");

    // The maps lead to the user's file, past the lines the transform added and removed.
    const source = readFileSync(join(app, 'src', 'counter.ts'), 'utf8').split('\n');
    for (const [file, map] of [['counter.js', 'counter.js.map'], ['counter.sk-worker.js', 'counter.sk-worker.js.map']] as const) {
      const json = JSON.parse(readFileSync(join(dist, map), 'utf8')) as { sources: string[]; mappings: string };
      expect(json.sources).toEqual(['../src/counter.ts']);
      const lines = readFileSync(join(dist, file), 'utf8').split('\n');
      const generated = lines.findIndex((line) => line.startsWith('export class Counter'));
      const segment = decode(json.mappings)[generated]?.[0];
      expect(source[segment![2]!], file).toMatch(/^export class Counter/);
      const increment = lines.findIndex((line) => line.includes('this.count += 1'));
      expect(source[decode(json.mappings)[increment]![0]![2]!], file).toContain('this.count += 1');
    }
  }, HANG_MS * 2);

  it('the emitted app runs from its JavaScript alone and exits on its own', async () => {
    expect((await built).code).toBe(0);
    // No TypeScript of the app is left: the worker must come from dist/counter.sk-worker.js.
    rmSync(join(app, 'src'), { recursive: true });
    // --import @suitkaise/node/register only so that the workspace packages' own TypeScript
    // sources load (their dist/ may not be built); it compiles no file of the app, which is
    // all .js. The next test runs the same app under plain node when dist/ is built.
    const result = await run(['--import', '@suitkaise/node/register', join('dist', 'main.js')], app);
    expect(result.hung, output(result)).toBe(false);
    expect(result.stdout, output(result)).toBe('counter module loaded\nresult 5\n');
    expect(result.code, output(result)).toBe(0);
  }, HANG_MS * 2);

  it('the emitted app runs under plain node against the built packages', async () => {
    ensurePackagesBuilt();
    expect((await built).code).toBe(0);
    const result = await run([join('dist', 'main.js')], app);
    expect(result.hung, output(result)).toBe(false);
    expect(result.stdout, output(result)).toBe('counter module loaded\nresult 5\n');
    expect(result.code, output(result)).toBe(0);
  }, HANG_MS * 2);

  it('exits 1 with the TypeScript message and the transform diagnostic', async () => {
    const result = await failed;
    expect(result.hung, output(result)).toBe(false);
    expect(result.code, output(result)).toBe(1);
    expect(result.stderr).toContain("src/broken.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(result.stderr).toContain('src/nested.ts:3:3 SK002 @sk() class "Inner" is declared inside function "make"');
    expect(result.stderr).toContain('Found 2 errors.');
  }, HANG_MS * 2);
});

const poller = (value: number) => [
  "import { sk, Skprocess } from '@suitkaise/core';",
  '@sk()',
  'export class Poller extends Skprocess<number> {',
  `  __run__() { return ${value}; }`,
  '}',
  '',
].join('\n');

/** `suitkaise <args>` from the sources under test, in `cwd`. */
const suitkaise = (args: string[], cwd: string): Promise<Run> => run(['--conditions=@suitkaise/source', BIN, ...args], cwd);

describe('suitkaise build: the command line of tsc -p', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const project = (files: Record<string, string>, options?: { linked?: boolean }) => {
    const dir = stubProject(files, options);
    dirs.push(dir);
    return dir;
  };

  it('--help prints the usage and exits 0, with or without the command', async () => {
    for (const args of [['--help'], ['build', '--help'], ['build', '-h']]) {
      const result = await suitkaise(args, tmpdir());
      expect(result.code, output(result)).toBe(0);
      expect(result.stdout).toContain('Usage: suitkaise build [-p <tsconfig>] [--watch]');
      expect(result.stdout).toMatch(/-p, --project <tsconfig>[\s\S]*-w, --watch/);
    }
  }, HANG_MS);

  it('an unknown option is a usage error (exit 2)', async () => {
    const result = await suitkaise(['build', '--frobnicate'], tmpdir());
    expect(result.code, output(result)).toBe(2);
    expect(result.stderr).toContain('suitkaise: unknown option: --frobnicate');
  }, HANG_MS);

  it('-p and --project name the tsconfig (a file or its directory), as for tsc', async () => {
    const dir = project({ 'src/state.ts': poller(1) });
    for (const args of [['build', '-p', dir], ['build', '--project', join(dir, 'tsconfig.json')], ['build', `--project=${dir}`], ['-p', dir]]) {
      rmSync(join(dir, 'dist'), { recursive: true, force: true });
      const result = await suitkaise(args, tmpdir());
      expect(result.code, output(result)).toBe(0);
      expect(result.stdout, output(result)).toContain('1 module transformed, 1 worker module');
      expect(readFileSync(join(dir, 'dist', 'state.js'), 'utf8')).toContain('__sk_register(Poller');
      expect(existsSync(join(dir, 'dist', 'state.sk-worker.js'))).toBe(true);
    }
  }, HANG_MS * 2);

  it("type errors come from the project's own tsc, run with -p <tsconfig>", async () => {
    const dir = project({ 'src/state.ts': poller(1) }, { linked: false });
    // The project's typescript: a tsc that records how it was run and reports one error.
    const bin = join(dir, 'node_modules', 'typescript', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'typescript', 'package.json'), JSON.stringify({ name: 'typescript', version: '0.0.0', type: 'commonjs', bin: { tsc: 'bin/tsc' } }));
    writeFileSync(join(bin, 'tsc'), [
      "require('node:fs').writeFileSync(require('node:path').join(__dirname, 'args.json'), JSON.stringify(process.argv.slice(2)));",
      "console.log(\"src/state.ts(4,3): error TS9999: reported by the project's own tsc\");",
      'process.exitCode = 2;',
      '',
    ].join('\n'));
    const result = await suitkaise(['build', '-p', 'tsconfig.json'], dir);
    expect(result.code, output(result)).toBe(1);
    expect(result.stderr).toContain("src/state.ts(4,3): error TS9999: reported by the project's own tsc");
    expect(result.stderr).toContain('Found 1 error.');
    const args = JSON.parse(readFileSync(join(bin, 'args.json'), 'utf8')) as string[];
    expect(args.slice(0, 2)).toEqual(['-p', join(dir, 'tsconfig.json')]);
  }, HANG_MS);

  it('without typescript in the project, it emits and says that type-checking is left to tsc --noEmit', async () => {
    const dir = project({ 'src/state.ts': poller(1) }, { linked: false });
    const result = await suitkaise(['build', '-p', 'tsconfig.json'], dir);
    expect(result.code, output(result)).toBe(0);
    expect(result.stdout).toContain('not type-checked: typescript is not installed for this project (type-checking is left to `tsc --noEmit`)');
    expect(readFileSync(join(dir, 'dist', 'state.js'), 'utf8')).toContain('__sk_register(Poller');
    expect(existsSync(join(dir, 'dist', 'state.sk-worker.js'))).toBe(true);
  }, HANG_MS);

  it('--watch builds, then builds again when a source file changes', async () => {
    const dir = project({ 'src/state.ts': poller(1) });
    const child = spawn(process.execPath, ['--conditions=@suitkaise/source', BIN, 'build', '--watch', '-p', 'tsconfig.json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const until = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + HANG_MS;
      while (!done()) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${what}: not seen (exit ${child.exitCode})\nstdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const watching = () => stdout.split('Watching for file changes.').length - 1;
    const emitted = (file: string, text: string) => () => existsSync(join(dir, 'dist', file)) && readFileSync(join(dir, 'dist', file), 'utf8').includes(text);
    try {
      await until('the first build', () => watching() === 1);
      expect(stdout).toContain('1 module transformed, 1 worker module');
      expect(readFileSync(join(dir, 'dist', 'state.js'), 'utf8')).toContain('return 1;');
      writeFileSync(join(dir, 'src', 'state.ts'), poller(2));
      await until('the rebuilt module', emitted('state.js', 'return 2;'));
      await until('the rebuilt worker module', emitted('state.sk-worker.js', 'return 2;'));
      await until('the second build', () => watching() === 2);
      expect(stderr).toBe('');
    } finally {
      child.kill();
    }
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('close', resolve)));
  }, HANG_MS * 2);
});
