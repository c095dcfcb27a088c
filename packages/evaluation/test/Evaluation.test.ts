import fs from 'node:fs'
import path from 'node:path'
import type { Country, EpochMillis, EvaluationId, ValidationError } from '@payout-kernel/core'
import { eventActors, type PayoutConfig } from '@payout-kernel/payout-machine'
import { buildSanctionsIndex, loadOfacSdnSync, loadOpenSanctionsSync } from '@payout-kernel/screening'
import type { RawRisk } from '@payout-kernel/trust'
import {
  emptyLedger,
  evaluate,
  type Ledger,
  ledgerSize,
  parseRuleSet,
  type RuleSet,
  velocityKeysOf,
  payout as velocityPayout,
} from '@payout-kernel/velocity'
import { describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  type EngineAnswer,
  evaluatePayout,
  type PayoutEvaluation,
  type PayoutEvaluationContext,
  type PayoutToEvaluate,
} from '../src/index.js'
import { drive, driveThroughRail } from './Drive.js'

// ---------------------------------------------------------------- fixtures

const fixture = (name: string): string =>
  fs.readFileSync(path.resolve(import.meta.dirname, '../../screening/fixtures', name), 'utf8')

const index = buildSanctionsIndex([
  loadOfacSdnSync({
    sdn: [fixture('ofac/sdn.csv')],
    alt: [fixture('ofac/alt.csv')],
    add: [fixture('ofac/add.csv')],
    comments: [fixture('ofac/sdn_comments.csv')],
  }).list,
  loadOpenSanctionsSync([fixture('opensanctions/entities.ftm.ndjson')]).list,
])

const ok = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

const ruleSet = (rules: ReadonlyArray<Record<string, unknown>>): RuleSet =>
  ok(parseRuleSet({ version: 3, rules }))

/** A daily count cap of `threshold` payouts per merchant, with the given action. */
const dailyCount = (
  threshold: number,
  action: 'block' | 'review' | 'alert',
  id = 'daily',
): Record<string, unknown> => ({
  id,
  name: 'Daily count',
  kind: 'max_daily_count',
  action,
  enabled: true,
  threshold,
  window: { type: 'calendar', unit: 'day', time_zone: 'UTC' },
})

const noon = Date.UTC(2026, 0, 15, 12)

const payoutOf = (id: string, extra: Partial<PayoutToEvaluate> = {}, at = noon): PayoutToEvaluate => ({
  ...ok(
    velocityPayout({
      id,
      merchantId: 'mer_1',
      beneficiaryId: 'ben_1',
      instrumentId: 'ins_1',
      instrumentType: 'bank_account',
      destinationCountry: 'PH',
      amount: '250.00',
      currency: 'USD',
      createdAt: at,
    }),
  ),
  beneficiary: { name: 'Maria Gonzalez' },
  makerId: 'alice',
  ...extra,
})

const scored = (rawScore: number): EngineAnswer => ({
  outcome: 'scored',
  rawScore: rawScore as RawRisk,
  evaluationId: 'eval_42' as EvaluationId,
})

const rules = ruleSet([dailyCount(5, 'block')])
const evaluatedAt = (noon + 1_000) as EpochMillis

const context = (extra: Partial<PayoutEvaluationContext> = {}): PayoutEvaluationContext => ({
  evaluatedAt,
  screening: { index },
  velocity: { ruleSet: rules, ledger: emptyLedger(rules) },
  engine: scored(120),
  ...extra,
})

const evaluation = (p: PayoutToEvaluate, c: PayoutEvaluationContext): PayoutEvaluation =>
  ok(evaluatePayout(p, c))

const types = (e: PayoutEvaluation) => e.events.map((x) => x.type)

/** Applies the events to the machine: every one accepted, the machine ends where the evaluation says. */
const machineAgrees = (p: PayoutToEvaluate, e: PayoutEvaluation, config?: PayoutConfig) => {
  const driven = drive(p, e.events, config)
  expect(driven.refused).toEqual([])
  expect(driven.final.status).toBe(e.status)
}

const problemFields = (r: E.Either<ValidationError, unknown>): string[] =>
  E.isLeft(r) ? r.left.problems.map((p) => p.field) : []

// ---------------------------------------------------------------- every stage passes

describe('a payout that passes every stage', () => {
  const p = payoutOf('pay_clear')
  const e = evaluation(p, context())

  test('is approved with one event per stage, in order, each with the actor the table names', () => {
    expect(e.status).toBe('approved')
    expect(e.halt).toBeNull()
    expect(types(e)).toEqual(['SUBMITTED', 'SCREENING_CLEARED', 'VELOCITY_EVALUATED', 'RISK_SCORED'])
    for (const event of e.events) expect(eventActors[event.type]).toContain(event.actor.type)
    expect(e.events.map((x) => x.occurredAt)).toEqual(e.events.map(() => evaluatedAt))
    expect(e.approval).toEqual({ _tag: 'Automatic' })
    machineAgrees(p, e)
  })

  test('reports each stage: the parties screened, the verdict, the engine risk as trust and tier', () => {
    expect(
      e.screening._tag === 'Screened' && e.screening.parties.map((s) => [s.role, s.result.outcome]),
    ).toEqual([['beneficiary', 'clear']])
    expect(e.velocity).toMatchObject({ _tag: 'Evaluated', action: 'allow', recorded: true, writes: null })
    expect(e.velocity._tag === 'Evaluated' && e.velocity.verdict.rule_set_version).toBe(3)
    const worked = evaluation(p, context({ engine: scored(423) }))
    expect(worked.engine).toEqual({
      _tag: 'Scored',
      evaluation: { evaluationId: 'eval_42', rawScore: 423, trustScore: 0.577, tier: 'MEDIUM' },
      reviewTier: 'HIGH',
      atOrAboveReviewTier: false,
    })
  })

  test('event ids are derived from the payout id and the type: the same input gives the same events', () => {
    expect(evaluation(p, context()).events).toEqual(e.events)
    const other = evaluation(payoutOf('pay_other'), context())
    expect(new Set([...e.events, ...other.events].map((x) => x.eventId)).size).toBe(8)
    expect(e.events[0]?.eventId).toMatch(/^submitted_[0-9a-f]{32}$/)
  })

  test('the ledger after the evaluation holds the payout: the next one sees its usage', () => {
    const one = ruleSet([dailyCount(1, 'block')])
    const first = evaluation(p, context({ velocity: { ruleSet: one, ledger: emptyLedger(one) } }))
    expect(first.status).toBe('approved')
    const ledger = first.ledger as Ledger
    expect(ledgerSize(ledger).payouts).toBe(1)
    const second = evaluation(
      payoutOf('pay_second', {}, noon + 10),
      context({ velocity: { ruleSet: one, ledger } }),
    )
    expect(second.status).toBe('velocity_blocked')
  })

  test('the sending counterparty is screened too', () => {
    const both = evaluation(
      payoutOf('pay_both', { sendingCounterparty: { name: 'Northwind Traders' } }),
      context(),
    )
    expect(both.screening._tag === 'Screened' && both.screening.parties.map((s) => s.role)).toEqual([
      'beneficiary',
      'sending_counterparty',
    ])
    expect(both.status).toBe('approved')
  })
})

// ---------------------------------------------------------------- screening

describe('screening', () => {
  const iranian = {
    name: 'Orrin Kael Vanterpool',
    dateOfBirth: { year: 1961, month: 2, day: 10 },
    country: 'IR' as Country,
  }

  test('a hit on the beneficiary ends the payout in screening_failed; nothing after screening runs', () => {
    const p = payoutOf('pay_hit', { beneficiary: iranian })
    const ledger = emptyLedger(rules)
    const e = evaluation(p, context({ velocity: { ruleSet: rules, ledger } }))
    expect(e.status).toBe('screening_failed')
    expect(types(e)).toEqual(['SUBMITTED', 'SCREENING_HIT'])
    expect(e.halt).toMatchObject({ stage: 'screening', reason: 'sanctions_hit' })
    expect(e.screening._tag === 'Screened' && e.screening.parties[0]?.result.matches[0]?.agreed).toContain(
      'date_of_birth',
    )
    expect([e.velocity, e.engine, e.approval]).toEqual([
      { _tag: 'NotReached' },
      { _tag: 'NotReached' },
      { _tag: 'NotReached' },
    ])
    expect(e.ledger).toBe(ledger) // unchanged: a payout that never reached velocity is not counted
    machineAgrees(p, e)
    const railed = driveThroughRail(p, e, undefined)
    expect(railed.final.status).toBe('screening_failed')
    expect(railed.refused.map((r) => r.event.type)).toEqual([
      'RAIL_SUBMITTED',
      'RAIL_DISPATCHED',
      'RAIL_SETTLED',
    ])
  })

  test('a hit on the sending counterparty alone fails the payout too, and says whose', () => {
    const p = payoutOf('pay_sender', {
      sendingCounterparty: { name: 'Orchid Line Shipping Company Limited' },
    })
    const e = evaluation(p, context())
    expect(e.status).toBe('screening_failed')
    expect(e.halt?.message).toBe('the sending counterparty is a sanctions hit')
    expect(e.screening._tag === 'Screened' && e.screening.parties.map((s) => s.result.outcome)).toEqual([
      'clear',
      'hit',
    ])
    machineAgrees(p, e)
  })

  test('a possible match goes to manual_review for a human', () => {
    const p = payoutOf('pay_maybe', {
      beneficiary: { name: 'Rashid Al-Qasimi', dateOfBirth: { year: 1990 } },
    })
    const e = evaluation(p, context())
    expect(e.status).toBe('manual_review')
    expect(types(e)).toEqual(['SUBMITTED', 'SCREENING_POSSIBLE_MATCH'])
    expect(e.halt).toMatchObject({ stage: 'screening', reason: 'possible_match' })
    machineAgrees(p, e)
  })

  test('with no list loaded the payout is submitted and stays pending_screening', () => {
    const p = payoutOf('pay_nolist')
    for (const screening of [undefined, {}, { index: buildSanctionsIndex([]) }]) {
      const e = evaluation(p, { ...context(), screening })
      expect(e.status).toBe('pending_screening')
      expect(types(e)).toEqual(['SUBMITTED'])
      expect(e.screening).toMatchObject({ _tag: 'NotScreened', reason: 'no_list_loaded' })
      expect(e.halt).toMatchObject({ stage: 'screening', reason: 'no_list_loaded' })
      machineAgrees(p, e)
    }
  })

  test('the thresholds are the context’s', () => {
    const p = payoutOf('pay_strict', { beneficiary: { name: 'Orrin Vanterpool' } })
    expect(evaluation(p, context()).status).toBe('screening_failed')
    const lenient = {
      hitThreshold: 0.99,
      possibleThreshold: 0.6,
      dateOfBirthMismatchFactor: 0.9,
      countryMismatchFactor: 0.95,
      unmatchedTokenPenalty: 0.3,
      maxMatches: 10,
    }
    expect(evaluation(p, context({ screening: { index, config: lenient } })).status).toBe('manual_review')
  })
})

// ---------------------------------------------------------------- velocity

describe('velocity', () => {
  const p = payoutOf('pay_v')

  test('without a rule set, or without a ledger, the payout stays pending_approval', () => {
    for (const [velocity, reason] of [
      [undefined, 'no_rule_set'],
      [{ ledger: emptyLedger(rules) }, 'no_rule_set'],
      [{ ruleSet: rules }, 'no_ledger'],
    ] as const) {
      const e = evaluation(p, { ...context(), velocity })
      expect(e.status).toBe('pending_approval')
      expect(types(e)).toEqual(['SUBMITTED', 'SCREENING_CLEARED'])
      expect(e.velocity).toMatchObject({ _tag: 'NotEvaluated', reason })
      expect(e.halt).toMatchObject({ stage: 'velocity', reason: 'velocity_not_evaluated' })
      expect(e.engine).toEqual({ _tag: 'NotReached' })
      machineAgrees(p, e)
    }
  })

  test('a velocity refusal fails closed: untracked rules, a payout already recorded', () => {
    const untracked = evaluation(p, context({ velocity: { ruleSet: rules, ledger: emptyLedger() } }))
    expect(untracked.velocity).toMatchObject({
      _tag: 'NotEvaluated',
      reason: 'refused',
      error: { _tag: 'UntrackedRules', ruleIds: ['daily'] },
    })
    expect(untracked.status).toBe('pending_approval')
    const once = evaluation(p, context())
    const again = evaluation(p, context({ velocity: { ruleSet: rules, ledger: once.ledger as Ledger } }))
    expect(again.velocity).toMatchObject({ _tag: 'NotEvaluated', reason: 'refused' })
    expect(again.status).toBe('pending_approval')
  })

  test('a block ends in velocity_blocked and is not recorded', () => {
    const zero = ruleSet([dailyCount(0, 'block')])
    const ledger = emptyLedger(zero)
    const e = evaluation(p, context({ velocity: { ruleSet: zero, ledger } }))
    expect(e.status).toBe('velocity_blocked')
    expect(e.events.at(-1)).toMatchObject({
      type: 'VELOCITY_EVALUATED',
      verdict: 'block',
      actor: { type: 'system' },
    })
    expect(e.halt).toMatchObject({
      stage: 'velocity',
      reason: 'velocity_block',
      message: 'velocity rules daily block the payout',
    })
    expect(e.velocity).toMatchObject({ recorded: false })
    expect(e.ledger).toBe(ledger)
    machineAgrees(p, e)
  })

  test('a review goes to manual_review and is recorded (the payout holds money)', () => {
    const zero = ruleSet([dailyCount(0, 'review')])
    const e = evaluation(p, context({ velocity: { ruleSet: zero, ledger: emptyLedger(zero) } }))
    expect(e.status).toBe('manual_review')
    expect(e.halt).toMatchObject({ stage: 'velocity', reason: 'velocity_review' })
    expect(e.velocity).toMatchObject({ action: 'review', recorded: true })
    expect(ledgerSize(e.ledger as Ledger).payouts).toBe(1)
    machineAgrees(p, e)
  })

  test('an alert passes and is recorded in the event', () => {
    const zero = ruleSet([dailyCount(0, 'alert')])
    const e = evaluation(p, context({ velocity: { ruleSet: zero, ledger: emptyLedger(zero) } }))
    expect(e.status).toBe('approved')
    expect(e.events[2]).toMatchObject({ type: 'VELOCITY_EVALUATED', verdict: 'alert' })
    expect(e.velocity._tag === 'Evaluated' && e.velocity.verdict.action).toBe('allow')
    const driven = drive(p, e.events, undefined)
    expect(driven.snapshots[2]?.context.velocity).toBe('alert')
    machineAgrees(p, e)
  })

  test('with the records a keyed store read, the writes come back instead of a ledger', () => {
    const reads = new Map(velocityKeysOf(rules, p).map((k) => [k.id, null]))
    const e = evaluation(p, context({ velocity: { ruleSet: rules, reads } }))
    expect(e.status).toBe('approved')
    expect(e.ledger).toBeNull()
    expect(e.velocity._tag === 'Evaluated' && e.velocity.writes?.map((w) => w.expected)).toEqual([null, null])
    const unread = evaluation(p, context({ velocity: { ruleSet: rules, reads: new Map() } }))
    expect(unread.velocity).toMatchObject({ _tag: 'NotEvaluated', reason: 'refused' })
    expect(unread.status).toBe('pending_approval')
  })

  test('the verdict is the one velocity gives on its own', () => {
    const ledger = emptyLedger(rules)
    const e = evaluation(p, context({ velocity: { ruleSet: rules, ledger } }))
    expect(e.velocity._tag === 'Evaluated' && e.velocity.verdict).toEqual(ok(evaluate(rules, ledger, p)))
  })
})

// ---------------------------------------------------------------- engine

describe('engine risk', () => {
  const p = payoutOf('pay_e')

  test('no answer, or an unreachable engine, sends the payout to pending_engine_review', () => {
    for (const engine of [undefined, { outcome: 'unreachable' as const, reason: 'timeout after 2 s' }]) {
      const e = evaluation(p, { ...context(), engine })
      expect(e.status).toBe('pending_engine_review')
      expect(e.events.at(-1)).toMatchObject({ type: 'ENGINE_UNAVAILABLE', actor: { type: 'system' } })
      expect(e.halt).toMatchObject({ stage: 'engine', reason: 'engine_unreachable' })
      expect(e.approval).toEqual({ _tag: 'NotReached' })
      machineAgrees(p, e)
    }
    expect(
      evaluation(p, context({ engine: { outcome: 'unreachable', reason: 'timeout after 2 s' } })).halt
        ?.message,
    ).toContain('timeout after 2 s')
  })

  test('a tier at or above the review tier goes to manual_review: raw 720 is HIGH, the default review tier', () => {
    const e = evaluation(p, context({ engine: scored(720) }))
    expect(e.status).toBe('manual_review')
    expect(e.events.at(-1)).toMatchObject({
      type: 'RISK_SCORED',
      actor: { type: 'engine' },
      rawScore: 720,
      evaluationId: 'eval_42',
    })
    expect(e.halt).toMatchObject({ stage: 'engine', reason: 'risk_at_or_above_review_tier' })
    expect(e.engine).toMatchObject({
      evaluation: { trustScore: 0.28, tier: 'HIGH' },
      atOrAboveReviewTier: true,
    })
    machineAgrees(p, e)
    const critical = { reviewTier: 'CRITICAL' as const }
    const relaxed = evaluation(p, context({ engine: scored(720), config: critical }))
    expect(relaxed.status).toBe('approved')
    machineAgrees(p, relaxed, critical)
  })
})

// ---------------------------------------------------------------- maker-checker

describe('maker-checker', () => {
  const config = { makerChecker: true }
  const approvedAt = (evaluatedAt + 60_000) as EpochMillis

  test('a checker who is not the maker approves; the APPROVED event is theirs, at their time', () => {
    const p = payoutOf('pay_mc')
    const e = evaluation(p, context({ config, approval: { checkerId: 'bob', approvedAt } }))
    expect(e.status).toBe('approved')
    expect(e.events.at(-1)).toMatchObject({
      type: 'APPROVED',
      actor: { type: 'merchant', id: 'bob' },
      occurredAt: approvedAt,
    })
    expect(e.approval).toEqual({ _tag: 'Approved', makerId: 'alice', checkerId: 'bob', approvedAt })
    machineAgrees(p, e, config)
  })

  test('without a checker, with the maker as checker, or with no known maker, it stays pending_approval', () => {
    const cases = [
      [payoutOf('pay_mc1'), undefined, 'awaiting_checker'],
      [payoutOf('pay_mc2'), { checkerId: 'alice', approvedAt }, 'checker_is_maker'],
      [payoutOf('pay_mc3', { makerId: undefined }), { checkerId: 'bob', approvedAt }, 'maker_unknown'],
    ] as const
    for (const [p, approval, reason] of cases) {
      const e = evaluation(p, { ...context({ config }), approval })
      expect(e.status).toBe('pending_approval')
      expect(types(e)).toEqual(['SUBMITTED', 'SCREENING_CLEARED', 'VELOCITY_EVALUATED', 'RISK_SCORED'])
      expect(e.halt).toMatchObject({ stage: 'approval', reason })
      machineAgrees(p, e, config)
      expect(driveThroughRail(p, e, config).final.status).toBe('pending_approval')
    }
  })

  test('with maker-checker off, a checker’s approval is not needed and not emitted', () => {
    const e = evaluation(payoutOf('pay_off'), context({ approval: { checkerId: 'bob', approvedAt } }))
    expect(e.approval).toEqual({ _tag: 'Automatic' })
    expect(types(e)).not.toContain('APPROVED')
  })

  test('an approved payout goes through the rail to completed', () => {
    const p = payoutOf('pay_rail')
    const e = evaluation(p, context({ config, approval: { checkerId: 'bob', approvedAt } }))
    const railed = driveThroughRail(p, e, config)
    expect(railed.refused).toEqual([])
    expect(railed.final.status).toBe('completed')
  })
})

// ---------------------------------------------------------------- malformed input

describe('a malformed payout or context is a ValidationError naming the fields', () => {
  const p = payoutOf('pay_bad')

  test('context fields', () => {
    expect(problemFields(evaluatePayout(p, context({ evaluatedAt: (noon - 1) as EpochMillis })))).toEqual([
      'context.evaluatedAt',
    ])
    expect(
      problemFields(
        evaluatePayout(
          p,
          context({
            engine: { outcome: 'scored', rawScore: 1001 as RawRisk, evaluationId: 'x' as EvaluationId },
          }),
        ),
      ),
    ).toEqual(['context.engine.rawScore', 'context.engine.evaluationId'])
    expect(
      problemFields(
        evaluatePayout(p, context({ config: { reviewTier: 'SEVERE' as never, lateReturnWindowMs: -1 } })),
      ),
    ).toEqual(['context.config.reviewTier', 'context.config.lateReturnWindowMs'])
    expect(
      problemFields(
        evaluatePayout(
          p,
          context({ velocity: { ruleSet: rules, ledger: emptyLedger(rules), reads: new Map() } }),
        ),
      ),
    ).toEqual(['context.velocity'])
    expect(
      problemFields(
        evaluatePayout(
          p,
          context({ approval: { checkerId: 'has space', approvedAt: (evaluatedAt - 1) as EpochMillis } }),
        ),
      ),
    ).toEqual(['context.approval.checkerId', 'context.approval.approvedAt'])
    const badConfig = {
      hitThreshold: 0.5,
      possibleThreshold: 0.85,
      dateOfBirthMismatchFactor: 0.9,
      countryMismatchFactor: 0.95,
      unmatchedTokenPenalty: 0.3,
      maxMatches: 10,
    }
    expect(problemFields(evaluatePayout(p, context({ screening: { index, config: badConfig } })))).toEqual([
      'context.screening.config.possibleThreshold',
    ])
    expect(
      problemFields(
        evaluatePayout(p, context({ screening: { index: { ...index, _tag: 'Index' } as never } })),
      ),
    ).toEqual(['context.screening.index'])
    expect(problemFields(evaluatePayout(p, 'now' as never))).toEqual(['context'])
  })

  test('payout fields', () => {
    expect(
      problemFields(evaluatePayout({ ...p, id: 'ben_1' as never, beneficiary: { name: '' } }, context())),
    ).toEqual(['payout.id', 'payout.beneficiary.name'])
    expect(problemFields(evaluatePayout({ ...p, sendingCounterparty: { name: '***' } }, context()))).toEqual([
      'payout.sendingCounterparty.name',
    ])
    expect(problemFields(evaluatePayout({ ...p, makerId: '' }, context()))).toEqual(['payout.makerId'])
    expect(problemFields(evaluatePayout(null as never, context()))).toEqual(['payout'])
  })
})
