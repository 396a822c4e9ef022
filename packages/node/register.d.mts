/**
 * `@suitkaise/node/register`: a side-effect-only module, for Node's `--import` flag.
 *
 * ```sh
 * node --import @suitkaise/node/register app.ts
 * ```
 *
 * Importing it (`import '@suitkaise/node/register'`, or `--import`) installs Node module hooks
 * that compile `.ts`, `.mts` and `.tsx` files as they load: the suitkaise transform for modules
 * that use `@suitkaise/core` (`@sk()` becomes a registration; a misplaced class fails the load
 * with file:line:column), then esbuild. It also turns on source maps, so stack traces name the
 * TypeScript lines. The hooks need `@suitkaise/transform` installed. Import it before any
 * TypeScript module loads: modules already loaded are not compiled again.
 *
 * It exports nothing.
 *
 * @packageDocumentation
 */
export {};
