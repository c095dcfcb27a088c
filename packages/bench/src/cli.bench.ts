// `payout-kernel simulate` over 1M NDJSON payouts with the shipped 24 velocity rules, against just
// reading the same file and `JSON.parse`-ing each line (same reader, same process); and the heap it
// needs as the number of lines grows (peak RSS, and the live heap after GC), to show it stays flat.
// `simulate` reads a file this large in a second thread by default; `--threads 1` is timed too.
// Sizes: BENCH_CLI_PAYOUTS (default 1,000,000). The generated files are cached in the OS temp dir
// (`-v2`: made by the generator whose large histories stay in time order).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCli } from '@payout-kernel/cli'
import { backtest, type ExchangeRate, type Payout, parsePayout, parseRuleSet } from '@payout-kernel/velocity'
import * as E from '#fp-ts/Either'
import { heapUsed, timeOnce } from './harness.js'
import { readAndParse } from './ndjson.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const examples = path.join(root, 'examples')
const size = Number(process.env.BENCH_CLI_PAYOUTS ?? 1_000_000)
const sink = { write: () => true } as unknown as NodeJS.WritableStream

const dataFor = async (payouts: number): Promise<string> => {
  const dir = path.join(os.tmpdir(), `payout-kernel-bench-${payouts}-v2`)
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

const simulate = async (file: string, compare: boolean, threads?: '1'): Promise<number> =>
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
      ...(threads === undefined ? [] : ['--threads', threads]),
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

/** The lines of a file, read as `readAndParse` reads them (1 MiB chunks), JSON.parse-d. */
function* jsonLines(file: string): Generator<unknown> {
  const fd = fs.openSync(file, 'r')
  const buffer = Buffer.allocUnsafe(1 << 20)
  let pending = ''
  try {
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null)
      if (read === 0) break
      const lines = (pending + buffer.toString('utf8', 0, read)).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) if (line !== '') yield JSON.parse(line)
    }
    if (pending !== '') yield JSON.parse(pending)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Live memory while the two rule sets of `simulate --compare` replay the file: the heap in use after
 * a full collection at every tenth of its lines (what the replay holds, garbage excluded), in bytes.
 */
const liveHeap = (file: string, lines: number): number[] => {
  const rules = (name: string) => {
    const r = parseRuleSet(JSON.parse(fs.readFileSync(path.join(examples, name), 'utf8')))
    if (E.isLeft(r)) throw new Error(`${name}: ${JSON.stringify(r.left)}`)
    return r.right
  }
  const rates = JSON.parse(fs.readFileSync(path.join(examples, 'rates.json'), 'utf8')) as ExchangeRate[]
  const samples: number[] = [heapUsed()]
  const every = Math.max(1, Math.floor(lines / 10))
  function* payouts(): Generator<Payout> {
    let n = 0
    for (const value of jsonLines(file)) {
      const p = parsePayout(value)
      if (E.isRight(p)) yield p.right
      if (++n % every === 0) samples.push(heapUsed())
    }
  }
  const report = backtest(payouts(), rules('velocity-current.json'), rules('velocity-proposed.json'), {
    rates,
  })
  if (E.isLeft(report)) throw new Error(JSON.stringify(report.left))
  return samples
}

/** The first `tenths` tenths of a file's lines: the same density of payouts over part of the history. */
const firstTenths = (file: string, tenths: number): string => {
  const out = file.replace(/\.ndjson$/, `.first-${tenths}-tenths.ndjson`)
  if (!fs.existsSync(out)) {
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
    fs.writeFileSync(out, `${lines.slice(0, Math.floor((lines.length * tenths) / 10)).join('\n')}\n`)
  }
  return out
}

export const main = async (): Promise<void> => {
  const big = await dataFor(size)
  const small = firstTenths(big, 1)
  readAndParse(small) // warm
  await simulate(small, false)
  const parse = timeOnce(() => readAndParse(big))
  const start = performance.now()
  await simulate(big, false)
  const one = performance.now() - start
  const start2 = performance.now()
  await simulate(big, true)
  const two = performance.now() - start2
  const start1 = performance.now()
  await simulate(big, false, '1')
  const oneThread = performance.now() - start1
  const tenths = [1, 3, 6, 10]
  const peaks = tenths.map((k) => peakRss(k === 10 ? big : firstTenths(big, k)))
  const live = liveHeap(big, parse.result)
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`
  process.stdout.write(
    `\npayout-kernel simulate over ${parse.result} NDJSON payouts, 24 rules\n` +
      `  baseline   read + JSON.parse of the lines             ${(parse.ms / 1000).toFixed(2)} s\n` +
      `  candidate  simulate (one rule set)                     ${(one / 1000).toFixed(2)} s   ratio ${(one / parse.ms).toFixed(2)}x (target <= 3x)\n` +
      `  candidate  simulate --compare (two rule sets)          ${(two / 1000).toFixed(2)} s   ratio ${(two / parse.ms).toFixed(2)}x\n` +
      `  candidate  simulate --threads 1 (no second thread)     ${(oneThread / 1000).toFixed(2)} s   ratio ${(oneThread / parse.ms).toFixed(2)}x\n` +
      `  peak resident memory of simulate --compare, by lines read: ${tenths
        .map((k, i) => `${Math.floor((size * k) / 10)}: ${mb(peaks[i] ?? Number.NaN)}`)
        .join(', ')} (the heap grows lazily up to a plateau, so peaks hold garbage)\n` +
      `  live heap after a full collection, at every tenth of the lines (replay of both rule sets, MiB over the start):\n` +
      `    ${live.map((b) => ((b - (live[0] ?? 0)) / 1024 / 1024).toFixed(1)).join('  ')}\n`,
  )
}
