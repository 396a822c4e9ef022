// The playground used as a person would, panel by panel, in headless Chromium: first on its Vite
// dev server (what `npm run playground` starts; cross-origin isolated by the suitkaise plugin),
// then as a `vite build` on a static server that sends no isolation headers, where the Share panel
// must say which headers are missing and the other panels must still work. No timing is asserted:
// the page shows its times, the test only checks what the page says it computed.
// A screenshot of every panel goes to test-results/playground/ (git-ignored): look at them.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright';
import { build, createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, launchChromium, openPage, serveStatic, type OpenedPage } from './helpers/pages.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const playgroundDir = join(repoRoot, 'playground');
const configFile = join(playgroundDir, 'vite.config.ts');
const shotsDir = join(repoRoot, 'test-results', 'playground');

const VIEWPORT = { width: 1100, height: 900 };

/** Waits until the result line `testid` has one of `states`, then returns its state and value. */
async function settled(page: Page, testid: string, states: string[], timeout = 30_000): Promise<{ state: string; value: string | null; text: string }> {
  const selector = `[data-testid=${testid}]:is(${states.map((s) => `[data-state=${s}]`).join(', ')})`;
  await page.waitForSelector(selector, { state: 'attached', timeout });
  const element = page.locator(`[data-testid=${testid}]`);
  return { state: (await element.getAttribute('data-state'))!, value: await element.getAttribute('data-value'), text: (await element.textContent())! };
}

async function openTab(page: Page, panel: string): Promise<void> {
  await page.click(`[data-testid=tab-${panel}]`);
  await page.waitForSelector(`#panel-${panel}:not([hidden])`);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
}

/** A number as the page prints it (en-US grouping). */
const printed = (n: number) => n.toLocaleString('en-US');

/** The value the producer sends for `n`, as src/pipeline.ts computes it. */
const produced = (n: number) => ((n * n) % 1009) + n;

describe('playground on the Vite dev server (cross-origin isolated), in Chromium', () => {
  let work: string;
  let dev: ViteDevServer | undefined;
  let browser: Browser | undefined;
  let opened: OpenedPage;
  let page: Page;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'suitkaise-playground-e2e-'));
    await mkdir(shotsDir, { recursive: true });
    dev = await createServer({
      root: playgroundDir,
      configFile,
      cacheDir: join(work, 'vite-cache'), // not the cache of a dev server someone may be running
      // No file watching: an edit elsewhere in the checkout (packages/*/src) must not reload the page mid-test.
      server: { host: '127.0.0.1', port: 0, strictPort: true, watch: null, hmr: false },
      logLevel: 'silent',
    });
    await dev.listen();
    const { port } = dev.httpServer!.address() as AddressInfo;
    browser = await launchChromium();
    opened = await openPage(browser, `http://127.0.0.1:${port}/`);
    page = opened.page;
    await page.setViewportSize(VIEWPORT);
    await page.waitForSelector('#panel-render:not([hidden])');
    // Gone if the page reloads (as a dev server does when it finds a dependency late).
    await page.evaluate(() => { (window as unknown as { e2eMarker: boolean }).e2eMarker = true; });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.close();
    if (work) await rm(work, { recursive: true, force: true });
  }, 30_000);

  it('opens on the render panel, cross-origin isolated, counting frames', async () => {
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    expect(await page.textContent('[data-testid=isolated]')).toBe('yes');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=frames]')!.textContent!.replace(/,/g, '')) > 5);
  });

  it('render: the pool paints every tile, Cancel stops a render, the main thread draws the same image', async () => {
    await page.selectOption('[data-testid=render-iterations]', '1000');
    await page.click('[data-testid=render-pool]');
    const pooled = await settled(page, 'render-status', ['done', 'error', 'stopped'], 60_000);
    expect(pooled.state, pooled.text + JSON.stringify(opened.errors)).toBe('done');
    expect(pooled.text).toContain('192 tiles');
    expect(await page.getAttribute('[data-testid=render-progress]', 'aria-valuenow')).toBe('100');
    expect(await page.textContent('[data-testid=render-progress-label]')).toBe('192 / 192 tiles');
    expect(await page.textContent('[data-testid=render-pool-time]')).toMatch(/^[\d,.]+ ms$/);
    // Something was painted: the centre of the set is dark, its surroundings are coloured.
    const colours = await page.evaluate(() => {
      const context = (document.querySelector('[data-testid=render-canvas]') as HTMLCanvasElement).getContext('2d')!;
      const at = (x: number, y: number) => [...context.getImageData(x, y, 1, 1).data];
      return { inside: at(450, 300), outside: at(20, 20) };
    });
    expect(colours.inside).toEqual([12, 10, 30, 255]);
    expect(colours.outside).not.toEqual([12, 10, 30, 255]);
    await screenshot(page, 'render-pool');

    // A slow render, cancelled once some tiles are in.
    await page.selectOption('[data-testid=render-iterations]', '6000');
    await page.click('[data-testid=render-pool]');
    await page.waitForFunction(() => {
      const label = document.querySelector('[data-testid=render-progress-label]')!.textContent!;
      return /^(\d+) \//.test(label) && Number(/^(\d+)/.exec(label)![1]) >= 4;
    }, undefined, { timeout: 60_000 });
    expect(await page.isEnabled('[data-testid=render-cancel]')).toBe(true);
    await page.click('[data-testid=render-cancel]');
    const cancelled = await settled(page, 'render-status', ['done', 'error', 'stopped'], 30_000);
    expect(cancelled.state, cancelled.text).toBe('stopped');
    expect(cancelled.text).toMatch(/^Cancelled after \d+ of 192 tiles/);
    expect(Number(cancelled.value)).toBeLessThan(192);
    await screenshot(page, 'render-cancelled');

    // The same 1,000-iteration image on the main thread: the same iterations, both times shown.
    await page.selectOption('[data-testid=render-iterations]', '1000');
    await page.click('[data-testid=render-main]');
    await page.waitForSelector('[data-testid=render-status][data-state=done]:has-text("main thread")', { timeout: 60_000 });
    const main = await settled(page, 'render-status', ['done']);
    expect(main.value).toBe(pooled.value);
    expect(await page.textContent('[data-testid=render-main-time]')).toMatch(/^[\d,.]+ ms$/);
    expect(await page.textContent('[data-testid=render-speedup]')).toMatch(/^× \d+\.\d\d$/);
    await screenshot(page, 'render-main-thread');
    expect(opened.errors).toEqual([]);
  }, 120_000);

  it('process: start, live currentRun, tell/listen both ways, stop, timers chart; a hung run retried then timed out; kill', async () => {
    await openTab(page, 'process');
    await page.fill('[data-testid=proc-timeout]', '800');
    await page.fill('[data-testid=proc-lives]', '2');
    await page.click('[data-testid=proc-start]');
    await settled(page, 'proc-status', ['running']);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=proc-run]')!.textContent!.replace(/,/g, '')) >= 3, undefined, { timeout: 30_000 });
    expect(await page.textContent('[data-testid=proc-alive]')).toBe('yes');
    await page.fill('[data-testid=proc-message]', 'hello, worker');
    await page.click('[data-testid=proc-send]');
    const reply = page.locator('[data-testid=proc-log] li[data-direction=in]', { hasText: 'REKROW ,OLLEH' });
    await reply.waitFor({ timeout: 15_000 });
    await page.click('[data-testid=proc-stop]');
    const stopped = await settled(page, 'proc-status', ['done', 'error', 'stopped']);
    expect(stopped.state, stopped.text).toBe('done');
    expect(Number(stopped.value)).toBeGreaterThanOrEqual(3);
    expect(stopped.text).toContain('result() resolved');
    expect(await page.getAttribute('[data-testid=proc-chart]', 'data-state')).toBe('drawn');
    expect(Number(await page.getAttribute('[data-testid=proc-chart]', 'data-bars'))).toBeGreaterThanOrEqual(3);
    expect(await page.textContent('[data-testid=proc-stats]')).toContain('timers.fullRun');
    expect(await page.textContent('[data-testid=proc-workers]')).toBe('1');
    await screenshot(page, 'process-stopped');

    // Hang once: the timeout ends the worker, a life is spent, the run is retried in a new worker.
    await page.click('[data-testid=proc-start]');
    await page.locator('[data-testid=proc-log] li', { hasText: 'a worker started' }).waitFor({ timeout: 15_000 });
    await page.click('[data-testid=proc-hang]');
    await page.locator('[data-testid=proc-log] li', { hasText: 'a new worker took over' }).waitFor({ timeout: 20_000 });
    expect(await page.textContent('[data-testid=proc-spent]')).toBe('1');
    // Hang again: no life left, so the process ends with a ProcessTimeoutError.
    await page.click('[data-testid=proc-hang]');
    const timedOut = await settled(page, 'proc-status', ['done', 'error', 'stopped'], 20_000);
    expect(timedOut.value, timedOut.text).toBe('timeout');
    expect(timedOut.text).toContain('ProcessTimeoutError');
    expect(timedOut.text).toContain('section run, timeout 800 ms');
    await screenshot(page, 'process-timeout');

    // Kill: no result.
    await page.click('[data-testid=proc-start]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=proc-run]')!.textContent!.replace(/,/g, '')) >= 1, undefined, { timeout: 30_000 });
    await page.click('[data-testid=proc-kill]');
    const killed = await settled(page, 'proc-status', ['done', 'error', 'stopped']);
    expect(killed.value, killed.text).toBe('killed');
    expect(await page.textContent('[data-testid=proc-alive]')).toBe('no');
    expect(opened.errors).toEqual([]);
  }, 90_000);

  it('share: four processes count to exactly 4 × 100 in one Share while the page watches', async () => {
    await openTab(page, 'share');
    expect(await page.isHidden('[data-testid=share-notice]')).toBe(true);
    await page.fill('[data-testid=share-runs]', '100');
    await page.click('[data-testid=share-start]');
    const result = await settled(page, 'share-result', ['done', 'error'], 60_000);
    expect(result.state, result.text).toBe('done');
    expect(result.value).toBe('400/400');
    expect(await page.textContent('[data-testid=share-counter]')).toBe('400');
    expect(await page.textContent('[data-testid=share-expected]')).toBe('400');
    expect(await page.textContent('[data-testid=share-finished]')).toBe('4');
    expect(await page.locator('[data-testid=share-by-worker] dd').allTextContents()).toEqual(['100', '100', '100', '100']);
    expect(result.text).toContain('share.byWorker sums to 400');
    expect(await page.textContent('[data-testid=share-log-length]')).toBe('40'); // every tenth run of each
    expect(await page.locator('[data-testid=share-log] li').count()).toBe(28); // the newest 28 are listed
    await screenshot(page, 'share');
    expect(opened.errors).toEqual([]);
  }, 60_000);

  it('pipe: producer → transformer → page, every number checked', async () => {
    await openTab(page, 'pipe');
    await page.click('[data-testid=pipe-start]');
    const result = await settled(page, 'pipe-result', ['done', 'error'], 60_000);
    expect(result.state, result.text).toBe('done');
    expect(result.value).toBe('40/40');
    expect(result.text).toContain('all checked');
    expect(await page.textContent('[data-testid=pipe-received]')).toBe('received 40');
    const first = await page.locator('[data-testid=pipe-table] tbody tr').first().locator('td').allTextContents();
    expect(first.slice(0, 3)).toEqual([printed(39), printed(produced(39)), printed(produced(39) ** 2)]);
    await screenshot(page, 'pipe');
    expect(opened.errors).toEqual([]);
  }, 60_000);

  it('bench: Pool against raw Web Workers, with a ratio', async () => {
    await openTab(page, 'bench');
    await page.click('[data-testid=bench-run]');
    const result = await settled(page, 'bench-result', ['done', 'error'], 90_000);
    expect(result.state, result.text).toBe('done');
    expect(Number(result.value)).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=bench-table] tbody tr').count()).toBe(2);
    expect(await page.textContent('[data-testid=bench-ratio]')).toMatch(/^\d+\.\d\d$/);
    await screenshot(page, 'bench');
    expect(opened.errors).toEqual([]);
  }, 90_000);

  it('primes: one process counts the primes below 2,000,000', async () => {
    await openTab(page, 'primes');
    await page.fill('[data-testid=n]', '2000000');
    await page.click('[data-testid=run-worker]');
    const result = await page.waitForSelector('[data-testid=result]:is([data-state=done], [data-state=error])', { timeout: 30_000 });
    expect(await result.getAttribute('data-count')).toBe('148933');
    await screenshot(page, 'primes');
    expect(opened.errors).toEqual([]);
    // The dev server never reloaded the page (tab clicks are same-document navigations).
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: boolean }).e2eMarker)).toBe(true);
  }, 60_000);
});

describe('playground built and served without cross-origin isolation headers, in Chromium', () => {
  let work: string;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let opened: OpenedPage;
  let page: Page;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'suitkaise-playground-static-'));
    await mkdir(shotsDir, { recursive: true });
    const dist = join(work, 'dist');
    const launching = launchChromium();
    launching.catch(() => {}); // awaited below
    await build({ root: playgroundDir, configFile, cacheDir: join(work, 'vite-cache'), build: { outDir: dist, emptyOutDir: true }, logLevel: 'silent' });
    browser = await launching;
    let url: string;
    ({ server, url } = await serveStatic(dist, {})); // a static host that sends no headers
    opened = await openPage(browser, url);
    page = opened.page;
    await page.setViewportSize(VIEWPORT);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server);
    if (work) await rm(work, { recursive: true, force: true });
  }, 30_000);

  it('the Share panel names the missing headers', async () => {
    expect(await page.evaluate(() => [typeof SharedArrayBuffer, globalThis.crossOriginIsolated])).toEqual(['undefined', false]);
    expect(await page.textContent('[data-testid=isolated]')).toBe('no');
    await openTab(page, 'share');
    const notice = page.locator('[data-testid=share-notice]');
    await notice.waitFor({ state: 'visible' });
    await page.waitForSelector('[data-testid=share-notice][data-missing]', { state: 'attached' });
    await page.click('[data-testid=share-start]');
    const result = await settled(page, 'share-result', ['done', 'error']);
    expect(result.state).toBe('error');
    expect(result.value!.split('\n')).toEqual(['Cross-Origin-Opener-Policy: same-origin', 'Cross-Origin-Embedder-Policy: require-corp']);
    const text = (await notice.textContent())!;
    expect(text).toContain('new Share() threw');
    expect(text).toContain('Cross-Origin-Opener-Policy: same-origin');
    expect(text).toContain('Cross-Origin-Embedder-Policy: require-corp');
    await screenshot(page, 'no-isolation-share');
    expect(opened.errors).toEqual([]);
  }, 30_000);

  it('the other panels work: a pool render, a process with messages, the pipeline, the bench', async () => {
    await openTab(page, 'render');
    await page.selectOption('[data-testid=render-iterations]', '1000');
    await page.click('[data-testid=render-pool]');
    const render = await settled(page, 'render-status', ['done', 'error', 'stopped'], 60_000);
    expect(render.state, render.text).toBe('done');
    expect(render.text).toContain('192 tiles');
    await screenshot(page, 'no-isolation-render');

    await openTab(page, 'process');
    await page.click('[data-testid=proc-start]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=proc-run]')!.textContent!.replace(/,/g, '')) >= 2, undefined, { timeout: 30_000 });
    await page.click('[data-testid=proc-send]');
    await page.locator('[data-testid=proc-log] li[data-direction=in]', { hasText: 'REKROW ,OLLEH' }).waitFor({ timeout: 15_000 });
    await page.click('[data-testid=proc-stop]');
    const process = await settled(page, 'proc-status', ['done', 'error', 'stopped']);
    expect(process.state, process.text).toBe('done');
    expect(await page.getAttribute('[data-testid=proc-chart]', 'data-state')).toBe('drawn');
    await screenshot(page, 'no-isolation-process');

    await openTab(page, 'pipe');
    await page.fill('[data-testid=pipe-delay]', '5');
    await page.click('[data-testid=pipe-start]');
    const pipe = await settled(page, 'pipe-result', ['done', 'error'], 60_000);
    expect(pipe.value, pipe.text).toBe('40/40');

    await openTab(page, 'bench');
    await page.fill('[data-testid=bench-passes]', '2');
    await page.click('[data-testid=bench-run]');
    const bench = await settled(page, 'bench-result', ['done', 'error'], 90_000);
    expect(bench.state, bench.text).toBe('done');
    expect(opened.errors).toEqual([]);
  }, 120_000);
});
