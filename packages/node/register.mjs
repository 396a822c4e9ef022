/**
 * `node --import @suitkaise/node/register app.ts`: runs a TypeScript project that uses suitkaise
 * without a bundler. Installs the module hooks of hooks.mjs (TypeScript sources, the
 * `@sk()` transform, the `@suitkaise/source` export condition) and turns on source maps so
 * that stack traces name the `.ts` lines.
 *
 * Plain JavaScript on purpose: it runs before anything can compile TypeScript.
 */
import { register } from 'node:module';

process.setSourceMapsEnabled(true);
register('./hooks.mjs', import.meta.url);
