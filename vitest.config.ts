import { defineConfig } from 'vitest/config'
import SummaryReporter from './scripts/summary-reporter.js'
import { projects } from './vitest.workspace.js'

export default defineConfig({
  test: {
    projects,
    reporters: ['default', new SummaryReporter()],
    passWithNoTests: false,
    testTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['packages/bench/**', 'packages/*/src/testing/**'],
      reporter: ['text-summary'],
    },
  },
})
