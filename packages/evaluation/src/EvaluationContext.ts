/**
 * What an evaluation is given besides the payout: when it runs, the merchant's payout policy, and
 * what each stage needs — the loaded sanctions lists, the velocity rules with the ledger (or the
 * records a keyed store read), the engine's answer, and the checker's approval. Every stage's part
 * is optional in the type because a stage can lack it; a stage without what it needs fails closed.
 */
import type { EpochMillis, EvaluationId } from '@payout-kernel/core'
import type { PayoutConfig } from '@payout-kernel/payout-machine'
import type { SanctionsIndex, ScreeningConfig } from '@payout-kernel/screening'
import type { RawRisk } from '@payout-kernel/trust'
import type { EvaluateOptions, Ledger, RuleSet, VelocityReads } from '@payout-kernel/velocity'

// ---------------------------------------------------------------- model

/**
 * What screening needs: the index over the loaded lists (none, or an empty one: no list loaded,
 * screening fails closed) and the thresholds (`defaultScreeningConfig` when omitted).
 *
 * @example
 * import type { ScreeningContext } from '@payout-kernel/evaluation'
 * import { buildSanctionsIndex, defaultScreeningConfig } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const screening: ScreeningContext = { index: buildSanctionsIndex([]), config: defaultScreeningConfig }
 * assert.equal(screening.index?.entries, 0)
 */
export interface ScreeningContext {
  /** The index over the loaded lists (`buildSanctionsIndex`). */
  readonly index?: SanctionsIndex
  /** The screening thresholds; `defaultScreeningConfig` when omitted. */
  readonly config?: ScreeningConfig
}

/**
 * What velocity needs: the merchant's rule set and either the ledger (`recordPayout` is applied and
 * the new ledger handed back) or the records a keyed store read for the payout (`velocityKeysOf`;
 * the writes to commit are handed back) — not both. Without a rule set, or with neither, velocity
 * fails closed.
 *
 * @example
 * import type { VelocityContext } from '@payout-kernel/evaluation'
 * import { emptyLedger, parseRuleSet } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [] })
 * assert.ok(E.isRight(rs))
 * const velocity: VelocityContext = { ruleSet: rs.right, ledger: emptyLedger(rs.right) }
 * assert.equal(velocity.ruleSet?.version, 1)
 */
export interface VelocityContext {
  /** The merchant's rules (`parseRuleSet`). */
  readonly ruleSet?: RuleSet
  /** The ledger of the merchant's usage so far (`emptyLedger`, `recordPayout`). */
  readonly ledger?: Ledger
  /** Or: the records a keyed store read under the payout's keys (`velocityKeysOf`), `null` for absent ones. */
  readonly reads?: VelocityReads
  /** Exchange rates and rounding for amount rules in other currencies. */
  readonly options?: EvaluateOptions
}

/**
 * The engine's answer on the payout: its raw risk (0..1000, higher is riskier) with the evaluation
 * id, or that it could not be reached.
 *
 * @example
 * import type { EngineAnswer } from '@payout-kernel/evaluation'
 * import type { EvaluationId } from '@payout-kernel/core'
 * import type { RawRisk } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * const scored: EngineAnswer = { outcome: 'scored', rawScore: 423 as RawRisk, evaluationId: 'eval_1' as EvaluationId }
 * const down: EngineAnswer = { outcome: 'unreachable', reason: 'timeout after 2 s' }
 * assert.notEqual(scored.outcome, down.outcome)
 */
export type EngineAnswer =
  | {
      /** The engine scored the payout. */
      readonly outcome: 'scored'
      /** The raw risk, 0..1000. */
      readonly rawScore: RawRisk
      /** The engine's evaluation id (`eval_…`). */
      readonly evaluationId: EvaluationId
    }
  | {
      /** The engine could not be reached (timeout, error). */
      readonly outcome: 'unreachable'
      /** What went wrong, for the halt's message (at most 255 characters). */
      readonly reason?: string
    }

/**
 * A checker's approval, for a merchant with maker-checker on: who approved (must not be the maker)
 * and when (not before the evaluation).
 *
 * @example
 * import type { CheckerApproval } from '@payout-kernel/evaluation'
 * import type { EpochMillis } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const approval: CheckerApproval = { checkerId: 'bob', approvedAt: 1_700_000_060_000 as EpochMillis }
 * assert.equal(approval.checkerId, 'bob')
 */
export interface CheckerApproval {
  /** The approving merchant user (1 to 255 printable ASCII characters, no spaces). */
  readonly checkerId: string
  /** When they approved (epoch ms), the `occurredAt` of the `APPROVED` event. */
  readonly approvedAt: EpochMillis
}

/**
 * Everything an evaluation is given besides the payout. `evaluatedAt` is the `occurredAt` of every
 * event but the checker's `APPROVED`; `config` is the merchant's payout policy (review tier,
 * maker-checker, tier bands; `defaultPayoutConfig` when omitted), the same one the events are then
 * applied under.
 *
 * @example
 * import type { PayoutEvaluationContext } from '@payout-kernel/evaluation'
 * import type { EpochMillis } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * // nothing loaded: a valid context, and every stage will fail closed
 * const bare: PayoutEvaluationContext = { evaluatedAt: 1_700_000_000_000 as EpochMillis }
 * assert.equal(bare.screening, undefined)
 */
export interface PayoutEvaluationContext {
  /** When the evaluation runs (epoch ms): the time of its events, not before the payout's `createdAt`. */
  readonly evaluatedAt: EpochMillis
  /** The merchant's payout policy; `defaultPayoutConfig` when omitted. */
  readonly config?: PayoutConfig
  /** The sanctions lists and thresholds. */
  readonly screening?: ScreeningContext
  /** The velocity rules and the ledger or the records read. */
  readonly velocity?: VelocityContext
  /** The engine's answer; none counts as unreachable. */
  readonly engine?: EngineAnswer
  /** The checker's approval (maker-checker on). */
  readonly approval?: CheckerApproval
}
