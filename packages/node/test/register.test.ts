/**
 * `node --import @suitkaise/node/register app.ts` end to end: a real `node` runs the apps in
 * fixtures/ (TypeScript, no bundler). Each must print its result and then exit on its own with
 * code 0: nothing in the fixtures calls process.exit, so an exit is the proof that no worker,
 * port or timer of the runtime keeps Node alive, whether the process finished, was killed,
 * timed out inside `while (true) {}` or failed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** How long a run may take before it counts as hanging (it is then killed). */
const HANG_MS = 30_000;
/** How long the 300 lifecycles may take (about 40 ms each on an idle machine). */
const LIFECYCLES_MS = 120_000;
/** How long after its last output a process may take to exit. */
const EXIT_AFTER_OUTPUT_MS = 5_000;

interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Killed at {@link HANG_MS}. */
  hung: boolean;
  /** ms from the last output to the exit. */
  exitLag: number;
  ms: number;
}

/** Run `node ...args` from the repository root, as a user's shell would. */
function node(args: string[], hangMs = HANG_MS, nodeOptions?: string): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let lastOutput = started;
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // whatever the test runner set must not reach the app
    if (nodeOptions !== undefined) env.NODE_OPTIONS = nodeOptions;
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); lastOutput = performance.now(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); lastOutput = performance.now(); });
    let hung = false;
    const timer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, hangMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const ended = performance.now();
      resolve({ code, stdout, stderr, hung, exitLag: Math.round(ended - lastOutput), ms: Math.round(ended - started) });
    });
  });
}

const registered = (file: string, ...args: string[]): Promise<NodeRun> =>
  node(['--import', '@suitkaise/node/register', fixture(file), ...args]);

const output = (run: NodeRun): string => `exit ${run.code} after ${run.ms} ms${run.hung ? ' (hung)' : ''}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

/** It printed `line` and exited by itself, promptly, with code 0. */
function expectCleanExit(run: NodeRun, line: string): void {
  const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  expect(run.hung, `did not exit within ${HANG_MS} ms: something keeps Node alive\n${context}`).toBe(false);
  expect(run.stdout.trim(), context).toBe(line);
  expect(run.code, context).toBe(0);
  expect(run.exitLag, `exited ${run.exitLag} ms after its output\n${context}`).toBeLessThan(EXIT_AFTER_OUTPUT_MS);
}

describe.concurrent('node --import @suitkaise/node/register', () => {
  it('runs a TypeScript app whose process finishes, then exits on its own', async () => {
    expectCleanExit(await registered('app.ts', 'counter'), 'resolved 10');
  }, HANG_MS * 2);

  it('exits on its own after kill()', async () => {
    expectCleanExit(await registered('app.ts', 'killed'), 'rejected ProcessError: the process was killed on run 0; kill() gives no result');
  }, HANG_MS * 2);

  it('exits on its own after a section timeout ends while (true) {}', async () => {
    expectCleanExit(await registered('app.ts', 'timeout'), 'rejected ProcessTimeoutError: __run__ timed out after 100 ms on run 0');
  }, HANG_MS * 2);

  it('exits on its own with a Pipe anchor and a Share left in the main thread', async () => {
    expectCleanExit(await registered('app.ts', 'pipe-share'), '42 21 21');
  });

  it('exits on its own after kill() of a process talking over a Pipe', async () => {
    expectCleanExit(await registered('app.ts', 'pipe-killed'), '42 ProcessError 21');
  });

  it('exits on its own after result() rejects', async () => {
    expectCleanExit(await registered('app.ts', 'rejected'), 'rejected RunError: __run__ failed on run 0: RangeError: no stock');
  }, HANG_MS * 2);

  it('exits on its own with an idle Pool left open (functions and a process class mapped)', async () => {
    expectCleanExit(await registered('pool-app.ts', 'idle'), '3,6,9 2,3');
  }, HANG_MS * 2);

  it('exits on its own after a Pool call timed out in while (true) {} and the pool was used again', async () => {
    expectCleanExit(await registered('pool-app.ts', 'timeout'), 'ResultTimeoutError 15');
  }, HANG_MS * 2);

  it('loads a module with a transform warning, printing it with file:line:column and SK101', async () => {
    const run = await registered('module-state.ts');
    expectCleanExit(run, 'parent 5 worker 1');
    expect(run.stderr).toContain(`${fixture('module-state.ts')}:19:12 SK101 warning: @sk() class "Limit" reads \`limit\``);
  }, HANG_MS * 2);

  it('starts workers without the hook (one thread each, no MessagePort left per worker), keeping the other Node options', async () => {
    // Options a worker refuses (V8 and process-wide ones: ERR_WORKER_INVALID_EXEC_ARGV) already hold for the whole process.
    const run = await node(['--max-old-space-size=1024', '--stack-trace-limit=30', '--conditions=suitkaise-test', '--import', '@suitkaise/node/register', fixture('app.ts'), 'worker-flags']);
    const [flags, threads] = run.stdout.trim().split(' ');
    // Source maps stay on in the worker: the hook turned them on in the parent.
    expect(JSON.parse(flags!), output(run)).toEqual(['--conditions=suitkaise-test', '--enable-source-maps']);
    if (process.platform === 'linux') expect(Number(threads), output(run)).toBe(1);
    expect(run.code, output(run)).toBe(0);
  }, HANG_MS * 2);

  it('starts workers without the hook when NODE_OPTIONS loads it (a worker reads NODE_OPTIONS whatever its execArgv)', async () => {
    const run = await node([fixture('app.ts'), 'worker-flags'], HANG_MS, '--import @suitkaise/node/register --conditions=suitkaise-test');
    const [flags, threads] = run.stdout.trim().split(' ');
    expect(JSON.parse(flags!), output(run)).toEqual(['--enable-source-maps']);
    if (process.platform === 'linux') expect(Number(threads), output(run)).toBe(1);
    expect(run.code, output(run)).toBe(0);
  }, HANG_MS * 2);

  it('holds as many MessagePorts after 300 process lifecycles in a row as before them', async () => {
    const run = await node(['--import', '@suitkaise/node/register', fixture('app.ts'), 'lifecycles', '300'], LIFECYCLES_MS);
    const counts = /MessagePorts (\d+) -> (\d+)/.exec(run.stdout);
    expect(counts, output(run)).not.toBeNull();
    const [before, after] = [Number(counts![1]), Number(counts![2])];
    expect(after - before, output(run)).toBeLessThan(10);
    expect(run.code, output(run)).toBe(0);
  }, LIFECYCLES_MS + 10_000);

  it('refuses a module with a misplaced @sk() class, naming file:line:column and SK002', async () => {
    const run = await registered('nested.ts');
    expect(run.hung).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toContain('loaded');
    expect(run.stderr).toContain(`${fixture('nested.ts')}:5:3 SK002 @sk() class "Inner" is declared inside function "makeProcess"`);
  }, HANG_MS * 2);
});
