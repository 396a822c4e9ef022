/**
 * `sk`: marks what may run in a worker. The transform replaces `@sk()` with
 * registration code at build time; reaching the decorator at run time means
 * the transform did not run, which is said plainly.
 */

/** A function `sk()` can wrap. */
export type SkFunction = (...args: never[]) => unknown;

/** A class `@sk()` can decorate. */
export type SkClass = abstract new (...args: never[]) => unknown;

/** The standard (TC39) class decorator `@sk()` returns. */
export type SkClassDecorator = <C extends SkClass>(value: C, context: ClassDecoratorContext<C>) => void;

const missingTransform =
  '@sk() ran at run time, so the suitkaise transform did not process this module. ' +
  'Add suitkaise() from @suitkaise/transform/vite to your Vite (or Vitest) plugins, run Node with ' +
  '--import @suitkaise/node/register, or build with `suitkaise build <tsconfig>`.';

/**
 * `@sk()` on a class registers it for workers (and, on an `Skprocess`, generates its worker entry);
 * `sk(fn)` marks a module-level function to run in a worker. Both are compiled by the transform.
 */
export function sk(): SkClassDecorator;
export function sk<F extends SkFunction>(fn: F): F;
export function sk<F extends SkFunction>(fn?: F): F | SkClassDecorator {
  if (typeof fn === 'function') return fn;
  if (fn !== undefined) throw new TypeError('sk() takes a function to run in workers, or nothing when used as the @sk() decorator');
  return () => {
    throw new Error(missingTransform);
  };
}
