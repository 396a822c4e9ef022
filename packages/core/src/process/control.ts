/**
 * The control block: a few integers both sides read and write with Atomics,
 * so that `stop()` is seen between sections even while the worker never
 * yields, and the parent sees the run index and the running section live.
 */
import { sharedMemoryAvailable } from '../runtime/shared-memory.ts';
import { SECTIONS, type Section } from '../errors.ts';

const STOP = 0;
const CURRENT_RUN = 1;
const LIVES_LEFT = 2;
const SECTION = 3;
const TELLS_READ = 4;
const INT_SLOTS = 5;
const FLOAT_OFFSET = 24; // bytes, 8-aligned; Float64 slots after the Int32 slots: section start, join deadline
const FLOAT_SLOTS = 2;

/** Sections in the order of their index in the control block. */
export { SECTIONS };

/** Milliseconds on a clock shared by every thread of the process. */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Shared integers and one timestamp; backed by ordinary memory where sharing is unavailable. */
export class ControlBlock {
  /** The shared buffer to send to the worker, or null when not shared. */
  readonly buffer: SharedArrayBuffer | null;
  readonly #ints: Int32Array;
  readonly #floats: Float64Array;

  constructor(buffer?: SharedArrayBuffer | null) {
    const shared = buffer ?? (sharedMemoryAvailable() ? new SharedArrayBuffer(FLOAT_OFFSET + 8 * FLOAT_SLOTS) : null);
    const memory = shared ?? new ArrayBuffer(FLOAT_OFFSET + 8 * FLOAT_SLOTS);
    this.buffer = shared;
    this.#ints = new Int32Array(memory, 0, INT_SLOTS);
    this.#floats = new Float64Array(memory, FLOAT_OFFSET, FLOAT_SLOTS);
    if (!buffer) Atomics.store(this.#ints, SECTION, -1);
  }

  /** Ask for a graceful stop. */
  requestStop(): void { Atomics.store(this.#ints, STOP, 1); }
  /** Whether a stop was asked for. */
  get stopRequested(): boolean { return Atomics.load(this.#ints, STOP) === 1; }

  get currentRun(): number { return Atomics.load(this.#ints, CURRENT_RUN); }
  set currentRun(value: number) { Atomics.store(this.#ints, CURRENT_RUN, value); }

  get livesLeft(): number { return Atomics.load(this.#ints, LIVES_LEFT); }
  set livesLeft(value: number) { Atomics.store(this.#ints, LIVES_LEFT, value); }

  /** How many of the parent's tells the process has read (over every worker it ran on). */
  get tellsRead(): number { return Atomics.load(this.#ints, TELLS_READ); }
  /** One more of the parent's tells was read. */
  noteTellsRead(): void { Atomics.add(this.#ints, TELLS_READ, 1); }

  /** The section running now, or null between sections. */
  get section(): Section | null { return SECTIONS[Atomics.load(this.#ints, SECTION)] ?? null; }
  /** When the running section started ({@link sharedNow} clock). */
  get sectionStartedAt(): number { return this.#floats[0]; }

  /**
   * When `joinIn` runs out ({@link sharedNow} clock), fixed when the first worker starts its first run
   * and kept for the workers that replace it; 0 until then.
   */
  get joinDeadline(): number { return this.#floats[1]; }
  set joinDeadline(value: number) { this.#floats[1] = value; }

  /** Mark a section as started now. The start time is written before the index, so a reader never pairs a new section with an old start. */
  enterSection(section: Section, startedAt = sharedNow()): void {
    this.#floats[0] = startedAt;
    Atomics.store(this.#ints, SECTION, SECTIONS.indexOf(section));
  }

  /** Mark that no section is running. */
  leaveSection(): void { Atomics.store(this.#ints, SECTION, -1); }

  /** What the worker's block shows, as a progress note carries it where memory is not shared. */
  progress(): { currentRun: number; livesLeft: number; section: number; sectionStartedAt: number; joinDeadline: number } {
    return {
      currentRun: this.currentRun,
      livesLeft: this.livesLeft,
      section: Atomics.load(this.#ints, SECTION),
      sectionStartedAt: this.#floats[0]!,
      joinDeadline: this.#floats[1]!,
    };
  }

  /** Copy a progress note (no shared memory) into this block. */
  applyProgress(progress: { currentRun: number; livesLeft: number; section: number; sectionStartedAt: number; joinDeadline: number }): void {
    this.currentRun = progress.currentRun;
    this.livesLeft = progress.livesLeft;
    this.#floats[0] = progress.sectionStartedAt;
    this.#floats[1] = progress.joinDeadline;
    Atomics.store(this.#ints, SECTION, progress.section);
  }
}
