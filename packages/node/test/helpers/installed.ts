/**
 * A project outside the repository with the @suitkaise packages installed as npm installs them:
 * real directories in its node_modules holding what each package publishes (its package.json
 * `files`: dist and src alike), not workspace links. Every other package links to the
 * repository's node_modules. Optionally, `esbuild` and `ts-morph` are stand-ins that append
 * their name to the file named by SUITKAISE_LOADS (when set) each time a thread of any process
 * loads them, then export the real package: a signal that covers every thread of a run,
 * module-hook threads included. Used by the Node start-up test and `npm run bench` (bench/startup.ts).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGES = ['core', 'node', 'browser', 'transform'] as const;
/** The packages whose loading is recorded. */
export const RECORDED = ['esbuild', 'ts-morph'] as const;

/** The newest modification time of the files under `dir`. */
function newest(dir: string): number {
  return Math.max(...readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs));
}

/** The packages' dist/ exists and was built after their last source change. */
export function packagesBuilt(repo: string = REPO): boolean {
  return PACKAGES.every((name) => {
    const pkg = join(repo, 'packages', name);
    const index = join(pkg, 'dist', 'index.js');
    return existsSync(index) && statSync(index).mtimeMs >= newest(join(pkg, 'src'));
  });
}

/** Build the packages' dist/ (what a user installs) when it is missing or older than the sources. */
export function ensurePackagesBuilt(repo: string = REPO): void {
  if (packagesBuilt(repo)) return;
  try {
    execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'pipe' });
  } catch (error) {
    // tsc emits despite type errors (someone's work in progress elsewhere); only a missing dist/ is fatal.
    if (!PACKAGES.every((name) => existsSync(join(repo, 'packages', name, 'dist', 'index.js')))) throw error;
  }
}

export interface InstalledOptions {
  /** Replace esbuild and ts-morph with stand-ins that record each load in $SUITKAISE_LOADS. */
  recordLoads?: boolean;
  /** Files of the project itself: path relative to its directory → content. */
  files?: Record<string, string>;
  /** The repository the packages come from (default: this file's). */
  repo?: string;
}

/** Creates the project (in the system's temporary directory) and returns its directory. */
export function installedProject(options: InstalledOptions = {}): string {
  const repo = options.repo ?? REPO;
  const dir = mkdtempSync(join(tmpdir(), 'suitkaise-installed-node-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@suitkaise'), { recursive: true });
  const skipped = new Set(['.bin', '.cache', '.package-lock.json', '@suitkaise', ...(options.recordLoads ? RECORDED : [])]);
  for (const entry of readdirSync(join(repo, 'node_modules'))) {
    if (!skipped.has(entry)) symlinkSync(join(repo, 'node_modules', entry), join(modules, entry), 'dir');
  }
  for (const name of PACKAGES) {
    const from = join(repo, 'packages', name);
    const to = join(modules, '@suitkaise', name);
    const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { files?: string[] };
    for (const entry of ['package.json', ...(manifest.files ?? [])]) {
      if (existsSync(join(from, entry))) cpSync(join(from, entry), join(to, entry), { recursive: true });
    }
  }
  if (options.recordLoads) {
    const require = createRequire(join(repo, 'package.json'));
    for (const name of RECORDED) {
      const real = require.resolve(name);
      const { version } = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string };
      mkdirSync(join(modules, name));
      writeFileSync(join(modules, name, 'package.json'), JSON.stringify({ name, version, main: 'index.cjs' }));
      writeFileSync(join(modules, name, 'index.cjs'), [
        `if (process.env.SUITKAISE_LOADS) require('node:fs').appendFileSync(process.env.SUITKAISE_LOADS, ${JSON.stringify(`${name}\n`)});`,
        `module.exports = require(${JSON.stringify(real)});`,
        '',
      ].join('\n'));
    }
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'installed-app', private: true, type: 'module' }, null, 2));
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** A three-file app: an @sk() process, a helper module it imports, and a main module that runs it. */
export const APP_FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      rewriteRelativeImportExtensions: true,
      lib: ['ES2023', 'ESNext.Decorators', 'ESNext.Disposable', 'DOM'],
      types: ['node'],
      strict: true,
      skipLibCheck: true,
      sourceMap: true,
      declaration: true,
      rootDir: 'src',
      outDir: 'dist',
    },
    include: ['src'],
  }, null, 2),
  'src/steps.ts': [
    '/** How far each run counts. */',
    'export function step(run: number): number {',
    '  return run % 2 === 0 ? 2 : 1;',
    '}',
    '',
  ].join('\n'),
  'src/counter.ts': [
    "import { sk, Skprocess } from '@suitkaise/core';",
    "import { step } from './steps.ts';",
    '',
    '/** Counts `target` runs, two on even runs and one on odd ones. */',
    '@sk()',
    'export class Counter extends Skprocess<number> {',
    '  count = 0;',
    '  constructor(target: number) {',
    '    super();',
    '    this.processConfig.runs = target;',
    '  }',
    '  __run__(): void {',
    '    this.count += step(this.currentRun);',
    '  }',
    '  __result__(): number {',
    '    return this.count;',
    '  }',
    '}',
    '',
  ].join('\n'),
  'src/main.ts': [
    "import { Counter } from './counter.ts';",
    '',
    '// The first line of user code: what came before it is start-up.',
    'console.log(`started ${performance.now().toFixed(1)}`);',
    "const core = import.meta.resolve('@suitkaise/core');",
    'const result: number = await new Counter(4).run();',
    "console.log(`result ${result} from ${core.slice(core.lastIndexOf('/node_modules/') + 1)}`);",
    '',
  ].join('\n'),
};
