// The replay's id table against a `Map` doing the same by hand: random sets, lookups and sweeps
// over a small pool of ids that includes pairs with the same 32-bit hash, so probe chains, equal
// hashes of different ids, growth, sweeps in place that close the gaps they leave, and moves to
// smaller arrays all happen.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { hashOf, IdTable } from '../src/internal/IdTable.js'

// FNV-1a collisions, found by search: each pair hashes alike.
const colliding = [
  ['pay_10unw', 'pay_1xwba'],
  ['pay_10unt', 'pay_1xwbb'],
  ['pay_10unu', 'pay_1xwbc'],
] as const

const pool = [...colliding.flat(), ...Array.from({ length: 60 }, (_, i) => `pay_${i}`), '', 'pay_é']

type Op =
  | { readonly op: 'set'; readonly id: string; readonly until: number }
  | { readonly op: 'get'; readonly id: string }
  | { readonly op: 'sweep'; readonly t: number }

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      id: fc.constantFrom(...pool),
      until: fc.integer({ min: 0, max: 100 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('get' as const), id: fc.constantFrom(...pool) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('sweep' as const), t: fc.integer({ min: 0, max: 100 }) }),
  },
)

describe('IdTable', () => {
  it('the pinned pairs do collide (else the test below loses its point)', () => {
    for (const [a, b] of colliding) expect(hashOf(a)).toBe(hashOf(b))
  })

  test.prop([fc.array(arbOp, { maxLength: 400, size: 'max' })], { numRuns: 2000 })(
    'answers every lookup as a map does, through growth and sweeps',
    (ops) => {
      const table = new IdTable()
      const reference = new Map<string, number>()
      for (const o of ops) {
        if (o.op === 'set') {
          table.set(o.id, o.until)
          reference.set(o.id, o.until)
        } else if (o.op === 'get') expect(table.get(o.id)).toBe(reference.get(o.id))
        else {
          table.sweep(o.t)
          for (const [id, until] of reference) if (until <= o.t) reference.delete(id)
        }
        expect(table.size).toBe(reference.size)
      }
      for (const id of pool) expect(table.get(id)).toBe(reference.get(id))
    },
  )
})
