/**
 * Rescoring: the current rules run again on a stored transaction (the rules or the data changed),
 * and the new result is reported beside the previous one, with what moved.
 */
import {
  decodeWith,
  describeValue,
  guardDecoder,
  type ValidationError,
  validationError,
} from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { pipe } from '#fp-ts/function'
import {
  type CompiledRules,
  type RuleRef,
  type ScoringResult,
  ScoringResultCodec,
  scoreTransaction,
} from './Scoring.js'
import type { ScoringAction } from './Thresholds.js'

// ---------------------------------------------------------------- model

/** A transaction as stored after scoring: its fields, the features used, and the result it got. */
export interface StoredTransaction {
  readonly transaction: unknown
  readonly features?: unknown
  readonly result: ScoringResult
}

/**
 * A rescoring: the new result beside the previous one, the rules that started or stopped matching
 * (by id, dry-run rules included and marked), and the score and action change.
 */
export interface Rescoring {
  readonly previous: ScoringResult
  readonly current: ScoringResult
  readonly started_matching: ReadonlyArray<RuleRef>
  readonly stopped_matching: ReadonlyArray<RuleRef>
  readonly score_change: { readonly from: number; readonly to: number; readonly delta: number }
  readonly action_change: {
    readonly from: ScoringAction
    readonly to: ScoringAction
    readonly changed: boolean
  }
}

const StoredResult = /* @__PURE__ */ t.type({ result: ScoringResultCodec })

// ---------------------------------------------------------------- operations

/**
 * Rescores a stored transaction `{ transaction, features?, result }` with the current compiled
 * rules. The stored input is decoded (problems named by path, e.g. `result.action`); with the same
 * rules and data, `current` equals `previous` and nothing moved.
 *
 * @example
 * import { compileRules, parseRules, rescoreTransaction, scoreTransaction } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rule = { id: 'big', name: 'Large amount', status: 'ACTIVE', score: 700, dry_run: false,
 *   condition: { field: 'amount', op: 'gte', value: 1000 } }
 * const v1 = parseRules({ version: 'v1', rules: [rule] })
 * const v2 = parseRules({ version: 'v2', rules: [{ ...rule, status: 'INACTIVE' }] })
 * assert.ok(E.isRight(v1) && E.isRight(v2))
 * const transaction = { amount: '1250.00' }
 * const first = scoreTransaction(compileRules(v1.right), transaction)
 * assert.ok(E.isRight(first))
 * const again = rescoreTransaction(compileRules(v2.right), { transaction, result: first.right })
 * assert.ok(E.isRight(again))
 * assert.deepEqual(again.right.stopped_matching.map((r) => r.id), ['big'])
 * assert.deepEqual(again.right.score_change, { from: 700, to: 0, delta: -700 })
 * assert.deepEqual(again.right.action_change, { from: 'review', to: 'approve', changed: true })
 */
export const rescoreTransaction = (
  compiled: CompiledRules,
  stored: StoredTransaction | unknown,
): E.Either<ValidationError, Rescoring> =>
  // a stored transaction that throws when read (a getter, a proxy) is refused naming the field
  guardDecoder((u: unknown) => rescoreUnguarded(compiled, u))(stored)

const rescoreUnguarded = (compiled: CompiledRules, stored: unknown): E.Either<ValidationError, Rescoring> => {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored))
    return E.left(
      validationError('', `must be { transaction, features?, result }, got ${describeValue(stored)}`),
    )
  const record = stored as { transaction?: unknown; features?: unknown }
  return pipe(
    E.Do,
    E.apS(
      'previous',
      pipe(
        stored,
        decodeWith(StoredResult),
        E.map((s) => s.result),
      ),
    ),
    E.apS('current', scoreTransaction(compiled, record.transaction, record.features)),
    E.map(({ previous, current }) => diff(previous, current)),
  )
}

const diff = (previous: ScoringResult, current: ScoringResult): Rescoring => {
  const before = new Set(previous.matched_rules.map((r) => r.id))
  const after = new Set(current.matched_rules.map((r) => r.id))
  return {
    previous,
    current,
    started_matching: current.matched_rules.filter((r) => !before.has(r.id)),
    stopped_matching: previous.matched_rules.filter((r) => !after.has(r.id)),
    score_change: { from: previous.score, to: current.score, delta: current.score - previous.score },
    action_change: { from: previous.action, to: current.action, changed: previous.action !== current.action },
  }
}
