/**
 * Tiers name risk, not trust: LOW, MEDIUM, HIGH, CRITICAL, each a band of raw risk.
 */
import { describeValue, guardDecoder, type ValidationProblem, withinField } from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import type { RawRisk } from './TrustScore.js'

// ---------------------------------------------------------------- model

/**
 * The risk tiers, from least to most risky.
 *
 * @example
 * import { tiers } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(tiers, ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])
 */
export const tiers = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const

/**
 * io-ts codec of a tier name.
 *
 * @example
 * import { Tier } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(Tier.is('HIGH'))
 * assert.ok(!Tier.is('high'))
 */
export const Tier = /* @__PURE__ */ t.keyof({ LOW: null, MEDIUM: null, HIGH: null, CRITICAL: null }, 'Tier')

/** A risk tier: `LOW`, `MEDIUM`, `HIGH` or `CRITICAL`. */
export type Tier = t.TypeOf<typeof Tier>

/** One tier's band of raw risk, both ends inclusive. */
export interface TierBand {
  readonly tier: Tier
  readonly min: number
  readonly max: number
}

interface TierBandsBrand {
  readonly TierBands: unique symbol
}

/**
 * A validated band set: the four tiers in order, contiguous, covering 0..1000. Only `tierBands`
 * (or `defaultTierBands`) makes one.
 */
export type TierBands = ReadonlyArray<TierBand> & TierBandsBrand

/**
 * A band set that is not contiguous, not ordered or does not cover 0..1000, with each problem
 * named by its field (`bands.2.min`).
 *
 * @example
 * import { tierBands } from '@payout-kernel/trust'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const result = tierBands([{ tier: 'LOW', min: 0, max: 1000 }])
 * assert.ok(E.isLeft(result) && result.left._tag === 'InvalidBands')
 */
export interface InvalidBands {
  readonly _tag: 'InvalidBands'
  readonly problems: ReadonlyArray<ValidationProblem>
}

// ---------------------------------------------------------------- constructors

/**
 * Validates a band set: exactly the four tiers, in order LOW, MEDIUM, HIGH, CRITICAL, whole-number
 * inclusive bounds, each band non-empty, the first starting at 0, each next one starting right
 * after the previous one ends, the last ending at 1000.
 *
 * @example
 * import { tierBands, tierOf, type RawRisk } from '@payout-kernel/trust'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const strict = tierBands([
 *   { tier: 'LOW', min: 0, max: 199 },
 *   { tier: 'MEDIUM', min: 200, max: 499 },
 *   { tier: 'HIGH', min: 500, max: 799 },
 *   { tier: 'CRITICAL', min: 800, max: 1000 },
 * ])
 * assert.ok(E.isRight(strict))
 * assert.equal(tierOf(250 as RawRisk, strict.right), 'MEDIUM')
 *
 * const gap = tierBands([
 *   { tier: 'LOW', min: 0, max: 199 },
 *   { tier: 'MEDIUM', min: 250, max: 499 },
 *   { tier: 'HIGH', min: 500, max: 799 },
 *   { tier: 'CRITICAL', min: 800, max: 1000 },
 * ])
 * assert.ok(E.isLeft(gap))
 * assert.equal(gap.left.problems[0]?.field, 'bands.1.min')
 */
export const tierBands = /* @__PURE__ */ guardDecoder(
  (input: unknown): E.Either<InvalidBands, TierBands> => {
    const problems: ValidationProblem[] = []
    const fail = (field: string, message: string) => {
      problems.push({ field, message })
    }
    if (!Array.isArray(input)) {
      fail('bands', `must be a list of { tier, min, max }, got ${describeValue(input)}`)
      return E.left({ _tag: 'InvalidBands', problems })
    }
    if (input.length !== tiers.length)
      fail('bands', `must have exactly ${tiers.length} bands, got ${input.length}`)
    const bands: TierBand[] = []
    // An index loop, not forEach: a sparse array's holes are bands too, and are refused.
    for (let i = 0; i < input.length; i++) {
      const band: unknown = input[i]
      const at = `bands.${i}`
      if (typeof band !== 'object' || band === null) {
        fail(at, `must be { tier, min, max }, got ${describeValue(band)}`)
        continue
      }
      const { tier, min, max } = band as { tier?: unknown; min?: unknown; max?: unknown }
      const expected = tiers[i]
      if (!Tier.is(tier)) fail(`${at}.tier`, `must be one of ${tiers.join(', ')}, got ${describeValue(tier)}`)
      else if (tier !== expected)
        fail(`${at}.tier`, `must be ${expected ?? 'absent'} (tiers run LOW to CRITICAL), got ${tier}`)
      const whole = (n: unknown): n is number =>
        typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1000
      if (!whole(min)) fail(`${at}.min`, `must be a whole number from 0 to 1000, got ${describeValue(min)}`)
      if (!whole(max)) fail(`${at}.max`, `must be a whole number from 0 to 1000, got ${describeValue(max)}`)
      if (Tier.is(tier) && whole(min) && whole(max)) {
        if (min > max) fail(`${at}.max`, `must not be below min ${min}, got ${max}`)
        bands.push({ tier, min, max })
      }
    }
    if (problems.length === 0) {
      bands.forEach((band, i) => {
        const previous = bands[i - 1]
        const start = previous === undefined ? 0 : previous.max + 1
        if (band.min !== start)
          fail(
            `bands.${i}.min`,
            previous === undefined
              ? 'must be 0: bands cover 0..1000'
              : `must be ${start}, right after ${previous.tier} ends at ${previous.max}`,
          )
      })
      const last = bands[bands.length - 1]
      if (last !== undefined && last.max !== 1000)
        fail(`bands.${bands.length - 1}.max`, 'must be 1000: bands cover 0..1000')
    }
    return problems.length > 0
      ? E.left({ _tag: 'InvalidBands', problems })
      : E.right(bands as unknown as TierBands)
  },
  // a list that throws when read is named under `bands`, as every other problem of it is
  (e): InvalidBands => ({ _tag: 'InvalidBands', problems: withinField('bands')(e).problems }),
)

/**
 * The default bands on raw risk, inclusive: LOW 0–299, MEDIUM 300–599, HIGH 600–849,
 * CRITICAL 850–1000.
 *
 * @example
 * import { defaultTierBands } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(defaultTierBands.map((b) => `${b.tier} ${b.min}-${b.max}`), [
 *   'LOW 0-299', 'MEDIUM 300-599', 'HIGH 600-849', 'CRITICAL 850-1000',
 * ])
 */
export const defaultTierBands: TierBands = [
  { tier: 'LOW', min: 0, max: 299 },
  { tier: 'MEDIUM', min: 300, max: 599 },
  { tier: 'HIGH', min: 600, max: 849 },
  { tier: 'CRITICAL', min: 850, max: 1000 },
] as unknown as TierBands

// ---------------------------------------------------------------- operations

/**
 * The tier of a raw risk under a band set (the default bands when none is given).
 *
 * @example
 * import { tierOf, type RawRisk } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(tierOf(423 as RawRisk), 'MEDIUM')
 * assert.equal(tierOf(720 as RawRisk), 'HIGH')
 * assert.equal(tierOf(850 as RawRisk), 'CRITICAL')
 */
export const tierOf = (raw: RawRisk, bands: TierBands = defaultTierBands): Tier => {
  for (const band of bands) if (raw <= band.max) return band.tier
  return 'CRITICAL' // unreachable for a validated band set, which ends at 1000
}

/**
 * Orders tiers by risk: negative when `a` is less risky than `b`, 0 when equal.
 *
 * @example
 * import { compareTiers } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(compareTiers('HIGH', 'MEDIUM') > 0)
 * assert.equal(compareTiers('LOW', 'LOW'), 0)
 */
export const compareTiers = (a: Tier, b: Tier): number => tiers.indexOf(a) - tiers.indexOf(b)

/**
 * Whether a tier is at or above a threshold tier (the payout machine's review tier, say).
 *
 * @example
 * import { isTierAtLeast } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(isTierAtLeast('HIGH')('CRITICAL'))
 * assert.ok(!isTierAtLeast('HIGH')('MEDIUM'))
 */
export const isTierAtLeast =
  (threshold: Tier) =>
  (tier: Tier): boolean =>
    compareTiers(tier, threshold) >= 0
