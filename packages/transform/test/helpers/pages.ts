// Shared by the tests that load a built or served app in headless Chromium.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';

/** The two headers that make a page cross-origin isolated. */
export const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** Serves `dir` on 127.0.0.1 at a free port, with `headers` on every response. */
export async function serveStatic(dir: string, headers: Record<string, string>): Promise<{ server: Server; url: string }> {
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

/** Closes `server` and the connections a browser keeps open to it. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Debian's Chromium, headless, with the flags it needs on a machine with no network but loopback. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
}

/** Pages under test, with a promise that rejects at the page's first uncaught error (a failed import). */
const crashed = new WeakMap<Page, Promise<never>>();

/** An opened page: the errors it and its workers report, and how often its main frame navigated (a reload counts). */
export interface OpenedPage {
  page: Page;
  errors: string[];
  navigations: () => number;
}

/** A fresh page at `url`. */
export async function openPage(browser: Browser, url: string): Promise<OpenedPage> {
  const errors: string[] = [];
  let navigations = 0;
  const page = await browser.newPage();
  crashed.set(page, new Promise<never>((_, reject) => page.once('pageerror', reject)));
  crashed.get(page)!.catch(() => {}); // observed through outcome()
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations += 1; });
  page.on('pageerror', (error) => errors.push(`${url}: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`${url}: console: ${message.text()}`); });
  page.on('worker', (worker) => worker.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${url}: worker: ${message.text()}`);
  }));
  await page.goto(url);
  return { page, errors, navigations: () => navigations };
}

/** What the fixture page reports in `#id` (`data-state`, `data-value`), once it has an outcome (or the page's first uncaught error). */
export async function outcome(page: Page, id: string): Promise<{ state: string; value: string }> {
  const selector = `#${id}:is([data-state=done], [data-state=error])`;
  const settled = page.waitForSelector(selector, { state: 'attached', timeout: 20_000 });
  await Promise.race([settled, crashed.get(page)!]);
  const element = page.locator(`#${id}`);
  return { state: (await element.getAttribute('data-state'))!, value: (await element.getAttribute('data-value'))! };
}
