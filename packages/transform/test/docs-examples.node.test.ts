// Runs every TypeScript example in docs/*.md, so the guide stays true (as readme.node.test.ts does
// for the README). Each ```ts block must start with a `// <file>.ts` line: it is written to that
// file in a scratch directory next to this test (so the suitkaise plugin of vitest.config.ts
// transforms it, as it would in an app), every block of a page first, then imported in page order.
// What a block logs with console.log is compared with the `// prints:` lines that end it; a block
// without them must log nothing. The generated reference (docs/api/*.md) holds signatures, not
// examples, and is checked by docs.node.test.ts instead.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';

const docsDir = join(import.meta.dirname, '..', '..', '..', 'docs');
const scratch = mkdtempSync(join(import.meta.dirname, '.scratch-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Example {
  page: string;
  file: string;
  code: string;
  /** The lines it must log, or `[]`. */
  prints: string[];
  /** 1-based line of the block's fence in the page. */
  line: number;
}

/** The ```ts blocks of a Markdown page. */
function examplesOf(page: string, markdown: string): Example[] {
  const examples: Example[] = [];
  for (const match of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const code = match[1]!;
    const line = markdown.slice(0, match.index).split('\n').length;
    const name = /^\/\/ ([\w.-]+\.ts)\n/.exec(code)?.[1];
    if (name === undefined) throw new Error(`${page}:${line}: a \`\`\`ts example must start with a \`// <file>.ts\` line`);
    const marker = code.lastIndexOf('\n// prints:\n');
    const prints = marker < 0 ? [] : code.slice(marker + '\n// prints:\n'.length).trimEnd().split('\n').map((l) => {
      if (!l.startsWith('//')) throw new Error(`${page}:${line}: every line after \`// prints:\` must be a comment`);
      return l.replace(/^\/\/ ?/, '');
    });
    examples.push({ page, file: name, code, prints, line });
  }
  return examples;
}

const pages = readdirSync(docsDir).filter((name) => name.endsWith('.md')).sort();
const examples = pages.flatMap((page) => examplesOf(`docs/${page}`, readFileSync(join(docsDir, page), 'utf8')));

// Written up front: a block may import another block's module.
for (const example of examples) {
  const clash = examples.find((other) => other !== example && other.file === example.file);
  if (clash) throw new Error(`${example.page}:${example.line} and ${clash.page}:${clash.line} both name ${example.file}`);
  writeFileSync(join(scratch, example.file), example.code);
}

describe('docs examples', () => {
  it('there are examples, and every page with code has some', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
    expect(new Set(examples.map((e) => e.page))).toContain('docs/guide.md');
  });

  for (const example of examples) {
    it(`${example.page}:${example.line} ${example.file} runs and prints what it says`, async () => {
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await import(/* @vite-ignore */ pathToFileURL(join(scratch, example.file)).href);
        expect(log.mock.calls.map((args) => format(...args))).toEqual(example.prints);
      } finally {
        log.mockRestore();
      }
    }, 60_000);
  }
});
