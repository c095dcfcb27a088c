// The test projects: one per package, plus the docs (guides and @example blocks, run as tests).
// Vitest 4 does not read this file by itself; vitest.config.ts imports it into `test.projects`.
import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))

/** Resolve `@payout-kernel/<name>` and `@payout-kernel/<name>/testing` to sources, so tests need no build. */
export const sourceAliases = [
  { find: /^@payout-kernel\/([a-z-]+)\/testing$/, replacement: `${root}packages/$1/src/testing/index.ts` },
  { find: /^@payout-kernel\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
]

const project = (name: string, dir: string) =>
  defineProject({
    resolve: { alias: sourceAliases },
    test: {
      name,
      root: `${root}${dir}`,
      include: ['**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      // after each test, the built-in prototypes must be as they were (hostile keys pollute nothing)
      setupFiles: [`${root}scripts/no-pollution.setup.ts`],
      // Property tests run thousands of cases; on a busy 2-core CI machine they need room.
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  })

export const projects = [
  project('core', 'packages/core'),
  project('trust', 'packages/trust'),
  project('payout-machine', 'packages/payout-machine'),
  project('velocity', 'packages/velocity'),
  project('rescore-policy', 'packages/rescore-policy'),
  project('scoring', 'packages/scoring'),
  project('store-postgres', 'packages/store-postgres'),
  project('store-redis', 'packages/store-redis'),
  project('request-auth', 'packages/request-auth'),
  project('screening', 'packages/screening'),
  project('evaluation', 'packages/evaluation'),
  project('testkit', 'packages/testkit'),
  project('cli', 'packages/cli'),
  project('docs', 'docs'),
]
