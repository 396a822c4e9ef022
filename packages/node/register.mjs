/**
 * `node --import @suitkaise/node/register app.ts`: runs a TypeScript project that uses suitkaise
 * without a bundler. Installs the module hooks of hooks.mjs (TypeScript sources, the
 * `@sk()` transform, the `@suitkaise/source` export condition) and turns on source maps so
 * that stack traces name the `.ts` lines.
 *
 * An installed @suitkaise/core (its built JavaScript, inside node_modules) is loaded first, before
 * the hooks are: on Node 20 every module loaded once they are costs a round trip to their
 * thread for its resolution and another for its source (about 1.5 ms a module; core is about 60
 * modules), and core needs neither. The app's own `import '@suitkaise/core'` then finds it loaded.
 * A workspace link (core's TypeScript sources, through the hook's source condition) is not
 * preloaded: the hook compiles it.
 *
 * Workers started by @suitkaise/node run without this module: their code is bundled JavaScript.
 *
 * Plain JavaScript on purpose: it runs before anything can compile TypeScript.
 */
import { register } from 'node:module';

const INSTALLED = /[\\/]node_modules[\\/].*\.m?js$/;

for (const entry of ['@suitkaise/core', '@suitkaise/core/internal']) {
  let url;
  try {
    url = import.meta.resolve(entry);
  } catch {
    break; // not installed next to this package: the app resolves it, through the hooks
  }
  if (!url.startsWith('file:') || !INSTALLED.test(decodeURIComponent(new URL(url).pathname))) break;
  try {
    await import(url);
  } catch {
    break; // it fails again, through the hooks, where the app imports it: the error belongs there
  }
}

process.setSourceMapsEnabled(true);
register('./hooks.mjs', import.meta.url);
