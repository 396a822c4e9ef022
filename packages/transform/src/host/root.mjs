/**
 * The project root and the cache directory, for every host. Plain JavaScript (its types are in
 * root.d.mts) because @suitkaise/node's register hook needs both before anything can compile
 * TypeScript: they make the key of its compiled-module cache, which a start must be able to read
 * without loading esbuild or the transform.
 *
 * The root is the directory registration ids are relative to (`src/counter.ts#Counter`). Ids only
 * have to agree within one app, and differ for different modules, so a host that has a root of
 * its own uses it: Vite's `root`, the directory of the tsconfig `suitkaise build` compiles, the
 * esbuild plugin's `root` option. {@link projectRoot} is the rule for a host that has none: the
 * register hook, which sees modules one at a time, for whatever app Node was asked to run.
 *
 * The Node worker bundler used a second rule, for the modules `suitkaise build` emitted: their
 * nearest directory with a package.json, node_modules included. It answered another question
 * (where to cache the worker bundle so that its imports resolve as the module's own do), and
 * {@link cacheDirOf} answers that one for every cache: the hook's, the build's and the bundler's.
 * Where the two root rules disagreed (a monorepo run from its top; a module inside node_modules),
 * the one below is right for ids, and the cache no longer depends on the root at all.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';

const NODE_MODULES = /[\\/]node_modules(?:[\\/]|$)/;

/**
 * The root registration ids of `file` are relative to, for a host without a root of its own:
 *
 * 1. `cwd`, when it is a package directory (it holds a package.json and is not inside
 *    node_modules) and holds `file`: an app run from its package directory, and a monorepo run
 *    from its top, gets one root for every module it loads, so `src/a.ts` of two workspaces get
 *    different ids (`packages/a/src/a.ts`, `packages/b/src/a.ts`);
 * 2. else the nearest package directory from the file's directory up, not inside node_modules (a
 *    package directory there belongs to a dependency, not to the project);
 * 3. else the file's directory.
 *
 * The Node worker bundler recovers the same root from an id with {@link rootOfId}.
 *
 * @param file - the module's absolute path
 * @param cwd - the process's working directory
 * @param hasPackageJson - whether a directory holds a package.json (see {@link onDisk})
 */
export function projectRoot(file, cwd, hasPackageJson) {
  const isPackageDir = (dir) => !NODE_MODULES.test(dir) && hasPackageJson(dir);
  const inside = relative(cwd, file);
  if (inside && !inside.startsWith('..') && !isAbsolute(inside) && isPackageDir(cwd)) return cwd;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (isPackageDir(dir)) return dir;
    if (dirname(dir) === dir) return dirname(file);
  }
}

/**
 * The root an id was made against: `file` (the module's path) minus the id's path part. When the
 * file's path does not end with it, whole segments (an id made against another root), the file's
 * directory.
 *
 * @param id - a registration id, `<path from the root>#<export name>`
 * @param file - the absolute path of the module that registered it
 */
export function rootOfId(id, file) {
  const path = id.slice(0, id.lastIndexOf('#'));
  if (!path || !file.split('\\').join('/').endsWith(`/${path}`)) return dirname(file);
  return file.slice(0, file.length - path.length - 1) || '/';
}

/**
 * Where suitkaise caches what it made for modules in `dir`: `node_modules/.cache/suitkaise/<purpose>`
 * in the nearest node_modules from `dir` up; `undefined` when there is none. A bundle cached there
 * resolves its imports as a module in `dir` does, since Node looks in that node_modules first
 * (the directories between have none).
 *
 * @param dir - the directory of the module (or project) the cache is for
 * @param purpose - a subdirectory for one kind of entry (`'hooks'`, `'build'`); none when empty
 * @param hasNodeModules - whether a directory holds a node_modules directory (see {@link onDisk})
 */
export function cacheDirOf(dir, purpose, hasNodeModules) {
  for (let current = dir; ; current = dirname(current)) {
    if (hasNodeModules(current)) return join(current, 'node_modules', '.cache', 'suitkaise', purpose);
    if (dirname(current) === current) return undefined;
  }
}

/**
 * The predicates above, asked of the disk, each answer kept (the layout of a project does not
 * change while one process loads it; make a new pair to see changes).
 */
export function onDisk() {
  const entry = (name) => {
    const known = new Map();
    return (dir) => {
      let found = known.get(dir);
      if (found === undefined) known.set(dir, (found = existsSync(join(dir, name))));
      return found;
    };
  };
  return { hasPackageJson: entry('package.json'), hasNodeModules: entry('node_modules') };
}
