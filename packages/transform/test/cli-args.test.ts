/**
 * The command line of `suitkaise build` as a table: each argv → what it asks for (the usage, a
 * usage error's message, or a build of a project, watched or not); then what `main` prints and
 * returns for the usage and for a usage error, in-process (no build runs).
 */
import { describe, expect, it } from 'vitest';
import { parseArguments, USAGE, type CliArguments } from '../src/cli/args.ts';
import { main, type CliIo } from '../src/cli.ts';

const build = (project: string, watch = false): CliArguments => ({ project, watch });

const table: Array<[argv: string[], expected: CliArguments]> = [
  [[], { error: 'no command' }],
  [['--help'], { help: true }],
  [['-h'], { help: true }],
  [['help'], { help: true }],
  [['build', '--help'], { help: true }],
  [['build', '-h'], { help: true }],
  [['build', '-p', 'a.json', '--help'], { help: true }],
  [['build', '--frobnicate', '--help'], { error: 'unknown option: --frobnicate' }],
  [['build'], build('tsconfig.json')],
  [['build', 'app/tsconfig.json'], build('app/tsconfig.json')],
  [['build', '-p', 'app'], build('app')],
  [['build', '--project', 'app/tsconfig.json'], build('app/tsconfig.json')],
  [['build', '--project=app'], build('app')],
  [['build', '--project='], build('')],
  [['build', '--watch'], build('tsconfig.json', true)],
  [['build', '-w', '-p', 'app'], build('app', true)],
  [['build', '-p', 'app', '-w'], build('app', true)],
  [['-p', 'app'], build('app')],
  [['--watch'], build('tsconfig.json', true)],
  [['-w', 'app'], build('app', true)],
  [['compile'], { error: 'unknown command: compile' }],
  [['tsconfig.json'], { error: 'unknown command: tsconfig.json' }],
  [['build', '--frobnicate'], { error: 'unknown option: --frobnicate' }],
  [['build', '-x', 'app'], { error: 'unknown option: -x' }],
  [['build', '-p'], { error: '-p needs a tsconfig.json (or a directory holding one)' }],
  [['build', '--project'], { error: '--project needs a tsconfig.json (or a directory holding one)' }],
  [['build', 'a.json', 'b.json'], { error: 'one project at a time (got a.json and b.json)' }],
  [['build', '-p', 'a', '--project=b'], { error: 'one project at a time (got a and b)' }],
];

describe('parseArguments', () => {
  it.each(table)('%j', (argv, expected) => {
    expect(parseArguments(argv)).toEqual(expected);
  });
});

function collecting(): { io: CliIo; out: () => { stdout: string; stderr: string } } {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; }, cwd: '/', pretty: false },
    out: () => ({ stdout, stderr }),
  };
}

describe('main: the usage', () => {
  it('--help prints the usage to stdout and exits 0', async () => {
    const { io, out } = collecting();
    expect(await main(['build', '--help'], io)).toBe(0);
    expect(out()).toEqual({ stdout: USAGE, stderr: '' });
  });

  it('no arguments print the usage to stderr and exit 2', async () => {
    const { io, out } = collecting();
    expect(await main([], io)).toBe(2);
    expect(out()).toEqual({ stdout: '', stderr: USAGE });
  });

  it('a usage error prints its message, then the usage, and exits 2', async () => {
    const { io, out } = collecting();
    expect(await main(['build', '-p'], io)).toBe(2);
    expect(out()).toEqual({ stdout: '', stderr: `suitkaise: -p needs a tsconfig.json (or a directory holding one)\n\n${USAGE}` });
  });
});
