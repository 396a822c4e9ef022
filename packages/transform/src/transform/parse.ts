/**
 * One in-memory ts-morph project for the whole process. Each call puts exactly one source
 * file into it (replacing the previous one), so the checker only ever sees that module:
 * enough to resolve what an identifier refers to within the file, which is all we ask of it.
 */
import { Project, ts, type SourceFile } from 'ts-morph';

let project: Project | undefined;

function getProject(): Project {
  project ??= new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    compilerOptions: {
      // No lib and no module resolution: symbols of this file are all we need, and loading
      // lib.d.ts or imported modules would cost far more than the rest of the transform.
      noLib: true,
      noResolve: true,
      allowJs: true,
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      jsx: ts.JsxEmit.Preserve,
      types: [],
    },
  });
  return project;
}

const EXTENSIONS = new Set(['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs']);

/** Parse `code` as the project's only source file; the file name's extension picks TS, TSX, JS or JSX. */
export function parse(code: string, file: string): SourceFile {
  const extension = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  const name = `/sk-transform/module.${extension !== undefined && EXTENSIONS.has(extension) ? extension : 'ts'}`;
  const current = getProject();
  for (const old of current.getSourceFiles()) current.removeSourceFile(old);
  return current.createSourceFile(name, code, { overwrite: true });
}
