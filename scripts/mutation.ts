// `pnpm run test:mutation [--] [packages…] [--all] [--break <score>]`: Stryker on the domain
// packages, one at a time (stryker.config.mjs, vitest.mutation.config.ts), then one line per
// package with its mutation score, and exit 1 when any is under the break score (85 by default).
//
// Which packages: those named; else, with --all, every domain package; else (CI) the packages
// whose incremental file is committed in reports/ — Stryker then re-tests only the mutants whose
// code or covering tests changed since that file was written, so a run costs a dry run of the
// package's tests plus what changed. A package with no incremental file yet needs a full run
// (hours on two cores for the large ones): `pnpm run test:mutation <package>` writes it.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { domainPackages } from './domain-packages.js'

const root = path.resolve(import.meta.dirname, '..')

const args = process.argv.slice(2).filter((a) => a !== '--')
const breakAt = args.includes('--break') ? Number(args[args.indexOf('--break') + 1]) : 85
const flagValues = new Set(args.includes('--break') ? [args[args.indexOf('--break') + 1]] : [])
const named = args.filter((a) => !a.startsWith('--') && !flagValues.has(a))
for (const n of named)
  if (!(domainPackages as ReadonlyArray<string>).includes(n)) {
    process.stderr.write(`test:mutation: ${n} is not a domain package (${domainPackages.join(', ')})\n`)
    process.exit(2)
  }
const incrementalFile = (p: string) => path.join(root, 'reports', `stryker-incremental-${p}.json`)
const packages =
  named.length > 0
    ? named
    : args.includes('--all')
      ? [...domainPackages]
      : domainPackages.filter((p) => fs.existsSync(incrementalFile(p)))

interface Counts {
  killed: number
  survived: number
  timeout: number
  noCoverage: number
  ignored: number
  errors: number
}

/** Counts by status in Stryker's JSON report (mutation-testing-report-schema). */
const countsOf = (report: string): Counts => {
  const json = JSON.parse(fs.readFileSync(report, 'utf8')) as {
    files: Record<string, { mutants: ReadonlyArray<{ status: string }> }>
  }
  const c: Counts = { killed: 0, survived: 0, timeout: 0, noCoverage: 0, ignored: 0, errors: 0 }
  for (const file of Object.values(json.files))
    for (const m of file.mutants) {
      if (m.status === 'Killed') c.killed++
      else if (m.status === 'Survived') c.survived++
      else if (m.status === 'Timeout') c.timeout++
      else if (m.status === 'NoCoverage') c.noCoverage++
      else if (m.status === 'Ignored') c.ignored++
      else c.errors++
    }
  return c
}

/** Stryker's mutation score: detected (killed, timed out) over detected and undetected. */
const scoreOf = (c: Counts): number => {
  const detected = c.killed + c.timeout
  const all = detected + c.survived + c.noCoverage
  return all === 0 ? 100 : (100 * detected) / all
}

const rows: string[] = []
let failed = false
for (const p of packages) {
  const started = Date.now()
  process.stdout.write(`== mutation testing: ${p}\n`)
  const run = spawnSync('pnpm', ['exec', 'stryker', 'run'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, MUTATION_PACKAGE: p },
  })
  const seconds = Math.round((Date.now() - started) / 1000)
  const report = path.join(root, 'reports', 'mutation', `${p}.json`)
  if (run.status !== 0 || !fs.existsSync(report)) {
    rows.push(`mutation: ${p} did not run (stryker exit ${run.status}), ${seconds} s`)
    failed = true
    continue
  }
  const c = countsOf(report)
  const score = scoreOf(c)
  const under = score < breakAt
  failed ||= under
  rows.push(
    `mutation: ${p} ${score.toFixed(2)}% (${c.killed} killed, ${c.timeout} timed out, ${c.survived} survived, ` +
      `${c.noCoverage} not covered) in ${seconds} s${under ? ` — UNDER ${breakAt}%` : ''}`,
  )
}
const unmeasured = domainPackages.filter((p) => !packages.includes(p) && !fs.existsSync(incrementalFile(p)))
process.stdout.write(`\n${rows.join('\n')}\n`)
if (unmeasured.length > 0)
  process.stdout.write(`mutation: no incremental file yet for ${unmeasured.join(', ')}\n`)
if (packages.length === 0) process.stdout.write('mutation: no package to run\n')
process.exit(failed ? 1 : 0)
