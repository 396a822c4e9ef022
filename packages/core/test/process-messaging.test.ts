import { describe, expect, it } from 'vitest';
import { Echo, Progress, Sleeper } from './fixtures/processes.ts';

describe('tell and listen', () => {
  it('echoes both ways, in order, including messages told before the worker is up', async () => {
    const echo = new Echo();
    echo.start();
    echo.tell('first');
    echo.tell({ n: 2, when: new Date(0), tags: new Set(['a']) });
    const first = await echo.listen(10_000);
    expect(first).toEqual({ echo: 'first', run: 0 });
    const second = (await echo.listen(10_000)) as { echo: { n: number; when: Date; tags: Set<string> }; run: number };
    expect(second.run).toBe(1);
    expect(second.echo.when).toBeInstanceOf(Date);
    expect(second.echo.tags).toEqual(new Set(['a']));
    echo.tell('bye');
    await expect(echo.result()).resolves.toBe(2);
  });

  it('listen(timeout) resolves undefined when nothing arrives', async () => {
    const sleeper = new Sleeper(1, 1);
    sleeper.start();
    await expect(sleeper.listen(50)).resolves.toBeUndefined();
    await sleeper.wait();
  });

  it('tell() after the process finished throws instead of losing the message', async () => {
    const sleeper = new Sleeper(1, 1);
    await sleeper.run();
    expect(() => sleeper.tell('late')).toThrow(/finished/);
  });

  it('a listen() loop in the parent gets every message, then undefined once the process has finished', async () => {
    const progress = new Progress(5);
    progress.start();
    const seen: unknown[] = [];
    for (;;) {
      const message = await progress.listen();
      if (message === undefined) break;
      seen.push(message);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5].map((done) => ({ done, total: 5 })));
    await expect(progress.result()).resolves.toBe('done');
  });
});
