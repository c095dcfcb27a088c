/**
 * The engine's raw risk (an integer 0..1000, higher is riskier) and the trust score merchants see
 * (`(1000 − raw) / 1000`, in [0, 1], higher is more trustworthy, exact to 3 decimals).
 */
import { describeValue, type ValidationError, validationError } from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- model

interface RawRiskBrand {
  readonly RawRisk: unique symbol
}

// The codec's check without the codec, so `rawRisk` and `trustFromRisk` bundle without io-ts.
const isRawRisk = (u: unknown): u is t.Branded<number, RawRiskBrand> =>
  typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= 1000

/**
 * The engine's raw risk: a whole number from 0 (no risk) to 1000 (highest risk).
 *
 * @example
 * import { RawRisk } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(RawRisk.is(423))
 * assert.ok(!RawRisk.is(423.5))
 * assert.ok(!RawRisk.is(1001))
 */
export const RawRisk = /* @__PURE__ */ t.brand(
  t.number,
  (n): n is t.Branded<number, RawRiskBrand> => isRawRisk(n),
  'RawRisk',
)

/** The engine's raw risk, an integer 0..1000; higher is riskier. */
export type RawRisk = t.TypeOf<typeof RawRisk>

interface TrustScoreBrand {
  readonly TrustScore: unique symbol
}

/**
 * A trust score: a number in [0, 1] with at most 3 decimals; higher is more trustworthy.
 *
 * @example
 * import { TrustScore } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(TrustScore.is(0.577))
 * assert.ok(!TrustScore.is(0.5775))
 */
export const TrustScore = /* @__PURE__ */ t.brand(
  t.number,
  (n): n is t.Branded<number, TrustScoreBrand> =>
    Number.isFinite(n) && n >= 0 && n <= 1 && Math.round(n * 1000) / 1000 === n,
  'TrustScore',
)

/** A trust score in [0, 1], exact to 3 decimals; higher is more trustworthy. */
export type TrustScore = t.TypeOf<typeof TrustScore>

// ---------------------------------------------------------------- constructors

/**
 * Decodes a raw risk (an integer 0..1000), naming `field` in the error.
 *
 * @example
 * import { rawRisk } from '@payout-kernel/trust'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(rawRisk(720), E.right(720))
 * assert.ok(E.isLeft(rawRisk('720')))
 */
export const rawRisk = (u: unknown, field = 'raw'): E.Either<ValidationError, RawRisk> =>
  // The Either built as the literal fp-ts's `right` and `left` return: a function bundled alone
  // (`trustFromRisk` in a browser) then needs none of fp-ts's module-level set-up.
  isRawRisk(u)
    ? { _tag: 'Right', right: u }
    : {
        _tag: 'Left',
        left: validationError(field, `must be a whole number from 0 to 1000, got ${describeValue(u)}`),
      }

/**
 * Converts the engine's raw risk into the trust score: `(1000 − raw) / 1000`. Anything but an
 * integer 0..1000 (a fraction, NaN, a negative, more than 1000, a string) is refused.
 *
 * @example
 * import { trustFromRisk } from '@payout-kernel/trust'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(trustFromRisk(423), E.right(0.577))
 * assert.deepEqual(trustFromRisk(720), E.right(0.28))
 * assert.ok(E.isLeft(trustFromRisk(42.5)))
 */
export const trustFromRisk = (raw: unknown): E.Either<ValidationError, TrustScore> => {
  const r = rawRisk(raw)
  return r._tag === 'Right' ? { _tag: 'Right', right: trustOf(r.right) } : r
}

/**
 * The trust score of a raw risk already decoded (total, no `Either`).
 *
 * @example
 * import { trustOf, type RawRisk } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(trustOf(0 as RawRisk), 1)
 * assert.equal(trustOf(1000 as RawRisk), 0)
 */
export const trustOf = (raw: RawRisk): TrustScore => ((1000 - raw) / 1000) as TrustScore

/**
 * The raw risk a trust score stands for: `1000 − trust × 1000`.
 *
 * @example
 * import { riskFromTrust, type TrustScore } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(riskFromTrust(0.577 as TrustScore), 423)
 */
export const riskFromTrust = (trust: TrustScore): RawRisk => (1000 - Math.round(trust * 1000)) as RawRisk

const trustString = /^(?:0(?:\.\d{1,3})?|1(?:\.0{1,3})?)$/

/**
 * Decodes a trust score sent as a number or as a decimal string (`"0.577"`, as the engine's verdict
 * endpoints send it): in [0, 1] with at most 3 decimals. More decimals are refused, not rounded.
 *
 * @example
 * import { decodeTrustScore } from '@payout-kernel/trust'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(decodeTrustScore('0.577'), E.right(0.577))
 * assert.deepEqual(decodeTrustScore(1), E.right(1))
 * assert.ok(E.isLeft(decodeTrustScore('1.5')))
 * assert.ok(E.isLeft(decodeTrustScore('0.5775')))
 */
export const decodeTrustScore = (
  u: unknown,
  field = 'trust_score',
): E.Either<ValidationError, TrustScore> => {
  if (typeof u === 'string' && trustString.test(u)) return E.right(Number(u) as TrustScore)
  // -0 reads as 0, so the score equals (Object.is, toEqual) the same score read back
  if (TrustScore.is(u)) return E.right((u + 0) as TrustScore)
  return E.left(
    validationError(
      field,
      `must be a number or decimal string from 0 to 1 with at most 3 decimals, got ${describeValue(u)}`,
    ),
  )
}
