/**
 * The policy a merchant's payouts run under: the review tier, maker-checker, the late-return
 * window and the tier bands. It is an argument of every step, not part of the snapshot, so a
 * policy change applies to the next event of every payout in flight.
 */
import {
  describeValue,
  guardDecoder,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import { defaultTierBands, Tier, type TierBands, tierBands } from '@payout-kernel/trust'
import * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- model

/** The lifecycle policy; every field is optional and falls back to `defaultPayoutConfig`. */
export interface PayoutConfig {
  /** A risk score whose tier is at or above this one sends the payout to manual review. Default `HIGH`. */
  readonly reviewTier?: Tier
  /** Whether a checker other than the maker must approve each payout. Default off. */
  readonly makerChecker?: boolean
  /** How long after `completed` a return is still accepted, in ms; `null` (the default) refuses late returns. */
  readonly lateReturnWindowMs?: number | null
  /** The raw-risk bands that name tiers. Default `defaultTierBands` of `@payout-kernel/trust`. */
  readonly tierBands?: TierBands
}

/** A policy with every field filled in. */
export interface ResolvedPayoutConfig {
  readonly reviewTier: Tier
  readonly makerChecker: boolean
  readonly lateReturnWindowMs: number | null
  readonly tierBands: TierBands
}

// ---------------------------------------------------------------- constructors

/**
 * The default policy: review tier `HIGH`, maker-checker off, late returns refused, default bands.
 *
 * @example
 * import { defaultPayoutConfig } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(defaultPayoutConfig.reviewTier, 'HIGH')
 * assert.equal(defaultPayoutConfig.makerChecker, false)
 * assert.equal(defaultPayoutConfig.lateReturnWindowMs, null)
 */
export const defaultPayoutConfig: ResolvedPayoutConfig = {
  reviewTier: 'HIGH',
  makerChecker: false,
  lateReturnWindowMs: null,
  tierBands: defaultTierBands,
}

const isResolved = (config: PayoutConfig): config is ResolvedPayoutConfig =>
  config.reviewTier !== undefined &&
  config.makerChecker !== undefined &&
  config.lateReturnWindowMs !== undefined &&
  config.tierBands !== undefined

/**
 * Fills a partial policy with the defaults.
 *
 * @example
 * import { resolvePayoutConfig } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * const config = resolvePayoutConfig({ makerChecker: true })
 * assert.equal(config.makerChecker, true)
 * assert.equal(config.reviewTier, 'HIGH')
 */
export const resolvePayoutConfig = (config?: PayoutConfig): ResolvedPayoutConfig =>
  config === undefined
    ? defaultPayoutConfig
    : isResolved(config)
      ? config
      : {
          reviewTier: config.reviewTier ?? defaultPayoutConfig.reviewTier,
          makerChecker: config.makerChecker ?? defaultPayoutConfig.makerChecker,
          lateReturnWindowMs:
            config.lateReturnWindowMs === undefined
              ? defaultPayoutConfig.lateReturnWindowMs
              : config.lateReturnWindowMs,
          tierBands: config.tierBands ?? defaultPayoutConfig.tierBands,
        }

/**
 * Decodes a policy from outside (a settings file, an admin API): each field checked, the bands
 * validated by `tierBands`, every problem named by its field (`lateReturnWindowMs`,
 * `tierBands.2.min`).
 *
 * @example
 * import { payoutConfig } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const ok = payoutConfig({ reviewTier: 'CRITICAL', lateReturnWindowMs: 86_400_000 })
 * assert.ok(E.isRight(ok) && ok.right.reviewTier === 'CRITICAL')
 *
 * const bad = payoutConfig({ lateReturnWindowMs: -1 })
 * assert.ok(E.isLeft(bad) && bad.left.problems[0]?.field === 'lateReturnWindowMs')
 */
export const payoutConfig = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, ResolvedPayoutConfig> => {
    if (u === undefined) return E.right(defaultPayoutConfig)
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return E.left({
        _tag: 'ValidationError',
        problems: [{ field: '', message: `must be a config object, got ${describeValue(u)}` }],
      })
    const c = u as Record<string, unknown>
    const problems: ValidationProblem[] = []
    if (c.reviewTier !== undefined && !Tier.is(c.reviewTier))
      problems.push({
        field: 'reviewTier',
        message: `must be LOW, MEDIUM, HIGH or CRITICAL, got ${describeValue(c.reviewTier)}`,
      })
    if (c.makerChecker !== undefined && typeof c.makerChecker !== 'boolean')
      problems.push({
        field: 'makerChecker',
        message: `must be true or false, got ${describeValue(c.makerChecker)}`,
      })
    const w = c.lateReturnWindowMs
    if (w !== undefined && w !== null && !(typeof w === 'number' && Number.isSafeInteger(w) && w >= 0))
      problems.push({
        field: 'lateReturnWindowMs',
        message: `must be null or a whole number of milliseconds, at least 0, got ${describeValue(w)}`,
      })
    const bands = c.tierBands === undefined ? E.right(defaultTierBands) : tierBands(c.tierBands)
    if (E.isLeft(bands))
      for (const p of bands.left.problems)
        problems.push({ field: `tierBands${p.field.replace(/^bands/, '')}`, message: p.message })
    if (problems.length > 0 || E.isLeft(bands)) return E.left({ _tag: 'ValidationError', problems })
    return E.right({
      reviewTier: Tier.is(c.reviewTier) ? c.reviewTier : defaultPayoutConfig.reviewTier,
      makerChecker: typeof c.makerChecker === 'boolean' ? c.makerChecker : defaultPayoutConfig.makerChecker,
      lateReturnWindowMs: typeof w === 'number' ? w : null,
      tierBands: bands.right,
    })
  },
)
