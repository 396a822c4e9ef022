/** Writing into the shared cache directory. */
import { renameSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

/** Write through a temporary file, so a concurrent reader never sees half a file. */
export function writeAtomically(file: string, contents: string): void {
  const temporary = `${file}.${process.pid}.${threadId}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}
