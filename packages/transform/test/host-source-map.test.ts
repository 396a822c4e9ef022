/**
 * Source maps through two compilers (src/host/source-map.ts), as `suitkaise build` makes them: the
 * transform's output compiled by TypeScript, its map composed with the transform's, so that the
 * JavaScript maps to the user's file.
 */
import { decode } from '@jridgewell/sourcemap-codec';
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { composeEmitted, composeMaps, identityMappings, type RawSourceMap, type TransformedText } from '../src/host/source-map.ts';
import { lines, originalOf, positionIn, transformAt } from './helpers/transform.ts';

const source = lines(
  "import { sk, Skprocess } from '@suitkaise/core';",
  '',
  '@sk()',
  'export class Counter extends Skprocess<number> {',
  '  count: number = 0;',
  '  __run__(): void { this.count += 1; }',
  '}',
  'export const square = sk((x: number): number => x * x);',
);

/** The module transformed, then compiled by TypeScript with a map of either kind. */
function compiled(inline: boolean): { through: TransformedText; js: string; map: string | undefined } {
  const result = transformAt(source, 'src/counter.ts', { browserWorkers: false });
  const through: TransformedText = { original: '/project/src/counter.ts', originalText: source, mappings: decode(result.map!.mappings) };
  const output = ts.transpileModule(result.code, {
    fileName: '/project/src/counter.ts',
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, sourceMap: !inline, inlineSourceMap: inline, inlineSources: true },
  });
  return { through, js: output.outputText, map: output.sourceMapText };
}

describe('composeMaps', () => {
  it('maps what came from the user\'s file back to it, past the lines the transform added and removed', () => {
    const { through, js, map } = compiled(false);
    const composed = composeMaps(JSON.parse(map!) as RawSourceMap, through);
    for (const snippet of ['export class Counter', 'this.count += 1', 'export const square']) {
      const [line, column] = positionIn(js, snippet);
      expect(originalOf(composed.mappings, line, column), snippet).toEqual(positionIn(source, snippet));
    }
    expect(composed.sourcesContent).toEqual([source]);
  });

  it('drops what the transform generated: the registration lines map nowhere', () => {
    const { through, js, map } = compiled(false);
    const composed = decode(composeMaps(JSON.parse(map!) as RawSourceMap, through).mappings);
    const registration = js.split('\n').findIndex((line) => line.startsWith('__sk_register(Counter'));
    expect(registration).toBeGreaterThan(-1);
    expect(composed[registration]!.filter((segment) => segment.length > 1)).toEqual([]);
  });

  it('names the user\'s file as the source, for a worker module too', () => {
    const worker: TransformedText = { original: '/project/src/counter.ts', originalText: 'a\nb', mappings: identityMappings('a\nb') };
    const map: RawSourceMap = { version: 3, sources: ['counter.sk-worker.ts'], names: [], mappings: 'AAAA;AACA' };
    const composed = composeMaps(map, worker);
    expect(composed.sources).toEqual(['counter.ts']);
    expect(decode(composed.mappings)).toEqual([[[0, 0, 0, 0]], [[0, 0, 1, 0]]]);
    expect(composed.sourcesContent).toBeUndefined();
  });
});

describe('composeEmitted', () => {
  it('composes a .map file and an inline map alike, and leaves other files as they are', () => {
    const separate = compiled(false);
    const inline = compiled(true);
    const fromFile = JSON.parse(composeEmitted('counter.js.map', separate.map!, separate.through)) as RawSourceMap;
    const withInline = composeEmitted('counter.js', inline.js, inline.through);
    const encoded = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\n$/.exec(withInline)?.[1];
    expect(encoded).toBeDefined();
    const fromInline = JSON.parse(Buffer.from(encoded!, 'base64').toString('utf8')) as RawSourceMap;
    expect(fromInline.mappings).toBe(fromFile.mappings);
    expect(withInline.startsWith(inline.js.slice(0, inline.js.indexOf('//# sourceMappingURL')))).toBe(true);
    expect(composeEmitted('counter.js', separate.js, separate.through)).toBe(separate.js);
  });
});
