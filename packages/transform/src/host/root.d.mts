/**
 * Types of root.mjs (plain JavaScript, so that @suitkaise/node's register hook can run it before
 * anything compiles TypeScript). What each function does is documented there.
 */

/** Whether a directory holds a given entry (`package.json`, `node_modules`). */
export type DirectoryTest = (dir: string) => boolean;

/** The root registration ids of `file` are relative to, for a host without a root of its own. */
export declare function projectRoot(file: string, cwd: string, hasPackageJson: DirectoryTest): string;

/** The root an id was made against: `file` minus the id's path part (else the file's directory). */
export declare function rootOfId(id: string, file: string): string;

/** `node_modules/.cache/suitkaise/<purpose>` in the nearest node_modules from `dir` up; `undefined` when there is none. */
export declare function cacheDirOf(dir: string, purpose: string, hasNodeModules: DirectoryTest): string | undefined;

/** The directory tests, asked of the disk, each answer kept. */
export declare function onDisk(): { hasPackageJson: DirectoryTest; hasNodeModules: DirectoryTest };
