/**
 * Screening configuration: the thresholds that turn a score into `hit`, `possible_match` or
 * `clear`, and how much a disagreeing date of birth or country lowers a score.
 */
import {
  describeValue,
  guardDecoder,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import { defaultUnmatchedTokenPenalty } from './Name.js'

// ---------------------------------------------------------------- model

/**
 * How scores are judged. A score at or above `hitThreshold` is a hit, at or above
 * `possibleThreshold` a possible match, below it clear. Agreement never raises a score; a date of
 * birth or a country that both sides give and that disagree multiplies it by their factor.
 *
 * @example
 * import { type ScreeningConfig, defaultScreeningConfig } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const strict: ScreeningConfig = { ...defaultScreeningConfig, possibleThreshold: 0.8 }
 * assert.equal(strict.hitThreshold, 0.92)
 */
export interface ScreeningConfig {
  /** At or above this score a match is a hit (default 0.92). */
  readonly hitThreshold: number
  /** At or above this score (and below the hit threshold) a match is a possible match (default 0.85). */
  readonly possibleThreshold: number
  /** The factor a score is multiplied by when both sides give a date of birth and none agree (default 0.9). */
  readonly dateOfBirthMismatchFactor: number
  /** The factor a score is multiplied by when both sides give countries and none agree (default 0.95). */
  readonly countryMismatchFactor: number
  /** The weight of the unmatched share of two names in their score (default 0.3). */
  readonly unmatchedTokenPenalty: number
  /** At most this many matches are returned, best first (default 10). */
  readonly maxMatches: number
}

/**
 * The default configuration: hit at 0.92, possible match at 0.85, a disagreeing date of birth ×0.9,
 * a disagreeing country ×0.95, unmatched name share weighted 0.3, ten matches at most.
 *
 * @example
 * import { defaultScreeningConfig } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(defaultScreeningConfig.possibleThreshold, 0.85)
 * assert.equal(defaultScreeningConfig.maxMatches, 10)
 */
export const defaultScreeningConfig: ScreeningConfig = {
  hitThreshold: 0.92,
  possibleThreshold: 0.85,
  dateOfBirthMismatchFactor: 0.9,
  countryMismatchFactor: 0.95,
  unmatchedTokenPenalty: defaultUnmatchedTokenPenalty,
  maxMatches: 10,
}

// ---------------------------------------------------------------- codecs

const keys = /* @__PURE__ */ Object.keys(defaultScreeningConfig) as ReadonlyArray<keyof ScreeningConfig>

/**
 * The problems of a configuration (none when it is valid): thresholds in (0, 1] with possible ≤ hit,
 * factors and penalty in [0, 1], `maxMatches` a positive integer.
 *
 * @example
 * import { defaultScreeningConfig, screeningConfigProblems } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(screeningConfigProblems(defaultScreeningConfig), [])
 * assert.equal(screeningConfigProblems({ ...defaultScreeningConfig, possibleThreshold: 0.95 })[0]?.field, 'possibleThreshold')
 */
export const screeningConfigProblems = (config: ScreeningConfig): ValidationProblem[] => {
  const problems: ValidationProblem[] = []
  const unit = (field: keyof ScreeningConfig, low: 'open' | 'closed') => {
    const v = config[field]
    if (typeof v !== 'number' || !Number.isFinite(v) || v > 1 || (low === 'open' ? v <= 0 : v < 0))
      problems.push({
        field,
        message: `must be a number in ${low === 'open' ? '(0' : '[0'}, 1], got ${describeValue(v)}`,
      })
  }
  unit('hitThreshold', 'open')
  unit('possibleThreshold', 'open')
  unit('dateOfBirthMismatchFactor', 'closed')
  unit('countryMismatchFactor', 'closed')
  unit('unmatchedTokenPenalty', 'closed')
  if (problems.length === 0 && config.possibleThreshold > config.hitThreshold)
    problems.push({ field: 'possibleThreshold', message: 'must not be above hitThreshold' })
  if (!Number.isInteger(config.maxMatches) || config.maxMatches < 1)
    problems.push({
      field: 'maxMatches',
      message: `must be a positive integer, got ${describeValue(config.maxMatches)}`,
    })
  return problems
}

/**
 * Decodes a configuration from JSON: any subset of the fields, the rest from the defaults; or a
 * `ValidationError` naming every bad field.
 *
 * @example
 * import { decodeScreeningConfig } from '@payout-kernel/screening'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const config = decodeScreeningConfig({ hitThreshold: 0.95 })
 * assert.ok(E.isRight(config) && config.right.hitThreshold === 0.95 && config.right.possibleThreshold === 0.85)
 * assert.ok(E.isLeft(decodeScreeningConfig({ hitThreshold: 'high' })))
 * assert.ok(E.isLeft(decodeScreeningConfig({ threshold: 0.9 })))
 */
export const decodeScreeningConfig = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, ScreeningConfig> => {
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return E.left({
        _tag: 'ValidationError',
        problems: [{ field: '', message: `must be an object, got ${describeValue(u)}` }],
      })
    const input = u as Record<string, unknown>
    const unknownKeys = Object.keys(input).filter((k) => !(keys as ReadonlyArray<string>).includes(k))
    const config = { ...defaultScreeningConfig, ...input } as ScreeningConfig
    const problems = [
      ...unknownKeys.map((k) => ({ field: k, message: 'is not a screening setting' })),
      ...screeningConfigProblems(config),
    ]
    return problems.length > 0
      ? E.left({ _tag: 'ValidationError', problems })
      : E.right(Object.fromEntries(keys.map((k) => [k, config[k]])) as unknown as ScreeningConfig)
  },
)
