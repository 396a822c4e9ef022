// The @sk() processes of the Share bench (bench/share.ts).
import { sk, Skprocess, type Share } from '@suitkaise/core';

/** What the Share bench shares. */
export interface Counters {
  counter: number;
  obj: { n: number; tag: string };
}

/** `ops` updates of the Share in one run; returns the milliseconds its loop took. */
@sk()
export class Incrementer extends Skprocess<number> {
  constructor(private readonly share: Share<Counters>, private readonly ops: number, private readonly kind: 'number' | 'object') {
    super();
    this.processConfig.runs = 1;
  }
  __run__() {}
  __result__() {
    const began = performance.now();
    if (this.kind === 'number') {
      for (let i = 0; i < this.ops; i += 1) this.share.counter += 1;
    } else {
      for (let i = 0; i < this.ops; i += 1) this.share.update('obj', (obj) => ({ n: obj.n + 1, tag: obj.tag }));
    }
    return performance.now() - began;
  }
}
