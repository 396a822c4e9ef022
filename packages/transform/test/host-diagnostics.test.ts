/** How every host shows the transform's diagnostics (src/host/diagnostics.ts), as tables. */
import { describe, expect, it } from 'vitest';
import { codeFrame, diagnosticLine, errorsAndWarnings, locatedMessage, transformFailure } from '../src/host/diagnostics.ts';
import type { Diagnostic } from '../src/index.ts';

const error = (file: string, line: number, column: number, code: Diagnostic['code'] = 'SK002', message = 'not at module top level'): Diagnostic =>
  ({ code, severity: 'error', message, file, line, column });
const warning = (file: string, line: number, column: number): Diagnostic =>
  ({ code: 'SK101', severity: 'warning', message: 'reads a reassigned let', file, line, column });

describe('diagnosticLine', () => {
  const rows: Array<[name: string, diagnostic: Diagnostic, cwd: string | undefined, line: string]> = [
    ['an error, absolute without a cwd', error('/app/src/a.ts', 5, 3), undefined, '/app/src/a.ts:5:3 SK002 not at module top level'],
    ['a warning says so', warning('/app/src/a.ts', 6, 22), undefined, '/app/src/a.ts:6:22 SK101 warning: reads a reassigned let'],
    ['relative to a cwd that holds the file', error('/app/src/a.ts', 5, 3), '/app', 'src/a.ts:5:3 SK002 not at module top level'],
    ['absolute when the cwd does not hold it', warning('/lib/b.ts', 1, 1), '/app', '/lib/b.ts:1:1 SK101 warning: reads a reassigned let'],
    ['absolute when the cwd is a sibling with the same prefix', error('/app-2/a.ts', 1, 1), '/app', '/app-2/a.ts:1:1 SK002 not at module top level'],
  ];
  for (const [name, diagnostic, cwd, line] of rows) it(name, () => expect(diagnosticLine(diagnostic, cwd)).toBe(line));
});

describe('codeFrame', () => {
  const code = ['one', 'two', 'three', 'four', 'five'].join('\n');
  const rows: Array<[line: number, column: number, frame: string[]]> = [
    [3, 2, ['   1 | one', '   2 | two', '   3 | three', '     |  ^', '   4 | four', '   5 | five']],
    [1, 1, ['   1 | one', '     | ^', '   2 | two', '   3 | three']],
    [5, 4, ['   3 | three', '   4 | four', '   5 | five', '     |    ^']],
  ];
  for (const [line, column, frame] of rows) it(`at ${line}:${column}`, () => expect(codeFrame(code, line, column)).toBe(frame.join('\n')));
});

describe('for bundlers and the register hook', () => {
  it('errorsAndWarnings keeps the order found within each', () => {
    const found = [warning('/a.ts', 1, 1), error('/a.ts', 2, 1), warning('/a.ts', 3, 1), error('/a.ts', 4, 1, 'SK005')];
    const { errors, warnings } = errorsAndWarnings(found);
    expect(errors.map((d) => d.line)).toEqual([2, 4]);
    expect(warnings.map((d) => d.line)).toEqual([1, 3]);
  });

  it('locatedMessage: the first diagnostic with a 0-based column and a frame; the rest as lines under it', () => {
    const code = 'a\nb\nc';
    const message = locatedMessage(error('/app/a.ts', 2, 1), code, [error('/app/a.ts', 3, 1, 'SK003', 'captures "limit"')]);
    expect(message).toEqual({
      text: 'SK002: not at module top level\n/app/a.ts:3:1 SK003 captures "limit"',
      file: '/app/a.ts',
      line: 2,
      column: 0,
      frame: codeFrame(code, 2, 1),
    });
    expect(locatedMessage(warning('/app/a.ts', 1, 5)).frame).toBeUndefined();
  });

  it('transformFailure: one error naming the file and each diagnostic, with a code to tell it by', () => {
    const failure = transformFailure('/app/a.ts', [error('/app/a.ts', 5, 3), error('/app/a.ts', 9, 1, 'SK001', 'not exported')]);
    expect(failure).toBeInstanceOf(Error);
    expect(failure.code).toBe('ERR_SUITKAISE_TRANSFORM');
    expect(failure.message).toBe(
      'suitkaise: /app/a.ts cannot run in a worker as written:\n/app/a.ts:5:3 SK002 not at module top level\n/app/a.ts:9:1 SK001 not exported',
    );
  });
});
