/**
 * The Process panel: a long-running `Crunch` process with Start / Stop / Kill, its live
 * `currentRun`, messages both ways, a run timeout you can trigger, and its `timers` as a chart
 * once it has ended.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { ProcessTimeoutError, type Sktimer } from '@suitkaise/core';
import { Crunch, type CrunchCommand, type CrunchMessage, type CrunchReport } from '../worker-process.ts';
import { $, errorText, escapeHtml, everyFrame, fmt, heartbeat, ms, readInt, show, showGap, small } from '../ui.ts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

/** At most this many runs are drawn (the latest). */
const MAX_BARS = 150;

export function setupProcess(): void {
  const timeoutInput = $<HTMLInputElement>('proc-timeout');
  const livesInput = $<HTMLInputElement>('proc-lives');
  const startButton = $<HTMLButtonElement>('proc-start');
  const stopButton = $<HTMLButtonElement>('proc-stop');
  const killButton = $<HTMLButtonElement>('proc-kill');
  const hangButton = $<HTMLButtonElement>('proc-hang');
  const runOut = $<HTMLElement>('proc-run');
  const aliveOut = $<HTMLElement>('proc-alive');
  const workersOut = $<HTMLElement>('proc-workers');
  const spentOut = $<HTMLElement>('proc-spent');
  const form = $<HTMLFormElement>('proc-form');
  const messageInput = $<HTMLInputElement>('proc-message');
  const sendButton = $<HTMLButtonElement>('proc-send');
  const log = $<HTMLOListElement>('proc-log');
  const status = $<HTMLParagraphElement>('proc-status');
  const chartBox = $<HTMLDivElement>('proc-chart-box');
  const chartCanvas = $<HTMLCanvasElement>('proc-chart');
  const statsTable = $<HTMLTableElement>('proc-stats');

  let running: Crunch | null = null;
  let chart: Chart | null = null;
  let workersStarted = 0;

  function controls(on: boolean): void {
    startButton.disabled = on;
    timeoutInput.disabled = on;
    livesInput.disabled = on;
    stopButton.disabled = !on;
    killButton.disabled = !on;
    hangButton.disabled = !on;
    messageInput.disabled = !on;
    sendButton.disabled = !on;
  }

  function note(direction: 'in' | 'out' | 'event', text: string): void {
    const item = document.createElement('li');
    item.className = direction;
    item.dataset.direction = direction;
    const arrow = direction === 'in' ? '← listen()' : direction === 'out' ? '→ tell()' : '•';
    item.innerHTML = `<span class="dim">${arrow}</span> ${escapeHtml(text)}`;
    log.append(item);
    while (log.children.length > 60) log.firstElementChild!.remove();
    log.scrollTop = log.scrollHeight;
  }

  function onMessage(message: CrunchMessage): void {
    if (message.kind === 'reply') note('in', `“${message.text}” (answered before run ${message.run})`);
    else if (message.kind === 'hanging') note('in', `run ${message.run} will hang; timeouts.run is ${fmt.format(readInt(timeoutInput, 1500))} ms`);
    else {
      workersStarted += 1;
      workersOut.textContent = String(workersStarted);
      spentOut.textContent = String(workersStarted - 1);
      if (workersStarted === 1) note('in', `a worker started at run ${message.run}`);
      else note('in', `a new worker took over at run ${message.run}: the run timed out, which cost a life, and is retried`);
    }
  }

  function timerRow(name: string, timer: Sktimer | null): string {
    if (timer === null || timer.numTimes === 0) return `<tr><th>${name}</th><td colspan="5" class="dim">not run</td></tr>`;
    const cell = (v: number | null) => `<td>${v === null ? '–' : small.format(v)}</td>`;
    return `<tr><th><code>timers.${name}</code></th><td>${fmt.format(timer.numTimes)}</td>${cell(timer.mean)}${cell(timer.median)}${cell(timer.percentile(95))}${cell(timer.max)}</tr>`;
  }

  function drawTimers(process: Crunch): void {
    const timers = process.timers;
    if (timers === null || timers.fullRun.numTimes === 0) {
      chartBox.hidden = true;
      statsTable.hidden = true;
      chartCanvas.dataset.state = 'none';
      return;
    }
    const run = timers.run!;
    const full = timers.fullRun;
    const count = Math.min(full.numTimes, run.numTimes);
    const first = Math.max(0, count - MAX_BARS);
    const labels: string[] = [];
    const runTimes: number[] = [];
    const overhead: number[] = [];
    for (let i = first; i < count; i += 1) {
      labels.push(String(i));
      const r = run.getTime(i) ?? 0;
      runTimes.push(r);
      overhead.push(Math.max(0, (full.getTime(i) ?? r) - r));
    }
    const mean = full.mean ?? 0;
    chartBox.hidden = false;
    chart?.destroy();
    chart = new Chart(chartCanvas, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { type: 'bar', label: '__run__ (timers.run)', data: runTimes, backgroundColor: '#6366f1', stack: 'run' },
          { type: 'bar', label: 'rest of timers.fullRun (__prerun__, __postrun__)', data: overhead, backgroundColor: '#f59e0b', stack: 'run' },
          { type: 'line', label: 'timers.fullRun.mean', data: labels.map(() => mean), borderColor: '#db2777', borderDash: [6, 4], pointRadius: 0, borderWidth: 2 },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, title: { display: true, text: first > 0 ? `run (the last ${MAX_BARS})` : 'run' }, ticks: { maxTicksLimit: 20 } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: 'ms' } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    chartCanvas.dataset.state = 'drawn';
    chartCanvas.dataset.bars = String(labels.length);
    statsTable.hidden = false;
    statsTable.innerHTML =
      '<thead><tr><th>timer</th><th>runs</th><th>mean ms</th><th>median ms</th><th>p95 ms</th><th>max ms</th></tr></thead><tbody>' +
      timerRow('prerun', timers.prerun) + timerRow('run', timers.run) + timerRow('fullRun', full) + '</tbody>';
  }

  async function start(): Promise<void> {
    const runTimeout = readInt(timeoutInput, 1500);
    const lives = readInt(livesInput, 2);
    log.replaceChildren();
    workersStarted = 0;
    workersOut.textContent = '0';
    spentOut.textContent = '0';
    const process = new Crunch({ runTimeout, lives });
    running = process;
    controls(true);
    show(status, 'running', `Running: <code>runs = null</code>, <code>lives = ${lives}</code>, <code>timeouts.run = ${fmt.format(runTimeout)}</code> ms.`);
    const stopLive = everyFrame(() => {
      runOut.textContent = fmt.format(process.currentRun);
      aliveOut.textContent = process.isAlive ? 'yes' : 'no';
    });
    const started = performance.now();
    heartbeat.resetGap();
    try {
      process.start();
      // listen() resolves undefined once the process has finished and every message was read.
      for (let message = await process.listen<CrunchMessage>(); message !== undefined; message = await process.listen<CrunchMessage>()) {
        onMessage(message);
      }
      const report: CrunchReport = await process.result();
      show(
        status,
        'done',
        `Stopped after <strong>${fmt.format(report.runs)}</strong> runs in ${ms.format(performance.now() - started)} ms: ` +
          `<code>__onfinish__</code> and <code>__result__</code> ran; <code>result()</code> resolved ` +
          `<code>${escapeHtml(JSON.stringify(report))}</code>.`,
        String(report.runs),
      );
    } catch (error) {
      if (error instanceof ProcessTimeoutError) {
        show(status, 'error', `<code>result()</code> rejected: ${escapeHtml(errorText(error))} <span class="dim">(section ${error.section}, timeout ${fmt.format(error.timeout)} ms, at run ${error.currentRun}; no lives left)</span>`, 'timeout');
      } else if (process === running && killed) {
        show(status, 'stopped', `Killed: no <code>__onfinish__</code>, no result; <code>result()</code> rejected: ${escapeHtml(errorText(error))}`, 'killed');
      } else {
        show(status, 'error', `<code>result()</code> rejected: ${escapeHtml(errorText(error))}`, 'error');
      }
    } finally {
      stopLive();
      showGap();
      runOut.textContent = fmt.format(process.currentRun);
      aliveOut.textContent = process.isAlive ? 'yes' : 'no';
      drawTimers(process);
      running = null;
      killed = false;
      controls(false);
    }
  }

  let killed = false;
  startButton.addEventListener('click', () => void start());
  stopButton.addEventListener('click', () => {
    running?.stop();
    note('event', 'stop(): the current run finishes, then __onfinish__ and __result__');
    stopButton.disabled = true;
    hangButton.disabled = true;
  });
  killButton.addEventListener('click', () => {
    killed = true;
    running?.kill();
    note('event', 'kill(): the worker is terminated now');
    killButton.disabled = true;
  });
  hangButton.addEventListener('click', () => {
    running?.tell({ kind: 'hang' } satisfies CrunchCommand);
    note('out', 'hang');
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = messageInput.value.trim();
    if (!running || text === '') return;
    running.tell({ kind: 'say', text } satisfies CrunchCommand);
    note('out', `“${text}”`);
  });
}
