// Collects every runnable example of the project into docs/.generated/, where `tsc -b` type-checks
// them and docs/examples.test.ts runs each one as a test:
// - every ```ts block of docs/*.md (each block is a module of its own: it imports what it uses);
// - every @example of every public export of the domain packages (their `.` and `./testing` entries).
// It also refuses a public export without a doc comment, and a public value without an @example.
//
// `--only <package>` and `--guide <name>` (repeatable) regenerate just those parts and leave the
// rest of docs/.generated alone, for working on one package while others change theirs.
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

const root = path.resolve(import.meta.dirname, '..')
const out = path.join(root, 'docs/.generated')
const problems: string[] = []
let written = 0

const argValues = (flag: string): string[] =>
  process.argv.flatMap((a, i) => (a === flag && process.argv[i + 1] ? [process.argv[i + 1] as string] : []))
const onlyPackages = argValues('--only')
const onlyGuides = argValues('--guide')
const partial = onlyPackages.length > 0 || onlyGuides.length > 0

if (!partial) fs.rmSync(out, { recursive: true, force: true })
for (const p of onlyPackages) fs.rmSync(path.join(out, 'api', p), { recursive: true, force: true })
for (const g of onlyGuides)
  for (const f of fs.existsSync(path.join(out, 'guides')) ? fs.readdirSync(path.join(out, 'guides')) : [])
    if (f.startsWith(`${g}.L`)) fs.rmSync(path.join(out, 'guides', f))

const write = (relative: string, origin: string, code: string): void => {
  const file = path.join(out, relative)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, `// example from ${origin}\n${code.trimEnd()}\nexport {}\n`)
  written += 1
}

// ---------------------------------------------------------------- guides
const fence = /^```(ts|typescript)\s*$/
for (const name of fs
  .readdirSync(path.join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .sort()) {
  const lines = fs.readFileSync(path.join(root, 'docs', name), 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!fence.test(lines[i] ?? '')) continue
    const start = i + 1
    const body: string[] = []
    for (i = start; i < lines.length && !(lines[i] ?? '').startsWith('```'); i++) body.push(lines[i] ?? '')
    write(`guides/${name.replace(/\.md$/, '')}.L${start}.ts`, `docs/${name}:${start}`, body.join('\n'))
  }
}

// ---------------------------------------------------------------- API @examples
const exampleText = (tag: ts.JSDocTag): string => {
  const raw = typeof tag.comment === 'string' ? tag.comment : (ts.getTextOfJSDocComment(tag.comment) ?? '')
  return raw.replace(/^```(ts|typescript)?\s*\n/, '').replace(/\n```\s*$/, '')
}

const docOf = (declaration: ts.Declaration): ReadonlyArray<ts.JSDoc | ts.JSDocTag> => {
  // A `const x = …` carries its comment on the statement, two parents up.
  const node =
    ts.isVariableDeclaration(declaration) && ts.isVariableStatement(declaration.parent.parent)
      ? declaration.parent.parent
      : declaration
  return ts.getJSDocCommentsAndTags(node)
}

const packagesDir = path.join(root, 'packages')
const domainPackages = fs
  .readdirSync(packagesDir)
  .filter((p) => !['cli', 'bench'].includes(p))
  .filter((p) => fs.existsSync(path.join(packagesDir, p, 'src/index.ts')))
  .filter((p) => !partial || onlyPackages.includes(p))
  .sort()

for (const pkg of domainPackages) {
  const entries = ['index.ts', 'testing/index.ts']
    .map((e) => path.join(packagesDir, pkg, 'src', e))
    .filter((e) => fs.existsSync(e))
  const program = ts.createProgram(entries, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    allowJs: false,
  })
  const checker = program.getTypeChecker()
  for (const entry of entries) {
    const source = program.getSourceFile(entry)
    const moduleSymbol = source && checker.getSymbolAtLocation(source)
    if (!moduleSymbol) continue
    const where = `@payout-kernel/${pkg}${entry.endsWith('testing/index.ts') ? '/testing' : ''}`
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      // `export * as name from '…'` documents the namespace on the export statement itself.
      const namespaceExport = (exported.declarations ?? []).find(ts.isNamespaceExport)
      const declarations = namespaceExport ? [] : (symbol.declarations ?? [])
      const docs = namespaceExport
        ? ts.getJSDocCommentsAndTags(namespaceExport.parent)
        : declarations.flatMap(docOf)
      const hasComment = docs.some((d) => ts.isJSDoc(d))
      const examples = docs.flatMap((d) =>
        ts.isJSDoc(d) ? (d.tags ?? []).filter((t) => t.tagName.text === 'example') : [],
      )
      const isValue = (symbol.flags & ts.SymbolFlags.Value) !== 0
      const name = exported.getName()
      if (!hasComment) problems.push(`${where}: export '${name}' has no doc comment`)
      else if (isValue && examples.length === 0) problems.push(`${where}: export '${name}' has no @example`)
      examples.forEach((tag, n) => {
        const sub = where.endsWith('/testing') ? 'testing.' : ''
        write(`api/${pkg}/${sub}${name}.${n + 1}.ts`, `${where} ${name}`, exampleText(tag))
      })
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(`examples: ${problems.length} public export(s) lack documentation:\n`)
  for (const p of problems) process.stderr.write(`  - ${p}\n`)
  process.exit(1)
}
process.stdout.write(`examples: ${written} collected into docs/.generated\n`)
