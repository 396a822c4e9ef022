/**
 * `@suitkaise/transform`: the compile-time transform behind the Vite plugin, the esbuild
 * plugin and the CLI. {@link transform} is a pure function of `(code, id, options)`; the hosts
 * turn its diagnostics into their own errors.
 *
 * @packageDocumentation
 */
export { transform } from './transform/transform.ts';
export type { Diagnostic, Registration, TransformOptions, TransformResult } from './transform/types.ts';
