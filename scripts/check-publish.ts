// Checks every public package as it would be published: packs it with pnpm (workspace ranges
// become versions), lints the tarball with publint (strict) and @arethetypeswrong/cli (types
// resolve for ESM consumers), then installs all tarballs into a scratch consumer project with npm
// and imports each public entry point, and checks that internals stay closed.
// Run after `tsc -b`. Exits non-zero on the first package that fails.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const packDir = path.join(root, '.pack')
fs.rmSync(packDir, { recursive: true, force: true })
fs.mkdirSync(packDir)

const run = (cmd: string, args: string[], cwd = root): string =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly exports?: Record<string, unknown>
  readonly peerDependencies?: Record<string, string>
}

const packages = fs
  .readdirSync(path.join(root, 'packages'))
  .map((dir) => ({
    dir: path.join(root, 'packages', dir),
    manifest: JSON.parse(
      fs.readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8'),
    ) as Manifest,
  }))
  .filter((p) => !p.manifest.private)
  .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))

const tarballs: string[] = []
let failed = 0
for (const { dir, manifest } of packages) {
  const before = new Set(fs.readdirSync(packDir))
  run('pnpm', ['pack', '--pack-destination', packDir], dir)
  const tarball = fs.readdirSync(packDir).find((f) => !before.has(f))
  if (tarball === undefined) throw new Error(`pnpm pack wrote nothing for ${manifest.name}`)
  const file = path.join(packDir, tarball)
  tarballs.push(file)
  const checks: Array<[string, string[]]> = [
    ['publint', ['exec', 'publint', 'run', file, '--strict']],
    // attw reads a tarball alone, without its peers, so it cannot follow `#fp-ts/*` (a subpath import
    // that maps to the fp-ts peer) and calls each one an internal resolution error. The consumer
    // below type-checks every entry point against the installed peers instead, which also catches
    // a declaration import that does not resolve.
    [
      'attw',
      [
        'exec',
        'attw',
        file,
        '--profile',
        'esm-only',
        '--format',
        'table-flipped',
        '--ignore-rules',
        'internal-resolution-error',
      ],
    ],
  ]
  for (const [name, args] of checks) {
    try {
      run('pnpm', args)
      process.stdout.write(`  ok    ${manifest.name}: ${name}\n`)
    } catch (e) {
      failed += 1
      const out = e as { stdout?: string; stderr?: string }
      process.stdout.write(`  FAIL  ${manifest.name}: ${name}\n${out.stdout ?? ''}${out.stderr ?? ''}\n`)
    }
  }
}

// A consumer that installs the tarballs from npm's point of view and imports every public entry.
const consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'payout-kernel-consumer-'))
try {
  fs.writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  )
  const peers = new Set(
    packages.flatMap((p) => Object.entries(p.manifest.peerDependencies ?? {}).map(([n, v]) => `${n}@${v}`)),
  )
  const typesNode = '@types/node@^20.19.0'
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...peers, typesNode],
    consumer,
  )
  const entries = packages.flatMap(({ manifest }) =>
    Object.entries(manifest.exports ?? {})
      .filter(([sub, target]) => target !== null && !sub.includes('*') && !sub.endsWith('package.json'))
      .map(([sub]) => (sub === '.' ? manifest.name : `${manifest.name}/${sub.slice(2)}`)),
  )
  const script = `
    const entries = ${JSON.stringify(entries)}
    for (const e of entries) {
      const m = await import(e)
      if (Object.keys(m).length === 0) throw new Error(e + ' exports nothing')
    }
    let closed = false
    try { await import('@payout-kernel/core/internal/x') } catch { closed = true }
    if (!closed) throw new Error('internal entry points are reachable')
    console.log('  ok    consumer imports ' + entries.length + ' entry points; internals are closed')
  `
  fs.writeFileSync(path.join(consumer, 'check.mjs'), script)
  process.stdout.write(run('node', ['check.mjs'], consumer))
  // Every entry point's declarations, with every import in them, resolve and type-check as a
  // consumer's TypeScript sees them (node16/nodenext and bundler resolution, library checks on).
  fs.writeFileSync(
    path.join(consumer, 'types.ts'),
    `${entries.map((e, i) => `import type * as m${i} from '${e}'`).join('\n')}\nexport type All = [${entries.map((_, i) => `typeof m${i}`).join(', ')}]\n`,
  )
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc')
  for (const [module, resolution] of [
    ['nodenext', 'nodenext'],
    ['esnext', 'bundler'],
  ] as const) {
    run(
      'node',
      [
        tsc,
        '--noEmit',
        '--strict',
        // ioredis's declarations import an untyped package; a missing module is still an error.
        '--noImplicitAny',
        'false',
        '--skipLibCheck',
        'false',
        '--target',
        'es2022',
        '--module',
        module,
        '--moduleResolution',
        resolution,
        '--types',
        'node',
        'types.ts',
      ],
      consumer,
    )
  }
  process.stdout.write(
    `  ok    consumer type-checks ${entries.length} entry points (nodenext and bundler resolution)\n`,
  )
} catch (e) {
  failed += 1
  const out = e as { message?: string; stdout?: string; stderr?: string }
  process.stdout.write(
    `  FAIL  consumer install/import\n${out.stdout ?? ''}${out.stderr ?? out.message ?? ''}\n`,
  )
} finally {
  fs.rmSync(consumer, { recursive: true, force: true })
}

process.stdout.write(`publish check: ${packages.length} packages, ${failed} problem(s)\n`)
process.exit(failed > 0 ? 1 : 0)
