// The parts of the Redis stores that need no server, run by plain `npm test`: hash slots (CRC16
// against a bit-by-bit reference and the Cluster specification's examples), every key of every
// decision in one slot (rescore scripts in both layouts, velocity keys of random rule sets and
// payouts), the TTLs (a record is never dropped before it stops mattering, and never kept
// unboundedly), and the stored-record parser on garbage.
import { arbGarbage } from '@payout-kernel/core/testing'
import {
  defaultRescoreConfig,
  inMemoryRescoreRecords,
  type RescoreKeys,
  type RescoreRecordStore,
  type RescoreWrites,
} from '@payout-kernel/rescore-policy'
import {
  arbRescoreConfig,
  arbRescoreScript,
  playRescoreScriptIn,
} from '@payout-kernel/rescore-policy/testing'
import {
  evaluateAndRecordStep,
  inMemoryVelocityStore,
  runStep,
  type VelocityWrite,
  velocityKeysOf,
  velocityRecordExpiry,
} from '@payout-kernel/velocity'
import { arbHistory, arbRuleSet } from '@payout-kernel/velocity/testing'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import { hashSlotOf, type RedisRescoreLayout, rescoreRedisKeys } from '../src/index.js'
import { rescoreExpiry, velocityTtl } from '../src/internal/Expiry.js'
import { kindOf, parseRecord } from '../src/internal/Records.js'
import { rescoreTag, slotKeys } from '../src/internal/Slots.js'

/** CRC16-XMODEM bit by bit, straight from its definition (polynomial 0x1021, initial 0). */
const crc16Reference = (bytes: Uint8Array): number => {
  let crc = 0
  for (const byte of bytes) {
    crc ^= byte << 8
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}
const slotReference = (key: string): number => {
  const open = key.indexOf('{')
  const close = open < 0 ? -1 : key.indexOf('}', open + 1)
  return crc16Reference(new TextEncoder().encode(close > open + 1 ? key.slice(open + 1, close) : key)) % 16384
}

describe('hash slots', () => {
  test('the table-driven CRC16 is the bit-by-bit one on any key (10,000 runs)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (key) => {
        expect(hashSlotOf(key)).toBe(slotReference(key))
      }),
      { numRuns: 10_000 },
    )
  })

  test('the Cluster specification’s examples', () => {
    expect(hashSlotOf('123456789')).toBe(0x31c3 % 16384) // its CRC16 check value
    expect(hashSlotOf('{user1000}.following')).toBe(hashSlotOf('{user1000}.followers'))
    expect(hashSlotOf('{user1000}.following')).toBe(hashSlotOf('user1000'))
    expect(hashSlotOf('foo{}{bar}')).toBe(slotReference('foo{}{bar}')) // empty tag: the whole key
    expect(hashSlotOf('foo{{bar}}zap')).toBe(hashSlotOf('{bar'))
    expect(hashSlotOf('foo{bar}{zap}')).toBe(hashSlotOf('bar'))
  })
})

/** A record store that gives the in-memory answers and notes each decision's reads, writes and time. */
const noting = () => {
  const memory = inMemoryRescoreRecords()
  const reads: RescoreKeys[] = []
  const writes: Array<{ writes: RescoreWrites; now: number | null }> = []
  let now: number | null = null
  const store: RescoreRecordStore = {
    ...memory,
    read: (keys) => {
      reads.push(keys)
      now = keys.quota?.now ?? now
      return memory.read(keys)
    },
    write: (w) => {
      writes.push({ writes: w, now })
      return memory.write(w)
    },
  }
  return { store, reads, writes }
}

const merchantOf = (w: RescoreWrites, reads: ReadonlyArray<RescoreKeys>): string | null =>
  w.quota?.merchantId ??
  w.idempotency?.merchantId ??
  [...reads].reverse().find((k) => k.beneficiaryId === w.beneficiary?.beneficiaryId)?.quota?.merchantId ??
  null

describe('every key of one decision is in one hash slot', () => {
  test.each<RedisRescoreLayout>(['per-merchant', 'one-slot'])(
    'rescore (%s): the keys each decision reads and writes, over random scripts',
    async (layout) => {
      await fc.assert(
        fc.asyncProperty(arbRescoreConfig, arbRescoreScript(30), async (config, script) => {
          const { store, reads, writes } = noting()
          await playRescoreScriptIn(store, script, config)
          for (const keys of reads) {
            const redisKeys = rescoreRedisKeys(keys, { layout })
            expect(new Set(redisKeys.map(hashSlotOf)).size).toBeLessThanOrEqual(1)
          }
          for (const { writes: w } of writes) {
            const m = merchantOf(w, reads)
            expect(m).not.toBeNull()
            const s = slotKeys('pk:', rescoreTag(layout, m as string))
            const written = [
              s.counter,
              ...(w.quota === null ? [] : [s.quota(w.quota.merchantId), s.admissions(w.quota.merchantId)]),
              ...(w.idempotency === null
                ? []
                : [s.idempotency(w.idempotency.merchantId, w.idempotency.idempotencyKey)]),
              ...(w.beneficiary === null ? [] : [s.beneficiary(w.beneficiary.beneficiaryId)]),
            ]
            expect(new Set(written.map(hashSlotOf))).toEqual(
              new Set([hashSlotOf(rescoreTag(layout, m as string))]),
            )
          }
        }),
        { numRuns: 300 },
      )
    },
  )

  test('an idempotency key holding braces does not move the slot', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (key) => {
        const keys = rescoreRedisKeys({
          quota: { merchantId: 'mer_a', now: 0, windowMs: 60_000, limit: 1000 },
          idempotency: { merchantId: 'mer_a', idempotencyKey: `{${key}}` },
          beneficiaryId: 'ben_1',
        })
        expect(new Set(keys.map(hashSlotOf))).toEqual(new Set([hashSlotOf('mer_a')]))
      }),
      { numRuns: 1_000 },
    )
  })

  test('velocity: every key of random rule sets and payouts is its merchant’s', () => {
    fc.assert(
      fc.property(arbRuleSet(5), arbHistory(10), (ruleSet, history) => {
        for (const p of history)
          for (const k of velocityKeysOf(ruleSet, p)) {
            expect(hashSlotOf(slotKeys('pk:', p.merchantId).velocity(k.id))).toBe(hashSlotOf(p.merchantId))
            // the store's own check: a usage key names its merchant third
            if (k.kind === 'usage') expect(k.id.split('/')[2]).toBe(p.merchantId)
          }
      }),
      { numRuns: 500 },
    )
  })
})

describe('TTLs', () => {
  test('rescore: no record expires before it stops mattering, none is kept past its span (clock forward)', async () => {
    await fc.assert(
      fc.asyncProperty(arbRescoreConfig, arbRescoreScript(30), async (config, backAndForth) => {
        // A live service's clock moves forward; the margin is for clocks that disagree.
        const script = backAndForth.map((s) => ({ ...s, clock: Math.abs(s.clock) }))
        const { store, writes } = noting()
        await playRescoreScriptIn(store, script, config)
        const expiry = rescoreExpiry(config, config.quota.windowMs, 0)
        const longest = Math.max(
          config.quota.windowMs,
          config.leaseMs,
          config.cooldownMs,
          config.idempotencyRetentionMs,
        )
        for (const { writes: w, now } of writes) {
          if (now === null) throw new Error('a write before any read')
          if (w.quota !== null)
            expect(expiry.quota).toBeGreaterThanOrEqual(w.quota.time + config.quota.windowMs - now)
          const k = w.idempotency?.value
          if (k != null) {
            const until = k._tag === 'InFlight' ? Math.min(k.expiresAt, k.lease.expiresAt) : k.expiresAt
            expect(expiry.idempotency(k)).toBeGreaterThanOrEqual(until - now)
            expect(expiry.idempotency(k)).toBeLessThanOrEqual(longest)
          }
          const b = w.beneficiary?.value
          if (b != null) {
            const until = Math.max(b.lease?.expiresAt ?? now, b.cooldownUntil ?? now)
            expect(expiry.beneficiary(b)).toBeGreaterThanOrEqual(until - now)
            expect(expiry.beneficiary(b)).toBeLessThanOrEqual(longest)
          }
        }
      }),
      { numRuns: 500 },
    )
  })

  test('the margin is added to every TTL, and a TTL is at least 1 ms', () => {
    const at = rescoreExpiry(defaultRescoreConfig, 60_000, 5_000)
    expect(at.quota).toBe(defaultRescoreConfig.quota.windowMs + 5_000)
    const zero = rescoreExpiry(defaultRescoreConfig, 60_000, 0)
    expect(zero.beneficiary({ lease: null, cooldownUntil: null })).toBe(1)
  })

  test('velocity: a record’s TTL covers what remains of its span at the payout’s time; lifetime totals have none', async () => {
    await fc.assert(
      fc.asyncProperty(arbRuleSet(5), arbHistory(20), async (ruleSet, history) => {
        const written: Array<{ w: VelocityWrite; now: number }> = []
        // The writes each decision made, on the history recorded in order.
        const replay = inMemoryVelocityStore()
        for (const p of history) {
          const step = evaluateAndRecordStep(ruleSet, p)
          const walked = await runStep(step, async (keys) => {
            const got = new Map()
            for (const k of keys) got.set(k, replay.records().get(k) ?? null)
            return E.right(got)
          })
          if (E.isRight(walked)) for (const w of walked.right.writes) written.push({ w, now: p.createdAt })
          await replay.run(step)
        }
        for (const { w, now } of written) {
          if (w.value === null) continue
          const until = velocityRecordExpiry(w.value)
          const ttl = velocityTtl(w.value, 0)
          if (until === null) expect(ttl).toBeNull()
          else expect(ttl).toBeGreaterThanOrEqual(until - now)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('stored records', () => {
  test('garbage never throws: a record or a ValidationError (10,000 runs)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.tuple(fc.oneof(fc.nat(), fc.string()), arbGarbage).map(([v, g]) => `${v}:${fc.stringify(g)}`),
          fc.tuple(fc.nat(), fc.json()).map(([v, j]) => `${v}:${j}`),
        ),
        (raw) => {
          const parsed = parseRecord(raw)
          expect(E.isLeft(parsed) || Number.isSafeInteger(parsed.right.version)).toBe(true)
        },
      ),
      { numRuns: 10_000 },
    )
  })

  test('a key names its kind after the tag, whatever the idempotency key holds', () => {
    fc.assert(
      fc.property(fc.string(), (key) => {
        expect(kindOf('pk:', slotKeys('pk:', 'mer_a').idempotency('mer_a', key))).toEqual({
          tag: 'mer_a',
          kind: 'k',
          rest: `mer_a:${key}`,
        })
      }),
      { numRuns: 1_000 },
    )
  })
})
