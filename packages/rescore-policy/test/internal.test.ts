// The persistent structures under the state, each against the obvious structure it stands for.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import * as Trie from '../src/internal/HashTrie.js'
import * as Log from '../src/internal/SlidingLog.js'

type Op = readonly ['set', string, number] | readonly ['remove', string]

// Few distinct short keys (so sets, overwrites and removes meet), plus colliding-prefix long keys.
const arbKey = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 3 }),
  fc.integer({ min: 0, max: 2000 }).map((n) => `k${n}`),
)
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(fc.constant('set' as const), arbKey, fc.integer()),
  fc.tuple(fc.constant('remove' as const), arbKey),
)

describe('HashTrie', () => {
  test.prop([fc.array(arbOp, { maxLength: 600 })], { numRuns: 300 })(
    'behaves as a Map, and every older version stays as it was',
    (ops) => {
      let trie = Trie.empty<number>()
      const map = new Map<string, number>()
      const versions: [Trie.HashTrie<number>, Map<string, number>][] = []
      for (const op of ops) {
        if (op[0] === 'set') {
          trie = Trie.set(trie, op[1], op[2])
          map.set(op[1], op[2])
        } else {
          trie = Trie.remove(trie, op[1])
          map.delete(op[1])
        }
        if (versions.length < 20) versions.push([trie, new Map(map)])
      }
      for (const [t, m] of [...versions, [trie, map] as const]) {
        expect(t.size).toBe(m.size)
        expect(new Map(Trie.entries(t))).toEqual(m)
        for (const [k, v] of m) expect(Trie.get(t, k)).toBe(v)
      }
    },
  )

  test.prop([fc.array(fc.tuple(arbKey, fc.integer()), { maxLength: 300 }), fc.integer({ min: 0, max: 3 })], {
    numRuns: 200,
  })('filterMap keeps, replaces and drops like the same filter over a Map', (entries, mod) => {
    const trie = Trie.fromEntries(entries)
    const f = (_: string, v: number) => (v % 4 === mod ? undefined : v % 2 === 0 ? v : v + 1)
    const expected = new Map(
      [...new Map(entries)].flatMap(([k, v]) => (f(k, v) === undefined ? [] : [[k, f(k, v)] as const])),
    )
    const result = Trie.filterMap(trie, f)
    expect(new Map(Trie.entries(result))).toEqual(expected)
    expect(result.size).toBe(expected.size)
  })
})

describe('SlidingLog', () => {
  test.prop(
    [
      fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 500 }),
      fc.integer({ min: 1, max: 400 }),
    ],
    { numRuns: 300 },
  )('admit and expire keep exactly the admissions inside (t − w, t]', (steps, windowMs) => {
    let log = Log.emptyLog
    let all: number[] = []
    let t = 0
    for (const [step, admit] of steps) {
      t += step
      log = Log.expire(log, t, windowMs)
      all = all.filter((a) => a > t - windowMs)
      if (admit) {
        log = Log.admit(log, t)
        all.push(t)
      }
      expect(Log.liveTimes(log)).toEqual(all)
      expect(Log.liveCount(log)).toBe(all.length)
      expect(Log.latest(log)).toBe(all[all.length - 1])
      if (all.length > 0) expect(Log.liveAt(log, all.length - 1)).toBe(all[all.length - 1])
    }
  })
})
