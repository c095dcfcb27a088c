/**
 * The configuration of the rescore policy: the merchant quota (requests per rolling window × the
 * merchant's tier multiplier), the per-beneficiary cooldown, the in-flight lease and how long an
 * idempotency key is kept. Decoded with io-ts: bad configuration is a `ValidationError`.
 */
import { decodeWith, type ValidationError } from '@payout-kernel/core'
import * as t from 'io-ts'
import type * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- codecs

const maxDurationMs = 10 * 366 * 24 * 60 * 60 * 1000

interface PositiveMillisBrand {
  readonly PositiveMillis: unique symbol
}

/**
 * A duration in whole milliseconds, at least 1 and at most ten years.
 *
 * @example
 * import { PositiveMillis } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(PositiveMillis.is(60_000))
 * assert.ok(!PositiveMillis.is(0))
 * assert.ok(!PositiveMillis.is(1.5))
 */
export const PositiveMillis = /* @__PURE__ */ t.brand(
  t.number,
  (n): n is t.Branded<number, PositiveMillisBrand> => Number.isSafeInteger(n) && n > 0 && n <= maxDurationMs,
  'PositiveMillis',
)
/** A duration in whole milliseconds, at least 1. */
export type PositiveMillis = t.TypeOf<typeof PositiveMillis>

interface PositiveCountBrand {
  readonly PositiveCount: unique symbol
}

/**
 * A whole number of requests, from 1 to 1,000,000.
 *
 * @example
 * import { PositiveCount } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(PositiveCount.is(1000))
 * assert.ok(!PositiveCount.is(-1))
 */
export const PositiveCount = /* @__PURE__ */ t.brand(
  t.number,
  (n): n is t.Branded<number, PositiveCountBrand> => Number.isSafeInteger(n) && n > 0 && n <= 1_000_000,
  'PositiveCount',
)
/** A whole number of requests, at least 1. */
export type PositiveCount = t.TypeOf<typeof PositiveCount>

/**
 * The merchant tiers and their quota multipliers: 1, 2, 5, 10 or 20.
 *
 * @example
 * import { QuotaTier } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(QuotaTier.is(5))
 * assert.ok(!QuotaTier.is(3))
 */
export const QuotaTier = /* @__PURE__ */ t.union(
  [
    /* @__PURE__ */ t.literal(1),
    /* @__PURE__ */ t.literal(2),
    /* @__PURE__ */ t.literal(5),
    /* @__PURE__ */ t.literal(10),
    /* @__PURE__ */ t.literal(20),
  ],
  'QuotaTier',
)
/** A merchant tier: its quota multiplier. */
export type QuotaTier = t.TypeOf<typeof QuotaTier>

/**
 * The policy's configuration, as decoded.
 *
 * - `quota.requestsPerWindow` × the merchant's tier is the most requests a merchant gets admitted
 *   in any rolling `quota.windowMs`; `quota.merchantTiers` names each merchant's tier, the others
 *   have `quota.defaultTier`;
 * - `cooldownMs`: after a completed rescore, the same beneficiary cannot be rescored for this long;
 * - `leaseMs`: how long a started rescore holds its beneficiary (and its idempotency key) before a
 *   crashed worker's lease lapses;
 * - `idempotencyRetentionMs`: how long a key is kept from its first use.
 *
 * @example
 * import { RescoreConfig, defaultRescoreConfig } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(RescoreConfig.is(defaultRescoreConfig))
 * assert.ok(!RescoreConfig.is({ ...defaultRescoreConfig, cooldownMs: 0 }))
 */
// Not wrapped in t.readonly: core's error reporter treats a ReadonlyType parent as transparent,
// which would drop the field names from the paths.
export const RescoreConfig = /* @__PURE__ */ t.type(
  {
    quota: /* @__PURE__ */ t.type({
      requestsPerWindow: PositiveCount,
      windowMs: PositiveMillis,
      defaultTier: QuotaTier,
      merchantTiers: /* @__PURE__ */ t.record(t.string, QuotaTier),
    }),
    cooldownMs: PositiveMillis,
    leaseMs: PositiveMillis,
    idempotencyRetentionMs: PositiveMillis,
  },
  'RescoreConfig',
)
/** The policy's configuration. */
export interface RescoreConfig {
  readonly quota: {
    readonly requestsPerWindow: PositiveCount
    readonly windowMs: PositiveMillis
    readonly defaultTier: QuotaTier
    readonly merchantTiers: Readonly<Record<string, QuotaTier>>
  }
  readonly cooldownMs: PositiveMillis
  readonly leaseMs: PositiveMillis
  readonly idempotencyRetentionMs: PositiveMillis
}

// ---------------------------------------------------------------- constructors

const ms = (n: number): PositiveMillis => n as PositiveMillis

/**
 * The documented defaults: 1,000 requests per rolling minute at tier 1, a 5-minute cooldown, a
 * 30-second lease and 24-hour key retention.
 *
 * @example
 * import { defaultRescoreConfig } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(defaultRescoreConfig.quota.requestsPerWindow, 1000)
 * assert.equal(defaultRescoreConfig.quota.windowMs, 60_000)
 * assert.equal(defaultRescoreConfig.idempotencyRetentionMs, 24 * 60 * 60 * 1000)
 */
export const defaultRescoreConfig: RescoreConfig = {
  quota: {
    requestsPerWindow: 1000 as PositiveCount,
    windowMs: /* @__PURE__ */ ms(60_000),
    defaultTier: 1,
    merchantTiers: {},
  },
  cooldownMs: /* @__PURE__ */ ms(5 * 60_000),
  leaseMs: /* @__PURE__ */ ms(30_000),
  idempotencyRetentionMs: /* @__PURE__ */ ms(24 * 60 * 60_000),
}

/**
 * Decodes a configuration: positive whole-millisecond durations, a positive request count and
 * known tiers, or a `ValidationError` naming each bad field (`quota.merchantTiers.m_1`).
 *
 * @example
 * import { decodeRescoreConfig, defaultRescoreConfig } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(decodeRescoreConfig(defaultRescoreConfig)))
 * const bad = decodeRescoreConfig({
 *   ...defaultRescoreConfig,
 *   leaseMs: -1,
 *   quota: { ...defaultRescoreConfig.quota, merchantTiers: { m_1: 3 } },
 * })
 * assert.ok(E.isLeft(bad))
 * assert.deepEqual(bad.left.problems.map((p) => p.field).sort(), ['leaseMs', 'quota.merchantTiers.m_1'])
 */
export const decodeRescoreConfig: (u: unknown) => E.Either<ValidationError, RescoreConfig> =
  /* @__PURE__ */ decodeWith(RescoreConfig)

// ---------------------------------------------------------------- operations

/**
 * The most requests this merchant gets admitted in any rolling window: the base count × its tier.
 *
 * @example
 * import { defaultRescoreConfig, merchantQuotaLimit } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const config = { ...defaultRescoreConfig, quota: { ...defaultRescoreConfig.quota, merchantTiers: { acme: 20 as const } } }
 * assert.equal(merchantQuotaLimit(config, 'acme'), 20_000)
 * assert.equal(merchantQuotaLimit(config, 'other'), 1000)
 */
export const merchantQuotaLimit = (config: RescoreConfig, merchantId: string): number => {
  const tiers = config.quota.merchantTiers
  const tier = Object.hasOwn(tiers, merchantId) ? tiers[merchantId] : undefined
  return config.quota.requestsPerWindow * (tier ?? config.quota.defaultTier)
}
