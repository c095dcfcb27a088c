/**
 * fast-check arbitraries for the rescore policy: requests drawn from small pools of merchants,
 * beneficiaries and keys (so they collide), configurations with small quotas and short durations
 * (so limits, leases and retention all come into play), clock steps and engine evaluations.
 */
import type { EvaluationId } from '@payout-kernel/core'
import { arbId } from '@payout-kernel/core/testing'
import { arbRawRisk } from '@payout-kernel/trust/testing'
import fc from 'fast-check'
import type { PositiveCount, PositiveMillis, QuotaTier, RescoreConfig } from '../RescoreConfig.js'
import type { EngineKnowledge, RescoreRequest } from '../RescoreRequest.js'

const printable = fc.constantFrom(
  ...Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)),
)
const visible = fc.constantFrom(
  ...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)),
)

/**
 * Valid idempotency keys: 1 to 255 printable ASCII characters, no surrounding spaces.
 *
 * @example
 * import { arbIdempotencyKey } from '@payout-kernel/rescore-policy/testing'
 * import { idempotencyKeyOf } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbIdempotencyKey, (k) => E.isRight(idempotencyKeyOf({ 'Idempotency-Key': k }))))
 */
export const arbIdempotencyKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: visible, minLength: 1, maxLength: 1 }),
  fc
    .tuple(visible, fc.string({ unit: printable, maxLength: 253 }), visible)
    .map(([a, middle, b]) => `${a}${middle}${b}`),
  fc.uuid(),
)

/**
 * Engine knowledge: mostly configured with a profile and unlocked, every combination possible.
 *
 * @example
 * import { arbEngineKnowledge } from '@payout-kernel/rescore-policy/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbEngineKnowledge, (e) => typeof e.locked === 'boolean'))
 */
export const arbEngineKnowledge: fc.Arbitrary<EngineKnowledge> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ configured: true, profileExists: true, locked: false }) },
  {
    weight: 1,
    arbitrary: fc.record({ configured: fc.boolean(), profileExists: fc.boolean(), locked: fc.boolean() }),
  },
)

/** The pools requests are drawn from, so that merchants, beneficiaries and keys meet again. */
export interface RescoreRequestPools {
  readonly merchantIds: ReadonlyArray<string>
  readonly beneficiaryIds: ReadonlyArray<string>
  readonly idempotencyKeys: ReadonlyArray<string>
}

/**
 * Small default pools: 3 merchants, 4 beneficiaries, 5 keys.
 *
 * @example
 * import { defaultRequestPools } from '@payout-kernel/rescore-policy/testing'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(defaultRequestPools.merchantIds.length, 3)
 */
export const defaultRequestPools: RescoreRequestPools = {
  merchantIds: ['mer_a', 'mer_b', 'mer_c'],
  beneficiaryIds: ['ben_1', 'ben_2', 'ben_3', 'ben_4'],
  idempotencyKeys: ['k-1', 'k-2', 'k-3', 'k-4', 'k-5'],
}

const pick = <A>(xs: ReadonlyArray<A>): fc.Arbitrary<A> => fc.constantFrom(...xs)

/** How a generated request deviates from a well-formed one. */
type Flaw = 'none' | 'no-key' | 'long-key' | 'bad-id' | 'other-path' | 'lowercase-header'

/**
 * Requests from the pools: mostly well-formed, sometimes without a key, with a key too long, with a
 * beneficiary id that is not one, on another path (the same key then conflicts), or with the
 * header name in lower case; any body (it is ignored).
 *
 * @example
 * import { arbRescoreRequest } from '@payout-kernel/rescore-policy/testing'
 * import { decodeRescoreRequest } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRescoreRequest(), (r) => E.isRight(decodeRescoreRequest(r))))
 */
export const arbRescoreRequest = (
  pools: RescoreRequestPools = defaultRequestPools,
): fc.Arbitrary<RescoreRequest> =>
  fc
    .record({
      merchantId: pick(pools.merchantIds),
      beneficiaryId: pick(pools.beneficiaryIds),
      key: pick(pools.idempotencyKeys),
      engine: arbEngineKnowledge,
      body: fc.option(fc.jsonValue(), { nil: undefined }),
      flaw: fc.oneof(
        { weight: 12, arbitrary: fc.constant<Flaw>('none') },
        {
          weight: 1,
          arbitrary: fc.constantFrom<Flaw>('no-key', 'long-key', 'bad-id', 'other-path', 'lowercase-header'),
        },
      ),
    })
    .map(({ merchantId, beneficiaryId, key, engine, body, flaw }) => {
      const id = flaw === 'bad-id' ? `pay_${beneficiaryId.slice(4)}` : beneficiaryId
      const headerName = flaw === 'lowercase-header' ? 'idempotency-key' : 'Idempotency-Key'
      const headers =
        flaw === 'no-key' ? {} : { [headerName]: flaw === 'long-key' ? key.padEnd(256, 'x') : key }
      return {
        merchantId,
        method: 'POST',
        path: flaw === 'other-path' ? `/v2/beneficiaries/${id}/rescore` : `/v1/beneficiaries/${id}/rescore`,
        beneficiaryId: id,
        headers,
        ...(body === undefined ? {} : { body }),
        engine,
      }
    })

const durationMs = (min: number, max: number): fc.Arbitrary<PositiveMillis> =>
  fc.integer({ min, max }).map((n) => n as PositiveMillis)

/**
 * Configurations with small quotas (1 to 4 × tier) and short durations (up to 20 s), tiers for
 * the default pool's merchants, so every limit is reached within a few steps.
 *
 * @example
 * import { arbRescoreConfig } from '@payout-kernel/rescore-policy/testing'
 * import { decodeRescoreConfig } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRescoreConfig, (c) => E.isRight(decodeRescoreConfig(c))))
 */
export const arbRescoreConfig: fc.Arbitrary<RescoreConfig> = fc.record({
  quota: fc.record({
    requestsPerWindow: fc.integer({ min: 1, max: 4 }).map((n) => n as PositiveCount),
    windowMs: durationMs(1, 20_000),
    defaultTier: fc.constantFrom<QuotaTier>(1, 2),
    merchantTiers: fc.dictionary(pick(defaultRequestPools.merchantIds), fc.constantFrom<QuotaTier>(1, 2, 5), {
      maxKeys: 2,
    }),
  }),
  cooldownMs: durationMs(1, 20_000),
  leaseMs: durationMs(1, 20_000),
  idempotencyRetentionMs: durationMs(1, 60_000),
})

/**
 * Clock steps in milliseconds: none, sub-second, whole seconds (to land on `Retry-After`
 * boundaries) and longer jumps; with `backwards`, also steps back in time.
 *
 * @example
 * import { arbClockStep } from '@payout-kernel/rescore-policy/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbClockStep(), (ms) => ms >= 0))
 * fc.assert(fc.property(arbClockStep({ backwards: true }), (ms) => Number.isSafeInteger(ms)))
 */
export const arbClockStep = (options: { readonly backwards?: boolean } = {}): fc.Arbitrary<number> =>
  fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 999 }),
    fc.integer({ min: 1, max: 20 }).map((s) => s * 1000),
    fc.integer({ min: 1, max: 60_000 }),
    ...(options.backwards === true ? [fc.integer({ min: -30_000, max: -1 })] : []),
  )

/**
 * What the engine answers to a rescore: a new evaluation and, most of the time, the prior one.
 *
 * @example
 * import { arbEngineEvaluation } from '@payout-kernel/rescore-policy/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbEngineEvaluation, (e) => e.current.rawScore >= 0 && e.current.rawScore <= 1000))
 */
export const arbEngineEvaluation: fc.Arbitrary<{
  readonly current: { readonly evaluationId: EvaluationId; readonly rawScore: number }
  readonly previous: { readonly evaluationId: EvaluationId; readonly rawScore: number } | null
}> = fc.record({
  current: fc.record({ evaluationId: arbId('eval_') as fc.Arbitrary<EvaluationId>, rawScore: arbRawRisk }),
  previous: fc.option(
    fc.record({ evaluationId: arbId('eval_') as fc.Arbitrary<EvaluationId>, rawScore: arbRawRisk }),
    { nil: null },
  ),
})
