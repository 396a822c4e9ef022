/**
 * The Primes panel: counts primes in a worker (PrimeCounter) or, for contrast, on the main
 * thread, while the heartbeat shows whether the page can still paint.
 */
import { countPrimesBelow, PrimeCounter, type PrimeCount, type PrimeProgress } from '../primes.ts';
import { $, escapeHtml, fmt, heartbeat, ms, nextPaint, setBusy, showGap, small } from '../ui.ts';

export function setupPrimes(): void {
  const form = $<HTMLFormElement>('form');
  const input = $<HTMLInputElement>('n');
  const runWorker = $<HTMLButtonElement>('run-worker');
  const runMain = $<HTMLButtonElement>('run-main');
  const stopButton = $<HTMLButtonElement>('stop');
  const progress = $<HTMLDivElement>('progress');
  const progressFill = $<HTMLDivElement>('progress-fill');
  const progressLabel = $<HTMLParagraphElement>('progress-label');
  const result = $<HTMLParagraphElement>('result');

  function busy(job: 'worker' | 'main' | null): void {
    runWorker.disabled = job !== null;
    runMain.disabled = job !== null;
    input.disabled = job !== null;
    stopButton.disabled = job !== 'worker';
    setBusy(job);
  }

  function setProgress(done: number, total: number): void {
    const percent = total === 0 ? 0 : Math.round((done / total) * 100);
    progress.setAttribute('aria-valuenow', String(percent));
    progressFill.style.width = `${percent}%`;
    progressLabel.textContent = `${done} / ${total} chunks`;
  }

  function show(state: 'running' | 'done' | 'stopped' | 'error', html: string, count?: number): void {
    result.dataset.state = state;
    if (count === undefined) delete result.dataset.count;
    else result.dataset.count = String(count);
    result.innerHTML = html;
  }

  function summary(found: PrimeCount, elapsed: number, where: string): string {
    const largest = found.largest === null ? 'none' : fmt.format(found.largest);
    return (
      `<strong>${fmt.format(found.count)}</strong> primes below ${fmt.format(found.below)} ` +
      `<span class="dim">(largest ${largest})</span> in <strong>${ms.format(elapsed)} ms</strong> ${where}`
    );
  }

  function readLimit(): number | null {
    const n = Math.floor(Number(input.value));
    if (!Number.isFinite(n) || n < 2 || n > 2_000_000_000) {
      show('error', 'Enter a whole number between 2 and 2,000,000,000.');
      return null;
    }
    return n;
  }

  let running: PrimeCounter | null = null;

  async function countInWorker(): Promise<void> {
    const limit = readLimit();
    if (limit === null) return;
    const counter = new PrimeCounter(limit);
    running = counter;
    busy('worker');
    setProgress(0, counter.chunks);
    show('running', `Counting primes below ${fmt.format(limit)} in a worker…`);
    heartbeat.resetGap();
    const started = performance.now();
    try {
      counter.start();
      // listen() resolves undefined once the process has finished and every message was read.
      for (let message = await counter.listen(); message !== undefined; message = await counter.listen()) {
        const { done, total } = message as PrimeProgress;
        setProgress(done, total);
      }
      const found = await counter.result();
      const elapsed = performance.now() - started;
      const mean = counter.timers?.run?.mean;
      const perChunk = mean == null ? '' : ` · <span class="dim"><code>timers.run.mean</code> ${small.format(mean)} ms per chunk</span>`;
      const stopped = found.below < limit;
      show(stopped ? 'stopped' : 'done', (stopped ? 'Stopped: ' : '') + summary(found, elapsed, 'in a worker') + perChunk, found.count);
    } catch (error) {
      show('error', `The worker failed: ${escapeHtml(error instanceof Error ? error.message : String(error))}`);
    } finally {
      running = null;
      showGap();
      busy(null);
    }
  }

  async function countOnMainThread(): Promise<void> {
    const limit = readLimit();
    if (limit === null) return;
    busy('main');
    progressFill.style.width = '0%';
    progressLabel.textContent = 'main thread: no progress can be painted until it is done';
    show('running', `Counting primes below ${fmt.format(limit)} on the main thread; the page is frozen…`);
    await nextPaint();
    heartbeat.resetGap();
    const started = performance.now();
    const found = countPrimesBelow(limit);
    const elapsed = performance.now() - started;
    progress.setAttribute('aria-valuenow', '100');
    progressFill.style.width = '100%';
    progressLabel.textContent = 'main thread: done, in one piece';
    show('done', summary(found, elapsed, 'on the main thread'), found.count);
    await nextPaint();
    showGap();
    busy(null);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void countInWorker();
  });
  runMain.addEventListener('click', () => void countOnMainThread());
  stopButton.addEventListener('click', () => {
    running?.stop();
    stopButton.disabled = true;
  });
}
