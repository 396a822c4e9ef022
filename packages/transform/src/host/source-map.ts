/**
 * Source maps through two compilers. `suitkaise build` has TypeScript compile the transform's
 * output, so TypeScript's map points into the transformed text; each of its segments is moved
 * through the transform's own map to the user's file. Segments that land in generated code (the
 * registration lines) are dropped. The VLQ codec is @jridgewell/sourcemap-codec's (the one
 * magic-string uses).
 */
import { decode, encode, type SourceMapMappings, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import { basename } from 'node:path';

/** A source map as JSON has it (version 3). */
export interface RawSourceMap {
  version: number;
  file?: string;
  sourceRoot?: string;
  sources: string[];
  sourcesContent?: Array<string | null>;
  names: string[];
  mappings: string;
}

/** The second leg: text a compiler was given, mapped back to the file it was made from. */
export interface TransformedText {
  /** The user's file. */
  original: string;
  originalText: string;
  /** Decoded mappings from the text the compiler was given to `originalText`. */
  mappings: SourceMapMappings;
}

/** Decoded mappings of text that is `text` itself: each line to the same line. */
export function identityMappings(text: string): SourceMapMappings {
  return text.split('\n').map((_, line) => [[0, 0, line, 0]]);
}

/** `map` (compiler output → transformed text) composed with `through` (transformed text → the user's file). */
export function composeMaps(map: RawSourceMap, through: TransformedText): RawSourceMap {
  const lines = decode(map.mappings).map((segments) =>
    segments.flatMap((segment): SourceMapSegment[] => {
      if (segment.length === 1) return [segment];
      const original = originalPosition(through.mappings, segment[2], segment[3]);
      if (original === undefined) return [];
      return [segment.length === 5 ? [segment[0], segment[1], ...original, segment[4]] : [segment[0], segment[1], ...original]];
    }),
  );
  return {
    ...map,
    // A worker module's map names the file it was generated from.
    sources: map.sources.map((source) => source.replace(/[^/\\]*$/, basename(through.original))),
    ...(map.sourcesContent ? { sourcesContent: map.sources.map(() => through.originalText) } : {}),
    mappings: encode(lines),
  };
}

/** Where 0-based `line`/`column` of the transformed text came from, if from the original at all. */
function originalPosition(mappings: SourceMapMappings, line: number, column: number): [number, number] | undefined {
  let found: Exclude<SourceMapSegment, [number]> | undefined;
  for (const segment of mappings[line] ?? []) {
    if (segment[0] > column) break;
    if (segment.length !== 1) found = segment;
  }
  return found ? [found[2], found[3] + (column - found[0])] : undefined;
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/**
 * An emitted file with its map composed through `through`: a `.map` file's JSON, or the inline
 * map at the end of a JavaScript file. Other files come back as they are.
 */
export function composeEmitted(fileName: string, text: string, through: TransformedText): string {
  if (fileName.endsWith('.map')) return JSON.stringify(composeMaps(JSON.parse(text) as RawSourceMap, through));
  const inline = INLINE_MAP.exec(text);
  if (inline === null) return text;
  const map = composeMaps(JSON.parse(Buffer.from(inline[1]!, 'base64').toString('utf8')) as RawSourceMap, through);
  return `${text.slice(0, inline.index)}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}
