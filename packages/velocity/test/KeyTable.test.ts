// The replay's key table against a `Map` doing the same by hand: random adds, lookups and sweeps
// (`retain`) over a small pool of keys that includes texts with the same 32-bit hash, amounts past
// 2^32 and the bigint marker, so probe chains, equal hashes of different keys, growth, sweeps in
// place that close the gaps they leave, and moves to smaller arrays all happen.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { KeyTable, keyHash } from '../src/internal/KeyTable.js'

// keyHash collisions with parent 0, tag 1 and number 0, found by search: each pair hashes alike.
const colliding = [
  ['ben_162vu', 'ben_1duea'],
  ['ben_162vv', 'ben_1dueb'],
  ['ben_162vw', 'ben_1duec'],
] as const

interface Key {
  readonly parent: number
  readonly tag: number
  readonly num: number
  readonly text: string
}
const nameOf = (k: Key): string => JSON.stringify([k.parent, k.tag, k.num, k.text])

const pool: Key[] = [
  ...colliding.flat().map((text) => ({ parent: 0, tag: 1, num: 0, text })),
  ...Array.from({ length: 40 }, (_, i) => ({
    parent: i % 3,
    tag: 1 + (i % 2),
    num: 0,
    text: `ben_${i % 13}`,
  })),
  ...[1, 2, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1].flatMap((num) => [
    { parent: 5, tag: 0, num, text: '' },
    { parent: 6, tag: 1, num, text: '' },
  ]),
  { parent: 5, tag: 0, num: -1, text: '9007199254740993' },
  { parent: 5, tag: 0, num: -1, text: '9007199254740995' },
  { parent: 0, tag: 1, num: 0, text: '' },
  { parent: 0, tag: 1, num: 0, text: 'ben_é' },
]

type Op =
  | { readonly op: 'add'; readonly key: Key }
  | { readonly op: 'get'; readonly key: Key }
  | { readonly op: 'retain'; readonly below: number }

const arbOp = (keys: ReadonlyArray<Key>): fc.Arbitrary<Op> => {
  const arbKey = fc.constantFrom(...keys)
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), key: arbKey }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('get' as const), key: arbKey }) },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('retain' as const), below: fc.integer({ min: 0, max: 60 }) }),
    },
  )
}

const hashOfKey = (k: Key): number => keyHash(k.parent, k.tag, k.num, k.text)

describe('KeyTable', () => {
  it('the pinned pairs do collide (else the test below loses its point)', () => {
    for (const [a, b] of colliding) expect(keyHash(0, 1, 0, a)).toBe(keyHash(0, 1, 0, b))
  })

  it('never hashes to 0, the mark of an empty position', () => {
    for (const k of pool) expect(hashOfKey(k)).not.toBe(0)
  })

  // a numbered table (duplicate groups) over every key; one that is not (keys nested in merchants) over those numbered 0
  describe.each([
    { numbered: true, keys: pool },
    { numbered: false, keys: pool.filter((k) => k.num === 0) },
  ])('numbered: $numbered', ({ numbered, keys }) => {
    test.prop([fc.array(arbOp(keys), { maxLength: 400, size: 'max' })], { numRuns: 2000 })(
      'answers every lookup as a map does, through growth and sweeps, and asks about each key once per sweep',
      (ops) => {
        const table = new KeyTable(numbered)
        const reference = new Map<string, { key: Key; slot: number }>()
        let next = 0
        for (const o of ops) {
          if (o.op === 'add') {
            // the engine adds only keys it looked up and did not find
            if (reference.has(nameOf(o.key))) continue
            const slot = next++
            table.add(hashOfKey(o.key), o.key.parent, o.key.tag, o.key.num, o.key.text, slot)
            reference.set(nameOf(o.key), { key: o.key, slot })
          } else if (o.op === 'get') {
            const k = o.key
            expect(table.get(hashOfKey(k), k.parent, k.tag, k.num, k.text)).toBe(
              reference.get(nameOf(k))?.slot ?? -1,
            )
          } else {
            // keep the keys whose slot is at least `below`; every held key is asked about exactly once
            const asked: number[] = []
            table.retain((slot, parent, tag) => {
              const held = [...reference.values()].find((e) => e.slot === slot)
              expect(held === undefined ? undefined : [held.key.parent, held.key.tag]).toEqual([parent, tag])
              asked.push(slot)
              return slot >= o.below
            })
            expect(asked.sort((a, b) => a - b)).toEqual(
              [...reference.values()].map((e) => e.slot).sort((a, b) => a - b),
            )
            for (const [name, e] of reference) if (e.slot < o.below) reference.delete(name)
          }
          expect(table.size).toBe(reference.size)
        }
        for (const k of keys)
          expect(table.get(hashOfKey(k), k.parent, k.tag, k.num, k.text)).toBe(
            reference.get(nameOf(k))?.slot ?? -1,
          )
      },
    )
  })
})
