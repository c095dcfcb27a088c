// The runtime check of an evaluation context: every plain field (times, ids, scores, the policy,
// the screening thresholds) is checked and named; values built by other packages' constructors
// (the sanctions index, the ledger, the rule set, the records read) are recognised by their tag or
// shape and otherwise trusted as built. Reads anything without throwing.
import {
  describeValue,
  EpochMillis,
  EvaluationId,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import { payoutConfig, type ResolvedPayoutConfig } from '@payout-kernel/payout-machine'
import {
  defaultScreeningConfig,
  type SanctionsIndex,
  type ScreeningConfig,
  screeningConfigProblems,
} from '@payout-kernel/screening'
import { RawRisk } from '@payout-kernel/trust'
import type { EvaluateOptions, Ledger, RuleSet, VelocityReads } from '@payout-kernel/velocity'
import * as E from '#fp-ts/Either'
import type { CheckerApproval, EngineAnswer } from '../EvaluationContext.js'
import { isActorId, isObject, type Obj } from './Checks.js'

/** A context after its check: the policy and the screening thresholds filled in with their defaults. */
export interface CheckedContext {
  readonly evaluatedAt: EpochMillis
  readonly config: ResolvedPayoutConfig
  readonly index: SanctionsIndex | undefined
  readonly screeningConfig: ScreeningConfig
  readonly velocity:
    | {
        readonly ruleSet: RuleSet | undefined
        readonly ledger: Ledger | undefined
        readonly reads: VelocityReads | undefined
        readonly options: EvaluateOptions | undefined
      }
    | undefined
  readonly engine: EngineAnswer | undefined
  readonly approval: CheckerApproval | undefined
}

const at = (field: string): string => `context.${field}`

const isRuleSet = (u: unknown): u is RuleSet =>
  isObject(u) &&
  Number.isSafeInteger(u.version) &&
  Array.isArray(u.rules) &&
  u.rules.every((r) => isObject(r) && typeof r.id === 'string')

/** Checks a context, naming each bad field under `context.`; `createdAt` is the payout's, which `evaluatedAt` may not precede. */
export const checkContext = (u: unknown, createdAt: number): E.Either<ValidationError, CheckedContext> => {
  if (!isObject(u))
    return E.left({
      _tag: 'ValidationError',
      problems: [{ field: 'context', message: `must be an evaluation context, got ${describeValue(u)}` }],
    })
  const problems: ValidationProblem[] = []
  const problem = (field: string, message: string) => problems.push({ field: at(field), message })

  const evaluatedAt = u.evaluatedAt
  if (!EpochMillis.is(evaluatedAt))
    problem('evaluatedAt', `must be whole epoch milliseconds, got ${describeValue(evaluatedAt)}`)
  else if (evaluatedAt < createdAt) problem('evaluatedAt', "must not be before the payout's createdAt")

  const config = payoutConfig(u.config)
  if (E.isLeft(config))
    for (const p of config.left.problems)
      problems.push({ ...p, field: at(p.field === '' ? 'config' : `config.${p.field}`) })

  let index: SanctionsIndex | undefined
  let screeningConfig = defaultScreeningConfig
  const screening = u.screening
  if (screening !== undefined) {
    if (!isObject(screening))
      problem('screening', `must be { index?, config? }, got ${describeValue(screening)}`)
    else {
      const i = screening.index
      if (i !== undefined) {
        if (isObject(i) && i._tag === 'SanctionsIndex' && Array.isArray(i.lists))
          index = i as unknown as SanctionsIndex
        else
          problem(
            'screening.index',
            `must be a sanctions index (buildSanctionsIndex), got ${describeValue(i)}`,
          )
      }
      const c = screening.config
      if (c !== undefined) {
        if (!isObject(c))
          problem('screening.config', `must be a screening configuration, got ${describeValue(c)}`)
        else {
          const cp = screeningConfigProblems(c as unknown as ScreeningConfig)
          for (const p of cp) problem(`screening.config.${p.field}`, p.message)
          if (cp.length === 0) screeningConfig = c as unknown as ScreeningConfig
        }
      }
    }
  }

  let velocity: CheckedContext['velocity']
  const v = u.velocity
  if (v !== undefined) {
    if (!isObject(v))
      problem('velocity', `must be { ruleSet?, ledger? | reads?, options? }, got ${describeValue(v)}`)
    else {
      const { ruleSet, ledger, reads, options } = v as Obj
      const before = problems.length
      if (ruleSet !== undefined && !isRuleSet(ruleSet))
        problem('velocity.ruleSet', `must be a rule set (parseRuleSet), got ${describeValue(ruleSet)}`)
      if (ledger !== undefined && !(isObject(ledger) && ledger._tag === 'Ledger'))
        problem('velocity.ledger', `must be a velocity ledger (emptyLedger), got ${describeValue(ledger)}`)
      if (reads !== undefined && !(reads instanceof Map))
        problem('velocity.reads', `must be the Map of records read, got ${describeValue(reads)}`)
      if (ledger !== undefined && reads !== undefined)
        problem('velocity', 'must give a ledger or the records read, not both')
      if (options !== undefined && !isObject(options))
        problem('velocity.options', `must be { rates?, rounding? }, got ${describeValue(options)}`)
      if (problems.length === before)
        velocity = {
          ruleSet: ruleSet as RuleSet | undefined,
          ledger: ledger as Ledger | undefined,
          reads: reads as VelocityReads | undefined,
          options: options as EvaluateOptions | undefined,
        }
    }
  }

  let engine: EngineAnswer | undefined
  const g = u.engine
  if (g !== undefined) {
    if (!isObject(g)) problem('engine', `must be an engine answer, got ${describeValue(g)}`)
    else if (g.outcome === 'scored') {
      const before = problems.length
      if (!RawRisk.is(g.rawScore))
        problem('engine.rawScore', `must be a whole number from 0 to 1000, got ${describeValue(g.rawScore)}`)
      if (!EvaluationId.is(g.evaluationId))
        problem('engine.evaluationId', `must be an eval_ id, got ${describeValue(g.evaluationId)}`)
      if (problems.length === before && RawRisk.is(g.rawScore) && EvaluationId.is(g.evaluationId))
        engine = { outcome: 'scored', rawScore: g.rawScore, evaluationId: g.evaluationId }
    } else if (g.outcome === 'unreachable') {
      const reason = g.reason
      if (reason !== undefined && !(typeof reason === 'string' && reason.length >= 1 && reason.length <= 255))
        problem('engine.reason', `must be 1 to 255 characters when present, got ${describeValue(reason)}`)
      else
        engine = typeof reason === 'string' ? { outcome: 'unreachable', reason } : { outcome: 'unreachable' }
    } else problem('engine.outcome', `must be scored or unreachable, got ${describeValue(g.outcome)}`)
  }

  let approval: CheckerApproval | undefined
  const a = u.approval
  if (a !== undefined) {
    if (!isObject(a)) problem('approval', `must be { checkerId, approvedAt }, got ${describeValue(a)}`)
    else {
      const before = problems.length
      if (!isActorId(a.checkerId))
        problem(
          'approval.checkerId',
          `must be 1 to 255 printable ASCII characters without spaces, got ${describeValue(a.checkerId)}`,
        )
      if (!EpochMillis.is(a.approvedAt))
        problem('approval.approvedAt', `must be whole epoch milliseconds, got ${describeValue(a.approvedAt)}`)
      else if (EpochMillis.is(evaluatedAt) && a.approvedAt < evaluatedAt)
        problem('approval.approvedAt', 'must not be before evaluatedAt')
      if (problems.length === before && isActorId(a.checkerId) && EpochMillis.is(a.approvedAt))
        approval = { checkerId: a.checkerId, approvedAt: a.approvedAt }
    }
  }

  if (problems.length > 0 || !EpochMillis.is(evaluatedAt) || E.isLeft(config))
    return E.left({ _tag: 'ValidationError', problems })
  return E.right({
    evaluatedAt,
    config: config.right,
    index,
    screeningConfig,
    velocity,
    engine,
    approval,
  })
}
