// Runs every benchmark module (`src/*.bench.ts`), or only those whose name contains an argument:
// `pnpm bench` or `pnpm bench velocity`.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const only = process.argv.slice(2)
const dir = import.meta.dirname
const modules = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()

for (const file of modules) {
  process.stdout.write(`\n=== ${file}\n`)
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { main?: () => Promise<void> }
  await mod.main?.()
}
