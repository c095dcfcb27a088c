// `payout-kernel simulate` over 1M NDJSON payouts with the shipped 24 velocity rules, against just
// reading the same file and `JSON.parse`-ing each line (same reader, same process); and the heap it
// needs at 100k and at 1M lines, to show memory does not grow with the number of lines.
// Sizes: BENCH_CLI_PAYOUTS (default 1,000,000). The generated files are cached in the OS temp dir.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCli } from '@payout-kernel/cli'
import { timeOnce } from './harness.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const examples = path.join(root, 'examples')
const size = Number(process.env.BENCH_CLI_PAYOUTS ?? 1_000_000)
const sink = { write: () => true } as unknown as NodeJS.WritableStream

const dataFor = async (payouts: number): Promise<string> => {
  const dir = path.join(os.tmpdir(), `payout-kernel-bench-${payouts}`)
  const file = path.join(dir, 'payouts.ndjson')
  if (!fs.existsSync(file)) {
    const { ms } = await (async () => {
      const start = performance.now()
      await runCli(
        [
          'generate',
          '--out',
          dir,
          '--payouts',
          String(payouts),
          '--transactions',
          '10',
          '--lifecycles',
          '10',
        ],
        {
          out: sink,
          err: process.stderr,
          examples,
        },
      )
      return { ms: performance.now() - start }
    })()
    process.stdout.write(`  generated ${payouts} payouts in ${(ms / 1000).toFixed(1)} s (${file})\n`)
  }
  return file
}

/** Reads the file as simulate does (1 MiB chunks, split into lines) and JSON.parses each line. */
const parseOnly = (file: string): number => {
  const fd = fs.openSync(file, 'r')
  const buffer = Buffer.allocUnsafe(1 << 20)
  let pending = ''
  let n = 0
  for (;;) {
    const read = fs.readSync(fd, buffer, 0, buffer.length, null)
    if (read === 0) break
    const text = pending + buffer.toString('utf8', 0, read)
    const lines = text.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) if (line !== '' && JSON.parse(line) !== null) n++
  }
  if (pending !== '' && JSON.parse(pending) !== null) n++
  fs.closeSync(fd)
  return n
}

const simulate = async (file: string, compare: boolean): Promise<number> =>
  runCli(
    [
      'simulate',
      '--rules',
      path.join(examples, 'velocity-current.json'),
      ...(compare ? ['--compare', path.join(examples, 'velocity-proposed.json')] : []),
      '--rates',
      path.join(examples, 'rates.json'),
      '--history',
      file,
      '--json',
    ],
    { out: sink, err: sink, examples },
  )

/**
 * Peak resident memory of `simulate --compare` run as its own process (GNU time's %M, in KiB):
 * what a user's machine needs, garbage included, for a file of this many lines.
 */
const peakRss = (file: string): number => {
  const cli = path.join(root, 'packages/cli/dist/main.js')
  const args = [
    '-f',
    '%M',
    process.execPath,
    cli,
    'simulate',
    '--rules',
    path.join(examples, 'velocity-current.json'),
    '--compare',
    path.join(examples, 'velocity-proposed.json'),
    '--rates',
    path.join(examples, 'rates.json'),
    '--history',
    file,
    '--json',
  ]
  const run = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 1 << 26 })
  const kib = Number(run.stderr.trim().split('\n').pop())
  return Number.isFinite(kib) ? kib * 1024 : Number.NaN
}

/** The first tenth of a file's lines: the same density of payouts over a tenth of the history. */
const firstTenth = (file: string): string => {
  const out = file.replace(/\.ndjson$/, '.first-tenth.ndjson')
  if (!fs.existsSync(out)) {
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
    fs.writeFileSync(out, `${lines.slice(0, Math.floor(lines.length / 10)).join('\n')}\n`)
  }
  return out
}

export const main = async (): Promise<void> => {
  const big = await dataFor(size)
  const small = firstTenth(big)
  parseOnly(small) // warm
  await simulate(small, false)
  const parse = timeOnce(() => parseOnly(big))
  const start = performance.now()
  await simulate(big, false)
  const one = performance.now() - start
  const start2 = performance.now()
  await simulate(big, true)
  const two = performance.now() - start2
  const heapSmall = peakRss(small)
  const heapBig = peakRss(big)
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`
  process.stdout.write(
    `\npayout-kernel simulate over ${parse.result} NDJSON payouts, 24 rules\n` +
      `  baseline   read + JSON.parse of the lines             ${(parse.ms / 1000).toFixed(2)} s\n` +
      `  candidate  simulate (one rule set)                     ${(one / 1000).toFixed(2)} s   ratio ${(one / parse.ms).toFixed(2)}x (target <= 3x)\n` +
      `  candidate  simulate --compare (two rule sets)          ${(two / 1000).toFixed(2)} s   ratio ${(two / parse.ms).toFixed(2)}x\n` +
      `  peak resident memory of simulate --compare: ${mb(heapSmall)} for the first ${Math.floor(size / 10)} lines, ${mb(heapBig)} for all ${size}` +
      ` (ratio ${(heapBig / Math.max(1, heapSmall)).toFixed(2)})\n`,
  )
}
