#!/usr/bin/env node
/**
 * The `suitkaise` command (`suitkaise build -p <tsconfig>`, `--watch`, `--help`). The logic is src/cli.ts; this file
 * only picks which copy of it runs, the same way the package's exports do:
 *
 * - normally the built `dist/cli.js`;
 * - under `node --conditions=@suitkaise/source`, or when `dist/` was not built (a fresh checkout
 *   of the repository), the TypeScript source `src/cli.ts`. Node 20 cannot run TypeScript, so
 *   a small module hook, registered only in that case, compiles the package's own `src/*.ts`
 *   as they load, with `transpileModule` of the TypeScript that ts-morph (already a dependency)
 *   bundles. The hook is a `data:` module so that it needs no file of its own; it loads
 *   ts-morph by absolute path, the only kind of import a `data:` module can make.
 *
 * Plain JavaScript on purpose: nothing compiles this file.
 */
import { existsSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli.ts', import.meta.url);
let cli = source;
try {
  // Self-reference: dist/index.js, or src/index.ts under the @suitkaise/source condition.
  const index = import.meta.resolve('@suitkaise/transform');
  const candidate = new URL(index.endsWith('.ts') ? './cli.ts' : './cli.js', index);
  if (existsSync(fileURLToPath(candidate))) cli = candidate;
} catch {
  // dist/index.js is missing: run the sources.
}
if (cli.href.endsWith('.ts')) compileOwnSourcesOnLoad();

const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));

function compileOwnSourcesOnLoad() {
  const tsMorph = createRequire(import.meta.url).resolve('ts-morph');
  const sources = new URL('../src/', import.meta.url).href;
  const hooks = `
    import { readFile } from 'node:fs/promises';
    import { createRequire } from 'node:module';
    import { fileURLToPath } from 'node:url';
    let ts;
    export async function load(url, context, nextLoad) {
      if (!url.startsWith(${JSON.stringify(sources)}) || !/\\.ts$/.test(url)) return nextLoad(url, context);
      ts ??= createRequire(${JSON.stringify(tsMorph)})(${JSON.stringify(tsMorph)}).ts;
      const file = fileURLToPath(url);
      const output = ts.transpileModule(await readFile(file, 'utf8'), {
        fileName: file,
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
          inlineSourceMap: true,
          inlineSources: true,
        },
      });
      return { format: 'module', source: output.outputText, shortCircuit: true };
    }
  `;
  process.setSourceMapsEnabled(true);
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}
