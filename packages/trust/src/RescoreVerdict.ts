/**
 * The rescore verdict: the engine's new evaluation of a beneficiary (Payee pillar) beside the
 * previous one, and its wire encoding, snake_case, exactly as the rescore endpoint returns it.
 */
import {
  BeneficiaryId,
  describeValue,
  EvaluationId,
  guardDecoder,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import type { InvalidBands, TierBands } from './Tier.js'
import { defaultTierBands, Tier, tierOf } from './Tier.js'
import {
  decodeTrustScore,
  type RawRisk,
  RawRisk as RawRiskCodec,
  type TrustScore,
  trustOf,
} from './TrustScore.js'

// ---------------------------------------------------------------- model

/** One engine evaluation of a beneficiary: its id, raw risk, trust score and tier. */
export interface Evaluation {
  readonly evaluationId: EvaluationId
  readonly rawScore: RawRisk
  readonly trustScore: TrustScore
  readonly tier: Tier
}

/** The verdict of a rescore: always Payee pillar; `previous` is `null` for a first evaluation. */
export interface RescoreVerdict {
  readonly pillar: 'payee'
  readonly beneficiaryId: BeneficiaryId
  readonly current: Evaluation
  readonly previous: Evaluation | null
}

/**
 * The verdict on the wire. Without a prior evaluation, `previous_evaluation_id`,
 * `previous_trust_score` and `previous_tier` are omitted while `previous_score` is `null`, so a
 * real prior of 0 differs from no prior. `new_score` and `previous_score` are the deprecated raw
 * integers, still emitted.
 */
export interface RescoreVerdictWire {
  readonly pillar: 'payee'
  readonly resource_id: string
  readonly new_evaluation_id: string
  readonly new_trust_score: number
  readonly new_tier: Tier
  readonly new_score: number
  readonly previous_evaluation_id?: string
  readonly previous_trust_score?: number
  readonly previous_tier?: Tier
  readonly previous_score: number | null
}

/** What the trust package can refuse: an input that does not decode, or a bad band set. */
export type TrustError = ValidationError | InvalidBands

/** What `rescoreVerdict` needs: the beneficiary, the engine's new evaluation and the prior one if any. */
export interface RescoreVerdictInput {
  readonly beneficiaryId: string
  readonly current: { readonly evaluationId: string; readonly rawScore: number }
  readonly previous?: { readonly evaluationId: string; readonly rawScore: number } | null
  readonly bands?: TierBands
}

// ---------------------------------------------------------------- constructors

const problem = (field: string, message: string): ValidationProblem => ({ field, message })

const evaluationFrom = (
  at: string,
  u: unknown,
  bands: TierBands,
  problems: ValidationProblem[],
): Evaluation | undefined => {
  if (typeof u !== 'object' || u === null) {
    problems.push(problem(at, `must be { evaluationId, rawScore }, got ${describeValue(u)}`))
    return undefined
  }
  const { evaluationId, rawScore } = u as { evaluationId?: unknown; rawScore?: unknown }
  const before = problems.length
  if (!EvaluationId.is(evaluationId))
    problems.push(problem(`${at}.evaluationId`, `must be an eval_ id, got ${describeValue(evaluationId)}`))
  if (!RawRiskCodec.is(rawScore))
    problems.push(
      problem(`${at}.rawScore`, `must be a whole number from 0 to 1000, got ${describeValue(rawScore)}`),
    )
  if (problems.length > before || !EvaluationId.is(evaluationId) || !RawRiskCodec.is(rawScore))
    return undefined
  return { evaluationId, rawScore, trustScore: trustOf(rawScore), tier: tierOf(rawScore, bands) }
}

/**
 * Builds the verdict of a rescore from the engine's raw scores: trust and tier of the new
 * evaluation, and of the previous one when there was one. Every bad field is named.
 *
 * @example
 * import { rescoreVerdict } from '@payout-kernel/trust'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const verdict = rescoreVerdict({
 *   beneficiaryId: 'ben_8f2k',
 *   current: { evaluationId: 'eval_new', rawScore: 423 },
 *   previous: { evaluationId: 'eval_old', rawScore: 720 },
 * })
 * assert.ok(E.isRight(verdict))
 * assert.deepEqual(verdict.right.current, { evaluationId: 'eval_new', rawScore: 423, trustScore: 0.577, tier: 'MEDIUM' })
 * assert.deepEqual(verdict.right.previous, { evaluationId: 'eval_old', rawScore: 720, trustScore: 0.28, tier: 'HIGH' })
 *
 * const bad = rescoreVerdict({ beneficiaryId: 'pay_1', current: { evaluationId: 'eval_1', rawScore: 1001 } })
 * assert.ok(E.isLeft(bad))
 * assert.deepEqual(bad.left.problems.map((p) => p.field), ['beneficiaryId', 'current.rawScore'])
 */
export const rescoreVerdict = /* @__PURE__ */ guardDecoder(
  (input: RescoreVerdictInput): E.Either<ValidationError, RescoreVerdict> => {
    const problems: ValidationProblem[] = []
    if (typeof input !== 'object' || input === null)
      return E.left({
        _tag: 'ValidationError',
        problems: [problem('', `must be an object, got ${describeValue(input)}`)],
      })
    const bands = input.bands ?? defaultTierBands
    if (!BeneficiaryId.is(input.beneficiaryId))
      problems.push(problem('beneficiaryId', `must be a ben_ id, got ${describeValue(input.beneficiaryId)}`))
    const current = evaluationFrom('current', input.current, bands, problems)
    const previous =
      input.previous === undefined || input.previous === null
        ? null
        : evaluationFrom('previous', input.previous, bands, problems)
    if (
      problems.length > 0 ||
      current === undefined ||
      previous === undefined ||
      !BeneficiaryId.is(input.beneficiaryId)
    )
      return E.left({ _tag: 'ValidationError', problems })
    return E.right({ pillar: 'payee', beneficiaryId: input.beneficiaryId, current, previous })
  },
)

// ---------------------------------------------------------------- codecs

/**
 * The wire form of a verdict, snake_case, fields in the documented order.
 *
 * @example
 * import { encodeRescoreVerdict, rescoreVerdict } from '@payout-kernel/trust'
 * import * as E from '#fp-ts/Either'
 * import { pipe } from '#fp-ts/function'
 * import assert from 'node:assert/strict'
 *
 * const first = pipe(
 *   rescoreVerdict({ beneficiaryId: 'ben_8f2k', current: { evaluationId: 'eval_1', rawScore: 423 } }),
 *   E.map(encodeRescoreVerdict),
 * )
 * assert.deepEqual(first, E.right({
 *   pillar: 'payee',
 *   resource_id: 'ben_8f2k',
 *   new_evaluation_id: 'eval_1',
 *   new_trust_score: 0.577,
 *   new_tier: 'MEDIUM',
 *   new_score: 423,
 *   previous_score: null,
 * }))
 */
export const encodeRescoreVerdict = (v: RescoreVerdict): RescoreVerdictWire => {
  const current = {
    pillar: v.pillar,
    resource_id: v.beneficiaryId,
    new_evaluation_id: v.current.evaluationId,
    new_trust_score: v.current.trustScore,
    new_tier: v.current.tier,
    new_score: v.current.rawScore,
  }
  return v.previous === null
    ? { ...current, previous_score: null }
    : {
        ...current,
        previous_evaluation_id: v.previous.evaluationId,
        previous_trust_score: v.previous.trustScore,
        previous_tier: v.previous.tier,
        previous_score: v.previous.rawScore,
      }
}

const wireEvaluation = (
  side: 'new' | 'previous',
  w: Record<string, unknown>,
  problems: ValidationProblem[],
): Evaluation | undefined => {
  const id = w[`${side}_evaluation_id`]
  const score = w[`${side}_score`]
  const tier = w[`${side}_tier`]
  const before = problems.length
  if (!EvaluationId.is(id))
    problems.push(problem(`${side}_evaluation_id`, `must be an eval_ id, got ${describeValue(id)}`))
  if (!RawRiskCodec.is(score))
    problems.push(
      problem(`${side}_score`, `must be a whole number from 0 to 1000, got ${describeValue(score)}`),
    )
  if (!Tier.is(tier))
    problems.push(
      problem(`${side}_tier`, `must be LOW, MEDIUM, HIGH or CRITICAL, got ${describeValue(tier)}`),
    )
  const trust = decodeTrustScore(w[`${side}_trust_score`], `${side}_trust_score`)
  if (E.isLeft(trust)) problems.push(...trust.left.problems)
  else if (RawRiskCodec.is(score) && trust.right !== trustOf(score))
    problems.push(
      problem(
        `${side}_trust_score`,
        `must be (1000 - ${side}_score) / 1000 = ${trustOf(score)}, got ${trust.right}`,
      ),
    )
  if (
    problems.length > before ||
    !EvaluationId.is(id) ||
    !RawRiskCodec.is(score) ||
    !Tier.is(tier) ||
    E.isLeft(trust)
  )
    return undefined
  return { evaluationId: id, rawScore: score, trustScore: trust.right, tier }
}

/**
 * Decodes a verdict from the wire (the engine's answer, or a stored response): checks every field,
 * that each trust score agrees with its raw score, and that a missing prior is spelled as
 * documented (`previous_score: null`, the other previous fields absent). Trust scores may arrive as
 * decimal strings. The tiers are kept as sent, since the engine may band differently.
 *
 * @example
 * import { decodeRescoreVerdict, encodeRescoreVerdict } from '@payout-kernel/trust'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const wire = {
 *   pillar: 'payee', resource_id: 'ben_1', new_evaluation_id: 'eval_2', new_trust_score: '0.577',
 *   new_tier: 'MEDIUM', new_score: 423, previous_score: null,
 * }
 * const verdict = decodeRescoreVerdict(wire)
 * assert.ok(E.isRight(verdict))
 * assert.equal(encodeRescoreVerdict(verdict.right).new_trust_score, 0.577)
 * assert.ok(E.isLeft(decodeRescoreVerdict({ ...wire, previous_score: undefined })))
 */
export const decodeRescoreVerdict = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, RescoreVerdict> => {
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return E.left({
        _tag: 'ValidationError',
        problems: [problem('', `must be a verdict object, got ${describeValue(u)}`)],
      })
    const w = u as Record<string, unknown>
    const problems: ValidationProblem[] = []
    if (w.pillar !== 'payee')
      problems.push(problem('pillar', `must be "payee", got ${describeValue(w.pillar)}`))
    if (!BeneficiaryId.is(w.resource_id))
      problems.push(problem('resource_id', `must be a ben_ id, got ${describeValue(w.resource_id)}`))
    const current = wireEvaluation('new', w, problems)
    let previous: Evaluation | null | undefined = null
    const priorFields = ['previous_evaluation_id', 'previous_trust_score', 'previous_tier'] as const
    if (!('previous_score' in w))
      problems.push(problem('previous_score', 'must be present: a number, or null without a prior'))
    else if (w.previous_score === null) {
      for (const f of priorFields)
        if (f in w)
          problems.push(problem(f, 'must be omitted when previous_score is null (no prior evaluation)'))
    } else previous = wireEvaluation('previous', w, problems)
    if (
      problems.length > 0 ||
      current === undefined ||
      previous === undefined ||
      !BeneficiaryId.is(w.resource_id)
    )
      return E.left({ _tag: 'ValidationError', problems })
    return E.right({ pillar: 'payee', beneficiaryId: w.resource_id, current, previous })
  },
)
