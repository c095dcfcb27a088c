// Ends every test run with one plain line that CI and humans can read: `tests: N passed, M failed`.
import type { Reporter, TestModule } from 'vitest/node'

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    const databases = new Set<string>()
    const browsers = new Set<string>()
    for (const testModule of testModules) {
      // A module that failed to load has no tests but is a failure all the same.
      if (testModule.state() === 'failed' && [...testModule.children.allTests()].length === 0) failed += 1
      for (const test of testModule.children.allTests()) {
        const state = test.result().state
        const database = (test.meta() as Record<string, unknown>).database
        if (typeof database === 'string') databases.add(database)
        const browser = (test.meta() as Record<string, unknown>).browser
        if (typeof browser === 'string') browsers.add(browser)
        if (state === 'passed') passed += 1
        else if (state === 'failed') failed += 1
        else skipped += 1
      }
    }
    failed += unhandledErrors.length
    const tail = skipped > 0 ? `, ${skipped} skipped` : ''
    // The store suites say which databases they ran on (a server suite that could not run fails),
    // and the ones left out (no PostgreSQL server, no Redis: plain `npm test`) say so on a line of their own.
    const ran = [...databases].filter((d) => !d.includes('NOT run')).sort()
    const notRun = [...databases].filter((d) => d.includes('NOT run')).sort()
    if (ran.length > 0) process.stdout.write(`\nstore suites ran on: ${ran.join('; ')}\n`)
    if (notRun.length > 0) process.stdout.write(`store suites NOT run: ${notRun.join('; ')}\n`)
    // The docs site's browser test says whether it ran (no Chromium or no built site: it did not).
    for (const b of browsers)
      process.stdout.write(b.includes('NOT run') ? `${b}\n` : `browser test ran on: ${b}\n`)
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${tail}\n`)
  }
}
