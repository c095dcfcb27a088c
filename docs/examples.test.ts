// Runs every collected example (guides and @example blocks) as a test of its own. The examples
// assert what they show, so a stale example fails here; `tsc -b` has type-checked them already.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { expect, it } from 'vitest'

const generated = path.join(import.meta.dirname, '.generated')

const walk = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    : []

const examples = walk(generated)
  .filter((f) => f.endsWith('.ts'))
  .sort()

it('collects examples (run `pnpm run examples` first)', () => {
  expect(examples.length).toBeGreaterThan(0)
})

it.each(examples.map((f) => [path.relative(generated, f), f]))('example %s runs', async (_name, file) => {
  await import(pathToFileURL(file).href)
})
