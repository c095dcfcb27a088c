/**
 * fast-check arbitraries for raw risks, band sets and rescore verdicts, valid by construction.
 */
import type { EvaluationId } from '@payout-kernel/core'
import { arbId } from '@payout-kernel/core/testing'
import fc from 'fast-check'
import * as E from '#fp-ts/Either'
import { type RescoreVerdict, type RescoreVerdictInput, rescoreVerdict } from '../RescoreVerdict.js'
import { type TierBands, tierBands, tiers } from '../Tier.js'
import type { RawRisk } from '../TrustScore.js'

/**
 * Raw risks, every integer 0..1000.
 *
 * @example
 * import { arbRawRisk } from '@payout-kernel/trust/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRawRisk, (r) => Number.isInteger(r) && r >= 0 && r <= 1000))
 */
export const arbRawRisk: fc.Arbitrary<RawRisk> = fc.integer({ min: 0, max: 1000 }).map((n) => n as RawRisk)

/**
 * Valid band sets: three distinct cut points split 0..1000 into four non-empty ordered bands.
 *
 * @example
 * import { arbTierBands } from '@payout-kernel/trust/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbTierBands, (bands) => bands.length === 4 && bands[3]?.max === 1000))
 */
export const arbTierBands: fc.Arbitrary<TierBands> = fc
  .uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 3, maxLength: 3 })
  .map((cuts) => {
    const [a = 1, b = 2, c = 3] = [...cuts].sort((x, y) => x - y)
    const starts = [0, a, b, c]
    const bands = tiers.map((tier, i) => ({ tier, min: starts[i] ?? 0, max: (starts[i + 1] ?? 1001) - 1 }))
    const result = tierBands(bands)
    if (E.isLeft(result)) throw new Error('arbTierBands built an invalid band set') // cannot happen
    return result.right
  })

const arbEvaluation = fc.record({
  evaluationId: arbId('eval_') as fc.Arbitrary<EvaluationId>,
  rawScore: arbRawRisk,
})

/**
 * Inputs of `rescoreVerdict`, with or without a prior, with default or custom bands.
 *
 * @example
 * import { arbRescoreVerdictInput } from '@payout-kernel/trust/testing'
 * import { rescoreVerdict } from '@payout-kernel/trust'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRescoreVerdictInput, (input) => E.isRight(rescoreVerdict(input))))
 */
export const arbRescoreVerdictInput: fc.Arbitrary<RescoreVerdictInput> = fc.record(
  {
    beneficiaryId: arbId('ben_'),
    current: arbEvaluation,
    previous: fc.option(arbEvaluation, { nil: undefined }),
    bands: arbTierBands,
  },
  { requiredKeys: ['beneficiaryId', 'current'] },
)

/**
 * Rescore verdicts, built through `rescoreVerdict`.
 *
 * @example
 * import { arbRescoreVerdict } from '@payout-kernel/trust/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRescoreVerdict, (v) => v.pillar === 'payee'))
 */
export const arbRescoreVerdict: fc.Arbitrary<RescoreVerdict> = arbRescoreVerdictInput.map((input) => {
  const verdict = rescoreVerdict(input)
  if (E.isLeft(verdict)) throw new Error('arbRescoreVerdictInput built an invalid input') // cannot happen
  return verdict.right
})
