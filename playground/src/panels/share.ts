/**
 * The Share panel: `Tally` processes update one `Share` (a counter, a list) while the page reads
 * it every frame; the final count is checked against workers × runs. On a page that is not
 * cross-origin isolated, `new Share()` throws: the panel shows why and which headers are missing.
 */
import { Share } from '@suitkaise/core';
import { Tally, type TallyState } from '../tally.ts';
import { $, errorText, escapeHtml, everyFrame, fmt, heartbeat, ms, readInt, setMeter, show, showGap } from '../ui.ts';

/** The two headers that make a page cross-origin isolated. */
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } as const;

/** How many of `share.log`'s entries the page lists (the newest). */
const SHOWN_ENTRIES = 28;

/** The isolation headers this page was served without (or with another value), by fetching it again. */
async function missingHeaders(): Promise<string[]> {
  try {
    const response = await fetch(location.href, { method: 'HEAD', cache: 'no-store' });
    return Object.entries(ISOLATION_HEADERS)
      .filter(([name, value]) => response.headers.get(name)?.toLowerCase() !== value)
      .map(([name, value]) => `${name}: ${value}`);
  } catch {
    return Object.entries(ISOLATION_HEADERS).map(([name, value]) => `${name}: ${value}`);
  }
}

export function setupShare(): void {
  const notice = $<HTMLParagraphElement>('share-notice');
  const workersInput = $<HTMLInputElement>('share-workers');
  const runsInput = $<HTMLInputElement>('share-runs');
  const startButton = $<HTMLButtonElement>('share-start');
  const meter = $<HTMLDivElement>('share-progress');
  const counterOut = $<HTMLElement>('share-counter');
  const expectedOut = $<HTMLElement>('share-expected');
  const logLength = $<HTMLElement>('share-log-length');
  const finishedOut = $<HTMLElement>('share-finished');
  const log = $<HTMLOListElement>('share-log');
  const byWorker = $<HTMLElement>('share-by-worker');
  const result = $<HTMLParagraphElement>('share-result');

  /** Says why there is no Share here, with the headers the page lacks. */
  async function explain(error: unknown, clicked: boolean): Promise<void> {
    const missing = await missingHeaders();
    const list = missing.map((header) => `<li><code>${escapeHtml(header)}</code></li>`).join('');
    notice.hidden = false;
    notice.dataset.missing = missing.join('\n');
    notice.innerHTML =
      `<strong>No shared memory on this page.</strong> <code>new Share()</code> threw: ${escapeHtml(errorText(error))}` +
      (missing.length > 0 ? `<br />This page was served without:<ul>${list}</ul>` : '') +
      'The other panels work without them: processes, <code>Pool</code> and <code>Pipe</code> need no shared memory.';
    if (clicked) show(result, 'error', `<code>new Share()</code> failed: the page is not cross-origin isolated (missing: ${escapeHtml(missing.join(', ') || 'unknown')}).`, missing.join('\n'));
  }

  let shown = 0;
  function render(share: Share<TallyState>, expected: number): void {
    const counter = share.counter;
    counterOut.textContent = fmt.format(counter);
    const counts = share.byWorker;
    for (const [name, runs] of Object.entries(counts)) {
      let cell = byWorker.querySelector<HTMLElement>(`[data-worker="${name}"] dd`);
      if (!cell) {
        const item = document.createElement('div');
        item.dataset.worker = name;
        item.innerHTML = `<dt>${escapeHtml(name)}</dt><dd></dd>`;
        byWorker.append(item);
        cell = item.querySelector('dd')!;
      }
      cell.textContent = fmt.format(runs);
    }
    setMeter(meter, counter, expected);
    const entries = share.log; // a copy: a real array
    logLength.textContent = fmt.format(entries.length);
    finishedOut.textContent = String(share.finished.length);
    for (; shown < entries.length; shown += 1) {
      const chip = document.createElement('li');
      chip.textContent = entries[shown]!;
      log.prepend(chip); // newest first
    }
    while (log.children.length > SHOWN_ENTRIES) log.lastElementChild!.remove();
  }

  async function start(): Promise<void> {
    const workers = readInt(workersInput, 4);
    const runs = readInt(runsInput, 200);
    const expected = workers * runs;
    let share: Share<TallyState>;
    try {
      share = new Share<TallyState>();
    } catch (error) {
      await explain(error, true);
      return;
    }
    share.counter = 0;
    share.byWorker = {};
    share.log = [];
    share.finished = [];
    shown = 0;
    log.replaceChildren();
    byWorker.replaceChildren();
    expectedOut.textContent = fmt.format(expected);
    startButton.disabled = true;
    show(result, 'running', `${workers} processes × ${fmt.format(runs)} runs, all writing to one Share…`);
    const stopLive = everyFrame(() => render(share, expected));
    heartbeat.resetGap();
    const started = performance.now();
    try {
      const names = Array.from({ length: workers }, (_, i) => `worker ${String.fromCharCode(65 + (i % 26))}${i >= 26 ? i : ''}`);
      const processes = names.map((name) => new Tally(share, name, runs, 3));
      processes.forEach((process) => process.start());
      await Promise.all(processes.map((process) => process.result())); // rejects if one failed
      const elapsed = performance.now() - started;
      render(share, expected);
      const counter = share.counter;
      const tableSum = Object.values(share.byWorker).reduce((sum, n) => sum + n, 0);
      const ok = counter === expected && tableSum === expected && share.finished.length === workers;
      show(
        result,
        ok ? 'done' : 'error',
        `${ok ? '✓' : '✗'} <code>share.counter</code> is <strong>${fmt.format(counter)}</strong>, expected ${fmt.format(expected)} ` +
          `(${workers} × ${fmt.format(runs)}); <code>share.byWorker</code> sums to ${fmt.format(tableSum)}; <code>share.log</code> has ${share.log.length} entries; ` +
          `${share.finished.length} of ${workers} processes finished, in ${ms.format(elapsed)} ms.`,
        `${counter}/${expected}`,
      );
    } catch (error) {
      show(result, 'error', `A process failed: ${escapeHtml(errorText(error))}`);
    } finally {
      stopLive();
      showGap();
      startButton.disabled = false;
    }
  }

  startButton.addEventListener('click', () => void start());
  if (!globalThis.crossOriginIsolated) {
    // Say so up front: try what the button would do.
    try {
      new Share();
    } catch (error) {
      void explain(error, false);
    }
  }
}
