/**
 * The command line of `suitkaise build`: the usage text and the parse of `argv` into what to do.
 * The options are tsc's where tsc has them (`-p`/`--project`, `-w`/`--watch`, `-h`/`--help`).
 */

/** What `suitkaise --help` prints (and a usage error prints after its message). */
export const USAGE = `Usage: suitkaise build [-p <tsconfig>] [--watch]
       suitkaise build [tsconfig] [--watch]

Compiles a TypeScript project like \`tsc -p <tsconfig>\` (default: ./tsconfig.json), with the
suitkaise transform: @sk() becomes plain registration code, and every module that registers a
class or function gets a worker module <name>.sk-worker.js next to its output.

Type errors come from the project's own TypeScript: its tsc type-checks and emits the project,
then the modules that use @suitkaise/core are replaced with their transformed output. Without
typescript installed in the project, the build emits without type-checking and says so
(type-checking is then left to \`tsc --noEmit\`).

Options:
  -p, --project <tsconfig>  the tsconfig.json to build, or a directory holding one
  -w, --watch               build, then build again whenever a source file or the tsconfig changes
  -h, --help                print this text
`;

/**
 * What the command line asks for: the usage text, a usage error (its message, without the
 * `suitkaise: ` prefix), or a build of `project` (a tsconfig or a directory holding one, as given).
 */
export type CliArguments = { help: true } | { error: string } | { project: string; watch: boolean };

/**
 * `argv` (without `node` and the script) as {@link CliArguments}. The command is `build`, which
 * may be left out before an option (`suitkaise -p tsconfig.json`); `--help` anywhere wins; the
 * project defaults to `tsconfig.json`.
 */
export function parseArguments(argv: readonly string[]): CliArguments {
  const [command, ...rest] = argv;
  if (command === undefined) return { error: 'no command' };
  if (command === '--help' || command === '-h' || command === 'help') return { help: true };
  // `suitkaise -p tsconfig.json` reads as `suitkaise build -p tsconfig.json`.
  const args = command === 'build' ? rest : command.startsWith('-') ? argv : undefined;
  if (args === undefined) return { error: `unknown command: ${command}` };
  let project: string | undefined;
  let watch = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    let value: string | undefined;
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--watch' || arg === '-w') {
      watch = true;
      continue;
    }
    if (arg === '-p' || arg === '--project') {
      value = args[++i];
      if (value === undefined) return { error: `${arg} needs a tsconfig.json (or a directory holding one)` };
    } else if (arg.startsWith('--project=')) {
      value = arg.slice('--project='.length);
    } else if (arg.startsWith('-')) {
      return { error: `unknown option: ${arg}` };
    } else {
      value = arg;
    }
    if (project !== undefined) return { error: `one project at a time (got ${project} and ${value})` };
    project = value;
  }
  return { project: project ?? 'tsconfig.json', watch };
}
