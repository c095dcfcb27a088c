// Stryker for one domain package at a time; scripts/mutation.ts sets MUTATION_PACKAGE and runs it.
// Incremental: the result of the last run is committed in reports/stryker-incremental-<package>.json,
// so a run re-tests only the mutants whose code or covering tests changed since.
const name = process.env.MUTATION_PACKAGE
if (name === undefined) throw new Error('MUTATION_PACKAGE is not set (run `pnpm run test:mutation`)')

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [`packages/${name}/src/**/*.ts`, `!packages/${name}/src/testing/**`],
  coverageAnalysis: 'perTest',
  // Mutants in module-level initialisers would re-run every test per mutant; they are left out.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${name}.json`,
  reporters: ['json', 'clear-text', 'progress-append-only'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  // scripts/mutation.ts fails a run under 85% (its --break); Stryker's own colours follow these
  thresholds: { high: 90, low: 85, break: null },
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  tempDirName: `.stryker-tmp/${name}`,
  cleanTempDir: 'always',
  ignorePatterns: ['docs/.api', 'docs/.generated', 'reports', '.pack', 'packages/*/dist', '.stryker-tmp'],
}
