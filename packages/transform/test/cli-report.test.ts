/**
 * What `suitkaise build` prints after a build and the exit code it gives, as a table over build
 * results: tsc's text, configuration errors, transform errors and warnings (relative to `cwd`),
 * the error count (warnings not counted), and otherwise what was written.
 */
import { describe, expect, it } from 'vitest';
import type { ts } from 'ts-morph';
import type { Diagnostic } from '../src/index.ts';
import { report, type CliIo } from '../src/cli/report.ts';
import { emptyResult, type BuildResult } from '../src/cli/result.ts';
import { esmRequired } from '../src/cli/typescript.ts';

const CWD = '/project';
const TSC = '/project/node_modules/typescript/bin/tsc';

const sk = (severity: Diagnostic['severity'], code: Diagnostic['code'], message: string): Diagnostic => ({
  code, message, severity, file: '/project/src/a.ts', line: 3, column: 5,
});

const result = (changes: Partial<BuildResult>): BuildResult => ({ ...emptyResult(TSC), ...changes });

const configError: ts.Diagnostic = {
  category: 1 as ts.DiagnosticCategory.Error, code: 5083, file: undefined, start: undefined, length: undefined,
  messageText: "Cannot read file '/project/base.json'.",
};

const written = (n: number) => Array.from({ length: n }, (_, i) => `/project/dist/${i}.js`);

const table: Array<[name: string, result: BuildResult, code: number, stdout: string, stderr: string]> = [
  ['nothing to do', result({}), 0, 'suitkaise: 0 files written; 0 modules transformed, 0 worker modules\n', ''],
  [
    'one of each',
    result({ written: written(1), transformed: ['/project/src/a.ts'], workerModules: ['/project/dist/a.sk-worker.js'] }),
    0,
    'suitkaise: 1 file written; 1 module transformed, 1 worker module\n',
    '',
  ],
  [
    'not type-checked (no tsc of the project\'s own)',
    { ...result({ written: written(3), transformed: ['a', 'b'], workerModules: ['c', 'd'] }), tsc: undefined },
    0,
    'suitkaise: not type-checked: typescript is not installed for this project (type-checking is left to `tsc --noEmit`)\n' +
      'suitkaise: 3 files written; 2 modules transformed, 2 worker modules\n',
    '',
  ],
  [
    'a warning is printed but does not fail',
    result({ warnings: [sk('warning', 'SK101', 'reads `limit`')], written: written(2) }),
    0,
    'suitkaise: 2 files written; 0 modules transformed, 0 worker modules\n',
    'src/a.ts:3:5 SK101 warning: reads `limit`\n',
  ],
  [
    'type errors: tsc\'s text, then the count',
    result({ typeErrors: 2, typeErrorText: 'src/a.ts(1,1): error TS1: a\nsrc/b.ts(1,1): error TS2: b\n', written: written(4) }),
    1,
    '',
    'src/a.ts(1,1): error TS1: a\nsrc/b.ts(1,1): error TS2: b\n\nFound 2 errors.\n',
  ],
  [
    'a transform error and a warning: the error first, one counted',
    result({ errors: [sk('error', 'SK005', 'has `__results__`')], warnings: [sk('warning', 'SK101', 'w')] }),
    1,
    '',
    'src/a.ts:3:5 SK005 has `__results__`\nsrc/a.ts:3:5 SK101 warning: w\n\nFound 1 error.\n',
  ],
  [
    'configuration errors before transform errors, all counted with the type errors',
    result({ typeErrors: 1, typeErrorText: 'T\n', errors: [sk('error', 'SK002', 'nested'), configError, esmRequired('/project/src/c.ts')] }),
    1,
    '',
    'T\n' +
      "error TS5083: Cannot read file '/project/base.json'.\n" +
      'error TS1343: /project/src/c.ts: suitkaise registrations use import.meta.url, so this module must compile to an ES module ' +
      '(set "module" to "es2022", "esnext" or "nodenext" with "type": "module" in package.json).\n' +
      'src/a.ts:3:5 SK002 nested\n\nFound 4 errors.\n',
  ],
];

describe('report', () => {
  it.each(table)('%s', (_name, built, code, stdout, stderr) => {
    let out = '';
    let err = '';
    const io: CliIo = { stdout: (text) => { out += text; }, stderr: (text) => { err += text; }, cwd: CWD, pretty: false };
    expect(report(built, io)).toBe(code);
    expect({ stdout: out, stderr: err }).toEqual({ stdout, stderr });
  });
});
