// Jest's default reporter names skipped tests only when it runs one file: this one lists every
// skipped test at the end of a run, so the reason in its name ("— SKIPPED on PGlite: …") is in
// the output of `npm test` too.
export default class SkippedReporter {
  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      for (const test of file.testResults) if (test.status === 'pending' || test.status === 'skipped') skipped.push(test.fullName);
    }
    if (skipped.length === 0) return;
    process.stderr.write(`\nSkipped tests (${skipped.length}), each naming why:\n${skipped.map((name) => `  - ${name}`).join('\n')}\n`);
  }
}
