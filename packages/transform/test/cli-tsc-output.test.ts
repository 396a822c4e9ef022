/**
 * How `suitkaise build` reads what the project's `tsc -p --listEmittedFiles` printed, as a table:
 * the errors it counts, the text it keeps (without the emitted-files list and tsc's closing
 * summary), the files it wrote, and a tsc that crashed or could not run counted as one error.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tscRunOf, type TscExit, type TscRun } from '../src/cli/tsc.ts';

const CWD = resolve('/project');
const TSC = '/project/node_modules/typescript/bin/tsc';
const ok: TscExit = { tsc: TSC, code: 0 };
const failed: TscExit = { tsc: TSC, code: 2 };
const ESC = '\u001b';

const table: Array<[name: string, output: string, exit: TscExit, expected: TscRun]> = [
  ['nothing printed', '', ok, { errors: 0, text: '', emitted: [] }],
  [
    'the emitted files, relative to cwd or absolute',
    'TSFILE: dist/a.js\nTSFILE: /elsewhere/b.d.ts  \n',
    ok,
    { errors: 0, text: '', emitted: [resolve(CWD, 'dist/a.js'), resolve('/elsewhere/b.d.ts')] },
  ],
  [
    'errors counted, the summary and what follows it dropped',
    "src/a.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.\n" +
      'TSFILE: dist/a.js\n' +
      "src/b.ts(2,3): error TS2304: Cannot find name 'x'.\n" +
      '\nFound 2 errors in 2 files.\n\nErrors  Files\n     1  src/a.ts:1\n',
    failed,
    {
      errors: 2,
      text: "src/a.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.\nsrc/b.ts(2,3): error TS2304: Cannot find name 'x'.\n",
      emitted: [resolve(CWD, 'dist/a.js')],
    },
  ],
  [
    'a message without a file, and continuation lines that are not counted',
    "error TS5083: Cannot read file '/project/base.json'.\n  The file is in the program because:\n\nFound 1 error.\n",
    failed,
    { errors: 1, text: "error TS5083: Cannot read file '/project/base.json'.\n  The file is in the program because:\n", emitted: [] },
  ],
  [
    'pretty output: colours are ignored when counting, kept in the text',
    `${ESC}[96msrc/a.ts${ESC}[0m:${ESC}[93m1${ESC}[0m:${ESC}[93m14${ESC}[0m - ${ESC}[91merror${ESC}[0m${ESC}[90m TS2322: ${ESC}[0mno.\n\n` +
      `1 const a: number = 'x';\n\n${ESC}[7mFound 1 error${ESC}[0m in src/a.ts${ESC}[90m:1${ESC}[0m\n`,
    failed,
    {
      errors: 1,
      text: `${ESC}[96msrc/a.ts${ESC}[0m:${ESC}[93m1${ESC}[0m:${ESC}[93m14${ESC}[0m - ${ESC}[91merror${ESC}[0m${ESC}[90m TS2322: ${ESC}[0mno.\n\n1 const a: number = 'x';\n`,
      emitted: [],
    },
  ],
  [
    'a tsc that exits non-zero without an error line is one error',
    'Segmentation fault\n',
    { tsc: TSC, code: 134 },
    { errors: 1, text: `Segmentation fault\nsuitkaise: ${TSC} exited with code 134\n`, emitted: [] },
  ],
  [
    'a tsc killed by a signal (no exit code) is one error',
    '',
    { tsc: TSC, code: null },
    { errors: 1, text: `suitkaise: ${TSC} exited with code null\n`, emitted: [] },
  ],
  [
    'a tsc that could not run is one error, with the reason',
    '',
    { tsc: TSC, code: null, failure: new Error('spawn EACCES') },
    { errors: 1, text: `suitkaise: ${TSC} could not run: spawn EACCES\n`, emitted: [] },
  ],
  [
    'a failure counts as one error even when errors were printed',
    'src/a.ts(1,1): error TS1005: x.\n',
    { tsc: TSC, code: null, failure: new Error('killed') },
    { errors: 1, text: `src/a.ts(1,1): error TS1005: x.\nsuitkaise: ${TSC} could not run: killed\n`, emitted: [] },
  ],
  [
    'a line that only mentions an error is not counted',
    'note: this is not an error TS1234: line\n',
    ok,
    { errors: 0, text: 'note: this is not an error TS1234: line\n', emitted: [] },
  ],
];

describe('tscRunOf', () => {
  it.each(table)('%s', (_name, output, exit, expected) => {
    expect(tscRunOf(output, CWD, exit)).toEqual(expected);
  });
});
