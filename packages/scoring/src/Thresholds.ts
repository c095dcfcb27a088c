/**
 * Thresholds: how a transaction's score (0..1000) maps to an action, `approve`, `review` or
 * `reject`. The defaults follow the risk tiers of `@payout-kernel/trust`: `review` from 600 (where
 * the HIGH tier starts), `reject` from 850 (where CRITICAL starts).
 */
import { decodeWith, describeValue, type ValidationError } from '@payout-kernel/core'
import * as t from 'io-ts'
import type * as E from '#fp-ts/Either'
import { pipe } from '#fp-ts/function'

// ---------------------------------------------------------------- model

/**
 * What a score asks for: let the transaction through, hold it for a human, or refuse it.
 *
 * @example
 * import { ScoringAction } from '@payout-kernel/scoring'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(ScoringAction.is('review'))
 * assert.ok(!ScoringAction.is('Rejected'))
 */
export const ScoringAction = /* @__PURE__ */ t.keyof(
  { approve: null, review: null, reject: null },
  'ScoringAction',
)

/** What a score asks for: `approve`, `review` or `reject`. */
export type ScoringAction = t.TypeOf<typeof ScoringAction>

interface ThresholdsBrand {
  readonly Thresholds: unique symbol
}

/** Validated thresholds: a score at or above `reject` rejects, at or above `review` reviews. */
export type Thresholds = {
  readonly review: number
  readonly reject: number
} & ThresholdsBrand

const wholeScore = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1000

// ---------------------------------------------------------------- codecs

/**
 * io-ts codec of thresholds `{ review, reject }`: whole numbers 0..1000 with `review ≤ reject`
 * (`review = reject` turns the review band off). Problems name `review` or `reject`.
 *
 * @example
 * import { ThresholdsCodec } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(ThresholdsCodec.decode({ review: 100, reject: 150 })))
 * assert.ok(E.isLeft(ThresholdsCodec.decode({ review: 200, reject: 150 })))
 */
export const ThresholdsCodec: t.Type<Thresholds, { review: number; reject: number }, unknown> =
  /* @__PURE__ */ new t.Type<Thresholds, { review: number; reject: number }, unknown>(
    'Thresholds',
    (u): u is Thresholds =>
      typeof u === 'object' &&
      u !== null &&
      wholeScore((u as { review?: unknown }).review) &&
      wholeScore((u as { reject?: unknown }).reject) &&
      (u as { review: number }).review <= (u as { reject: number }).reject,
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u))
        return t.failure(u, c, `must be { review, reject }, got ${describeValue(u)}`)
      const { review, reject, ...extra } = u as { review?: unknown; reject?: unknown }
      const errors: t.ValidationError[] = []
      const fail = (key: string, value: unknown, message: string) =>
        errors.push({ value, context: t.appendContext(c, key, t.number, value), message })
      for (const key of Object.keys(extra))
        fail(key, (extra as Record<string, unknown>)[key], 'is not a known field')
      if (!wholeScore(review))
        fail('review', review, `must be a whole number from 0 to 1000, got ${describeValue(review)}`)
      if (!wholeScore(reject))
        fail('reject', reject, `must be a whole number from 0 to 1000, got ${describeValue(reject)}`)
      if (errors.length === 0 && wholeScore(review) && wholeScore(reject) && review > reject)
        fail('review', review, `must not be above reject (${reject}), got ${review}`)
      return errors.length > 0 ? t.failures(errors) : t.success({ review, reject } as Thresholds)
    },
    (th) => ({ review: th.review, reject: th.reject }),
  )

// ---------------------------------------------------------------- constructors

/**
 * Validates thresholds `{ review, reject }` (whole numbers 0..1000, `review ≤ reject`).
 *
 * @example
 * import { thresholds } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(thresholds({ review: 100, reject: 150 }), E.right({ review: 100, reject: 150 }))
 * const bad = thresholds({ review: 100, reject: 1500 })
 * assert.ok(E.isLeft(bad))
 * assert.equal(bad.left.problems[0]?.field, 'reject')
 */
export const thresholds = (input: unknown): E.Either<ValidationError, Thresholds> =>
  pipe(input, decodeWith(ThresholdsCodec))

/**
 * The default thresholds: `review` from 600 (the HIGH tier), `reject` from 850 (CRITICAL).
 *
 * @example
 * import { defaultThresholds } from '@payout-kernel/scoring'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(defaultThresholds, { review: 600, reject: 850 })
 */
export const defaultThresholds: Thresholds = { review: 600, reject: 850 } as Thresholds

// ---------------------------------------------------------------- operations

/**
 * The action a score asks for under thresholds (the defaults when none are given).
 *
 * @example
 * import { actionOf, defaultThresholds } from '@payout-kernel/scoring'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(actionOf(599, defaultThresholds), 'approve')
 * assert.equal(actionOf(600), 'review')
 * assert.equal(actionOf(850), 'reject')
 */
export const actionOf = (score: number, th: Thresholds = defaultThresholds): ScoringAction =>
  score >= th.reject ? 'reject' : score >= th.review ? 'review' : 'approve'
