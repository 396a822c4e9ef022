/**
 * The playground page: a frame counter that shows whether the main thread is free, and six
 * panels, one per tab (the URL's hash names the open one: #render, #process, #share, #pipe,
 * #bench, #primes). The workers' code lives in the modules the panels import: mandelbrot.ts,
 * worker-process.ts, tally.ts, pipeline.ts, bench-tasks.ts and primes.ts.
 */
import { setupBench } from './panels/bench.ts';
import { setupPipe } from './panels/pipe.ts';
import { setupPrimes } from './panels/primes.ts';
import { setupProcess } from './panels/process.ts';
import { setupRender } from './panels/render.ts';
import { setupShare } from './panels/share.ts';
import { startHeartbeat } from './ui.ts';

const PANELS = ['render', 'process', 'share', 'pipe', 'bench', 'primes'] as const;
type PanelName = (typeof PANELS)[number];

startHeartbeat();
const render = setupRender();
setupProcess();
setupShare();
setupPipe();
setupBench();
setupPrimes();

function open(name: PanelName): void {
  for (const panel of PANELS) {
    const tab = document.getElementById(`tab-${panel}`)!;
    tab.setAttribute('aria-selected', String(panel === name));
    tab.tabIndex = panel === name ? 0 : -1;
    document.getElementById(`panel-${panel}`)!.hidden = panel !== name;
  }
  document.body.dataset.panel = name;
  if (name === 'render') render.activate();
}

function fromHash(): PanelName {
  const name = location.hash.slice(1);
  return (PANELS as readonly string[]).includes(name) ? (name as PanelName) : 'render';
}

for (const panel of PANELS) {
  document.getElementById(`tab-${panel}`)!.addEventListener('click', () => {
    history.replaceState(null, '', `#${panel}`);
    open(panel);
  });
}
window.addEventListener('hashchange', () => open(fromHash()));
open(fromHash());
