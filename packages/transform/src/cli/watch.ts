/**
 * `suitkaise build --watch`: build, report, watch what the build read, and build again on a
 * change (debounced), printing tsc's watch-mode lines around each build.
 */
import { watch as watchPath, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { compile, resolveConfigPath } from './build.ts';
import { report, type CliIo } from './report.ts';
import { directoriesUnder, startsBuild, type WatchTargets } from './watch-targets.ts';

/** How long changes gather before they start a build: an editor's save is often several events. */
const DEBOUNCE_MS = 100;

/**
 * Build, then build again whenever a file of the project changes (a source file in its
 * directories, or a tsconfig it reads), until the process ends. Changes that arrive during a
 * build start one more build once it is done. Never resolves.
 */
export async function watch(tsconfig: string, io: CliIo): Promise<number> {
  let watchers: FSWatcher[] = [];
  let outputs = new Set<string>();
  let configs = new Set<string>();
  let running = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const time = () => new Date().toLocaleTimeString();
  const configPath = resolveConfigPath(io.cwd, tsconfig);

  const changed = (path: string | undefined) => {
    if (!startsBuild(path, configs, outputs)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void rebuild(), DEBOUNCE_MS);
  };

  const rewatch = (targets: WatchTargets | undefined) => {
    for (const watcher of watchers) watcher.close();
    outputs = targets?.outputs ?? new Set();
    configs = new Set(targets?.configs ?? [configPath]);
    watchers = watchDirectories(targetDirectories(targets, configs), changed);
  };

  const rebuild = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      io.stdout(`[${time()}] ${watchers.length === 0 ? 'Starting compilation in watch mode...' : 'File change detected. Starting incremental compilation...'}\n`);
      const { result, targets } = await compile(tsconfig, io.cwd, { pretty: io.pretty }, true);
      report(result, io);
      rewatch(targets);
      io.stdout(`[${time()}] Watching for file changes.\n`);
    } while (again);
    running = false;
  };

  await rebuild();
  return new Promise<number>(() => {}); // until the process is ended
}

/**
 * Every directory to watch: the project's (each recursive one with its subdirectories) and each
 * config's. A config is watched through its directory: editors replace files, which ends a watch
 * on the file itself.
 */
function targetDirectories(targets: WatchTargets | undefined, configs: ReadonlySet<string>): string[] {
  const directories: string[] = [];
  for (const [dir, recursive] of targets?.directories ?? []) directories.push(...(recursive ? directoriesUnder(dir) : [dir]));
  directories.push(...new Set([...configs].map((config) => dirname(config))));
  return directories;
}

/** A watcher on each of `directories` that reports the changed file's path (`undefined` when the system does not say). */
function watchDirectories(directories: readonly string[], changed: (path: string | undefined) => void): FSWatcher[] {
  const watchers: FSWatcher[] = [];
  for (const dir of directories) {
    try {
      const watcher = watchPath(dir, (_event, name) => changed(name ? join(dir, name.toString()) : undefined));
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // gone: the next build watches what is there then
    }
  }
  return watchers;
}
