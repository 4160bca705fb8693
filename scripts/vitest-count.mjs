// Prints "passed failed" from vitest's JSON report: failed tests, plus files that failed without a failed
// test (a suite that did not load counts as one failure).
import { readFileSync } from 'node:fs';
const r = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const brokenFiles = (r.testResults ?? []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
console.log(r.numPassedTests, r.numFailedTests + brokenFiles);
