/**
 * `BENCH_ONLY=frontend npm run bench` (issue #8): what a browser app pays.
 *   1. Install size of a browser-only app: `npm pack` of core and its adapters, installed with
 *      npm into a scratch project (the transform and its build tools are not needed in a page).
 *   2. Worker bytes in a `vite build` with two process classes in two modules: the shared worker
 *      entry (the runtime, once) and each module's own chunk.
 *   3. In Chromium, start → result of a one-run process (`new OneRun().run()`) against a raw module
 *      Web Worker's whole life (spawn, one message there and back, terminate), in a production build
 *      and on the Vite dev server. Goals: ≤ 1.3× raw in production, ≤ 3× on the dev server.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StartBenchApi, StartSide } from './browser-start/main.ts';
import { stats } from './stats.ts';

const benchDir = process.env.SUITKAISE_BENCH_DIR ?? dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);
const PASSES = Number(process.env.BENCH_START_PASSES ?? 30);
const WARMUP = 5;
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

function bytesUnder(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

function installSize(): void {
  const work = mkdtempSync(join(tmpdir(), 'suitkaise-bench-install-'));
  try {
    const tarballs = join(work, 'tarballs');
    const app = join(work, 'app');
    mkdirSync(tarballs);
    mkdirSync(app);
    const dependencies: Record<string, string> = {};
    for (const name of ['core', 'browser', 'node']) {
      const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', tarballs], { cwd: join(rootDir, 'packages', name), encoding: 'utf8' }).trim().split('\n').at(-1)!;
      dependencies[`@suitkaise/${name}`] = `file:${join(tarballs, file)}`;
    }
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'browser-app', private: true, type: 'module', dependencies }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, stdio: 'ignore' });
    const modules = join(app, 'node_modules');
    const packages = readdirSync(modules).flatMap((name) => (name.startsWith('@') ? readdirSync(join(modules, name)).map((inner) => `${name}/${inner}`) : name.startsWith('.') ? [] : [name]));
    const sized = packages.map((name) => [name, bytesUnder(join(modules, name))] as const).sort((a, b) => b[1] - a[1]);
    console.log(`\n1. install size of a browser-only app (@suitkaise/core and its adapters from npm pack tarballs): ${(bytesUnder(modules) / 2 ** 20).toFixed(1)} MB in ${packages.length} packages`);
    console.log(`   largest: ${sized.slice(0, 6).map(([name, bytes]) => `${name} ${kb(bytes)}`).join(', ')}`);
    console.log('   (before the package graph changed: about 33 MB, with esbuild and ts-morph)');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function workerBytes(outDir: string): void {
  const assets = join(outDir, 'assets');
  const files = readdirSync(assets).filter((name) => name.endsWith('.js'));
  const size = (pattern: RegExp) => files.filter((name) => pattern.test(name)).map((name) => [name, statSync(join(assets, name)).size] as const);
  const runtime = size(/__suitkaise_worker__/);
  const modules = [...size(/^processes-/), ...size(/^second-/)];
  console.log('\n2. worker bytes in a vite build with two process classes in two modules');
  for (const [name, bytes] of runtime) console.log(`   shared worker entry (the runtime, once): ${name} ${kb(bytes)}`);
  for (const [name, bytes] of modules) console.log(`   module chunk: ${name} ${kb(bytes)}`);
  console.log(`   worker entries: ${runtime.length} (one per app, not one per class)`);
}

export async function frontendBench(): Promise<void> {
  const began = performance.now();
  console.log(`\n── Frontend ── node ${process.version}`);
  installSize();
  const { build, createServer, preview } = await import('vite');
  const { chromium } = await import('playwright');
  const pageRoot = join(benchDir, 'browser-start');
  const cacheDir = join(rootDir, 'node_modules', '.cache', 'suitkaise');
  const common = { configFile: join(pageRoot, 'vite.config.ts'), root: pageRoot, cacheDir: join(cacheDir, 'vite-bench-start'), logLevel: 'warn' as const, clearScreen: false };
  const outDir = join(cacheDir, 'bench-browser-start-dist');
  await build({ ...common, build: { outDir, emptyOutDir: true, reportCompressedSize: false } });
  workerBytes(outDir);

  const closers: Array<() => Promise<void>> = [];
  const pages: Array<{ mode: string; goal: number; pass: (side: StartSide) => Promise<number>; late: () => Promise<number>; samples: Record<StartSide, number[]> }> = [];
  try {
    const browserApp = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
    closers.push(() => browserApp.close());
    const open = async (mode: string, url: string, goal: number) => {
      const context = await browserApp.newContext();
      const page = await context.newPage();
      await page.goto(url);
      type Api = Window & StartBenchApi;
      await page.waitForFunction(() => (window as unknown as Partial<Api>).__startReady === true, undefined, { timeout: 60_000 });
      const pass = (side: StartSide) => page.evaluate((s) => (window as unknown as Api).__startPass(s), side);
      const late = () => page.evaluate(() => (window as unknown as Api).__latePass());
      for (let i = 0; i < WARMUP; i += 1) { await pass('sk'); await pass('raw'); }
      pages.push({ mode, goal, pass, late, samples: { sk: [], raw: [] } });
    };
    const served = await preview({ ...common, build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
    closers.push(() => served.close());
    await open('production build (vite build + vite preview)', served.resolvedUrls!.local[0]!, 1.3);
    const dev = await createServer({ ...common, server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null } });
    closers.push(() => dev.close());
    await dev.listen();
    await open('Vite dev server', dev.resolvedUrls!.local[0]!, 3);
    for (const page of pages) {
      const late: number[] = [];
      for (let i = 0; i < 10; i += 1) late.push(await page.late());
      const { median, p90 } = stats(late);
      console.log(`   ${page.mode}: a 20 ms section timeout rejects result() ${median.toFixed(1)} ms after its deadline (p90 ${p90.toFixed(1)} ms; goal ≤ 30 ms: ${median <= 30 ? 'met' : 'not met'})`);
    }
    for (let round = 0; round < PASSES; round += 1) {
      for (const page of round % 2 ? [...pages].reverse() : pages) {
        const order: StartSide[] = round % 2 ? ['raw', 'sk'] : ['sk', 'raw'];
        for (const side of order) page.samples[side].push(await page.pass(side));
      }
    }
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
  console.log(`\n3. Chromium: start → result of a one-run process vs a raw module Web Worker's life; median of ${PASSES} interleaved passes per side`);
  console.log(`   ${'page'.padEnd(46)}${'suitkaise'.padStart(11)}${'raw'.padStart(10)}${'ratio'.padStart(8)}  goal`);
  for (const { mode, goal, samples } of pages) {
    const sk = stats(samples.sk).median;
    const raw = stats(samples.raw).median;
    const ratio = sk / raw;
    console.log(`   ${mode.padEnd(46)}${`${sk.toFixed(1)} ms`.padStart(11)}${`${raw.toFixed(1)} ms`.padStart(10)}${`${ratio.toFixed(2)}×`.padStart(8)}  ≤ ${goal}× ${ratio <= goal ? 'met' : 'not met'}`);
  }
  console.log(`Frontend part: ${((performance.now() - began) / 1000).toFixed(1)} s`);
}
