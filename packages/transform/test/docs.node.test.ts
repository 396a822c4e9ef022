// The documentation inside the repository stays true: docs/api/*.md is what `npm run docs`
// (scripts/api-docs.ts) generates from the current TSDoc, every export of the documented entry
// points has TSDoc, and every relative link in README.md and docs/ resolves (file and #anchor)
// without leaving the repository. The same checks as `npm run docs -- --check`, which is run too.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenLinks, firstDifference, generate, headingAnchors, markdownFiles, ROOT, slug, stalePages, type RenderedPage } from '../../../scripts/api-docs.ts';

const run = promisify(execFile);

describe('documentation', () => {
  let pages: RenderedPage[];
  const scratch = mkdtempSync(join(tmpdir(), 'suitkaise-docs-check-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeAll(() => {
    pages = generate();
  }, 60_000);

  it('docs/api is up to date with the TSDoc (run `npm run docs` after changing an export or its doc)', () => {
    expect(pages.map((page) => page.out)).toEqual(['docs/api/core.md', 'docs/api/transform.md']);
    const stale = stalePages(pages);
    const where = stale.map((file) => `${file}: ${firstDifference(join(ROOT, file), pages.find((p) => p.out === file)!.text)}`);
    expect(stale, `stale (run npm run docs): ${where.join('; ')}`).toEqual([]);
  });

  it('every export of @suitkaise/core and of the transform entry points has TSDoc', () => {
    expect(pages.flatMap((page) => page.undocumented)).toEqual([]);
    const core = pages[0]!.text;
    for (const name of ['Skprocess', 'Pool', 'Share', 'Pipe', 'Sktimer', 'cucumber', 'autoreconnect', 'SerializationError']) {
      expect(core).toContain(`## \`${name}\``);
    }
    expect(pages[1]!.text).toContain('### `suitkaise (default export)`');
  });

  it('every relative link in README.md and docs/ resolves, anchors included', () => {
    const files = markdownFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/guide.md', 'docs/api/core.md', 'docs/api/transform.md']));
    expect(brokenLinks(files)).toEqual([]);
  });

  it('the README links nothing outside the repository (no ../shared/API.md)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/shared\/API\.md/);
    expect(readme).not.toMatch(/\]\(\.\.\//);
  });

  it('the checks catch what they are for', () => {
    // A page that differs from what would be generated.
    mkdirSync(join(scratch, 'docs', 'api'), { recursive: true });
    writeFileSync(join(scratch, 'docs', 'api', 'core.md'), pages[0]!.text.replace('Parallel map', 'Serial map'));
    writeFileSync(join(scratch, 'docs', 'api', 'transform.md'), pages[1]!.text);
    expect(stalePages(pages, scratch)).toEqual(['docs/api/core.md']);

    // Links: a missing file, a missing anchor, one leaving the repository, and good ones.
    writeFileSync(join(scratch, 'README.md'), [
      '# Title', '', '## Parallel map: `Pool`', '',
      '[ok](docs/guide.md) [ok](#parallel-map-pool) [ok](docs/guide.md#set-up) [web](https://example.com/x.md)',
      '[gone](docs/missing.md)', '[no anchor](docs/guide.md#nowhere)', '[outside](../shared/API.md)',
      '```md', '[in a fence](nowhere.md)', '```', '`[in code](nowhere.md)`',
    ].join('\n'));
    writeFileSync(join(scratch, 'docs', 'guide.md'), '# Guide\n\n## Set-up\n');
    const problems = brokenLinks(['README.md', 'docs/guide.md'], scratch);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^README\.md:6: docs\/missing\.md: docs\/missing\.md does not exist$/);
    expect(problems[1]).toMatch(/^README\.md:7: docs\/guide\.md#nowhere: no heading with the anchor #nowhere/);
    expect(problems[2]).toMatch(/^README\.md:8: \.\.\/shared\/API\.md: leaves the repository/);
  });

  it('anchors follow GitHub: punctuation dropped, duplicates numbered', () => {
    expect(slug('Cross-origin isolation (browsers)')).toBe('cross-origin-isolation-browsers');
    expect(slug('Parallel map: `Pool`')).toBe('parallel-map-pool');
    expect(slug('Plain `tsc` and `suitkaise build`')).toBe('plain-tsc-and-suitkaise-build');
    expect([...headingAnchors('# A\n## A\n```\n# not a heading\n```\n### A')]).toEqual(['a', 'a-1', 'a-2']);
  });

  it('`npm run docs -- --check` passes', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'docs', '--', '--check'], { cwd: ROOT, timeout: 60_000 });
    expect(stdout).toContain('up to date; every export documented');
  }, 70_000);
});
