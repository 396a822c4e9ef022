// The packages as an npm user gets them: `npm pack` tarballs installed into a scratch project
// outside this repository (no workspace links, no source condition), used through the Vite plugin
// in headless Chromium. The dev server must not reload the page on first load (dependencies only
// generated code imports are declared for pre-bundling), and a production build must run
// processes and a Pool without the isolation headers, and a Share with them.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISOLATION, closeServer, launchChromium, openPage, outcome, serveStatic } from './helpers/pages.ts';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..', '..');
const PACKAGES = ['core', 'browser', 'node', 'transform'];
const FIXTURE = join(import.meta.dirname, 'fixtures', 'no-isolation-app');
const POOL_RESULT = '1,8,27|A!,B!|6,10';

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Bytes under `dir`, following no links. */
async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await sizeOf(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

describe('installed from npm pack tarballs into a project outside the repository', () => {
  let work: string;
  let tarballs: string;
  let app: string;
  let browser: Browser | undefined;
  const servers: Server[] = [];
  let dev: ChildProcess | undefined;

  beforeAll(async () => {
    for (const name of PACKAGES) {
      if (!existsSync(join(REPO, 'packages', name, 'dist', 'index.js'))) {
        throw new Error(`packages/${name}/dist is missing: run \`npm run build\` first (npm run test:all does)`);
      }
    }
    work = await mkdtemp(join(tmpdir(), 'suitkaise-installed-'));
    app = join(work, 'app');
    tarballs = join(work, 'tarballs');
    await mkdir(tarballs, { recursive: true });
    const dependencies: Record<string, string> = {};
    for (const name of PACKAGES) {
      const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', tarballs], { cwd: join(REPO, 'packages', name) });
      dependencies[`@suitkaise/${name}`] = `file:${join(tarballs, stdout.trim().split('\n').at(-1)!)}`;
    }
    const root = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    dependencies.vite = root.devDependencies.vite!;
    await cp(FIXTURE, app, { recursive: true });
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module', dependencies }, null, 2));
    await writeFile(join(app, 'vite.config.ts'), [
      "import { defineConfig } from 'vite';",
      "import suitkaise from '@suitkaise/transform/vite';",
      'export default defineConfig({ plugins: [suitkaise()] });',
      '',
    ].join('\n'));
    // From npm's cache where it can: `npm ci` of this repository has fetched the same versions.
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, timeout: 240_000 });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    dev?.kill();
    await Promise.all(servers.map(closeServer));
    if (work) await rm(work, { recursive: true, force: true });
  }, 30_000);

  it('vite dev: the first load does not reload the page; a process and a Pool run', async () => {
    const port = await freePort();
    dev = spawn(process.execPath, [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
      // No colours: with CI set, Vite colours its output, and the port in its URL line comes wrapped in escape codes.
      cwd: app, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let log = '';
    dev.stdout!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    dev.stderr!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        // eslint-disable-next-line no-control-regex
        if (log.replace(/\u001b\[[0-9;]*m/g, '').includes(`:${port}/`)) { clearInterval(check); resolve(); }
        if (dev!.exitCode !== null) { clearInterval(check); reject(new Error(`vite dev exited:\n${log}`)); }
      }, 50);
    });
    const { page, errors, navigations } = await openPage(browser!, `http://127.0.0.1:${port}/`);
    expect(await outcome(page, 'process'), `${errors.join('\n')}\n${log}`).toEqual({ state: 'done', value: '55' });
    expect(await outcome(page, 'pool'), `${errors.join('\n')}\n${log}`).toEqual({ state: 'done', value: POOL_RESULT });
    expect(log).not.toMatch(/optimized dependencies changed|reloading/);
    expect(navigations()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('vite build, served without the isolation headers: a process and a Pool run; with them, a Share works', async () => {
    await run(process.execPath, [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: app, timeout: 120_000 });
    const plain = await serveStatic(join(app, 'dist'), {});
    servers.push(plain.server);
    const opened = await openPage(browser!, plain.url);
    expect(await opened.page.evaluate(() => typeof SharedArrayBuffer)).toBe('undefined');
    expect(await outcome(opened.page, 'process'), opened.errors.join('\n')).toEqual({ state: 'done', value: '55' });
    expect(await outcome(opened.page, 'pool'), opened.errors.join('\n')).toEqual({ state: 'done', value: POOL_RESULT });
    await opened.page.click('#share');
    expect((await outcome(opened.page, 'share-result')).value).toContain('Cross-Origin-Embedder-Policy: require-corp');
    expect(opened.errors).toEqual([]);
    await opened.page.close();

    const isolated = await serveStatic(join(app, 'dist'), ISOLATION);
    servers.push(isolated.server);
    const second = await openPage(browser!, isolated.url);
    await second.page.click('#share');
    expect(await outcome(second.page, 'share-result'), second.errors.join('\n')).toEqual({ state: 'done', value: '5/5' });
    expect(await outcome(second.page, 'pool'), second.errors.join('\n')).toEqual({ state: 'done', value: POOL_RESULT });
    expect(second.errors).toEqual([]);
    await second.page.close();
  }, 120_000);

  it('a browser-only install (core and its adapters) brings no build tools, and says what to install for Node workers', async () => {
    const light = join(work, 'light');
    await mkdir(light);
    const dependencies = Object.fromEntries(['core', 'browser', 'node'].map((name) => {
      const file = readdirSync(tarballs).find((entry) => entry.startsWith(`suitkaise-${name}-`))!;
      return [`@suitkaise/${name}`, `file:${join(tarballs, file)}`];
    }));
    await writeFile(join(light, 'package.json'), JSON.stringify({ name: 'light-app', private: true, type: 'module', dependencies }, null, 2));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: light, timeout: 240_000 });
    const installed = await readdir(join(light, 'node_modules'));
    for (const heavy of ['esbuild', 'ts-morph', 'typescript', 'vite', '@esbuild', '@ts-morph']) expect(installed).not.toContain(heavy);
    expect(await readdir(join(light, 'node_modules', '@suitkaise'))).toEqual(['browser', 'core', 'node']);
    const megabytes = (await sizeOf(join(light, 'node_modules'))) / 2 ** 20;
    expect(megabytes, `node_modules is ${megabytes.toFixed(1)} MB`).toBeLessThan(8);
    // In Node, the first spawn needs the transform; the error says so.
    const script = [
      "import { Skprocess } from '@suitkaise/core';",
      "import { register } from '@suitkaise/core/internal';",
      'class Job extends Skprocess { __run__() {} }',
      "register(Job, { id: 'job.mjs#Job', moduleUrl: import.meta.url, exportName: 'Job' });",
      'const job = new Job();',
      "console.log(await job.run().then(() => 'ran', (error) => error.message));",
      "console.log('Reflect.getMetadata:', typeof Reflect.getMetadata);",
    ].join('\n');
    await writeFile(join(light, 'job.mjs'), script);
    const { stdout } = await run(process.execPath, ['job.mjs'], { cwd: light, timeout: 60_000 });
    expect(stdout).toContain('starting a worker in Node needs @suitkaise/transform');
    // reflect-metadata's global polyfill is not installed by importing core.
    expect(stdout).toContain('Reflect.getMetadata: undefined');
  }, 300_000);
});
