// Reading the history in a second thread must change nothing but the time: the batch encoding
// round-trips every payout and bad line in order, and the built CLI answers the same with
// `--threads 1` and `--threads 2` (the worker runs the compiled `dist/historyWorker.js`, so these
// runs spawn `dist/main.js`, which `npm test` builds first).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { fc, test } from '@fast-check/vitest'
import { encodePayout, type Payout, payout } from '@payout-kernel/velocity'
import { arbHistory } from '@payout-kernel/velocity/testing'
import { describe, expect, it } from 'vitest'
import * as E from '#fp-ts/Either'
import { type Batch, BatchWriter, batchSize, type HistoryItem, itemsOf } from '../src/history.js'
import { examples, scratch } from './harness.js'

const roundTrip = (items: ReadonlyArray<HistoryItem>): HistoryItem[] => {
  const batches: Batch[] = []
  const writer = new BatchWriter((b) => batches.push(structuredClone(b)))
  for (const item of items) writer.add(item)
  writer.flush(true)
  const dictionary: string[] = []
  return batches.flatMap((b) => [...itemsOf(b, dictionary)])
}

const made = (input: Parameters<typeof payout>[0]): Payout => {
  const p = payout(input)
  if (E.isLeft(p)) throw new Error(JSON.stringify(p.left))
  return p.right
}
// A four-decimal currency: 16 digits of minor units pass 2^53 and travel as decimal text.
const huge = made({
  id: 'pay_huge',
  merchantId: 'mer_1',
  beneficiaryId: 'ben_1',
  instrumentId: 'ins_1',
  instrumentType: 'card',
  destinationCountry: 'CL',
  amount: '999999999999.9999',
  currency: 'CLF',
  createdAt: 5,
})

const arbItems: fc.Arbitrary<HistoryItem[]> = fc
  .tuple(
    arbHistory(60),
    fc.array(fc.tuple(fc.nat(), fc.string()), { maxLength: 8 }),
    fc.boolean(),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([history, bads, withHuge, copies]) => {
    const payouts = [...(withHuge ? [huge] : []), ...Array.from({ length: copies }, () => history).flat()]
    const items: HistoryItem[] = payouts.map((p, i) => ({ line: i + 1, payout: p }))
    for (const [at, message] of bads)
      items.splice(at % (items.length + 1), 0, { line: 1000 + at, problems: [{ field: 'amount', message }] })
    return items
  })

describe('history batches', () => {
  test.prop([arbItems], { numRuns: 300 })(
    'round-trip every payout (same shape) and bad line, in order',
    (items) => {
      const back = roundTrip(items)
      expect(back).toEqual(items)
      back.forEach((item, i) => {
        const before = items[i]
        if (before !== undefined && 'payout' in before && 'payout' in item) {
          expect(Object.keys(item.payout)).toEqual(Object.keys(before.payout))
          expect(Object.keys(item.payout.amount)).toEqual(Object.keys(before.payout.amount))
        }
      })
    },
  )

  it('split into full batches past the batch size, each string sent once', () => {
    const p = huge
    const items: HistoryItem[] = Array.from({ length: 2 * batchSize + 3 }, (_, i) => ({
      line: i + 1,
      payout: { ...p, id: `pay_${i}` as Payout['id'] },
    }))
    const batches: Batch[] = []
    const writer = new BatchWriter((b) => batches.push(b))
    for (const item of items) writer.add(item)
    writer.flush(true)
    expect(batches.map((b) => b.lines.length)).toEqual([batchSize, batchSize, 3])
    expect(batches.map((b) => b.strings.length)).toEqual([6, 0, 0])
    expect(batches.map((b) => b.done)).toEqual([false, false, true])
  })
})

// ---------------------------------------------------------------- the built CLI, both ways

const cli = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const run = (args: ReadonlyArray<string>) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
const shipped = (name: string) => path.join(examples, name)
const simulate = (history: string, ...more: string[]) => [
  'simulate',
  '--rules',
  shipped('velocity-current.json'),
  '--compare',
  shipped('velocity-proposed.json'),
  '--rates',
  shipped('rates.json'),
  '--history',
  history,
  ...more,
]

const lines = fs.readFileSync(shipped('payouts.ndjson'), 'utf8').trim().split('\n')
const files = scratch({
  'bad.ndjson': [
    lines[0],
    '{"id": 1}',
    '',
    'not json',
    ...lines.slice(1, 400),
    '{"amount":"1.234"}',
    ...lines.slice(400, 900),
  ].join('\n'),
  'order.ndjson': [lines[0], lines[2], lines[1], ...lines.slice(3, 50)].join('\n'),
  'repeat.ndjson': [
    lines[0],
    lines[1],
    lines[1]?.replace(/"created_at":(\d+)/, (_, t: string) => `"created_at":${Number(t) + 1}`),
  ].join('\n'),
  'empty.ndjson': '',
  'big.ndjson': `${lines.join('\n')}\n${JSON.stringify(encodePayout({ ...huge, createdAt: Date.UTC(2031, 0, 1) as Payout['createdAt'] }))}\n`,
})

describe('simulate --threads 2 answers as --threads 1', () => {
  const cases: Array<[string, string[]]> = [
    ['the shipped year, as a table', simulate(shipped('payouts.ndjson'))],
    ['the shipped year, as JSON', simulate(shipped('payouts.ndjson'), '--json')],
    ['the shipped CSV', simulate(shipped('payouts-sample.csv'), '--json')],
    ['bad lines, skipped', simulate(files['bad.ndjson'] as string, '--json')],
    ['bad lines, --strict', simulate(files['bad.ndjson'] as string, '--strict')],
    ['a history out of order', simulate(files['order.ndjson'] as string)],
    ['a repeated payout id', simulate(files['repeat.ndjson'] as string)],
    ['an empty file', simulate(files['empty.ndjson'] as string, '--json')],
    ['amounts past 2^53 minor units', simulate(files['big.ndjson'] as string, '--json')],
    ['a missing file', simulate(path.join(path.dirname(files['empty.ndjson'] as string), 'none.ndjson'))],
  ]
  for (const [name, args] of cases)
    it(name, () => {
      const one = run([...args, '--threads', '1'])
      const two = run([...args, '--threads', '2'])
      expect(two).toEqual(one)
      expect(one.out.length + one.err.length).toBeGreaterThan(0)
    }, 60_000)

  it('--threads takes 1 or 2 only', () => {
    const r = run([...simulate(shipped('payouts.ndjson')), '--threads', '3'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/--threads/)
  })
})
