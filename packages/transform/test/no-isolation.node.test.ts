// A page without cross-origin isolation has no SharedArrayBuffer global at all. @suitkaise/core must
// still import there and run processes; only `new Share()` fails, naming the two headers. The same
// build served with the headers gets a working Share; the dev server with
// `suitkaise({ crossOriginIsolation: false })` runs processes too.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { build, createServer, defaultClientConditions, type InlineConfig, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import suitkaise from '../src/vite.ts';

const root = join(import.meta.dirname, 'fixtures', 'no-isolation-app');
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
/** What the page's Pool shows: cubes (math.ts), words (words.ts), Summer process results (processes.ts). */
const POOL_RESULT = '1,8,27|A!,B!|6,10';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** Serves `dir` on 127.0.0.1 at a free port, with `headers` on every response. */
async function serveStatic(dir: string, headers: Record<string, string>): Promise<{ server: Server; url: string }> {
  const server = createHttpServer((request, response) => {
    void (async () => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
      const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
      if (!file.startsWith(dir + sep) || !(await stat(file).then((s) => s.isFile(), () => false))) {
        response.writeHead(404, headers).end();
        return;
      }
      response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(response);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Pages under test, with a promise that rejects at the page's first uncaught error (a failed import). */
const crashed = new WeakMap<Page, Promise<never>>();

/** What the fixture page reports in `#id`, once it has an outcome (or the page's first uncaught error). */
async function outcome(page: Page, id: string): Promise<{ state: string; value: string }> {
  const selector = `#${id}:is([data-state=done], [data-state=error])`;
  const settled = page.waitForSelector(selector, { state: 'attached', timeout: 20_000 });
  await Promise.race([settled, crashed.get(page)!]);
  const element = page.locator(`#${id}`);
  return { state: (await element.getAttribute('data-state'))!, value: (await element.getAttribute('data-value'))! };
}

describe('a page without cross-origin isolation (vite build, dev server, Chromium)', () => {
  let work: string | undefined;
  let dist: string;
  let browser: Browser | undefined;
  const servers: Server[] = [];
  let dev: ViteDevServer | undefined;

  const config = (isolation: boolean): InlineConfig => ({
    root,
    configFile: false,
    logLevel: 'silent',
    cacheDir: join(work!, 'vite-cache'),
    plugins: [suitkaise({ crossOriginIsolation: isolation })],
    // Inside this repository: the workspace packages resolve to their TypeScript sources.
    resolve: { conditions: ['@suitkaise/source', ...defaultClientConditions] },
  });

  /** A fresh page at `url`, and the errors it and its workers report. */
  async function open(url: string): Promise<{ page: Page; errors: string[] }> {
    const errors: string[] = [];
    const page = await browser!.newPage();
    crashed.set(page, new Promise<never>((_, reject) => page.once('pageerror', reject)));
    crashed.get(page)!.catch(() => {}); // observed through outcome()
    page.on('pageerror', (error) => errors.push(`${url}: ${error.message}`));
    page.on('console', (message) => { if (message.type() === 'error') errors.push(`${url}: console: ${message.text()}`); });
    page.on('worker', (worker) => worker.on('console', (message) => {
      if (message.type() === 'error') errors.push(`${url}: worker: ${message.text()}`);
    }));
    await page.goto(url);
    return { page, errors };
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'suitkaise-no-isolation-'));
    dist = join(work, 'dist');
    // The build does not depend on the plugin's header option (that is for dev and preview servers).
    const building = build({ ...config(true), build: { outDir: dist, emptyOutDir: true } });
    building.catch(() => {}); // awaited below, after the browser has started alongside
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
      ],
    });
    await building;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.close();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    if (work) await rm(work, { recursive: true, force: true });
  }, 30_000);

  it('built, served without the headers: core imports, a process and a Pool over three modules run, new Share() names both headers', async () => {
    const { server, url } = await serveStatic(dist, {});
    servers.push(server);
    const { page, errors } = await open(url);
    expect(await page.evaluate(() => [typeof SharedArrayBuffer, globalThis.crossOriginIsolated, typeof Atomics]))
      .toEqual(['undefined', false, 'object']);

    expect(await outcome(page, 'process'), JSON.stringify(errors)).toEqual({ state: 'done', value: '55' });
    expect(await outcome(page, 'pool'), JSON.stringify(errors)).toEqual({ state: 'done', value: POOL_RESULT });

    await page.click('#share');
    const share = await outcome(page, 'share-result');
    expect(share.state).toBe('error');
    expect(share.value).toContain('Cross-Origin-Opener-Policy: same-origin');
    expect(share.value).toContain('Cross-Origin-Embedder-Policy: require-corp');
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  it('the same build served with the headers: a process updates a Share', async () => {
    const { server, url } = await serveStatic(dist, ISOLATION);
    servers.push(server);
    const { page, errors } = await open(url);
    expect(await page.evaluate(() => [typeof SharedArrayBuffer, globalThis.crossOriginIsolated])).toEqual(['function', true]);

    expect(await outcome(page, 'process'), JSON.stringify(errors)).toEqual({ state: 'done', value: '55' });
    expect(await outcome(page, 'pool'), JSON.stringify(errors)).toEqual({ state: 'done', value: POOL_RESULT });
    await page.click('#share');
    expect(await outcome(page, 'share-result'), JSON.stringify(errors)).toEqual({ state: 'done', value: '5/5' });
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  it('dev server with suitkaise({ crossOriginIsolation: false }): a process and a Pool run without SharedArrayBuffer', async () => {
    dev = await createServer({ ...config(false), server: { host: '127.0.0.1', port: 0, strictPort: true } });
    await dev.listen();
    const { port } = dev.httpServer!.address() as AddressInfo;
    const { page, errors } = await open(`http://127.0.0.1:${port}/`);
    expect(await page.evaluate(() => [typeof SharedArrayBuffer, globalThis.crossOriginIsolated])).toEqual(['undefined', false]);

    expect(await outcome(page, 'process'), JSON.stringify(errors)).toEqual({ state: 'done', value: '55' });
    expect(await outcome(page, 'pool'), JSON.stringify(errors)).toEqual({ state: 'done', value: POOL_RESULT });
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);
});
