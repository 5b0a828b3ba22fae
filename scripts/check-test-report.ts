// Reads vitest's JSON report and fails when a test was skipped, or when the tests that need the real
// broker (test/integration, test/harness) executed nothing.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface Report {
  success: boolean;
  testResults: { name: string; assertionResults: { status: string; fullName: string }[] }[];
}
interface Counts {
  passed: number;
  failed: number;
  other: number;
}

const report = JSON.parse(readFileSync(process.argv[2] ?? 'test-results/vitest.json', 'utf8')) as Report;
const counts = new Map<string, Counts>();
const notRun: string[] = [];
for (const file of report.testResults) {
  const path = relative(process.cwd(), file.name);
  const group = path.split('/').slice(0, 2).join('/');
  const entry = counts.get(group) ?? { passed: 0, failed: 0, other: 0 };
  for (const test of file.assertionResults) {
    if (test.status === 'passed') entry.passed += 1;
    else if (test.status === 'failed') entry.failed += 1;
    else {
      entry.other += 1;
      notRun.push(`${path}: ${test.fullName} (${test.status})`);
    }
  }
  counts.set(group, entry);
}
for (const [group, entry] of [...counts].sort()) {
  console.log(`${group}: ${entry.passed} passed, ${entry.failed} failed, ${entry.other} not run`);
}
const problems: string[] = [];
for (const group of ['test/unit', 'test/integration', 'test/harness']) {
  if ((counts.get(group)?.passed ?? 0) === 0) problems.push(`${group} executed no passing test`);
}
if (notRun.length > 0) problems.push(`tests not run:\n  ${notRun.join('\n  ')}`);
if (!report.success) problems.push('the test run failed');
if (problems.length > 0) {
  console.error(`check-test-report: ${problems.join('\n')}`);
  process.exit(1);
}
