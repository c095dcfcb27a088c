// Mutation runs only (vitest.mutation.config.ts): one fixed fast-check seed. @fast-check/vitest puts
// the seed in each property's name; Stryker finds the tests that cover a mutant by name, and its
// incremental file keys results by name, so a seed drawn afresh on each run would match no test.
import fc from 'fast-check'

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: 20_260_101 })
