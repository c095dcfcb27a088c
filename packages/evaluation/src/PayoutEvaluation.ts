/**
 * The whole evaluation of a payout (DOMAIN.md §2 and §9): sanctions screening of the beneficiary
 * and the sending counterparty, then the merchant's velocity rules, then the engine's risk, then
 * maker-checker approval. Pure: it takes the payout and what each stage needs, and returns the
 * payout machine's events in order with their actors, ready to apply to the payout in `created`,
 * with each stage's result, the status they end in, and where and why the evaluation stopped.
 *
 * No stage can be skipped, and a stage without what it needs fails closed: the evaluation stops
 * there and the payout never reaches `approved`.
 */
import {
  type EpochMillis,
  guardDecoder,
  type PayoutId,
  type ValidationError,
  withinField,
} from '@payout-kernel/core'
import type {
  EventId,
  PayoutEvent,
  PayoutStatus,
  ResolvedPayoutConfig,
  VelocityAction,
} from '@payout-kernel/payout-machine'
import {
  defaultNameOptions,
  nameTokens,
  type Party,
  type ScreeningOutcome,
  type ScreeningResult,
  screenParty,
} from '@payout-kernel/screening'
import { type Evaluation, isTierAtLeast, type Tier, tierOf, trustOf } from '@payout-kernel/trust'
import {
  decideKeyed,
  type EvaluateError,
  evaluate,
  type Ledger,
  recordPayout,
  type VelocityWrite,
  type Verdict,
} from '@payout-kernel/velocity'
import * as E from '#fp-ts/Either'
import type { PayoutEvaluationContext } from './EvaluationContext.js'
import { eventIdOf } from './internal/Checks.js'
import { type CheckedContext, checkContext } from './internal/ContextCheck.js'
import { type PayoutToEvaluate, payoutToEvaluateProblems } from './PayoutToEvaluate.js'

// ---------------------------------------------------------------- model

/**
 * The stages of an evaluation, in the order they run; none can be skipped.
 *
 * @example
 * import { evaluationStages } from '@payout-kernel/evaluation'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(evaluationStages, ['screening', 'velocity', 'engine', 'approval'])
 */
export const evaluationStages = ['screening', 'velocity', 'engine', 'approval'] as const

/** A stage of the evaluation. */
export type EvaluationStage = (typeof evaluationStages)[number]

/**
 * A stage the evaluation stopped before.
 *
 * @example
 * import type { NotReached } from '@payout-kernel/evaluation'
 * import assert from 'node:assert/strict'
 *
 * const stage: NotReached = { _tag: 'NotReached' }
 * assert.equal(stage._tag, 'NotReached')
 */
export interface NotReached {
  /** The stage did not run: an earlier one stopped the evaluation. */
  readonly _tag: 'NotReached'
}

/**
 * One party's screening: whose (`beneficiary` or `sending_counterparty`), the party as screened,
 * and the result with its matches.
 *
 * @example
 * import type { PartyScreening } from '@payout-kernel/evaluation'
 * import assert from 'node:assert/strict'
 *
 * const s: PartyScreening = { role: 'beneficiary', party: { name: 'Maria Santos' },
 *   result: { outcome: 'clear', score: 0, matches: [], lists: [], entriesScreened: 20 } }
 * assert.equal(s.result.outcome, 'clear')
 */
export interface PartyScreening {
  /** Which party of the payout. */
  readonly role: 'beneficiary' | 'sending_counterparty'
  /** The party as screened. */
  readonly party: Party
  /** Its screening result. */
  readonly result: ScreeningResult
}

/**
 * The screening stage: every party screened, the outcome the worst of theirs (hit over possible
 * match over clear); or not screened, failing closed, because no list is loaded.
 *
 * @example
 * import type { ScreeningStage } from '@payout-kernel/evaluation'
 * import assert from 'node:assert/strict'
 *
 * const stage: ScreeningStage = { _tag: 'NotScreened', reason: 'no_list_loaded', message: 'no sanctions list is loaded' }
 * assert.equal(stage._tag, 'NotScreened')
 */
export type ScreeningStage =
  | {
      /** Every party was screened. */
      readonly _tag: 'Screened'
      /** The worst outcome of the parties. */
      readonly outcome: ScreeningOutcome
      /** Each party's screening: the beneficiary, then the sending counterparty when there is one. */
      readonly parties: ReadonlyArray<PartyScreening>
    }
  | {
      /** Screening could not run. */
      readonly _tag: 'NotScreened'
      /** Why: no list loaded (no index, or an index with no entry). */
      readonly reason: 'no_list_loaded'
      /** A sentence for humans. */
      readonly message: string
    }

/**
 * The velocity stage: the verdict, the action the machine is told (`alert` when the verdict allows
 * and an alert rule triggered), and whether the payout was recorded (always, unless blocked), with
 * the writes for a keyed store; or not evaluated, failing closed: no rule set, no ledger and no
 * records read, or the velocity package refused (`error`: an untracked rule, a payout older than
 * the ledger, one already recorded, bad exchange rates, records not read).
 *
 * @example
 * import type { VelocityStage } from '@payout-kernel/evaluation'
 * import assert from 'node:assert/strict'
 *
 * const stage: VelocityStage = { _tag: 'NotEvaluated', reason: 'no_rule_set', message: 'no velocity rule set is given' }
 * assert.equal(stage._tag, 'NotEvaluated')
 */
export type VelocityStage =
  | NotReached
  | {
      /** The rules were evaluated. */
      readonly _tag: 'Evaluated'
      /** The velocity verdict (action, rule set version, each rule's outcome). */
      readonly verdict: Verdict
      /** What the `VELOCITY_EVALUATED` event carries: the verdict's action, or `alert` for an allow with a triggered alert rule. */
      readonly action: VelocityAction
      /** Whether the payout was recorded (it was unless blocked: a blocked payout never counts). */
      readonly recorded: boolean
      /** With the records read of a keyed store: the writes that record it, to commit in one transaction; `null` with a ledger. */
      readonly writes: ReadonlyArray<VelocityWrite> | null
    }
  | {
      /** The rules could not be evaluated. */
      readonly _tag: 'NotEvaluated'
      /** Why: no rule set, no ledger nor records read, or the velocity package refused. */
      readonly reason: 'no_rule_set' | 'no_ledger' | 'refused'
      /** A sentence for humans. */
      readonly message: string
      /** The velocity package's error, when it refused. */
      readonly error?: EvaluateError
    }

/**
 * The engine stage: the risk scored (raw score, trust, tier under the policy's bands) against the
 * review tier; or unreachable (no answer given counts as unreachable).
 *
 * @example
 * import type { EngineStage } from '@payout-kernel/evaluation'
 * import type { EvaluationId } from '@payout-kernel/core'
 * import type { RawRisk, TrustScore } from '@payout-kernel/trust'
 * import assert from 'node:assert/strict'
 *
 * const stage: EngineStage = { _tag: 'Scored', reviewTier: 'HIGH', atOrAboveReviewTier: false,
 *   evaluation: { evaluationId: 'eval_1' as EvaluationId, rawScore: 423 as RawRisk, trustScore: 0.577 as TrustScore, tier: 'MEDIUM' } }
 * assert.equal(stage.evaluation.tier, 'MEDIUM')
 */
export type EngineStage =
  | NotReached
  | {
      /** The engine scored the payout. */
      readonly _tag: 'Scored'
      /** The engine's evaluation: id, raw score, trust score, tier. */
      readonly evaluation: Evaluation
      /** The review tier of the policy. */
      readonly reviewTier: Tier
      /** Whether the tier is at or above the review tier (the payout goes to manual review). */
      readonly atOrAboveReviewTier: boolean
    }
  | {
      /** The engine could not be reached, or no answer was given. */
      readonly _tag: 'Unreachable'
      /** A sentence for humans. */
      readonly message: string
    }

/**
 * The approval stage: automatic (maker-checker off), approved by a checker who is not the maker,
 * or not approved, failing closed: no checker yet, the checker is the maker, or the maker is unknown
 * (so no checker can be told apart from them).
 *
 * @example
 * import type { ApprovalStage } from '@payout-kernel/evaluation'
 * import assert from 'node:assert/strict'
 *
 * const stage: ApprovalStage = { _tag: 'NotApproved', reason: 'checker_is_maker', message: 'the maker cannot approve' }
 * assert.equal(stage._tag, 'NotApproved')
 */
export type ApprovalStage =
  | NotReached
  | {
      /** Maker-checker is off: passing the checks approves the payout. */
      readonly _tag: 'Automatic'
    }
  | {
      /** A checker approved. */
      readonly _tag: 'Approved'
      /** The maker. */
      readonly makerId: string
      /** The checker, not the maker. */
      readonly checkerId: string
      /** When the checker approved. */
      readonly approvedAt: EpochMillis
    }
  | {
      /** Maker-checker is on and the payout is not approved. */
      readonly _tag: 'NotApproved'
      /** Why: no checker's approval given, the checker is the maker, or the maker is unknown. */
      readonly reason: 'no_checker' | 'checker_is_maker' | 'maker_unknown'
      /** A sentence for humans. */
      readonly message: string
    }

/**
 * Why an evaluation stopped before `approved`.
 *
 * @example
 * import type { HaltReason } from '@payout-kernel/evaluation'
 * import assert from 'node:assert/strict'
 *
 * const reason: HaltReason = 'sanctions_hit'
 * assert.equal(reason, 'sanctions_hit')
 */
export type HaltReason =
  | 'no_list_loaded'
  | 'sanctions_hit'
  | 'possible_match'
  | 'velocity_not_evaluated'
  | 'velocity_block'
  | 'velocity_review'
  | 'engine_unreachable'
  | 'risk_at_or_above_review_tier'
  | 'awaiting_checker'
  | 'checker_is_maker'
  | 'maker_unknown'

/**
 * Where and why an evaluation stopped: the stage, the reason, a sentence for humans.
 *
 * @example
 * import type { EvaluationHalt } from '@payout-kernel/evaluation'
 * import assert from 'node:assert/strict'
 *
 * const halt: EvaluationHalt = { stage: 'screening', reason: 'no_list_loaded', message: 'no sanctions list is loaded' }
 * assert.equal(halt.stage, 'screening')
 */
export interface EvaluationHalt {
  /** The stage that stopped the evaluation. */
  readonly stage: EvaluationStage
  /** Why. */
  readonly reason: HaltReason
  /** A sentence for humans. */
  readonly message: string
}

/**
 * The evaluation of a payout: the machine events in order (apply them to the payout in `created`,
 * under the same policy), the status they end in, each stage's result, where and why it stopped
 * (`null` when it reached `approved`), and the ledger to carry on with.
 *
 * @example
 * import { evaluatePayout, type PayoutEvaluation } from '@payout-kernel/evaluation'
 * import type { EpochMillis } from '@payout-kernel/core'
 * import { payout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '250.00', currency: 'USD', createdAt: 0 })
 * assert.ok(E.isRight(p))
 * // nothing loaded at all: submitted, and stopped at the first stage
 * const result = evaluatePayout({ ...p.right, beneficiary: { name: 'Maria Santos' } }, { evaluatedAt: 0 as EpochMillis })
 * assert.ok(E.isRight(result))
 * const evaluation: PayoutEvaluation = result.right
 * assert.deepEqual([evaluation.status, evaluation.halt?.stage, evaluation.velocity._tag], ['pending_screening', 'screening', 'NotReached'])
 * assert.deepEqual(evaluation.events.map((e) => e.type), ['SUBMITTED'])
 */
export interface PayoutEvaluation {
  /** The payout evaluated. */
  readonly payoutId: PayoutId
  /** The events, in order, each with its actor, a deterministic id and `occurredAt`; the first is always `SUBMITTED`. */
  readonly events: ReadonlyArray<PayoutEvent>
  /** The status the events end in. */
  readonly status: PayoutStatus
  /** The screening stage. */
  readonly screening: ScreeningStage
  /** The velocity stage. */
  readonly velocity: VelocityStage
  /** The engine stage. */
  readonly engine: EngineStage
  /** The approval stage. */
  readonly approval: ApprovalStage
  /** Where and why the evaluation stopped; `null` when the payout is `approved`. */
  readonly halt: EvaluationHalt | null
  /**
   * With a ledger in the context: the ledger to carry on with — the payout recorded in it when
   * velocity recorded it, the ledger given otherwise. `null` without a ledger.
   */
  readonly ledger: Ledger | null
}

// ---------------------------------------------------------------- the stages

const notReached: NotReached = { _tag: 'NotReached' }

const outcomeRank: Readonly<Record<ScreeningOutcome, number>> = { clear: 0, possible_match: 1, hit: 2 }

/** Builds the events: ids from the payout id and the type, actors as the table requires. */
const eventsOf = (payoutId: PayoutId, at: EpochMillis) => {
  const base = <K extends PayoutEvent['type']>(type: K) => ({
    type,
    eventId: eventIdOf(payoutId, type) as EventId,
    occurredAt: at,
  })
  return {
    system: (
      type:
        | 'SUBMITTED'
        | 'SCREENING_CLEARED'
        | 'SCREENING_HIT'
        | 'SCREENING_POSSIBLE_MATCH'
        | 'ENGINE_UNAVAILABLE',
    ): PayoutEvent => ({ ...base(type), actor: { type: 'system' } }) as PayoutEvent,
    velocity: (verdict: VelocityAction): PayoutEvent => ({
      ...base('VELOCITY_EVALUATED'),
      actor: { type: 'system' },
      verdict,
    }),
    risk: (evaluation: Evaluation): PayoutEvent => ({
      ...base('RISK_SCORED'),
      actor: { type: 'engine' },
      rawScore: evaluation.rawScore,
      evaluationId: evaluation.evaluationId,
    }),
    approved: (checkerId: string, approvedAt: EpochMillis): PayoutEvent => ({
      ...base('APPROVED'),
      occurredAt: approvedAt,
      actor: { type: 'merchant', id: checkerId },
    }),
  }
}

type StageOutcome<S> =
  | { readonly next: true; readonly stage: S; readonly event: PayoutEvent; readonly status: PayoutStatus }
  | {
      readonly next: false
      readonly stage: S
      readonly event: PayoutEvent | null
      readonly status: PayoutStatus | null
      readonly halt: Omit<EvaluationHalt, 'stage'>
    }

const screeningStage = (
  payout: PayoutToEvaluate,
  context: CheckedContext,
  events: ReturnType<typeof eventsOf>,
): E.Either<ValidationError, StageOutcome<ScreeningStage>> => {
  const parties: Array<{ readonly role: PartyScreening['role']; readonly party: Party }> = [
    { role: 'beneficiary', party: payout.beneficiary },
    ...(payout.sendingCounterparty === undefined
      ? []
      : [{ role: 'sending_counterparty' as const, party: payout.sendingCounterparty }]),
  ]
  const screened: PartyScreening[] = []
  for (const { role, party } of parties) {
    const result =
      context.index === undefined
        ? E.left({ _tag: 'NoListLoaded' as const, message: 'no sanctions list is loaded' })
        : screenParty(context.index, party, context.screeningConfig)
    if (E.isLeft(result)) {
      const error = result.left
      if (error._tag === 'ValidationError') {
        const owner = role === 'beneficiary' ? 'payout.beneficiary' : 'payout.sendingCounterparty'
        return E.left({
          _tag: 'ValidationError',
          problems: error.problems.map((p) => ({
            ...p,
            field: p.field.startsWith('config')
              ? `context.screening.${p.field}`
              : `${owner}${p.field.replace(/^party/, '')}`,
          })),
        })
      }
      const message = `${error.message}; screening fails closed and the payout stays pending_screening`
      return E.right({
        next: false,
        stage: { _tag: 'NotScreened', reason: 'no_list_loaded', message },
        event: null,
        status: null,
        halt: { reason: 'no_list_loaded', message },
      })
    }
    screened.push({ role, party, result: result.right })
  }
  const outcome = screened.reduce<ScreeningOutcome>(
    (worst, s) => (outcomeRank[s.result.outcome] > outcomeRank[worst] ? s.result.outcome : worst),
    'clear',
  )
  const stage: ScreeningStage = { _tag: 'Screened', outcome, parties: screened }
  const who = screened
    .filter((s) => s.result.outcome === outcome)
    .map((s) => s.role.replace('_', ' '))
    .join(' and ')
  switch (outcome) {
    case 'hit':
      return E.right({
        next: false,
        stage,
        event: events.system('SCREENING_HIT'),
        status: 'screening_failed',
        halt: { reason: 'sanctions_hit', message: `the ${who} is a sanctions hit` },
      })
    case 'possible_match':
      return E.right({
        next: false,
        stage,
        event: events.system('SCREENING_POSSIBLE_MATCH'),
        status: 'manual_review',
        halt: {
          reason: 'possible_match',
          message: `the ${who} is a possible sanctions match for a human to decide`,
        },
      })
    case 'clear':
      return E.right({
        next: true,
        stage,
        event: events.system('SCREENING_CLEARED'),
        status: 'pending_approval',
      })
  }
}

const actionOf = (verdict: Verdict): VelocityAction =>
  verdict.action !== 'allow'
    ? verdict.action
    : verdict.triggered_rules.some((r) => r.triggered && r.action === 'alert')
      ? 'alert'
      : 'allow'

const describeVelocityError = (error: EvaluateError): string =>
  error._tag === 'UntrackedRules'
    ? `the ledger does not track rules ${error.ruleIds.join(', ')}`
    : error.problems.map((p) => `${p.field} ${p.message}`).join('; ')

const velocityStage = (
  payout: PayoutToEvaluate,
  context: CheckedContext,
  events: ReturnType<typeof eventsOf>,
): { readonly outcome: StageOutcome<VelocityStage>; readonly ledger: Ledger | null } => {
  const given = context.velocity?.ledger ?? null
  const failClosed = (
    reason: 'no_rule_set' | 'no_ledger' | 'refused',
    what: string,
    error?: EvaluateError,
  ) => {
    const message = `${what}; velocity fails closed and the payout stays pending_approval`
    return {
      outcome: {
        next: false as const,
        stage: { _tag: 'NotEvaluated' as const, reason, message, ...(error === undefined ? {} : { error }) },
        event: null,
        status: null,
        halt: { reason: 'velocity_not_evaluated' as const, message },
      },
      ledger: given,
    }
  }
  const v = context.velocity
  if (v === undefined || v.ruleSet === undefined)
    return failClosed('no_rule_set', 'no velocity rule set is given')
  const { ruleSet, ledger, reads, options } = v
  let verdict: Verdict
  let writes: ReadonlyArray<VelocityWrite> | null = null
  let after: Ledger | null = given
  if (ledger !== undefined) {
    const evaluated = evaluate(ruleSet, ledger, payout, options)
    if (E.isLeft(evaluated))
      return failClosed('refused', describeVelocityError(evaluated.left), evaluated.left)
    verdict = evaluated.right
    if (verdict.action !== 'block') {
      const recorded = recordPayout(ledger, payout)
      if (E.isLeft(recorded))
        return failClosed('refused', describeVelocityError(recorded.left), recorded.left)
      after = recorded.right
    }
  } else if (reads !== undefined) {
    const decided = decideKeyed(ruleSet, reads, payout, options)
    if (E.isLeft(decided)) return failClosed('refused', describeVelocityError(decided.left), decided.left)
    verdict = decided.right.verdict
    writes = decided.right.writes
  } else return failClosed('no_ledger', 'no velocity ledger and no records read are given')
  const action = actionOf(verdict)
  const stage: VelocityStage = {
    _tag: 'Evaluated',
    verdict,
    action,
    recorded: verdict.action !== 'block',
    writes,
  }
  const event = events.velocity(action)
  const triggered = verdict.triggered_rules
    .filter((r) => r.triggered && r.action === verdict.action)
    .map((r) => r.rule_id)
    .join(', ')
  switch (action) {
    case 'block':
      return {
        outcome: {
          next: false,
          stage,
          event,
          status: 'velocity_blocked',
          halt: { reason: 'velocity_block', message: `velocity rules ${triggered} block the payout` },
        },
        ledger: after,
      }
    case 'review':
      return {
        outcome: {
          next: false,
          stage,
          event,
          status: 'manual_review',
          halt: {
            reason: 'velocity_review',
            message: `velocity rules ${triggered} send the payout to review`,
          },
        },
        ledger: after,
      }
    default:
      return { outcome: { next: true, stage, event, status: 'pending_approval' }, ledger: after }
  }
}

const engineStage = (
  context: CheckedContext,
  events: ReturnType<typeof eventsOf>,
): StageOutcome<EngineStage> => {
  const answer = context.engine
  if (answer === undefined || answer.outcome === 'unreachable') {
    const why =
      answer === undefined
        ? 'no engine answer is given'
        : `the engine is unreachable${answer.reason === undefined ? '' : ` (${answer.reason})`}`
    const message = `${why}; the payout waits in pending_engine_review for its risk score`
    return {
      next: false,
      stage: { _tag: 'Unreachable', message },
      event: events.system('ENGINE_UNAVAILABLE'),
      status: 'pending_engine_review',
      halt: { reason: 'engine_unreachable', message },
    }
  }
  const config: ResolvedPayoutConfig = context.config
  const tier = tierOf(answer.rawScore, config.tierBands)
  const evaluation: Evaluation = {
    evaluationId: answer.evaluationId,
    rawScore: answer.rawScore,
    trustScore: trustOf(answer.rawScore),
    tier,
  }
  const atOrAboveReviewTier = isTierAtLeast(config.reviewTier)(tier)
  const stage: EngineStage = {
    _tag: 'Scored',
    evaluation,
    reviewTier: config.reviewTier,
    atOrAboveReviewTier,
  }
  const event = events.risk(evaluation)
  if (atOrAboveReviewTier)
    return {
      next: false,
      stage,
      event,
      status: 'manual_review',
      halt: {
        reason: 'risk_at_or_above_review_tier',
        message: `risk ${answer.rawScore} is ${tier}, at or above the review tier ${config.reviewTier}`,
      },
    }
  return { next: true, stage, event, status: config.makerChecker ? 'pending_approval' : 'approved' }
}

const approvalStage = (
  payout: PayoutToEvaluate,
  context: CheckedContext,
  events: ReturnType<typeof eventsOf>,
): StageOutcome<ApprovalStage> => {
  const notApproved = (reason: 'no_checker' | 'checker_is_maker' | 'maker_unknown', what: string) => {
    const message = `${what}; the payout stays pending_approval`
    const halt: Omit<EvaluationHalt, 'stage'> = {
      reason: reason === 'no_checker' ? 'awaiting_checker' : reason,
      message,
    }
    return {
      next: false as const,
      stage: { _tag: 'NotApproved' as const, reason, message },
      event: null,
      status: null,
      halt,
    }
  }
  const maker = payout.makerId
  if (maker === undefined)
    return notApproved(
      'maker_unknown',
      'maker-checker is on and the maker is unknown, so no checker can be told apart',
    )
  const approval = context.approval
  if (approval === undefined)
    return notApproved('no_checker', 'maker-checker is on and no checker has approved')
  if (approval.checkerId === maker)
    return notApproved('checker_is_maker', 'the checker is the maker, who cannot approve')
  return {
    next: true,
    stage: {
      _tag: 'Approved',
      makerId: maker,
      checkerId: approval.checkerId,
      approvedAt: approval.approvedAt,
    },
    event: events.approved(approval.checkerId, approval.approvedAt),
    status: 'approved',
  }
}

// ---------------------------------------------------------------- evaluating

/**
 * Evaluates a payout: screening (beneficiary and sending counterparty), then velocity, then the
 * engine's risk, then maker-checker approval, each only after the one before passed. Returns the
 * events for the payout machine in order — `SUBMITTED`, then one per stage reached, ids derived
 * from the payout id and the event type, `occurredAt` the context's `evaluatedAt` (the checker's
 * `approvedAt` for `APPROVED`) — with each stage's result and the status they end in:
 *
 * - no list loaded: `pending_screening` (no screening event); a hit: `screening_failed`; a possible
 *   match: `manual_review`;
 * - no rule set, no ledger nor records read, or velocity refused: `pending_approval` (no velocity
 *   event); block: `velocity_blocked`; review: `manual_review`; alert passes, recorded in the event;
 * - no engine answer, or unreachable: `pending_engine_review`; a tier at or above the review tier:
 *   `manual_review`; otherwise `approved` when maker-checker is off;
 * - maker-checker on: `approved` by a checker who is not the maker; no checker, the checker is the
 *   maker, or the maker unknown: `pending_approval` (no approval event).
 *
 * A `ValidationError` only for a malformed payout or context, every field named (`payout.…`,
 * `context.…`). Same input, same output.
 *
 * @example
 * import { evaluatePayout, type PayoutToEvaluate } from '@payout-kernel/evaluation'
 * import type { EpochMillis, EvaluationId } from '@payout-kernel/core'
 * import { buildSanctionsIndex, loadOfacSdnSync } from '@payout-kernel/screening'
 * import type { RawRisk } from '@payout-kernel/trust'
 * import { emptyLedger, parseRuleSet, payout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const sdn = '7001,"VANTERPOOL, Orrin Kael","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
 * const index = buildSanctionsIndex([loadOfacSdnSync({ sdn: [sdn] }).list])
 * const rules = parseRuleSet({ version: 1, rules: [{ id: 'txn', name: 'Per payout', kind: 'max_amount_per_txn',
 *   action: 'block', enabled: true, threshold: '5000.00', currency: 'USD' }] })
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '250.00', currency: 'USD', createdAt: 1_000 })
 * assert.ok(E.isRight(rules) && E.isRight(p))
 * const context = {
 *   evaluatedAt: 2_000 as EpochMillis,
 *   screening: { index },
 *   velocity: { ruleSet: rules.right, ledger: emptyLedger(rules.right) },
 *   engine: { outcome: 'scored' as const, rawScore: 120 as RawRisk, evaluationId: 'eval_1' as EvaluationId },
 * }
 *
 * const clear: PayoutToEvaluate = { ...p.right, beneficiary: { name: 'Maria Santos' } }
 * const ok = evaluatePayout(clear, context)
 * assert.ok(E.isRight(ok))
 * assert.equal(ok.right.status, 'approved')
 * assert.deepEqual(ok.right.events.map((e) => e.type), ['SUBMITTED', 'SCREENING_CLEARED', 'VELOCITY_EVALUATED', 'RISK_SCORED'])
 *
 * const listed = evaluatePayout({ ...clear, beneficiary: { name: 'Orrin Kael Vanterpool' } }, context)
 * assert.ok(E.isRight(listed))
 * assert.equal(listed.right.status, 'screening_failed')
 * assert.equal(listed.right.halt?.reason, 'sanctions_hit')
 *
 * const noList = evaluatePayout(clear, { ...context, screening: {} })
 * assert.ok(E.isRight(noList) && noList.right.status === 'pending_screening' && noList.right.halt?.stage === 'screening')
 *
 * const bad = evaluatePayout(clear, { ...context, evaluatedAt: 500 as EpochMillis })
 * assert.ok(E.isLeft(bad) && bad.left.problems[0]?.field === 'context.evaluatedAt')
 */
export const evaluatePayout = (
  payout: PayoutToEvaluate,
  context: PayoutEvaluationContext,
): E.Either<ValidationError, PayoutEvaluation> => evaluateGuarded({ payout, context })

/**
 * `evaluatePayout` over its two arguments as one input, so a payout or context that throws when
 * read (a getter, a proxy) is a ValidationError naming `payout.…` or `context.…`, never a throw.
 */
const evaluateGuarded = /* @__PURE__ */ guardDecoder(
  (input: { readonly payout: PayoutToEvaluate; readonly context: PayoutEvaluationContext }) =>
    evaluateUnguarded(input.payout, input.context),
)

const evaluateUnguarded = (
  payout: PayoutToEvaluate,
  context: PayoutEvaluationContext,
): E.Either<ValidationError, PayoutEvaluation> => {
  const payoutProblems = payoutToEvaluateProblems(payout)
  if (payoutProblems.length > 0)
    return E.left(withinField('payout')({ _tag: 'ValidationError', problems: payoutProblems }))
  const checked = checkContext(context, payout.createdAt)
  if (E.isLeft(checked)) return checked
  const ctx = checked.right
  const unscreenable = [
    { field: 'payout.beneficiary.name', party: payout.beneficiary },
    ...(payout.sendingCounterparty === undefined
      ? []
      : [{ field: 'payout.sendingCounterparty.name', party: payout.sendingCounterparty }]),
  ].filter(({ party }) => nameTokens(party.name, ctx.index?.nameOptions ?? defaultNameOptions).length === 0)
  if (unscreenable.length > 0)
    return E.left({
      _tag: 'ValidationError',
      problems: unscreenable.map(({ field }) => ({
        field,
        message: 'has nothing left to screen once normalised',
      })),
    })

  const events = eventsOf(payout.id, ctx.evaluatedAt)
  const emitted: PayoutEvent[] = [events.system('SUBMITTED')]
  let status: PayoutStatus = 'pending_screening'
  const result = (
    stages: Pick<PayoutEvaluation, 'screening' | 'velocity' | 'engine' | 'approval'>,
    halt: EvaluationHalt | null,
    ledger: Ledger | null,
  ): E.Either<ValidationError, PayoutEvaluation> =>
    E.right({ payoutId: payout.id, events: emitted, status, ...stages, halt, ledger })
  const take = <S>(outcome: StageOutcome<S>, stage: EvaluationStage): EvaluationHalt | null => {
    if (outcome.event !== null) emitted.push(outcome.event)
    if (outcome.status !== null) status = outcome.status
    return outcome.next ? null : { stage, ...outcome.halt }
  }

  const given = ctx.velocity?.ledger ?? null
  const screening = screeningStage(payout, ctx, events)
  if (E.isLeft(screening)) return screening
  const screeningHalt = take(screening.right, 'screening')
  if (screeningHalt !== null)
    return result(
      { screening: screening.right.stage, velocity: notReached, engine: notReached, approval: notReached },
      screeningHalt,
      given,
    )

  const velocity = velocityStage(payout, ctx, events)
  const velocityHalt = take(velocity.outcome, 'velocity')
  if (velocityHalt !== null)
    return result(
      {
        screening: screening.right.stage,
        velocity: velocity.outcome.stage,
        engine: notReached,
        approval: notReached,
      },
      velocityHalt,
      velocity.ledger,
    )

  const engine = engineStage(ctx, events)
  const engineHalt = take(engine, 'engine')
  if (engineHalt !== null || !ctx.config.makerChecker)
    return result(
      {
        screening: screening.right.stage,
        velocity: velocity.outcome.stage,
        engine: engine.stage,
        approval: engineHalt === null ? { _tag: 'Automatic' } : notReached,
      },
      engineHalt,
      velocity.ledger,
    )

  const approval = approvalStage(payout, ctx, events)
  const approvalHalt = take(approval, 'approval')
  return result(
    {
      screening: screening.right.stage,
      velocity: velocity.outcome.stage,
      engine: engine.stage,
      approval: approval.stage,
    },
    approvalHalt,
    velocity.ledger,
  )
}
