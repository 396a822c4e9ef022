/**
 * The Node options a suitkaise worker starts with: the parent's, minus the module hook.
 *
 * A worker inherits its parent's `execArgv` (and re-reads `NODE_OPTIONS`), so under
 * `node --import @suitkaise/node/register app.ts` every worker would run the hook again: on
 * Node 20 that is one more module-hooks thread per worker (about twice the start-up time and
 * memory of a worker without it), and the parent keeps a MessagePort for every such worker it
 * ever ran. Worker code is bundled JavaScript by then, so workers start without the hook, with
 * every other option kept. Options a worker refuses (V8 and process-wide ones such as
 * `--max-old-space-size` or `--title`: `ERR_WORKER_INVALID_EXEC_ARGV`) already apply to the
 * whole process; they are left out.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options whose value names a module to preload; one that loads our hook is dropped with its value. */
const PRELOADS = new Set(['--import', '--loader', '--experimental-loader', '--require', '-r']);
/** Options that only make sense for the main entry (its source, its mode); a worker never gets them. */
const ENTRY_ONLY = new Set(['--eval', '-e', '--print', '-p', '--check', '-c', '--interactive', '-i', '--test', '--watch', '--watch-path', '--watch-preserve-output']);
/** Of {@link ENTRY_ONLY}, those that take the next argument as their value. */
const ENTRY_ONLY_WITH_VALUE = new Set(['--eval', '-e', '--print', '-p', '--watch-path']);
/** Node options (other than {@link PRELOADS}) that take the next argument as their value, when written without `=`. */
const WITH_VALUE = new Set([
  '--conditions', '-C', '--input-type', '--env-file', '--title', '--disable-warning', '--diagnostic-dir', '--redirect-warnings',
  '--inspect-port', '--debug-port', '--icu-data-dir', '--openssl-config', '--tls-cipher-list', '--unhandled-rejections',
  '--experimental-default-type', '--heapsnapshot-signal', '--report-signal', '--report-dir', '--report-directory', '--report-filename',
  '--cpu-prof-dir', '--cpu-prof-name', '--heap-prof-dir', '--heap-prof-name', '--dns-result-order', '--secure-heap', '--secure-heap-min',
  '--stack-trace-limit', '--max-old-space-size', '--max-semi-space-size', '--stack-size', '--experimental-policy', '--policy-integrity',
  '--experimental-sea-config', '--trace-event-categories', '--trace-event-file-pattern', '--use-largepages', '--test-reporter',
  '--test-reporter-destination', '--test-name-pattern', '--test-shard', '--test-concurrency', '--test-timeout',
]);

/** One option as written: the flag and, when it took the next argument, that argument. */
type Option = readonly string[];

/** `argv` split into options, each with its value when the value is a separate argument. */
function optionsOf(argv: readonly string[]): Option[] {
  const options: Option[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const takesNext = !arg.includes('=') && (PRELOADS.has(arg) || ENTRY_ONLY_WITH_VALUE.has(arg) || WITH_VALUE.has(arg)) && i + 1 < argv.length;
    options.push(takesNext ? [arg, argv[++i]!] : [arg]);
  }
  return options;
}

function flagOf(option: Option): string {
  const flag = option[0]!;
  const equals = flag.indexOf('=');
  return equals === -1 ? flag : flag.slice(0, equals);
}

function valueOf(option: Option): string | undefined {
  if (option.length > 1) return option[1];
  const equals = option[0]!.indexOf('=');
  return equals === -1 ? undefined : option[0]!.slice(equals + 1);
}

const HOOK_SPECIFIER = /^@suitkaise\/node\/(?:register|hooks)(?:\.mjs)?$/;
const HOOK_FILE = /^(?:register|hooks)\.mjs$/;

/**
 * Whether the module `value` names (a package specifier, a path or a `file:` URL, as `--import`
 * takes them) is @suitkaise/node's register.mjs or hooks.mjs: by specifier, or by a file of that
 * name in a directory whose package.json names @suitkaise/node (any install layout, any copy).
 */
export function isSuitkaiseHook(value: string, cwd: string = process.cwd()): boolean {
  if (HOOK_SPECIFIER.test(value)) return true;
  let file: string;
  try {
    file = value.startsWith('file:') ? fileURLToPath(value) : isAbsolute(value) || /^\.\.?[\\/]/.test(value) ? resolve(cwd, value) : '';
  } catch {
    return false;
  }
  if (!file || !HOOK_FILE.test(file.split(/[\\/]/).pop()!)) return false;
  try {
    const dir = dirname(existsSync(file) ? realpathSync(file) : file);
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === '@suitkaise/node';
  } catch {
    return false;
  }
}

/** `argv` without the options that load the suitkaise hook, nor those only the main entry takes. */
export function withoutHook(argv: readonly string[], cwd: string = process.cwd()): string[] {
  return optionsOf(argv)
    .filter((option) => {
      const flag = flagOf(option);
      if (ENTRY_ONLY.has(flag)) return false;
      if (!PRELOADS.has(flag)) return true;
      const value = valueOf(option);
      return value === undefined || !isSuitkaiseHook(value, cwd);
    })
    .flat();
}

/**
 * `NODE_OPTIONS` without the hook (a worker re-reads it, whatever its execArgv); `undefined`
 * when it does not load the hook (the worker then inherits the environment as it is).
 */
export function nodeOptionsWithoutHook(nodeOptions: string | undefined, cwd: string = process.cwd()): string | undefined {
  if (!nodeOptions || !/suitkaise|register|hooks/.test(nodeOptions)) return undefined;
  const words = splitNodeOptions(nodeOptions);
  const kept = withoutHook(words, cwd);
  if (kept.length === words.length) return undefined;
  return kept.map((word) => (/[\s"\\]/.test(word) ? JSON.stringify(word) : word)).join(' ');
}

/** NODE_OPTIONS as Node splits it: on whitespace, with double quotes grouping and `\` escaping inside them. */
function splitNodeOptions(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let started = false;
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted && char === '\\' && i + 1 < text.length) {
      word += text[++i];
    } else if (char === '"') {
      quoted = !quoted;
      started = true;
    } else if (!quoted && /\s/.test(char)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += char;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

const INVALID = /invalid execArgv flags: (.*)$/s;

/**
 * `argv` without the options `error` (an `ERR_WORKER_INVALID_EXEC_ARGV`) names; `undefined`
 * when it names none of them (then nothing in `argv` can be trusted to be valid).
 */
export function withoutRefused(argv: readonly string[], error: unknown): string[] | undefined {
  const named = INVALID.exec(error instanceof Error ? error.message : '')?.[1]?.split(', ').map((flag) => flag.trim());
  if (!named) return undefined;
  const refused = new Set(named);
  const options = optionsOf(argv);
  const kept = options.filter((option) => !refused.has(option.join(' ')) && !refused.has(option[0]!) && !refused.has(flagOf(option)));
  return kept.length === options.length ? undefined : kept.flat();
}
