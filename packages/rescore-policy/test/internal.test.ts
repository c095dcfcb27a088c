// The structures under the state, each against the obvious structure it stands for: versioned
// maps against copied Maps, quota logs against copied arrays, with updates made on any earlier
// version (branching) and every version read back in random order (rerooting in every direction).
// And the hand-written character checks against the patterns and decoders they replace.
import { fc, test } from '@fast-check/vitest'
import { BeneficiaryId, MerchantId } from '@payout-kernel/core'
import { arbGarbage } from '@payout-kernel/core/testing'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  decodeRescoreRequest,
  idempotencyKeyOf,
  type RescoreRequest,
  requestFingerprint,
} from '../src/index.js'
import {
  fingerprintOf,
  isWellFormedRequest,
  matchesFingerprint,
  plainIdempotencyKey,
} from '../src/internal/RequestShape.js'
import * as V from '../src/internal/Versioned.js'

// Few distinct short keys, so that sets, overwrites and removes meet.
const arbKey = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 3 }),
  fc.integer({ min: 0, max: 40 }).map((n) => `k${n}`),
)

/** Picks from the versions made so far (by a fraction of their number). */
const arbPick = fc.nat()

describe('MapVersion', () => {
  type Op = readonly [number, string, number | undefined]
  const arbOp: fc.Arbitrary<Op> = fc.tuple(arbPick, arbKey, fc.option(fc.integer(), { nil: undefined }))

  test.prop([fc.array(arbOp, { maxLength: 300 }), fc.array(arbPick, { maxLength: 60 })], { numRuns: 300 })(
    'behaves as a Map copied at every update, whichever version is updated or read, in any order',
    (ops, reads) => {
      const versions: [V.MapVersion<number>, Map<string, number>][] = [[V.emptyMapVersion(), new Map()]]
      const check = ([v, m]: [V.MapVersion<number>, Map<string, number>]) => {
        expect(v.size).toBe(m.size)
        expect(new Map(V.mapWorld(v) ?? [])).toEqual(m)
        for (const [k, x] of m) expect(V.mapGet(v, k)).toBe(x)
      }
      for (const [pick, key, value] of ops) {
        const [v, m] = versions[pick % versions.length] as [V.MapVersion<number>, Map<string, number>]
        const next = new Map(m)
        if (value === undefined) next.delete(key)
        else next.set(key, value)
        versions.push([V.mapSet(v, key, value), next])
      }
      for (const pick of reads)
        check(versions[pick % versions.length] as [V.MapVersion<number>, Map<string, number>])
      for (const version of versions) check(version)
      expect(V.emptyMapVersion<number>().size).toBe(0)
      expect(V.mapWorld(V.emptyMapVersion())).toBeUndefined()
    },
  )
})

describe('TableVersion', () => {
  type Op = readonly [number, string, string, number | undefined]
  const arbOp: fc.Arbitrary<Op> = fc.tuple(
    arbPick,
    fc.constantFrom('m1', 'm2', 'm3'),
    arbKey,
    fc.option(fc.integer(), { nil: undefined }),
  )
  const flatten = (t: ReadonlyMap<string, ReadonlyMap<string, number>> | undefined): Map<string, number> => {
    const out = new Map<string, number>()
    for (const [a, row] of t ?? []) {
      expect(row.size).toBeGreaterThan(0)
      for (const [b, x] of row) out.set(`${a}/${b}`, x)
    }
    return out
  }

  test.prop([fc.array(arbOp, { maxLength: 300 }), fc.array(arbPick, { maxLength: 60 })], { numRuns: 300 })(
    'behaves as a Map of (outer, inner) copied at every update, whichever version is updated or read',
    (ops, reads) => {
      const versions: [V.TableVersion<number>, Map<string, number>][] = [[V.emptyTableVersion(), new Map()]]
      const check = ([v, m]: [V.TableVersion<number>, Map<string, number>]) => {
        expect(v.size).toBe(m.size)
        expect(flatten(V.tableWorld(v))).toEqual(m)
        for (const [k, x] of m) {
          const [a = '', b = ''] = k.split('/')
          expect(V.tableGet(v, a, b)).toBe(x)
        }
      }
      for (const [pick, outer, inner, value] of ops) {
        const [v, m] = versions[pick % versions.length] as [V.TableVersion<number>, Map<string, number>]
        const next = new Map(m)
        if (value === undefined) next.delete(`${outer}/${inner}`)
        else next.set(`${outer}/${inner}`, value)
        versions.push([V.tableSet(v, outer, inner, value), next])
      }
      for (const pick of reads)
        check(versions[pick % versions.length] as [V.TableVersion<number>, Map<string, number>])
      for (const version of versions) check(version)
    },
  )
})

describe('QuotaVersion', () => {
  // An update on a picked version: a merchant, how many of its live admissions expire, and
  // whether one is admitted (after its latest, by `step`).
  type Op = readonly [number, string, number, boolean, number]
  const arbOp: fc.Arbitrary<Op> = fc.tuple(
    arbPick,
    fc.constantFrom('m1', 'm2', 'm3'),
    fc.nat({ max: 6 }),
    fc.boolean(),
    fc.nat({ max: 5 }),
  )
  type Logs = Map<string, number[]>
  const liveOf = (v: V.QuotaVersion, merchant: string): number[] | undefined => {
    const log = V.quotaLog(v, merchant)
    return log === undefined ? undefined : Array.from(log.times.subarray(log.head, log.len))
  }

  test.prop(
    [
      fc.array(arbOp, { maxLength: 300 }),
      fc.array(arbPick, { maxLength: 60 }),
      fc.integer({ min: 1, max: 8 }),
    ],
    { numRuns: 300 },
  )(
    'admitting and expiring on any version keeps exactly the admissions of that history, every version as it was (compaction included)',
    (ops, reads, compactAt) => {
      const versions: [V.QuotaVersion, Logs][] = [[V.emptyQuotaVersion(), new Map()]]
      const check = ([v, logs]: [V.QuotaVersion, Logs]) => {
        expect(v.size).toBe(logs.size)
        for (const m of ['m1', 'm2', 'm3']) expect(liveOf(v, m)).toEqual(logs.get(m))
        expect(new Set(V.quotaWorld(v)?.keys() ?? [])).toEqual(new Set(logs.keys()))
      }
      for (const [pick, merchant, drop, admit, step] of ops) {
        const [v, logs] = versions[pick % versions.length] as [V.QuotaVersion, Logs]
        const live = logs.get(merchant) ?? []
        const d = Math.min(drop, live.length)
        const time = admit ? (live[live.length - 1] ?? 0) + step : undefined
        const head = (V.quotaLog(v, merchant)?.head ?? 0) + d
        const next = new Map(logs)
        const kept = [...live.slice(d), ...(time === undefined ? [] : [time])]
        if (kept.length === 0) next.delete(merchant)
        else next.set(merchant, kept)
        const updated = V.quotaUpdate(v, merchant, head, time, compactAt)
        if (time === undefined && d === 0 && live.length > 0) expect(updated).toBe(v)
        versions.push([updated, next])
      }
      for (const pick of reads) check(versions[pick % versions.length] as [V.QuotaVersion, Logs])
      for (const version of versions) check(version)
    },
  )
})

describe('request checks', () => {
  const idChars = fc.constantFrom(
    'a',
    'Z',
    '0',
    '9',
    '_',
    '-',
    ' ',
    'é',
    '/',
    '\u0000',
    'ben_',
    'b',
    'e',
    'n',
  )
  const arbIdLike = fc.oneof(
    fc.string({ unit: idChars, maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.nat({ max: 300 }).map((n) => `ben_${'x'.repeat(n)}`),
    fc.nat({ max: 300 }).map((n) => 'm'.repeat(n)),
    arbGarbage,
  )

  test.prop([arbIdLike], { numRuns: 10_000 })(
    "the hot path's id checks (core's codecs) answer as their patterns do",
    (u) => {
      const text = typeof u === 'string'
      expect(MerchantId.is(u)).toBe(text && /^[A-Za-z0-9_-]{1,255}$/.test(u))
      expect(BeneficiaryId.is(u)).toBe(text && u.length <= 255 && /^ben_[a-zA-Z0-9]+$/.test(u))
    },
  )

  const arbHeaderValue = fc.oneof(
    fc.constantFrom('k-1', 'k-2', ' k', 'k ', '', '   ', 'x'.repeat(255), 'x'.repeat(256), 'a\u0000b', 'é'),
    fc.string({ unit: 'binary-ascii', maxLength: 6 }),
    fc.array(fc.constantFrom('k-1', 'k-2'), { maxLength: 3 }),
    arbGarbage,
  )
  const arbHeaders = fc.dictionary(
    fc.constantFrom(
      'Idempotency-Key',
      'idempotency-key',
      'IDEMPOTENCY-KEY',
      'Idempotency-\u212Aey',
      'x-other',
    ),
    arbHeaderValue,
  )

  test.prop([fc.oneof(arbHeaders, arbGarbage)], { numRuns: 10_000 })(
    'plainIdempotencyKey, when it answers, answers what idempotencyKeyOf does; it answers for every single plain key',
    (headers) => {
      const slow = idempotencyKeyOf(headers)
      const fast = typeof headers === 'object' && headers !== null ? plainIdempotencyKey(headers) : undefined
      if (fast !== undefined) expect(slow).toEqual(E.right(fast))
      let values: unknown[]
      try {
        values = typeof headers === 'object' && headers !== null ? Object.values(headers) : []
      } catch {
        values = [undefined] // headers that throw when read hold no plain key to compare
      }
      if (E.isRight(slow) && values.every((v) => typeof v === 'string')) expect(fast).toBe(slow.right)
    },
  )

  const arbRequestLike = fc.oneof(
    arbGarbage,
    fc.record(
      {
        merchantId: fc.oneof(fc.constant('mer_a'), arbIdLike),
        method: fc.oneof(fc.constantFrom('POST', 'post', 'P0ST', '', 'x'.repeat(17)), arbGarbage),
        path: fc.oneof(fc.constantFrom('/v1/beneficiaries/ben_1/rescore', '', 'p'.repeat(2049)), arbGarbage),
        beneficiaryId: fc.oneof(fc.constant('ben_1'), arbGarbage),
        headers: fc.oneof(fc.constant({ 'Idempotency-Key': 'k' }), fc.constant([]), arbGarbage),
        engine: fc.oneof(
          fc.constant({ configured: true, profileExists: true, locked: false }),
          fc.record({
            configured: fc.oneof(fc.boolean(), arbGarbage),
            profileExists: fc.boolean(),
            locked: fc.boolean(),
          }),
          arbGarbage,
        ),
      },
      { requiredKeys: [] },
    ),
  )

  test.prop([arbRequestLike], { numRuns: 10_000 })(
    'isWellFormedRequest is true exactly when decodeRescoreRequest finds no problem',
    (u) => {
      expect(isWellFormedRequest(u)).toBe(E.isRight(decodeRescoreRequest(u)))
    },
  )

  const pathChars = fc.constantFrom(
    '/',
    'a',
    'ben_1',
    '"',
    '\\',
    '\n',
    'é',
    '\u2028',
    '\ud800',
    '~',
    '\u007f',
    ' ',
  )
  const arbParts = fc.tuple(
    fc.oneof(fc.constant('ben_1'), fc.string({ unit: pathChars, maxLength: 6 })),
    fc.constantFrom('POST', 'post', 'Put', 'GET'),
    fc.string({ unit: pathChars, maxLength: 10 }),
  )

  test.prop([arbParts, arbParts], { numRuns: 5_000 })(
    'fingerprintOf is requestFingerprint, and matchesFingerprint is equality with it',
    ([b, m, p], [b2, m2, p2]) => {
      const request = (beneficiaryId: string, method: string, path: string): RescoreRequest => ({
        merchantId: 'mer_a',
        method,
        path,
        beneficiaryId,
        headers: {},
        engine: { configured: true, profileExists: true, locked: false },
      })
      const fp = requestFingerprint(request(b, m, p))
      expect(fingerprintOf(b, m, p)).toBe(fp)
      expect(matchesFingerprint(fp, b, m, p)).toBe(true)
      expect(matchesFingerprint(fp, b2, m2, p2)).toBe(fp === requestFingerprint(request(b2, m2, p2)))
      expect(matchesFingerprint(`${fp} `, b, m, p)).toBe(false)
    },
  )
})
