/**
 * The Render panel: a Mandelbrot image in tiles, mapped over every core with
 * `pool.unorderedImap(renderTile, tiles, { signal, onProgress })` and painted as tiles arrive;
 * Cancel aborts the call; the same render on the main thread, for comparison.
 */
import { Pool } from '@suitkaise/core';
import { defaultView, renderTile, tilesOf, type TileJob, type TilePixels } from '../mandelbrot.ts';
import { $, errorText, escapeHtml, fmt, heartbeat, ms, nextPaint, setBusy, setMeter, show, showGap } from '../ui.ts';

export function setupRender(): { activate(): void } {
  const iterations = $<HTMLSelectElement>('render-iterations');
  const poolButton = $<HTMLButtonElement>('render-pool');
  const cancelButton = $<HTMLButtonElement>('render-cancel');
  const mainButton = $<HTMLButtonElement>('render-main');
  const meter = $<HTMLDivElement>('render-progress');
  const label = $<HTMLParagraphElement>('render-progress-label');
  const canvas = $<HTMLCanvasElement>('render-canvas');
  const poolTime = $<HTMLElement>('render-pool-time');
  const mainTime = $<HTMLElement>('render-main-time');
  const speedup = $<HTMLElement>('render-speedup');
  const status = $<HTMLParagraphElement>('render-status');
  const context = canvas.getContext('2d')!;

  /** One pool for the page's lifetime: one worker per core, reused by every render. */
  let pool: Pool | null = null;
  let warming: Promise<unknown> | null = null;
  const workers = navigator.hardwareConcurrency || 2;
  /** The last time of each side, per iteration count (compare like with like). */
  const times = new Map<string, { pool?: number; main?: number }>();
  let abort: AbortController | null = null;

  function getPool(): Pool {
    pool ??= new Pool();
    return pool;
  }

  /** Start the pool's workers before the first timed render (as an app would at start-up). */
  function warm(): Promise<unknown> {
    warming ??= getPool()
      .map(renderTile, Array.from({ length: workers }, (_, index): TileJob => ({ index, x: 0, y: 0, w: 1, h: 1, view: defaultView(10) })), { chunkSize: 1 })
      .catch(() => {});
    return warming;
  }

  function clear(): void {
    context.fillStyle = '#0c0a1e';
    context.fillRect(0, 0, canvas.width, canvas.height);
  }

  function paint(tile: TilePixels): void {
    context.putImageData(new ImageData(tile.pixels as Uint8ClampedArray<ArrayBuffer>, tile.w, tile.h), tile.x, tile.y);
  }

  function busy(job: 'pool' | 'main' | null): void {
    poolButton.disabled = job !== null;
    mainButton.disabled = job !== null;
    iterations.disabled = job !== null;
    cancelButton.disabled = job !== 'pool';
    setBusy(job);
  }

  function showTimes(): void {
    const entry = times.get(iterations.value) ?? {};
    poolTime.textContent = entry.pool === undefined ? '–' : `${ms.format(entry.pool)} ms`;
    mainTime.textContent = entry.main === undefined ? '–' : `${ms.format(entry.main)} ms`;
    speedup.textContent = entry.pool !== undefined && entry.main !== undefined ? `× ${(entry.main / entry.pool).toFixed(2)}` : '–';
    poolTime.title = mainTime.title = `at ${fmt.format(Number(iterations.value))} iterations per point`;
  }

  function record(side: 'pool' | 'main', elapsed: number): void {
    const entry = times.get(iterations.value) ?? {};
    entry[side] = elapsed;
    times.set(iterations.value, entry);
    showTimes();
  }

  async function renderWithPool(): Promise<void> {
    const jobs = tilesOf(defaultView(Number(iterations.value)));
    busy('pool');
    clear();
    setMeter(meter, 0, jobs.length);
    label.textContent = `0 / ${jobs.length} tiles`;
    show(status, 'running', `Starting the pool's ${workers} workers…`);
    await warm();
    show(status, 'running', `Rendering ${jobs.length} tiles on ${workers} workers…`);
    abort = new AbortController();
    heartbeat.resetGap();
    const started = performance.now();
    let painted = 0;
    let total = 0;
    let busyTime = 0;
    try {
      // chunkSize 1: each tile is heavy, so one at a time keeps every worker busy to the end.
      const tiles = getPool().unorderedImap(renderTile, jobs, {
        signal: abort.signal,
        chunkSize: 1,
        onProgress: (done, all) => {
          setMeter(meter, done, all ?? jobs.length);
          label.textContent = `${done} / ${all ?? jobs.length} tiles`;
        },
      });
      for await (const tile of tiles) {
        paint(tile);
        painted += 1;
        total += tile.iterations;
        busyTime += tile.elapsed;
      }
      const elapsed = performance.now() - started;
      record('pool', elapsed);
      show(
        status,
        'done',
        `<strong>${painted}</strong> tiles in <strong>${ms.format(elapsed)} ms</strong> on ${workers} workers ` +
          `<span class="dim">(${fmt.format(total)} iterations; ${ms.format(busyTime)} ms of work in the workers, ` +
          `${(busyTime / elapsed).toFixed(1)} cores busy on average; longest frame ${ms.format(heartbeat.longestGap)} ms)</span>`,
        String(total),
      );
    } catch (error) {
      if (abort.signal.aborted) {
        show(status, 'stopped', `Cancelled after ${painted} of ${jobs.length} tiles: the running tasks were stopped and their workers replaced.`, String(painted));
      } else {
        show(status, 'error', `The render failed: ${escapeHtml(errorText(error))}`);
      }
    } finally {
      abort = null;
      showGap();
      busy(null);
    }
  }

  async function renderOnMainThread(): Promise<void> {
    const jobs = tilesOf(defaultView(Number(iterations.value)));
    busy('main');
    clear();
    setMeter(meter, 0, jobs.length);
    label.textContent = 'main thread: nothing can be painted until it is done';
    show(status, 'running', `Rendering ${jobs.length} tiles on the main thread; the page is frozen…`);
    await nextPaint();
    heartbeat.resetGap();
    const started = performance.now();
    let total = 0;
    for (const job of jobs) {
      const tile = renderTile(job);
      paint(tile);
      total += tile.iterations;
    }
    const elapsed = performance.now() - started;
    record('main', elapsed);
    setMeter(meter, jobs.length, jobs.length);
    label.textContent = `${jobs.length} / ${jobs.length} tiles, in one piece`;
    await nextPaint();
    show(
      status,
      'done',
      `<strong>${jobs.length}</strong> tiles in <strong>${ms.format(elapsed)} ms</strong> on the main thread ` +
        `<span class="dim">(${fmt.format(total)} iterations; longest frame ${ms.format(heartbeat.longestGap)} ms)</span>`,
      String(total),
    );
    showGap();
    busy(null);
  }

  clear();
  poolButton.addEventListener('click', () => void renderWithPool());
  mainButton.addEventListener('click', () => void renderOnMainThread());
  cancelButton.addEventListener('click', () => {
    abort?.abort(new Error('cancelled'));
    cancelButton.disabled = true;
  });
  iterations.addEventListener('change', showTimes);
  return { activate: () => void warm() };
}
