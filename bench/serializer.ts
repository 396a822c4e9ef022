/**
 * `npm run bench`, part 2: cucumber (issue #3) side by side with what it replaces.
 *
 *   1. Worker round trip through a real worker_threads worker (bench/serializer-worker.ts):
 *      `postMessage(serialize(x))` → worker `deserialize`, `serialize` back → parent
 *      `deserialize`, against a raw `postMessage(x)` echo on the same worker (which loses classes),
 *      and the byte form (`serialize(x, { bytes: true })`, buffer transferred).
 *   2. In-thread serialize + deserialize: cucumber (structured-clone form measured as
 *      `deserialize(structuredClone(serialize(x)))`, and the byte form), structuredClone,
 *      v8.serialize, superjson, devalue, seroval, msgpackr (structuredClone: true).
 *   3. Where cucumber's time goes: each of its phases timed alone.
 *
 * Payloads: P1 1000 records with Date/Map/Set and shared references; P2 1000 instances of a
 * registered class with cycles between them; P3 a ~4 MB typed-array-heavy object.
 *
 * Every sample is one operation. Sides run in interleaved rounds (a fresh seeded order each round), after
 * discarded warm-up; tables give the median and p90 of the samples. Each side's result is checked
 * (untimed) against the input: a deep equality that follows cycles and shared references and, for
 * classes, compares prototypes. A library that throws on a payload is reported as `fails: …`.
 *
 * Knob: BENCH_SERIALIZER_SECONDS (the sampling budget of this part, default 36; warm-up, checks
 * and the worker bundle come on top).
 */
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as v8 from 'node:v8';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { cucumber } from '@suitkaise/core';
import { stats, type Stats } from './stats.ts';

// ── the registered class (P2), registered wherever this module is imported ────────────────────

/** A graph vertex: a ring (`next`/`prev`) plus a few `peers`, so instances form cycles. */
export class Vertex {
  id: number;
  label: string;
  weight: number;
  position: number[];
  next: Vertex | null = null;
  prev: Vertex | null = null;
  peers: Vertex[] = [];
  constructor(id: number) {
    this.id = id;
    this.label = `vertex-${id}`;
    this.weight = (id * 7919) % 1000 / 10;
    this.position = [id % 97, (id * 31) % 89, (id * 17) % 83];
  }
  get degree(): number {
    return this.peers.length + 2;
  }
}
export const VERTEX_ID = 'bench/serializer#Vertex';
cucumber.register(Vertex, VERTEX_ID);

// ── the byte form, coded against `serialize(value, { bytes: true }): Uint8Array` ──────────────

type BytesSerialize = (value: unknown, options: { bytes: true }) => unknown;

/** Thrown by {@link serializeBytes} while `serialize` has no byte form. */
export class BytesUnavailable extends Error {
  constructor(got: unknown) {
    super(`serialize(value, { bytes: true }) returned ${got === null ? 'null' : typeof got === 'object' ? (got.constructor?.name ?? 'an object') : typeof got}, not a Uint8Array`);
    this.name = 'BytesUnavailable';
  }
}

/** `serialize(value, { bytes: true })`, checked at run time to be a Uint8Array. */
export function serializeBytes(value: unknown): Uint8Array {
  const bytes = (cucumber.serialize as unknown as BytesSerialize)(value, { bytes: true });
  if (!(bytes instanceof Uint8Array)) throw new BytesUnavailable(bytes);
  return bytes;
}

/** The buffer to transfer with `bytes`, when `bytes` is all of it (a pooled slice is copied instead). */
export function transferable(bytes: Uint8Array): ArrayBuffer[] {
  const buffer = bytes.buffer;
  return buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength ? [buffer] : [];
}

/** What the parent sends the worker: one port per kind of echo. */
export interface WorkerPorts {
  raw: MessagePort;
  clone: MessagePort;
  bytes: MessagePort;
}

// ── payloads ──────────────────────────────────────────────────────────────────────────────────

export interface Payload {
  key: 'P1' | 'P2' | 'P3';
  label: string;
  value: unknown;
  /** Holds registered class instances (raw structured clone loses them). */
  classes: boolean;
}

/** P1: 1000 records with Date, Map, Set, and owners/categories shared between records. */
function records(): Payload {
  const owners = Array.from({ length: 25 }, (_, i) => ({ id: i, name: `owner-${i}`, email: `owner${i}@example.com`, since: new Date(Date.UTC(2020, i % 12, 1)) }));
  const categories = Array.from({ length: 8 }, (_, i) => ({ code: `C${i}`, label: `Category ${i}`, parent: null as unknown }));
  for (let i = 1; i < categories.length; i++) categories[i]!.parent = categories[(i - 1) >> 1];
  const list = Array.from({ length: 1000 }, (_, i) => ({
    id: i,
    name: `record-${i}`,
    active: i % 3 === 0,
    score: i * 1.375,
    createdAt: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000),
    tags: new Set([`t${i % 7}`, `t${i % 11}`, `t${i % 13}`]),
    counters: new Map<string, number>([['views', i * 3], ['likes', i % 50]]),
    owner: owners[i % owners.length],
    category: categories[i % categories.length],
  }));
  return { key: 'P1', label: '1000 records, Date/Map/Set, shared refs', value: { generatedAt: new Date(Date.UTC(2025, 0, 1)), owners, categories, records: list }, classes: false };
}

/** P2: 1000 registered Vertex instances in a ring, each with 3 peers: cycles everywhere. */
function vertices(): Payload {
  const list = Array.from({ length: 1000 }, (_, i) => new Vertex(i));
  list.forEach((vertex, i) => {
    vertex.next = list[(i + 1) % list.length]!;
    vertex.prev = list[(i + list.length - 1) % list.length]!;
    vertex.peers = [list[(i * 7 + 3) % list.length]!, list[(i * 13 + 5) % list.length]!, list[(i * 31 + 11) % list.length]!];
  });
  return { key: 'P2', label: '1000 registered class instances, cycles', value: { name: 'ring', vertices: list }, classes: true };
}

/** P3: ~4 MB of typed arrays plus a little metadata. */
function arrays(): Payload {
  const floats = (length: number, seed: number) => Float64Array.from({ length }, (_, i) => Math.sin(i * 0.001 + seed) * 1000);
  const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 255);
  const value = {
    meta: { name: 'mesh-0', version: 3, createdAt: new Date(Date.UTC(2025, 2, 14)), units: 'm', bounds: [-1000, -1000, 1000, 1000], layers: ['positions', 'normals', 'colors', 'flags'] },
    positions: floats(196_608, 1), // 1.5 MiB
    normals: floats(131_072, 2), // 1 MiB
    weights: floats(65_536, 3), // 0.5 MiB
    colors: bytes(786_432, 4), // 0.75 MiB
    flags: bytes(262_144, 5), // 0.25 MiB
  };
  return { key: 'P3', label: '~4 MB typed arrays + metadata', value, classes: false };
}

/** P1, P2, P3. */
export function buildPayloads(): Payload[] {
  return [records(), vertices(), arrays()];
}

// ── correctness (untimed) ─────────────────────────────────────────────────────────────────────

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'null-prototype object';
  return String(value);
}

function protoName(proto: object | null): string {
  if (proto === null) return 'null';
  const ctor = (proto as { constructor?: { name?: string } }).constructor;
  return ctor?.name || 'anonymous';
}

/**
 * Where `actual` differs from `expected`, or null. Follows cycles and shared references (the
 * graph's shape must match, both ways); compares prototypes when `prototypes` is set.
 */
export function difference(expected: unknown, actual: unknown, prototypes: boolean): string | null {
  const forth = new Map<object, object>();
  const back = new Map<object, object>();
  const walk = (a: unknown, b: unknown, path: string): string | null => {
    if (typeof a !== 'object' || a === null) return Object.is(a, b) ? null : `${path}: ${show(a)} became ${show(b)}`;
    if (typeof b !== 'object' || b === null) return `${path}: ${show(a)} became ${show(b)}`;
    const known = forth.get(a);
    if (known !== undefined) return known === b ? null : `${path}: shared reference or cycle not kept`;
    if (back.has(b)) return `${path}: distinct objects merged`;
    forth.set(a, b);
    back.set(b, a);
    const protoA = Object.getPrototypeOf(a) as object | null;
    const protoB = Object.getPrototypeOf(b) as object | null;
    if (prototypes && protoA !== protoB) return `${path}: prototype ${protoName(protoA)} became ${protoName(protoB)}`;
    if (a instanceof Date) return b instanceof Date && Object.is(a.getTime(), b.getTime()) ? null : `${path}: Date differs`;
    if (ArrayBuffer.isView(a)) {
      if (!ArrayBuffer.isView(b) || a.constructor !== b.constructor) return `${path}: ${show(a)} became ${show(b)}`;
      const bytesA = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      const bytesB = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      return bytesA.equals(bytesB) ? null : `${path}: contents differ`;
    }
    if (a instanceof Map) {
      if (!(b instanceof Map) || a.size !== b.size) return `${path}: Map became ${show(b)}${b instanceof Map ? ` of size ${b.size}` : ''}`;
      const entriesB = [...b];
      let i = 0;
      for (const [key, value] of a) {
        const [keyB, valueB] = entriesB[i]!;
        const found = walk(key, keyB, `${path}.<key ${i}>`) ?? walk(value, valueB, `${path}.get(${show(key)})`);
        if (found) return found;
        i++;
      }
      return null;
    }
    if (a instanceof Set) {
      if (!(b instanceof Set) || a.size !== b.size) return `${path}: Set became ${show(b)}`;
      const itemsB = [...b];
      let i = 0;
      for (const item of a) {
        const found = walk(item, itemsB[i], `${path}.<item ${i}>`);
        if (found) return found;
        i++;
      }
      return null;
    }
    if (Array.isArray(a) !== Array.isArray(b)) return `${path}: ${show(a)} became ${show(b)}`;
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    if (keysA.length !== keysB.length) return `${path}: ${keysA.length} keys became ${keysB.length}`;
    for (const key of keysA) {
      if (!Object.hasOwn(b, key)) return `${path}.${key}: missing`;
      const found = walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`);
      if (found) return found;
    }
    return null;
  };
  return walk(expected, actual, 'root');
}

/** The check column: ✓, or ✗ and why (for a side that loses classes by design, whether the data came through). */
function verdict(payload: Payload, result: unknown): string {
  const strict = difference(payload.value, result, true);
  if (strict === null) return '✓';
  if (payload.classes) {
    const loose = difference(payload.value, result, false);
    if (loose === null) return `✗ prototypes lost (data ✓)`;
  }
  return `✗ ${strict}`;
}

function reason(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = text.split('\n')[0]!;
  return line.length > 90 ? `${line.slice(0, 89)}…` : line;
}

// ── statistics and tables ─────────────────────────────────────────────────────────────────────


/**
 * The median over rounds of `side`'s median in that round divided by `base`'s median in the same
 * round: samples taken close together in time, so that load drifting over the run (other
 * processes on the machine) cancels out. Null when no round has both.
 */
function pairedRatio(side: Pick<Side, 'samples' | 'rounds'>, base: Pick<Side, 'samples' | 'rounds'>): number | null {
  const byRound = (of: Pick<Side, 'samples' | 'rounds'>) => {
    const groups = new Map<number, number[]>();
    of.samples.forEach((ms, i) => {
      const round = of.rounds?.[i] ?? -1;
      if (round >= 0) groups.set(round, [...(groups.get(round) ?? []), ms]);
    });
    return new Map([...groups].map(([round, list]) => [round, stats(list).median]));
  };
  const mine = byRound(side);
  const theirs = byRound(base);
  const ratios = [...mine].filter(([round]) => theirs.has(round)).map(([round, ms]) => ms / theirs.get(round)!);
  return ratios.length === 0 ? null : stats(ratios).median;
}

function time(ms: number): string {
  if (ms < 0.9995) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

/** Columns after the first `left` are right-aligned, but for a last column headed `check`. */
function render(header: string[], rows: string[][], left = 1): string {
  const last = header[header.length - 1] === 'check' ? header.length - 1 : -1;
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((cells) => [...(cells[column] ?? '')].length)));
  const pad = (cell: string, column: number) => {
    const fill = ' '.repeat(widths[column]! - [...cell].length);
    return column < left || column === last ? cell + fill : fill + cell;
  };
  const line = (cells: string[]) => header.map((_, column) => pad(cells[column] ?? '', column)).join('  ').trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

// ── interleaved sampling ──────────────────────────────────────────────────────────────────────

/** One side of a comparison: `sample()` does one operation and returns its time in ms. */
interface Side {
  key: string;
  sample: () => number | Promise<number>;
  samples: number[];
  /** The round each sample was taken in (-1: topped up after the rounds). */
  rounds?: number[];
  /** Why it was not sampled (fails, not available, too slow), or null. */
  skipped: string | null;
  check: string;
  /** Called once warm-up is over. */
  measuring?: () => void;
}

/** A small deterministic PRNG (mulberry32), so that two runs use the same orders. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Warm each side up (discarded: at least one operation, then up to `warmMs`), then run `rounds`
 * rounds, each in a fresh (seeded) random order. Each round gives every side the same share of
 * `budgetMs` in wall time (preparation inside `sample()` included): a side samples while it has
 * credit, so a fast side takes many samples per round and a slow one samples every few rounds.
 * Every side ends with at least 3 samples. A side that throws is marked `fails` and dropped.
 */
async function interleave(sides: Side[], budgetMs: number, rounds: number, warmMs: number): Promise<void> {
  const live = new Set(sides.filter((side) => side.skipped === null));
  const attempt = async (side: Side, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      side.skipped = `fails while sampled: ${reason(error)}`;
      live.delete(side);
    }
  };
  const take = async (side: Side, round: number) => {
    side.samples.push(await side.sample());
    (side.rounds ??= []).push(round);
  };
  for (const side of [...live]) {
    await attempt(side, async () => {
      const began = performance.now();
      for (let runs = 0; runs < 1 || (performance.now() - began < warmMs && runs < 500); runs++) await side.sample();
      side.measuring?.();
    });
  }
  if (live.size === 0) return;
  const share = budgetMs / (rounds * live.size);
  const credit = new Map<Side, number>([...live].map((side) => [side, 0]));
  const random = seeded(rounds * 7919 + live.size);
  for (let round = 0; round < rounds; round++) {
    // A fresh order each round: every side follows every other alike, so none keeps paying for
    // the garbage (or the cache misses) of one particular neighbour.
    for (const side of shuffle([...live], random)) {
      await attempt(side, async () => {
        let left = credit.get(side)! + share;
        for (let runs = 0; left > 0 && runs < 1000; runs++) {
          const start = performance.now();
          await take(side, round);
          left -= performance.now() - start;
        }
        credit.set(side, left);
      });
    }
  }
  for (const side of [...live]) {
    await attempt(side, async () => {
      while (side.samples.length < 3) await take(side, -1);
    });
  }
}

// ── the worker (round trips, and probes of the in-thread methods) ─────────────────────────────

/** Asks on a port, one request at a time; a request is rejected after `limitMs` or on {@link Requester.fail}. */
interface Requester {
  ask(message: unknown, transfer?: ArrayBuffer[], what?: string): Promise<unknown>;
  /** Reject the request under way, and every later one (the worker died). */
  fail(error: unknown): void;
}

/**
 * No long-lived promise is raced against each request: a reaction added to a promise that never
 * settles stays (with the reply it resolved to) until the end, and 4 MB replies would pile up.
 */
function requester(port: MessagePort | Worker, limitMs: number): Requester {
  let pending: { resolve: (value: unknown) => void; reject: (error: unknown) => void; timer: ReturnType<typeof setTimeout> } | null = null;
  let dead: unknown = null;
  const settle = () => {
    const current = pending;
    pending = null;
    if (current) clearTimeout(current.timer);
    return current;
  };
  port.on('message', (message: unknown) => settle()?.resolve(message));
  return {
    ask(message, transfer, what = 'a request') {
      if (dead !== null) return Promise.reject(dead);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => settle()?.reject(new Error(`${what} did not finish within ${limitMs / 1000} s`)), limitMs);
        timer.unref();
        pending = { resolve, reject, timer };
        port.postMessage(message, transfer);
      });
    },
    fail(error) {
      dead = error;
      settle()?.reject(error);
    },
  };
}

function answered(message: unknown): unknown {
  if (typeof message === 'object' && message !== null && 'benchError' in message) throw new Error(`worker: ${String(message.benchError)}`);
  return message;
}

const benchDir = process.env.SUITKAISE_BENCH_DIR ?? dirname(fileURLToPath(import.meta.url));

/** Bundle bench/serializer-worker.ts as bench/run.mjs bundles bench/index.ts (same plugin, same externals). */
async function buildWorker(): Promise<string> {
  const root = dirname(benchDir);
  const cacheDir = join(root, 'node_modules', '.cache', 'suitkaise');
  const esbuild = await import('esbuild');
  const pluginFile = join(cacheDir, 'bench-transform-esbuild.mjs');
  const plugins: import('esbuild').Plugin[] = [
    {
      name: 'bench:externals',
      setup(build) {
        build.onResolve({ filter: /^[^./#]/ }, (args) =>
          /^(?:@suitkaise\/.*|comlink(?:\/.*)?|reflect-metadata)$/.test(args.path) ? undefined : { path: args.path, external: true },
        );
      },
    },
  ];
  if (existsSync(pluginFile)) {
    const { suitkaiseEsbuild } = (await import(pathToFileURL(pluginFile).href)) as { suitkaiseEsbuild: (options: { root: string }) => import('esbuild').Plugin };
    plugins.push(suitkaiseEsbuild({ root }));
  }
  const outfile = join(cacheDir, 'bench-serializer-worker.mjs');
  const built = await esbuild.build({
    entryPoints: [join(benchDir, 'serializer-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    outfile,
    conditions: ['@suitkaise/source'],
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    // (Spelled in two pieces: bench/run.mjs rewrites that expression in bench sources.)
    banner: { js: `import { createRequire as __skCreateRequire } from 'node:module'; const require = __skCreateRequire(${'import.meta'}.url);` },
    plugins,
  });
  await esbuild.stop();
  mkdirSync(cacheDir, { recursive: true });
  const temporary = `${outfile}.${process.pid}.tmp`;
  writeFileSync(temporary, built.outputFiles[0]!.contents);
  renameSync(temporary, outfile);
  return outfile;
}

/** What a probe runs on: a payload, or one lone Vertex (no links) to tell classes from cycles. */
export type ProbeTarget = Payload['key'] | 'lone Vertex';

/** What a probe worker answers: the operation's time, or why it failed. */
export type ProbeAnswer = { ms: number; error?: undefined } | { error: string };

/**
 * Runs one in-thread method on one payload in a worker first, under a time limit: a library that
 * never finishes on a payload (superjson's walk of cycles through class instances) must not hang
 * the benchmark. A worker that overran is terminated and replaced.
 */
class Prober {
  private worker: Worker | null = null;
  private requests: Requester | null = null;
  constructor(private readonly file: string) {}

  async run(method: string, payload: ProbeTarget, limitMs: number): Promise<ProbeAnswer> {
    try {
      if (this.worker === null) {
        const worker = new Worker(this.file, { workerData: { role: 'probe' } });
        this.worker = worker;
        const ready = new Promise((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
        await ready;
        this.requests = requester(worker, limitMs);
        worker.on('error', (error) => this.requests?.fail(error));
      }
      return (await this.requests!.ask({ method, payload }, undefined, method)) as ProbeAnswer;
    } catch (error) {
      await this.close();
      return { error: reason(error) };
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.requests = null;
    if (worker) await worker.terminate();
  }
}

/** The worker's side of {@link Prober}: answers `{ method, payload }` with a {@link ProbeAnswer}. */
export async function serveProbes(port: { on(event: 'message', listener: (message: { method: string; payload: ProbeTarget }) => void): unknown; postMessage(message: unknown): void }): Promise<void> {
  const payloads = buildPayloads();
  const list = await methods();
  port.on('message', ({ method, payload }) => {
    const found = list.find((m) => m.name === method);
    const x = payload === 'lone Vertex' ? new Vertex(0) : payloads.find((p) => p.key === payload)?.value;
    try {
      if (!found) throw new Error(`no method ${method}`);
      const began = performance.now();
      found.decode(found.encode(x));
      port.postMessage({ ms: performance.now() - began } satisfies ProbeAnswer);
    } catch (error) {
      port.postMessage({ error: reason(error) } satisfies ProbeAnswer);
    }
  });
  port.postMessage('ready');
}

// ── 1. worker round trip ──────────────────────────────────────────────────────────────────────

/** Where one round trip's time went, in ms: parent serialize / deserialize, worker deserialize / serialize. */
type TripPhases = [parentSerialize: number, workerDeserialize: number, workerSerialize: number, parentDeserialize: number];
/** What the worker answers to `'timings'`: its [deserialize, serialize] ms per message since the last ask. */
export type WorkerTimings = Record<'clone' | 'bytes', [number, number][]>;

interface WorkerRow {
  payload: Payload;
  side: string;
  stats: Stats | null;
  skipped: string | null;
  check: string;
  goal: number | null;
  /** Medians of the measured trips' phases, then of what is left (messaging: clone, copy, thread hops). */
  phases: { phases: number[]; rest: number } | null;
  timing: Pick<Side, 'samples' | 'rounds'>;
}

const TRIP_LIMIT_MS = 20_000;

async function workerRoundTrips(file: string, payloads: Payload[], bytesNote: string | null, budgetMs: number): Promise<WorkerRow[]> {
  const worker = new Worker(file);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const channels = { raw: new MessageChannel(), clone: new MessageChannel(), bytes: new MessageChannel() };
  const ports: WorkerPorts = { raw: channels.raw.port2, clone: channels.clone.port2, bytes: channels.bytes.port2 };
  worker.postMessage(ports, [ports.raw, ports.clone, ports.bytes]);
  const to = {
    raw: requester(channels.raw.port1, TRIP_LIMIT_MS),
    clone: requester(channels.clone.port1, TRIP_LIMIT_MS),
    bytes: requester(channels.bytes.port1, TRIP_LIMIT_MS),
    control: requester(worker, TRIP_LIMIT_MS),
  };
  worker.on('error', (error) => Object.values(to).forEach((requests) => requests.fail(error)));

  /** One trip; the parent's own serialize and deserialize times go to `parent`. */
  const trips = {
    raw: async (value: unknown, _parent: number[]) => answered(await to.raw.ask(value, undefined, 'a round trip')),
    clone: async (value: unknown, parent: number[]) => {
      const t0 = performance.now();
      const envelope = cucumber.serialize(value);
      const t1 = performance.now();
      const reply = answered(await to.clone.ask(envelope, undefined, 'a round trip'));
      const t2 = performance.now();
      const result = cucumber.deserialize(reply);
      parent.push(t1 - t0, performance.now() - t2);
      return result;
    },
    bytes: async (value: unknown, parent: number[]) => {
      const t0 = performance.now();
      const bytes = serializeBytes(value);
      const t1 = performance.now();
      const reply = answered(await to.bytes.ask(bytes, transferable(bytes), 'a round trip'));
      const t2 = performance.now();
      const result = cucumber.deserialize(reply);
      parent.push(t1 - t0, performance.now() - t2);
      return result;
    },
  };
  const names = { raw: 'raw postMessage(x) echo', clone: 'cucumber, structured-clone form', bytes: 'cucumber, bytes form (transferred)' };
  const goals: Record<Payload['key'], number | null> = { P1: 1.25, P2: 1.5, P3: null };

  const rows: WorkerRow[] = [];
  try {
    for (const payload of payloads) {
      const sides = (['raw', 'clone', 'bytes'] as const).map((kind) => {
        let last: unknown;
        // Every trip, in order (the worker keeps its side in the same order): total and parent phases.
        const log: { total: number; parent: number[]; measured: boolean }[] = [];
        let measured = false;
        const side = {
          kind,
          key: names[kind],
          samples: [] as number[],
          skipped: kind === 'bytes' ? bytesNote : null,
          check: '',
          log,
          sample: async () => {
            const parent: number[] = [];
            const began = performance.now();
            last = await trips[kind](payload.value, parent);
            const total = performance.now() - began;
            log.push({ total, parent, measured });
            return total;
          },
          measuring: () => { measured = true; },
          last: () => last,
        } satisfies Side & Record<string, unknown>;
        return side;
      });
      // Untimed: one trip each, to check the result (and find the sides that cannot run).
      for (const side of sides) {
        if (side.skipped !== null) continue;
        try {
          side.check = verdict(payload, await trips[side.kind](payload.value, []));
        } catch (error) {
          side.skipped = `fails: ${reason(error)}`;
        }
      }
      await interleave(sides, budgetMs, 20, 250);
      const worked = (await to.control.ask('timings')) as WorkerTimings;
      for (const side of sides) {
        // The last measured trip's result must pass too.
        if (side.skipped === null && side.check === '✓') side.check = verdict(payload, side.last());
        let phases: WorkerRow['phases'] = null;
        if (side.skipped === null) {
          // The worker also saw the check trip first: drop it to line its timings up with the log.
          const inWorker = side.kind === 'raw' ? null : worked[side.kind].slice(1);
          if (inWorker === null || inWorker.length === side.log.length) {
            const trips = side.log.map((trip, i) => ({ ...trip, worker: inWorker?.[i] ?? [0, 0] })).filter((trip) => trip.measured);
            const all = trips.map((trip): TripPhases => [trip.parent[0] ?? 0, trip.worker[0], trip.worker[1], trip.parent[1] ?? 0]);
            phases = {
              phases: [0, 1, 2, 3].map((i) => stats(all.map((trip) => trip[i]!)).median),
              rest: stats(trips.map((trip, i) => trip.total - all[i]!.reduce((sum, ms) => sum + ms, 0))).median,
            };
          }
        }
        rows.push({
          payload,
          side: side.key,
          stats: side.skipped === null ? stats(side.samples) : null,
          skipped: side.skipped,
          check: side.skipped === null ? side.check : '',
          goal: side.kind === 'clone' ? goals[payload.key] : null,
          phases,
          timing: side,
        });
      }
    }
  } finally {
    for (const channel of Object.values(channels)) channel.port1.close();
    await worker.terminate();
    await exited;
  }
  return rows;
}

// ── 2. in-thread ──────────────────────────────────────────────────────────────────────────────

/** An in-thread round trip: `decode(encode(x))`, timed as one operation. */
interface Method {
  name: string;
  encode: (value: unknown) => unknown;
  decode: (wire: unknown) => unknown;
  /** The size of `encode`'s output, for the table (untimed). */
  size: (wire: unknown) => string;
}

const BYTES_METHOD = 'cucumber, bytes form';
const MSGPACKR_METHOD = 'msgpackr (structuredClone: true)';

/** Every in-thread method; the peers are imported here, so that the round-trip worker does not load them. */
export async function methods(): Promise<Method[]> {
  const [{ default: superjson }, devalue, seroval, { Packr }] = await Promise.all([import('superjson'), import('devalue'), import('seroval'), import('msgpackr')]);
  superjson.registerClass(Vertex, { identifier: VERTEX_ID });
  const reducers = { Vertex: (value: unknown) => value instanceof Vertex && { ...value } };
  const revivers = { Vertex: (fields: object) => Object.assign(Object.create(Vertex.prototype) as Vertex, fields) };
  const packr = new Packr({ structuredClone: true });
  const approx = (wire: unknown) => `≈${size(v8.serialize(wire).byteLength)}`;
  const bytes = (wire: unknown) => size((wire as Uint8Array).byteLength);
  const text = (wire: unknown) => size(Buffer.byteLength(wire as string));
  const same = (wire: unknown) => wire;
  return [
    { name: 'structuredClone', encode: (x) => structuredClone(x), decode: same, size: approx },
    { name: 'cucumber, structured-clone form', encode: (x) => structuredClone(cucumber.serialize(x)), decode: (wire) => cucumber.deserialize(wire), size: approx },
    { name: BYTES_METHOD, encode: (x) => serializeBytes(x), decode: (wire) => cucumber.deserialize(wire), size: bytes },
    { name: 'v8.serialize/deserialize', encode: (x) => v8.serialize(x), decode: (wire) => v8.deserialize(wire as Buffer), size: bytes },
    { name: MSGPACKR_METHOD, encode: (x) => packr.pack(x), decode: (wire) => packr.unpack(wire as Buffer), size: bytes },
    { name: 'superjson (registerClass)', encode: (x) => superjson.stringify(x), decode: (wire) => superjson.parse(wire as string), size: text },
    { name: 'devalue (reducers/revivers)', encode: (x) => devalue.stringify(x, reducers), decode: (wire) => devalue.parse(wire as string, revivers), size: text },
    { name: 'seroval serialize/deserialize', encode: (x) => seroval.serialize(x), decode: (wire) => seroval.deserialize(wire as string), size: text },
  ];
}

interface ThreadRow { payload: Payload; name: string; stats: Stats | null; skipped: string | null; check: string; wire: string; timing: Pick<Side, 'samples' | 'rounds'> }
interface PhaseRow { payload: Payload; phases: Map<string, Stats | string> }

const PHASES = ['serialize (pre-walk)', 'structuredClone(envelope)', 'deserialize (fix-up)', 'bytes: serialize', 'bytes: deserialize'] as const;
/** A method whose first run on a payload (in the probe worker) takes longer is reported, not run here. */
const PROBE_LIMIT_MS = 4000;

async function inThread(file: string, payloads: Payload[], bytesNote: string | null, budgetMs: number): Promise<{ rows: ThreadRow[]; phases: PhaseRow[] }> {
  const list = await methods();
  const prober = new Prober(file);
  const rows: ThreadRow[] = [];
  const phases: PhaseRow[] = [];
  try {
    for (const payload of payloads) {
      const x = payload.value;
      const sides: (Side & { wire: string })[] = [];
      for (const method of list) {
        const side: Side & { wire: string } = {
          key: method.name,
          samples: [],
          skipped: method.name === BYTES_METHOD ? bytesNote : null,
          check: '',
          wire: '',
          sample: () => {
            const began = performance.now();
            method.decode(method.encode(x));
            return performance.now() - began;
          },
        };
        if (side.skipped === null && method.name !== 'structuredClone') {
          const probed = await prober.run(method.name, payload.key, PROBE_LIMIT_MS);
          if (probed.error !== undefined) {
            let why = '';
            if (payload.classes) {
              // Classes or cycles? Try one instance of the class, with no links.
              const lone = await prober.run(method.name, 'lone Vertex', PROBE_LIMIT_MS);
              why = lone.error === undefined ? ' (a lone Vertex works: the cycles break it)' : ' (a lone Vertex fails too: the class breaks it)';
            }
            side.skipped = `fails: ${probed.error}${why}`;
          }
        }
        if (side.skipped === null) {
          // Untimed: the check, which is also the first warm-up run.
          try {
            const wire = method.encode(x);
            side.wire = method.size(wire);
            side.check = verdict(payload, method.decode(wire));
          } catch (error) {
            side.skipped = `fails: ${reason(error)}`;
          }
        }
        sides.push(side);
      }
      // Cucumber's phases, each timed alone (what a phase needs as input is made untimed).
      const phase = (key: (typeof PHASES)[number], prepare: () => unknown, timed: (input: unknown) => unknown, note: string | null): Side & { wire: string } => ({
        key,
        samples: [],
        skipped: note,
        check: '',
        wire: '',
        sample: () => {
          const input = prepare();
          const began = performance.now();
          timed(input);
          return performance.now() - began;
        },
      });
      const cloneNote = sides[1]!.skipped;
      const bytesSide = sides.find((side) => side.key === BYTES_METHOD)!.skipped;
      let bytes: Uint8Array | null = null;
      sides.push(
        phase('serialize (pre-walk)', () => x, (input) => cucumber.serialize(input), cloneNote),
        phase('structuredClone(envelope)', () => cucumber.serialize(x), (envelope) => structuredClone(envelope), cloneNote),
        phase('deserialize (fix-up)', () => structuredClone(cucumber.serialize(x)), (received) => cucumber.deserialize(received), cloneNote),
        phase('bytes: serialize', () => x, (input) => serializeBytes(input), bytesSide),
        // A fresh copy each time, in case deserialize reads the bytes in place.
        phase('bytes: deserialize', () => (bytes ??= serializeBytes(x)).slice(), (received) => cucumber.deserialize(received), bytesSide),
      );
      await interleave(sides, budgetMs, 16, 100);
      for (const side of sides.slice(0, list.length)) {
        rows.push({ payload, name: side.key, stats: side.skipped === null ? stats(side.samples) : null, skipped: side.skipped, check: side.check, wire: side.wire, timing: side });
      }
      phases.push({ payload, phases: new Map(sides.slice(list.length).map((side) => [side.key, side.skipped ?? stats(side.samples)])) });
    }
  } finally {
    await prober.close();
  }
  return { rows, phases };
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────

export async function serializerBench(): Promise<void> {
  const began = performance.now();
  const seconds = Number(process.env.BENCH_SERIALIZER_SECONDS ?? 36);
  const budget = (Number.isFinite(seconds) && seconds > 0 ? seconds : 36) * 1000;
  const payloads = buildPayloads();

  let bytesNote: string | null = null;
  try {
    serializeBytes({ probe: [1, 'two', new Date(0)] });
  } catch (error) {
    bytesNote = error instanceof BytesUnavailable ? 'bytes form: not available' : `bytes form: not available (${reason(error)})`;
  }

  console.log('\n── cucumber (issue #3) ──────────────────────────────────────────────────────────');
  console.log(
    payloads
      .map((payload) => `${payload.key}: ${payload.label}; v8.serialize size ${size(v8.serialize(payload.value).byteLength)}` +
        (bytesNote === null ? `, cucumber bytes ${size(serializeBytes(payload.value).byteLength)}` : ''))
      .join('\n'),
  );
  if (bytesNote !== null) console.log(bytesNote);

  // 1. Worker round trips (half the budget), then 2. in-thread (the other half).
  const file = await buildWorker();
  const workerRows = await workerRoundTrips(file, payloads, bytesNote, (budget * 0.5) / payloads.length);
  const { rows, phases } = await inThread(file, payloads, bytesNote, (budget * 0.5) / payloads.length);

  const workerStats = (payload: Payload, side: string) => workerRows.find((row) => row.payload === payload && row.side === side)?.stats ?? null;
  const threadStats = (payload: Payload, name: string) => rows.find((row) => row.payload === payload && row.name === name)?.stats ?? null;
  const threadRow = (payload: Payload, name: string) => rows.find((row) => row.payload === payload && row.name === name && row.stats !== null) ?? null;
  const workerRow = (payload: Payload, side: string) => workerRows.find((row) => row.payload === payload && row.side === side && row.stats !== null) ?? null;
  const paired = (a: { timing: Pick<Side, 'samples' | 'rounds'> } | null, b: { timing: Pick<Side, 'samples' | 'rounds'> } | null) => {
    const r = a && b ? pairedRatio(a.timing, b.timing) : null;
    return r === null ? '' : `${r.toFixed(2)}×`;
  };

  console.log('\n1. Worker round trip (real worker_threads worker; parent serialize → postMessage → worker deserialize + serialize → postMessage → parent deserialize)\n');
  console.log(render(
    ['payload', 'side', 'median', 'p90', 'n', 'ratio vs raw', 'paired', 'goal', '', 'check'],
    workerRows.map((row) => {
      const raw = workerStats(row.payload, 'raw postMessage(x) echo');
      if (row.stats === null) return [row.payload.key, row.side, '—', '—', '—', '—', '—', row.goal === null ? '' : `≤ ${row.goal}×`, row.goal === null ? '' : 'not met', row.skipped ?? ''];
      const r = raw ? row.stats.median / raw.median : NaN;
      return [
        row.payload.key,
        row.side,
        time(row.stats.median),
        time(row.stats.p90),
        String(row.stats.n),
        raw ? ratio(row.stats.median, raw.median) : '',
        paired(row, workerRow(row.payload, 'raw postMessage(x) echo')),
        row.goal === null ? '' : `≤ ${row.goal}×`,
        row.goal === null ? '' : r <= row.goal ? 'met' : 'not met',
        row.check,
      ];
    }),
    2,
  ));
  console.log(
    'goals (on the ratio of medians): P1 ≤ 1.25× raw (no classes), P2 ≤ 1.5× raw (with classes); raw loses the classes.\n' +
      'paired: median over rounds of the two sides\' per-round medians (samples close in time: drifting load cancels).\n' +
      'Bytes rows: the Uint8Array\'s buffer is transferred both ways.',
  );

  console.log('\n   Where a round trip\'s time goes (medians of the measured trips; messaging = the rest: postMessage\'s clone/copy both ways, thread hops)\n');
  console.log(render(
    ['payload', 'side', 'parent serialize', 'worker deserialize', 'worker serialize', 'parent deserialize', 'messaging', 'total'],
    workerRows.filter((row) => row.phases !== null && row.stats !== null).map((row) => [
      row.payload.key,
      row.side,
      ...row.phases!.phases.map((ms) => (ms === 0 ? '—' : time(ms))),
      time(row.phases!.rest),
      time(row.stats!.median),
    ]),
    2,
  ));

  console.log('\n2. In-thread serialize + deserialize (cucumber structured-clone form = deserialize(structuredClone(serialize(x))))\n');
  console.log(render(
    ['payload', 'method', 'median', 'p90', 'n', 'vs structuredClone', 'paired', 'wire size', 'check'],
    rows.map((row) => {
      const base = threadStats(row.payload, 'structuredClone');
      if (row.stats === null) return [row.payload.key, row.name, '—', '—', '—', '—', '—', '—', row.skipped ?? ''];
      return [
        row.payload.key,
        row.name,
        time(row.stats.median),
        time(row.stats.p90),
        String(row.stats.n),
        base ? ratio(row.stats.median, base.median) : '',
        paired(row, threadRow(row.payload, 'structuredClone')),
        row.wire,
        row.check,
      ];
    }),
    2,
  ));
  console.log('wire size: bytes of the string/bytes produced; ≈ = v8.serialize size of what structured clone copies.');

  console.log('\n   Goal: bytes form within 1.2× of msgpackr (structuredClone: true)\n');
  console.log(render(
    ['payload', 'cucumber bytes', 'msgpackr', 'ratio', 'paired', 'goal', ''],
    payloads.map((payload) => {
      const mine = threadStats(payload, BYTES_METHOD);
      const theirs = threadStats(payload, MSGPACKR_METHOD);
      if (mine === null || theirs === null) {
        const why = rows.find((row) => row.payload === payload && row.stats === null && (row.name === BYTES_METHOD || row.name === MSGPACKR_METHOD))?.skipped;
        return [payload.key, '—', '—', '—', '—', '≤ 1.2×', `not met (${why ?? 'not measured'})`];
      }
      const r = mine.median / theirs.median;
      return [payload.key, time(mine.median), time(theirs.median), `${r.toFixed(2)}×`, paired(threadRow(payload, BYTES_METHOD), threadRow(payload, MSGPACKR_METHOD)), '≤ 1.2×', r <= 1.2 ? 'met' : 'not met'];
    }),
    1,
  ));

  console.log('\n3. Where cucumber\'s in-thread time goes (each phase timed alone, medians)\n');
  console.log(render(
    ['payload', ...PHASES, 'structuredClone(x)'],
    phases.map((row) => {
      const base = threadStats(row.payload, 'structuredClone');
      return [
        row.payload.key,
        ...PHASES.map((key) => {
          const value = row.phases.get(key);
          return value === undefined ? '' : typeof value === 'string' ? (value.startsWith('bytes form: not available') ? 'n/a' : value) : time(value.median);
        }),
        base ? time(base.median) : '',
      ];
    }),
    1,
  ));
  if (bytesNote !== null) console.log(`n/a: ${bytesNote}`);

  console.log(`\ncucumber part ${((performance.now() - began) / 1000).toFixed(1)} s; whole npm run bench ${(performance.now() / 1000).toFixed(1)} s since node started`);
}
