// The playground end to end: a production `vite build` through the suitkaise plugin (so its
// worker.plugins path), served by `vite preview`, driven in Chromium.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/pages.ts';

const playgroundDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../playground');
const configFile = join(playgroundDir, 'vite.config.ts');

/** Small enough to be quick, large enough for several chunks per run. */
const N = 2_000_000;

/** The number of primes below `n`, by the plainest sieve there is. */
function primesBelow(n: number): number {
  const composite = new Uint8Array(n);
  let count = 0;
  for (let i = 2; i < n; i += 1) {
    if (composite[i]) continue;
    count += 1;
    for (let j = i * i; j < n; j += i) composite[j] = 1;
  }
  return count;
}

describe('playground (vite build + preview + Chromium)', () => {
  let outDir: string | undefined;
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'suitkaise-playground-'));
    await build({ root: playgroundDir, configFile, build: { outDir, emptyOutDir: true }, logLevel: 'silent' });
    server = await preview({
      root: playgroundDir,
      configFile,
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: true },
      logLevel: 'silent',
    });
    const { port } = server.httpServer.address() as AddressInfo;
    url = `http://127.0.0.1:${port}/`;
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('worker', (worker) => worker.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`worker: ${message.text()}`);
    }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  }, 60_000);

  it('counts the primes below N in a worker on a cross-origin isolated page', async () => {
    const expected = primesBelow(N);
    expect(expected).toBe(148_933);

    await page.goto(url);
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    // The prime counter is one of the playground's tabs (playground-e2e.node.test.ts drives the others).
    await page.click('[data-testid=tab-primes]');

    await page.fill('[data-testid=n]', String(N));
    await page.click('[data-testid=run-worker]');
    const result = page.locator('[data-testid=result]');
    const finished = '[data-testid=result]:is([data-state=done], [data-state=stopped], [data-state=error])';
    await page.waitForSelector(finished, { timeout: 45_000 }).catch((error: unknown) => {
      throw new Error(`the process never finished; errors seen: ${JSON.stringify(pageErrors)}`, { cause: error });
    });

    expect(pageErrors).toEqual([]);
    expect(await result.getAttribute('data-state')).toBe('done');
    expect(Number(await result.getAttribute('data-count'))).toBe(expected);
    const text = await result.textContent();
    expect(text).toContain(`${expected.toLocaleString('en-US')} primes below ${N.toLocaleString('en-US')}`);
    expect(text).toContain('in a worker');
    expect(text).toContain('timers.run.mean');
    expect(await page.locator('[data-testid=progress]').getAttribute('aria-valuenow')).toBe('100');
  }, 60_000);
});
