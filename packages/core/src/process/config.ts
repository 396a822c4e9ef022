/**
 * `processConfig`: the defaults in one place, and one validation that names
 * the option and what it must be.
 */
import { SECTIONS, type Section } from '../errors.ts';

/** Per-section timeouts in milliseconds; `null`: none. */
export type ProcessTimeouts = Record<Section, number | null>;

/** How a process runs. Set its fields in the constructor, after `super()`. */
export interface ProcessConfig {
  /** Iterations before stopping on its own; `null` runs until `stop()`. @default null */
  runs: number | null;
  /** Milliseconds of total run time before stopping on its own; `null`: no limit. @default null */
  joinIn: number | null;
  /** Attempts in all: `3` means up to 2 retries. @default 1 */
  lives: number;
  /** Per-section timeouts in milliseconds. @default all null */
  timeouts: ProcessTimeouts;
}

/** A fresh config with every default. */
export function defaultProcessConfig(): ProcessConfig {
  return {
    runs: null,
    joinIn: null,
    lives: 1,
    timeouts: Object.fromEntries(SECTIONS.map((section) => [section, null])) as ProcessTimeouts,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function nullableNumber(value: unknown, name: string, integer: boolean, min: number): number | null {
  if (value === null || value === undefined) return null;
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && (!integer || Number.isInteger(value));
  if (!ok) {
    const what = integer ? `an integer >= ${min}` : `a finite number >= ${min} (milliseconds)`;
    throw new TypeError(`processConfig.${name} must be null or ${what}, got ${String(value)}`);
  }
  return value;
}

/** Validate a user's `processConfig`, returning a normalized copy. Throws `TypeError` naming the option. */
export function resolveProcessConfig(config: unknown): ProcessConfig {
  if (!isRecord(config)) throw new TypeError('processConfig must be an object; do not replace it, set its fields');
  const lives = config.lives ?? defaultProcessConfig().lives;
  if (typeof lives !== 'number' || !Number.isInteger(lives) || lives < 1) {
    throw new TypeError(`processConfig.lives must be an integer >= 1, got ${String(lives)}`);
  }
  const given = isRecord(config.timeouts) ? config.timeouts : {};
  const timeouts = defaultProcessConfig().timeouts;
  for (const section of Object.keys(timeouts) as Section[]) {
    timeouts[section] = nullableNumber(given[section], `timeouts.${section}`, false, 0);
  }
  return {
    runs: nullableNumber(config.runs, 'runs', true, 0),
    joinIn: nullableNumber(config.joinIn, 'joinIn', false, 0),
    lives,
    timeouts,
  };
}
