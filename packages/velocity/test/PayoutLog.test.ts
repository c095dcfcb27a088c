// The replay's payout log against plain arrays doing the same: random appends (bigint amounts
// among them) and drops of the oldest entries, through growth past the first capacity.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import type { Amount } from '../src/internal/Amount.js'
import { PayoutLog } from '../src/internal/PayoutLog.js'
import type { Payout } from '../src/Payout.js'

interface Entry {
  readonly t: number
  readonly minor: Amount
  readonly currency: number
  readonly pass: number
  readonly nodes: readonly [number, number, number]
  readonly payout: Payout
}

type Op =
  | { readonly op: 'push'; readonly times: number; readonly entry: Entry }
  | { readonly op: 'drop'; readonly share: number }

const arbEntry: fc.Arbitrary<Entry> = fc.record({
  t: fc.integer({ min: 0, max: 2 ** 40 }),
  minor: fc.oneof(
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }),
  ),
  currency: fc.integer({ min: 0, max: 200 }),
  pass: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  nodes: fc.tuple(
    fc.integer({ min: -1, max: 1e6 }),
    fc.integer({ min: -1, max: 1e6 }),
    fc.integer({ min: -1, max: 1e6 }),
  ),
  // the log keeps the payout by reference: any distinct object stands in for one
  payout: fc.integer().map((n) => ({ id: `pay_${n}` }) as unknown as Payout),
})

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  // a run of the same entry, so the log grows past its first 1,024 positions
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('push' as const),
      times: fc.integer({ min: 1, max: 400 }),
      entry: arbEntry,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('drop' as const),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
)

describe('PayoutLog', () => {
  test.prop([fc.array(arbOp, { maxLength: 40 }), fc.boolean()], { numRuns: 300 })(
    'holds what plain arrays hold, in order, through growth and drops',
    (ops, keepPayouts) => {
      const log = new PayoutLog(3, keepPayouts)
      let reference: Entry[] = []
      for (const o of ops) {
        if (o.op === 'push')
          for (let i = 0; i < o.times; i++) {
            log.push(o.entry.t, o.entry.minor, o.entry.currency, o.entry.pass, o.entry.nodes, o.entry.payout)
            reference.push(o.entry)
          }
        else {
          const head = Math.floor(o.share * reference.length)
          log.drop(head)
          reference = reference.slice(head)
        }
        expect(log.length).toBe(reference.length)
      }
      reference.forEach((e, i) => {
        expect([log.t[i], log.minorAt(i), log.currency[i], log.pass[i]]).toEqual([
          e.t,
          e.minor,
          e.currency,
          e.pass,
        ])
        expect([0, 1, 2].map((g) => log.slots[g]?.[i])).toEqual([...e.nodes])
        if (keepPayouts) expect(log.payouts[i]).toBe(e.payout)
      })
      if (!keepPayouts) expect(log.payouts).toEqual([])
    },
  )
})
