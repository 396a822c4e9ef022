/**
 * `BENCH_ONLY=startup npm run bench`: what a Node app pays before its own code runs, and what
 * `suitkaise build` costs, in a project with the packages installed as npm installs them
 * (packages/node/test/helpers/installed.ts: copies with dist/ and src/, not workspace links) and
 * a three-file app (an @sk() process, a module it imports, a main module that runs it):
 *
 *   1. start-up: spawn → the app's first line (after its imports: the hook's compiling and
 *      core's loading come before it), `node --import @suitkaise/node/register src/main.ts`
 *      (its disk caches warm) against plain `node dist/main.js` (the `suitkaise build` output
 *      of the same app). Goal ≤ 1.5×.
 *   2. the whole run: start-up, one process start → result, exit. No goal.
 *   3. `suitkaise build -p tsconfig.json` against the project's own `tsc -p tsconfig.json`
 *      (TypeScript 7), same project. Goal ≤ 2×. Then both again with the @sk() module edited
 *      before each build (the transform runs again, loading ts-morph). No goal.
 *
 * The first (cold) register start and the first build are reported, not counted. Rounds
 * alternate A B / B A. Knobs: BENCH_STARTUP_ROUNDS (default 12), BENCH_BUILD_ROUNDS (default 5).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_FILES, ensurePackagesBuilt, installedProject } from '../packages/node/test/helpers/installed.ts';
import { interleaved, stats, type Stats } from './stats.ts';

const benchDir = process.env.SUITKAISE_BENCH_DIR ?? dirname(fileURLToPath(import.meta.url));
const repo = dirname(benchDir);

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

interface Timed {
  /** ms from spawn to the line starting with `started`, if the process printed one. */
  startup: number;
  /** ms from spawn to exit. */
  total: number;
}

/** Run `node ...args` in `cwd`; fails unless it exits 0. */
function timedNode(args: string[], cwd: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const began = performance.now();
    let startup = Number.NaN;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (Number.isNaN(startup) && /^started /m.test(stdout)) startup = performance.now() - began;
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('error', reject);
    child.once('close', (code) => {
      const total = performance.now() - began;
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited with ${code}\n${stdout}\n${stderr}`));
      else resolve({ startup, total });
    });
  });
}

interface Row { name: string; ours: Stats; theirs: Stats; goal: number | null }

const ms = (value: number) => `${value.toFixed(0)} ms`;

function table(rows: readonly Row[]): string {
  const header = ['benchmark', 'suitkaise median', 'p90', 'baseline median', 'p90', 'ratio (medians)', 'goal', ''];
  const body = rows.map((row) => {
    const ratio = row.ours.median / row.theirs.median;
    return [
      row.name,
      ms(row.ours.median),
      ms(row.ours.p90),
      ms(row.theirs.median),
      ms(row.theirs.p90),
      `${ratio.toFixed(2)}×`,
      row.goal === null ? '—' : `≤ ${row.goal}×`,
      row.goal === null ? '' : ratio <= row.goal ? 'met' : 'not met',
    ];
  });
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((cells) => cells[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

export async function startupBench(): Promise<void> {
  const began = performance.now();
  const startRounds = positiveInt('BENCH_STARTUP_ROUNDS', 12);
  const buildRounds = positiveInt('BENCH_BUILD_ROUNDS', 5);
  console.log('\nNode start-up and suitkaise build (BENCH_ONLY=startup): a project with the packages installed from their dist/ and src/');
  ensurePackagesBuilt(repo);
  const project = installedProject({ repo, files: APP_FILES });
  try {
    const suitkaise = [join('node_modules', '@suitkaise', 'transform', 'bin', 'suitkaise.mjs'), 'build', '-p', 'tsconfig.json'];
    const tsc = [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'];
    const register = ['--import', '@suitkaise/node/register', join('src', 'main.ts')];
    const built = [join('dist', 'main.js')];

    const firstBuild = await timedNode(suitkaise, project);
    const coldRegister = await timedNode(register, project);
    const firstBuilt = await timedNode(built, project);
    console.log(
      `first runs, not counted: suitkaise build ${ms(firstBuild.total)} (bundles the worker too); ` +
        `register hook, cold caches: start-up ${ms(coldRegister.startup)}, whole run ${ms(coldRegister.total)}; ` +
        `build output: start-up ${ms(firstBuilt.startup)}, whole run ${ms(firstBuilt.total)}`,
    );

    await interleaved(2, () => timedNode(register, project), () => timedNode(built, project)); // warm-up
    const [hooked, plain] = await interleaved(startRounds, () => timedNode(register, project), () => timedNode(built, project));
    const [ours, theirs] = await interleaved(buildRounds, () => timedNode(suitkaise, project), () => timedNode(tsc, project));
    // The same after an edit of the @sk() module (a new comment each time): the transform runs (and loads ts-morph).
    const counter = join(project, 'src', 'counter.ts');
    const source = readFileSync(counter, 'utf8');
    let edits = 0;
    const edited = (args: string[]) => () => {
      writeFileSync(counter, `${source}// edit ${++edits}\n`);
      return timedNode(args, project);
    };
    const [oursEdited, theirsEdited] = await interleaved(buildRounds, edited(suitkaise), edited(tsc));

    console.log(`\n${startRounds} starts and ${buildRounds} builds per side; rounds alternate A B / B A\n`);
    console.log(table([
      { name: 'start-up: register hook vs build output', ours: stats(hooked.map((run) => run.startup)), theirs: stats(plain.map((run) => run.startup)), goal: 1.5 },
      { name: 'whole run (start-up, start → result, exit)', ours: stats(hooked.map((run) => run.total)), theirs: stats(plain.map((run) => run.total)), goal: null },
      { name: 'suitkaise build -p vs tsc -p (TypeScript 7)', ours: stats(ours.map((run) => run.total)), theirs: stats(theirs.map((run) => run.total)), goal: 2 },
      { name: 'the same, the @sk() module edited each time', ours: stats(oursEdited.map((run) => run.total)), theirs: stats(theirsEdited.map((run) => run.total)), goal: null },
    ]));
    console.log(
      '\nstart-up = spawn → the first line of src/main.ts (after its imports). register hook: node --import @suitkaise/node/register src/main.ts,\n' +
        'its caches warm (node_modules/.cache/suitkaise); baseline: node dist/main.js, the suitkaise build output. suitkaise build: modules the\n' +
        'transform rewrote before come from its cache; an edited one is transformed again (ts-morph loads: the last row). ratio = suitkaise median / baseline median.',
    );
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
  console.log(`\ntotal ${((performance.now() - began) / 1000).toFixed(1)} s`);
}
