import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { build, defaultClientConditions, type Rollup } from 'vite';
import suitkaise from '../src/vite.ts';
import { scratchFixtures } from './helpers/projects.ts';

// Inside the repository, so that the worker bundle resolves the workspace packages.
const { dir: work, fixture } = scratchFixtures('vite-app', 'vite');

async function buildEntry(entry: string, onwarn?: (warning: Rollup.RollupLog) => void) {
  return build({
    root: work,
    configFile: false,
    logLevel: 'silent',
    plugins: [suitkaise()],
    resolve: { conditions: ['@suitkaise/source', ...defaultClientConditions] },
    build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'out' }, rollupOptions: { external: [/^@suitkaise\//], ...(onwarn ? { onwarn } : {}) } },
  });
}

describe('the Vite plugin host', () => {
  it('turns a transform diagnostic into a build error with id, loc and frame', async () => {
    const entry = fixture('captures.ts');
    const thrown = (await buildEntry(entry).then(() => null, (e: unknown) => e)) as (Rollup.RollupError & { errors?: Rollup.RollupError[] }) | null;
    expect(thrown).not.toBeNull();
    // Rolldown wraps plugin errors in an aggregate; the plugin's own error is the first one.
    const error = thrown!.errors?.[0] ?? thrown;
    expect(error!.message).toContain('SK002');
    expect(error!.message).toContain('SK003');
    expect(error!.message).toMatch(/"limit"/);
    expect(error!.id).toBe(entry);
    expect(error!.loc).toMatchObject({ file: entry, line: 4, column: 2 });
    expect(error!.frame).toContain('@sk()');
  });

  it('reports a warning diagnostic with this.warn (id, loc, frame), and the build goes on', async () => {
    const entry = fixture('module-state.ts');
    const warnings: Rollup.RollupLog[] = [];
    // Removed after: a build's worker bundle lists every registering module under the root.
    await buildEntry(entry, (warning) => warnings.push(warning)).finally(() => rmSync(entry));
    const ours = warnings.filter((w) => w.message.includes('SK101'));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.message).toMatch(/^SK101: @sk\(\) class "Poller" reads `limit`/);
    expect(ours[0]!.id).toBe(entry);
    expect(ours[0]!.loc).toMatchObject({ file: entry, line: 11, column: 11 });
    expect(ours[0]!.frame).toContain('return limit;');
  });

  it('fails on errors only: warnings of the same module are warned, not part of the error', async () => {
    const entry = fixture('hook-typo.ts');
    const warnings: Rollup.RollupLog[] = [];
    const thrown = (await buildEntry(entry, (warning) => warnings.push(warning)).then(() => null, (e: unknown) => e).finally(() => rmSync(entry))) as
      (Rollup.RollupError & { errors?: Rollup.RollupError[] }) | null;
    expect(thrown).not.toBeNull();
    const error = thrown!.errors?.[0] ?? thrown;
    expect(error!.message).toContain('SK005');
    expect(error!.message).toContain('did you mean __result__?');
    expect(error!.message).not.toContain('SK101');
    expect(error!.loc).toMatchObject({ file: entry, line: 13, column: 2 });
    expect(warnings.filter((w) => w.message.includes('SK101'))).toHaveLength(1);
  });

  it('replaces @sk() with registration code and a literal worker URL that the build bundles', async () => {
    const entry = fixture('counter.ts');
    const output = (await buildEntry(entry)) as Rollup.RollupOutput[] | Rollup.RollupOutput;
    const outputs = Array.isArray(output) ? output : [output];
    const chunks = outputs.flatMap((o) => o.output);
    const main = chunks.find((c): c is Rollup.OutputChunk => c.type === 'chunk' && c.isEntry)!;
    expect(main.code).not.toContain('@sk');
    expect(main.code).toContain('id: "counter.ts#Counter"');
    // Vite found the worker because the transform wrote the literal new Worker(new URL(...)) form.
    // The scratch project sits in a package marked "sideEffects": false: registrations must survive that.
    const codeOf = (c: (typeof chunks)[number]) => (c.type === 'chunk' ? c.code : String(c.source));
    const others = chunks.filter((c) => c !== main && c.fileName.endsWith('.js'));
    // …and bundled it from the one shared worker entry, which serves processes and pool tasks (Vite
    // drops the query in builds)…
    const worker = others.find((c) => c.fileName.includes('__suitkaise_worker__'));
    expect(worker, `chunks: ${chunks.map((c) => c.fileName).join(', ')}`).toBeDefined();
    expect(codeOf(worker!)).toContain('serveWorker');
    expect(codeOf(worker!)).not.toContain('new Worker(');
    // …which loads this module's worker code, pruned and registering the class, from a chunk of its own.
    const moduleChunk = others.find((c) => c !== worker && codeOf(c).includes('"counter.ts#Counter"'));
    expect(moduleChunk, `chunks: ${others.map((c) => c.fileName).join(', ')}`).toBeDefined();
    expect(codeOf(moduleChunk!)).not.toContain('serveWorker');
  });

  it('bundles the worker runtime once: a second module with a process class and a function adds only its own code', async () => {
    fixture('counter.ts');
    fixture('doubler.ts');
    const entry = fixture('two-modules.ts');
    const output = (await buildEntry(entry)) as Rollup.RollupOutput[] | Rollup.RollupOutput;
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).filter((c) => c.fileName.endsWith('.js'));
    const codeOf = (c: (typeof chunks)[number]) => (c.type === 'chunk' ? c.code : String(c.source));
    const runtimes = chunks.filter((c) => codeOf(c).includes('serveWorker'));
    expect(runtimes.map((c) => c.fileName), `chunks: ${chunks.map((c) => c.fileName).join(', ')}`).toHaveLength(1);
    for (const id of ['"counter.ts#Counter"', '"doubler.ts#Doubler"', '"doubler.ts#halve"']) {
      const own = chunks.find((c) => c !== runtimes[0] && !c.fileName.startsWith('out') && codeOf(c).includes(id));
      expect(own, `${id} in ${chunks.map((c) => c.fileName).join(', ')}`).toBeDefined();
      // Its own code only: the runtime is not copied into it.
      expect(codeOf(own!).length).toBeLessThan(4_000);
    }
  });
});
