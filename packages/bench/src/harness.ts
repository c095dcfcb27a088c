// The one way every benchmark here measures and prints: a candidate against a baseline, in the
// same process and run, reported as throughput and as a ratio. Timings never fail anything.
import { Bench } from 'tinybench'

export interface Contender {
  readonly name: string
  /** One unit of work; `ops/s` counts calls of this function. */
  readonly run: () => unknown
  /** How many domain operations one call performs (events, decisions, payouts), for per-item rates. */
  readonly itemsPerRun?: number
}

export interface Comparison {
  readonly title: string
  readonly candidate: Contender
  readonly baseline: Contender
  readonly target?: string
}

const rate = (hz: number, items: number): string => {
  const perSecond = hz * items
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)}M/s` : `${(perSecond / 1e3).toFixed(1)}k/s`
}

/** Runs candidate and baseline alternately under tinybench and prints both rates and their ratio. */
export const compare = async (c: Comparison, timeMs = 1500): Promise<number> => {
  const bench = new Bench({ time: timeMs, warmup: true })
  bench.add(c.baseline.name, c.baseline.run).add(c.candidate.name, c.candidate.run)
  await bench.run()
  const [base, cand] = bench.tasks.map((t) =>
    t.result.state === 'completed' ? t.result.throughput.mean : Number.NaN,
  )
  const baseItems = c.baseline.itemsPerRun ?? 1
  const candItems = c.candidate.itemsPerRun ?? 1
  const ratio = ((cand ?? Number.NaN) * candItems) / ((base ?? Number.NaN) * baseItems)
  process.stdout.write(
    `\n${c.title}\n` +
      `  baseline   ${c.baseline.name.padEnd(44)} ${rate(base ?? Number.NaN, baseItems)}\n` +
      `  candidate  ${c.candidate.name.padEnd(44)} ${rate(cand ?? Number.NaN, candItems)}\n` +
      `  ratio      ${ratio.toFixed(2)}x${c.target ? `   (target ${c.target})` : ''}\n`,
  )
  return ratio
}

/** Times one call of `f` (for work too long to repeat, like a 1M-payout backtest), in ms. */
export const timeOnce = <A>(f: () => A): { readonly result: A; readonly ms: number } => {
  const start = performance.now()
  const result = f()
  return { result, ms: performance.now() - start }
}

/** Heap in use after a full collection, in bytes (run with NODE_OPTIONS=--expose-gc). */
export const heapUsed = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) {
    gc()
    gc()
  }
  return process.memoryUsage().heapUsed
}
