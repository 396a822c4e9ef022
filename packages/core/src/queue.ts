/**
 * A first-in, first-out queue whose front moves by an index: `Array.prototype.shift()` is linear,
 * which made draining a long queue quadratic. The array is compacted once half of it is spent.
 */
export class Queue<T> {
  #items: T[] = [];
  #head = 0;

  /** How many items are queued. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Add `item` at the back. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Take the front item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head]!;
    this.#head += 1;
    this.#compact();
    return item;
  }

  /** Drop up to `count` items from the front; returns how many were dropped. */
  drop(count: number): number {
    const dropped = Math.max(0, Math.min(count, this.length));
    this.#head += dropped;
    this.#compact();
    return dropped;
  }

  /** The queued items, front first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i += 1) yield this.#items[i]!;
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
