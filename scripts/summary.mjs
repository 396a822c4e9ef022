// Prints Vitest's JSON report as the plain closing line CI reads: "N passed, N failed".
//
//   node scripts/summary.mjs [report]                        one run: just the closing line
//   node scripts/summary.mjs 'label=report' 'label=report'…  several runs: a "label: N passed, N failed"
//                                                            line per run, then the closing line summing them
//   --failed='what'                                          a step that is not a Vitest run failed
//                                                            (e.g. 'package checks'): one more failure
//
// A missing report counts as one failure (that run did not finish) and makes this exit 1.
// A file that failed without a failed test (its beforeAll threw) counts as one failure.
import { readFileSync, existsSync } from 'node:fs';

const args = process.argv.slice(2);
const failedSteps = args.filter((arg) => arg.startsWith('--failed=')).map((arg) => arg.slice('--failed='.length));
const runs = args.filter((arg) => !arg.startsWith('--failed='));
if (runs.length === 0) runs.push('.vitest-report.json');

/** `label=file` (the label is everything before the last `=`), or a bare file with no label. */
function parse(run) {
  const at = run.lastIndexOf('=');
  return at === -1 ? { label: undefined, file: run } : { label: run.slice(0, at), file: run.slice(at + 1) };
}

const line = ({ passed, failed, skipped }) => `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;

let missing = false;
const total = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const run of runs) {
  const { label, file } = parse(run);
  let counts;
  if (!existsSync(file)) {
    missing = true;
    counts = { passed: 0, failed: 1, skipped: 0 };
    console.error(`no Vitest report at ${file}: the test run${label ? ` (${label})` : ''} did not finish`);
  } else {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    // A file can fail with no failed test in it: a beforeAll that throws (a missing service, say)
    // leaves its tests counted as skipped. Each such file is one failure.
    const failedFiles = (report.testResults ?? []).filter((result) =>
      result.status === 'failed' && !(result.assertionResults ?? []).some((test) => test.status === 'failed')).length;
    counts = {
      passed: report.numPassedTests,
      failed: report.numFailedTests + Math.max(failedFiles, report.numRuntimeErrorTestSuites ?? 0),
      skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    };
  }
  for (const key of Object.keys(total)) total[key] += counts[key];
  lines.push(`${label ?? file}: ${line(counts)}`);
}
for (const step of failedSteps) {
  total.failed += 1;
  lines.push(`${step}: failed (see above)`);
}
if (lines.length > 1) for (const text of lines) console.log(text);
console.log(line(total));
if (missing) process.exit(1);
