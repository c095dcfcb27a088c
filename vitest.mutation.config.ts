// The vitest config that Stryker runs (scripts/mutation.ts): one package's own tests, chosen by
// MUTATION_PACKAGE, with the same source aliases as the full suite (vitest.workspace.ts), and one
// fixed fast-check seed (scripts/mutation-seed.setup.ts) so each property keeps its name.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { projects } from './vitest.workspace.js'

const name = process.env.MUTATION_PACKAGE
const project = projects.find((p) => p.test?.name === name)
if (project === undefined) throw new Error(`MUTATION_PACKAGE must name a test project, got ${String(name)}`)
const seed = fileURLToPath(new URL('./scripts/mutation-seed.setup.ts', import.meta.url))

export default defineConfig({
  test: {
    projects: [
      {
        ...project,
        test: { ...project.test, setupFiles: [seed, ...[project.test?.setupFiles ?? []].flat()] },
      },
    ],
    passWithNoTests: false,
  },
})
