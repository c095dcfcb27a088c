// Module-level construction in the domain packages is marked `/* @__PURE__ */`, so that a bundler
// drops a codec, table or set that the importing code never uses: esbuild (and Rollup, webpack)
// otherwise keep every call made at module load, with all that it references, in case it has
// side effects. Domain code has none (STYLE: pure), so every call or `new` evaluated at load,
// that is outside any function body, carries the mark, nested ones too (a bundler keeps the
// arguments of a dropped pure call when they are calls themselves).
//
//   tsx scripts/pure.ts           check: lists each unmarked call, exits 1 if there is one
//   tsx scripts/pure.ts --write   adds the missing marks (then `biome check --write packages`)
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { domainPackages } from './domain-packages.js'

const root = path.resolve(import.meta.dirname, '..')
const write = process.argv.includes('--write')

const sources = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'testing' // the fast-check arbitraries are for test code, not for bundles
        ? []
        : sources(path.join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [path.join(dir, e.name)]
        : [],
  )

const unmarked = (file: string, text: string): number[] => {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const at = new Set<number>()
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const start = n.getStart(sf)
      if (!/@__PURE__\s*\*\/\s*$/.test(text.slice(Math.max(0, start - 40), start))) at.add(start)
    }
    ts.forEachChild(n, visit)
  }
  for (const statement of sf.statements) if (ts.isVariableStatement(statement)) visit(statement)
  return [...at].sort((a, b) => b - a)
}

let missing = 0
for (const pkg of domainPackages) {
  for (const file of sources(path.join(root, 'packages', pkg, 'src'))) {
    const text = fs.readFileSync(file, 'utf8')
    const at = unmarked(file, text)
    if (at.length === 0) continue
    missing += at.length
    if (write) {
      let out = text
      for (const p of at) out = `${out.slice(0, p)}/* @__PURE__ */ ${out.slice(p)}`
      fs.writeFileSync(file, out)
    } else {
      const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
      for (const p of [...at].reverse()) {
        const { line, character } = sf.getLineAndCharacterOfPosition(p)
        process.stdout.write(
          `${path.relative(root, file)}:${line + 1}:${character + 1}: a call at module load is not marked /* @__PURE__ */\n`,
        )
      }
    }
  }
}
if (write) process.stdout.write(`pure: marked ${missing} call(s)\n`)
else if (missing > 0) {
  process.stdout.write(`pure: ${missing} unmarked call(s); \`tsx scripts/pure.ts --write\` marks them\n`)
  process.exit(1)
} else process.stdout.write('pure: every module-level call in the domain packages is marked\n')
