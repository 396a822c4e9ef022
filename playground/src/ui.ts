/**
 * Page helpers shared by the panels: element lookup, number formats, the heartbeat (a frame
 * counter and a ball moved every frame: proof that the main thread is free), progress bars and
 * result lines. Page code only: no worker imports this module.
 */

export function $<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

export const fmt = new Intl.NumberFormat('en-US');
export const ms = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
export const small = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Resolves after the browser has painted the current DOM. */
export function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}

// ---- The heartbeat. ----

/** The frame counter's state: read `longestGap` after a job, `resetGap()` before it. */
export const heartbeat = {
  frames: 0,
  longestGap: 0,
  resetGap(): void {
    this.longestGap = 0;
    lastFrame = performance.now();
  },
};

/** Callbacks run once per frame (live readouts of running panels). */
const perFrame = new Set<() => void>();

/** Run `fn` every frame until the returned function is called. */
export function everyFrame(fn: () => void): () => void {
  perFrame.add(fn);
  return () => perFrame.delete(fn);
}

let lastFrame = performance.now();
/** Frame times of the last second, for frames per second. */
const recent: number[] = [];

export function startHeartbeat(): void {
  const ball = $<HTMLDivElement>('ball');
  const fps = $<HTMLElement>('fps');
  const frames = $<HTMLElement>('frames');
  $<HTMLElement>('isolated').textContent = globalThis.crossOriginIsolated ? 'yes' : 'no';
  $<HTMLElement>('cores').textContent = String(navigator.hardwareConcurrency ?? '?');
  // Frames per second over the last second, refreshed every frame; 0 after a frozen second
  // (updated once the page can paint again, with the gap as evidence).
  setInterval(() => {
    const now = performance.now();
    while (recent.length > 0 && recent[0]! < now - 1000) recent.shift();
    fps.textContent = String(recent.length);
  }, 250);
  const tick = (now: number) => {
    heartbeat.frames += 1;
    heartbeat.longestGap = Math.max(heartbeat.longestGap, now - lastFrame);
    lastFrame = now;
    recent.push(now);
    while (recent.length > 0 && recent[0]! < now - 1000) recent.shift();
    const phase = (now / 1400) % 2;
    ball.style.setProperty('--x', (phase < 1 ? phase : 2 - phase).toFixed(4));
    frames.textContent = fmt.format(heartbeat.frames);
    fps.textContent = String(recent.length);
    for (const fn of perFrame) fn();
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/** Show the longest frame gap of the job that just ended. */
export function showGap(): void {
  $<HTMLElement>('gap').textContent = `${ms.format(heartbeat.longestGap)} ms`;
}

/** Mark the page busy (`'main'` turns the ball orange while the main thread computes). */
export function setBusy(job: string | null): void {
  document.body.dataset.busy = job ?? '';
}

// ---- Progress bars and result lines. ----

export function setMeter(meter: HTMLElement, done: number, total: number): void {
  const percent = total === 0 ? 0 : Math.min(100, Math.round((done / total) * 100));
  meter.setAttribute('aria-valuenow', String(percent));
  (meter.firstElementChild as HTMLElement).style.width = `${percent}%`;
}

export type ResultState = 'idle' | 'running' | 'done' | 'stopped' | 'error';

/** Set a result line: its state (for styling and tests), its HTML, and an optional machine-readable value. */
export function show(element: HTMLElement, state: ResultState, html: string, value?: string): void {
  element.dataset.state = state;
  if (value === undefined) delete element.dataset.value;
  else element.dataset.value = value;
  element.innerHTML = html;
}

/** A positive whole number from an input, clamped to its min/max, or the fallback. */
export function readInt(input: HTMLInputElement, fallback: number): number {
  const n = Math.floor(Number(input.value));
  if (!Number.isFinite(n)) return fallback;
  const min = input.min === '' ? -Infinity : Number(input.min);
  const max = input.max === '' ? Infinity : Number(input.max);
  return Math.min(max, Math.max(min, n));
}
