// A page without cross-origin isolation has no SharedArrayBuffer global at all. @suitkaise/core must
// still import there and run processes; only `new Share()` fails, naming the two headers. The same
// build served with the headers gets a working Share; the dev server with
// `suitkaise({ crossOriginIsolation: false })` runs processes too.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { build, createServer, defaultClientConditions, type InlineConfig, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import suitkaise from '../src/vite.ts';
import { ISOLATION, closeServer, launchChromium, openPage, outcome, serveStatic } from './helpers/pages.ts';

const root = join(import.meta.dirname, 'fixtures', 'no-isolation-app');
/** What the page's Pool shows: cubes (math.ts), words (words.ts), Summer process results (processes.ts). */
const POOL_RESULT = '1,8,27|A!,B!|6,10';

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

  const open = (url: string) => openPage(browser!, url);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'suitkaise-no-isolation-'));
    dist = join(work, 'dist');
    // The build does not depend on the plugin's header option (that is for dev and preview servers).
    const building = build({ ...config(true), build: { outDir: dist, emptyOutDir: true } });
    building.catch(() => {}); // awaited below, after the browser has started alongside
    browser = await launchChromium();
    await building;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.close();
    await Promise.all(servers.map(closeServer));
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
