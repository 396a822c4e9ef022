/**
 * The shape of core's source tree: one folder per concept, each folder's index saying what it owns
 * and which other rooms it may import, and the imports keeping to what the index says.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const FOLDERS = ['process', 'pool', 'share', 'pipe', 'timing', 'serializer', 'reconnect', 'runtime'];
/** Files that stay at the root: the package entries and the small shared vocabularies. */
const ROOT_FILES = ['index.ts', 'internal.ts', 'worker.ts', 'builtins.ts', 'errors.ts', 'modifiers.ts', 'protocol.ts', 'queue.ts'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The room a source file belongs to: its top folder, or the root file's name without `.ts`. */
function roomOf(file: string): string {
  const [top, ...rest] = relative(SRC, file).split('/');
  return rest.length > 0 ? top! : top!.replace(/\.ts$/, '');
}

/** Relative import and re-export specifiers of a module, resolved to files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => resolve(dirname(file), specifier));
}

/** The rooms a folder's index allows, from its `May import:` line. */
function allowedRooms(folder: string): string[] {
  const index = readFileSync(join(SRC, folder, 'index.ts'), 'utf8');
  const line = /^ \* May import: (.*)$/m.exec(index)?.[1];
  if (line === undefined) return [];
  return line.replace(/\([^)]*\)/g, '').replace(/\.\s*$/, '').split(',').map((name) => name.trim()).filter(Boolean);
}

describe('core source tree', () => {
  it('keeps every file in a concept folder or among the named root files', () => {
    const stray = filesUnder(SRC).filter((file) => {
      const [top, ...rest] = relative(SRC, file).split('/');
      return rest.length === 0 ? !ROOT_FILES.includes(top!) : !FOLDERS.includes(top!);
    });
    expect(stray).toEqual([]);
  });

  it.each(FOLDERS)('%s/index.ts says what the folder owns and what it may import', (folder) => {
    const index = readFileSync(join(SRC, folder, 'index.ts'), 'utf8');
    expect(index).toMatch(/^ \* Owns .+$/m);
    expect(allowedRooms(folder).length).toBeGreaterThan(0);
  });

  it.each(FOLDERS)('%s imports only the rooms its index allows', (folder) => {
    const allowed = new Set([folder, ...allowedRooms(folder)]);
    const known = new Set([...FOLDERS, ...ROOT_FILES.map((file) => file.replace(/\.ts$/, ''))]);
    const outside = filesUnder(join(SRC, folder)).flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith(SRC))
        .map((target) => roomOf(target))
        .filter((room) => !allowed.has(room))
        .map((room) => `${relative(SRC, file)} imports ${known.has(room) ? room : `an unknown room ${room}`}`),
    );
    expect(outside).toEqual([]);
  });

  it('would notice a folder importing a room its index does not name', () => {
    // timing may import errors only; it must not import the process folder.
    expect(allowedRooms('timing')).toEqual(['errors']);
    expect(roomOf(join(SRC, 'process/engine.ts'))).toBe('process');
    expect(roomOf(join(SRC, 'errors.ts'))).toBe('errors');
  });
});
