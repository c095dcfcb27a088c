// The jti replay check: the keyed decision and the in-memory store against an obvious reference
// (every jti seen, with when), concurrent proofs with one jti, and a store that fails.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  checkDpopReplayIn,
  type DpopProof,
  type DpopReplayStore,
  decideDpopReplay,
  decodeDpopReplayRecord,
  defaultDpopReplayConfig,
  inMemoryDpopReplayStore,
} from '../src/index.js'

const windowMs = defaultDpopReplayConfig.windowMs

const arbSteps = fc.array(
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc.record({
        op: fc.constant('proof' as const),
        key: fc.nat(2),
        jti: fc.nat(4),
        dt: fc.nat(120_000),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('prune' as const) }) },
  ),
  { maxLength: 60 },
)

const proofOf = (key: number, jti: number): DpopProof => ({ jkt: `jkt-${key}`, jti: `j-${jti}`, iat: 0 })

describe('the replay decision', () => {
  test.prop([arbSteps], { numRuns: 2_000 })(
    'the store gives what a list of every jti seen gives: a jti passes once per window of its key',
    async (steps) => {
      const store = inMemoryDpopReplayStore()
      // The reference: for each (key, jti), when it last passed.
      const passed = new Map<string, number>()
      let now = 1_000_000
      for (const s of steps) {
        if (s.op === 'prune') {
          await store.prune(now)
          continue
        }
        now += s.dt
        const id = `${s.key}/${s.jti}`
        const last = passed.get(id)
        const expected = last === undefined || now >= last + windowMs ? 'passed' : 'replay'
        const answer = await checkDpopReplayIn(store, proofOf(s.key, s.jti), now)
        expect(E.isRight(answer) ? 'passed' : answer.left.reason).toBe(expected)
        if (expected === 'passed') passed.set(id, now)
      }
    },
  )

  test('the same jti under another key is another record', async () => {
    const store = inMemoryDpopReplayStore()
    expect(E.isRight(await checkDpopReplayIn(store, proofOf(1, 1), 0))).toBe(true)
    expect(E.isRight(await checkDpopReplayIn(store, proofOf(2, 1), 0))).toBe(true)
    expect(E.isLeft(await checkDpopReplayIn(store, proofOf(1, 1), 1))).toBe(true)
  })

  test.prop([fc.integer({ min: 2, max: 12 })], { numRuns: 200 })(
    'of concurrent requests with one proof exactly one passes',
    async (n) => {
      const store = inMemoryDpopReplayStore()
      const answers = await Promise.all(
        Array.from({ length: n }, () => checkDpopReplayIn(store, proofOf(0, 0), 5)),
      )
      expect(answers.filter(E.isRight)).toHaveLength(1)
      expect(answers.filter((a) => E.isLeft(a) && a.left.reason === 'replay')).toHaveLength(n - 1)
    },
  )

  test('an expired record is replaced at the version read', () => {
    const read = { version: 4, value: { seenAt: 0, expiresAt: windowMs } }
    expect(decideDpopReplay(read, windowMs, defaultDpopReplayConfig)).toEqual({
      answer: 'fresh',
      write: { expected: 4, value: { seenAt: windowMs, expiresAt: 2 * windowMs } },
    })
    expect(decideDpopReplay(read, windowMs - 1, defaultDpopReplayConfig).answer).toBe('replay')
  })
})

describe('failing closed', () => {
  const failing: DpopReplayStore = {
    read: async () => {
      throw new Error('down')
    },
    write: async () => true,
    prune: async () => 0,
  }
  const losing: DpopReplayStore = { read: async () => null, write: async () => false, prune: async () => 0 }

  test('a store that is down or keeps losing the race refuses as unavailable (503), never passes', async () => {
    for (const store of [failing, losing]) {
      const answer = await checkDpopReplayIn(store, proofOf(0, 0), 0)
      expect(E.isLeft(answer) && answer.left.reason).toBe('unavailable')
    }
    const fractional = await checkDpopReplayIn(inMemoryDpopReplayStore(), proofOf(0, 0), 0.5)
    expect(E.isLeft(fractional) && fractional.left.reason).toBe('unavailable')
  })

  test.prop([fc.anything()], { numRuns: 10_000 })(
    'garbage records are refused by the codec, never thrown',
    (u) => {
      const r = decodeDpopReplayRecord(u)
      if (E.isRight(r)) expect(Object.keys(r.right).sort()).toEqual(['expiresAt', 'seenAt'])
    },
  )
})
