/**
 * The Pipe panel: producer process → transformer process → page over `Pipe.pair()` points
 * (see src/pipeline.ts for who makes which pair). The page checks every number it receives.
 */
import { Pipe } from '@suitkaise/core';
import { isPrime, Producer, Transformer, type Transformed } from '../pipeline.ts';
import { $, errorText, escapeHtml, fmt, heartbeat, ms, readInt, show, showGap } from '../ui.ts';

export function setupPipe(): void {
  const countInput = $<HTMLInputElement>('pipe-count');
  const delayInput = $<HTMLInputElement>('pipe-delay');
  const startButton = $<HTMLButtonElement>('pipe-start');
  const produced = $<HTMLElement>('pipe-produced');
  const forwarded = $<HTMLElement>('pipe-forwarded');
  const received = $<HTMLElement>('pipe-received');
  const body = $<HTMLTableElement>('pipe-table').tBodies[0]!;
  const result = $<HTMLParagraphElement>('pipe-result');

  function row(item: Extract<Transformed, { n: number }>): void {
    const tr = document.createElement('tr');
    if (item.prime) tr.className = 'prime';
    for (const text of [item.n, item.value, item.squared, item.prime ? 'prime' : '']) {
      const td = document.createElement('td');
      td.textContent = typeof text === 'number' ? fmt.format(text) : text;
      tr.append(td);
    }
    body.prepend(tr);
    while (body.rows.length > 12) body.rows[body.rows.length - 1]!.remove();
  }

  async function run(): Promise<void> {
    const count = readInt(countInput, 40);
    const delay = readInt(delayInput, 40);
    startButton.disabled = true;
    body.replaceChildren();
    produced.textContent = forwarded.textContent = received.textContent = '–';
    show(result, 'running', 'Starting the transformer…');
    const started = performance.now();
    heartbeat.resetGap();
    const [fromTransformer, toPage] = Pipe.pair(); // the anchor stays here; the point goes to the transformer
    const transformer = new Transformer(toPage);
    let producer: Producer | null = null;
    try {
      transformer.start();
      // The transformer's first message is the point of the pair it made in its worker.
      const point = await transformer.listen.timeout(10_000)();
      if (!(point instanceof Pipe)) throw new Error(`expected a Pipe point from the transformer, got ${String(point)}`);
      producer = new Producer(point, count, delay);
      producer.start();
      show(result, 'running', `Producer → transformer → page: ${fmt.format(count)} numbers, ${delay} ms apart…`);
      let got = 0;
      let primes = 0;
      let wrong = 0;
      for (;;) {
        const item = (await fromTransformer.recv(10_000)) as Transformed | undefined;
        if (item === undefined) throw new Error('nothing came down the pipe for 10 s');
        if ('end' in item) break;
        // Check what arrived against the same computation done here.
        const value = ((item.n * item.n) % 1009) + item.n;
        if (item.n !== got || item.value !== value || item.squared !== value * value || item.prime !== isPrime(value)) wrong += 1;
        got += 1;
        if (item.prime) primes += 1;
        produced.textContent = `sent ${fmt.format(producer.currentRun)}`;
        forwarded.textContent = `forwarded ${fmt.format(got)}`;
        received.textContent = `received ${fmt.format(got)}`;
        row(item);
      }
      const [sent, passed] = await Promise.all([producer.result(), transformer.result()]);
      produced.textContent = `sent ${fmt.format(sent)}`;
      forwarded.textContent = `forwarded ${fmt.format(passed)}`;
      received.textContent = `received ${fmt.format(got)}`;
      const ok = got === count && sent === count && passed === count && wrong === 0;
      show(
        result,
        ok ? 'done' : 'error',
        `${ok ? '✓' : '✗'} <strong>${fmt.format(got)}</strong> of ${fmt.format(count)} numbers came through, ` +
          `${wrong === 0 ? 'all checked' : `<strong>${wrong} wrong</strong>`}; ${primes} prime; ${ms.format(performance.now() - started)} ms.`,
        `${got}/${count}`,
      );
    } catch (error) {
      producer?.kill();
      transformer.kill();
      show(result, 'error', `The pipeline failed: ${escapeHtml(errorText(error))}`);
    } finally {
      fromTransformer.close();
      showGap();
      startButton.disabled = false;
    }
  }

  startButton.addEventListener('click', () => void run());
}
