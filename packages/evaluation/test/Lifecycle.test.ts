// Random payouts and contexts (any stage possibly missing) through evaluatePayout and then the real
// payout machine: the events are accepted, in stage order, the machine ends where the evaluation
// says, a hit is never sent, a missing stage is never approved, and the same input gives the same
// output.
import { fc, test } from '@fast-check/vitest'
import {
  eventActors,
  type PayoutEventType,
  type PayoutStatus,
  resolvePayoutConfig,
} from '@payout-kernel/payout-machine'
import { type SanctionsIndex, screenPartyByScan } from '@payout-kernel/screening'
import { ledgerSize } from '@payout-kernel/velocity'
import { expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  evaluatePayout,
  type PayoutEvaluation,
  type PayoutEvaluationContext,
  type PayoutToEvaluate,
} from '../src/index.js'
import {
  arbPayoutEvaluationContext,
  arbPayoutEvaluationInput,
  arbPayoutToEvaluate,
  arbVelocityContexts,
} from '../src/testing/index.js'
import { driveThroughRail } from './Drive.js'

// The order of the stages, written out here independently of the package's own table.
const stageOf: Partial<Record<PayoutEventType, number>> = {
  SUBMITTED: 0,
  SCREENING_CLEARED: 1,
  SCREENING_HIT: 1,
  SCREENING_POSSIBLE_MATCH: 1,
  VELOCITY_EVALUATED: 2,
  RISK_SCORED: 3,
  ENGINE_UNAVAILABLE: 3,
  APPROVED: 4,
}
const stageNumber = { screening: 1, velocity: 2, engine: 3, approval: 4 } as const
const movedMoney: ReadonlySet<PayoutStatus> = new Set(['approved', 'processing', 'sent', 'completed'])

const right = (e: E.Either<unknown, PayoutEvaluation>): PayoutEvaluation => {
  if (E.isLeft(e)) throw new Error(`expected an evaluation, got ${JSON.stringify(e.left)}`)
  return e.right
}

/** Whether some party is a hit, by the reference scan of the screening package (not the index). */
const anyHit = (payout: PayoutToEvaluate, context: PayoutEvaluationContext): boolean => {
  const index: SanctionsIndex | undefined = context.screening?.index
  if (index === undefined || index.entries === 0) return false
  return [payout.beneficiary, ...(payout.sendingCounterparty ? [payout.sendingCounterparty] : [])].some(
    (party) => {
      const r = screenPartyByScan(index, party, context.screening?.config)
      return E.isRight(r) && r.right.outcome === 'hit'
    },
  )
}

/** Whether the context lacks what some stage needs, read off the context itself. */
const lacksAStage = (payout: PayoutToEvaluate, context: PayoutEvaluationContext): boolean => {
  const v = context.velocity
  const makerChecker = resolvePayoutConfig(context.config).makerChecker
  return (
    context.screening?.index === undefined ||
    context.screening.index.entries === 0 ||
    v === undefined ||
    v.ruleSet === undefined ||
    (v.ledger === undefined && v.reads === undefined) ||
    context.engine === undefined ||
    context.engine.outcome === 'unreachable' ||
    (makerChecker &&
      (context.approval === undefined ||
        payout.makerId === undefined ||
        context.approval.checkerId === payout.makerId))
  )
}

const seen = new Map<string, number>()

test.prop([arbPayoutEvaluationInput()], { numRuns: 1000 })(
  'the events are accepted by the machine in stage order; it ends where the evaluation says; a hit or a missing stage never moves money',
  ({ payout, context }) => {
    const evaluation = right(evaluatePayout(payout, context))
    const key = `${evaluation.status} ${evaluation.halt?.reason ?? ''}`
    seen.set(key, (seen.get(key) ?? 0) + 1)

    // the events: SUBMITTED first, then at most one per stage, in stage order, each with an allowed actor
    const stages = evaluation.events.map((e) => stageOf[e.type])
    expect(stages[0]).toBe(0)
    for (let i = 1; i < stages.length; i++) expect(stages[i] ?? -1).toBeGreaterThan(stages[i - 1] ?? 99)
    for (const e of evaluation.events) expect(eventActors[e.type]).toContain(e.actor.type)
    // nothing after the stage that stopped the evaluation
    if (evaluation.halt !== null)
      expect(Math.max(...stages.map((s) => s ?? 99))).toBeLessThanOrEqual(stageNumber[evaluation.halt.stage])
    expect(evaluation.halt === null).toBe(evaluation.status === 'approved')

    // the real machine: every event accepted, the same final status; then the rail
    const driven = driveThroughRail(payout, evaluation, context.config)
    const evaluated = driven.snapshots.slice(0, evaluation.events.length)
    expect(driven.refused.filter((r) => !r.event.type.startsWith('RAIL_'))).toEqual([])
    expect(evaluated.at(-1)?.status ?? 'created').toBe(evaluation.status)
    const reached = driven.snapshots.map((s) => s.status)

    if (anyHit(payout, context)) {
      expect(evaluation.status).toBe('screening_failed')
      for (const s of reached) expect(movedMoney.has(s)).toBe(false)
    }
    if (lacksAStage(payout, context)) {
      expect(evaluation.status).not.toBe('approved')
      for (const s of reached) expect(movedMoney.has(s)).toBe(false)
    }
    // and the other way round: an approved payout does go through the rail
    if (evaluation.status === 'approved') expect(driven.final.status).toBe('completed')
    else expect(driven.final.status).toBe(evaluation.status)

    // the same input gives the same output (the ledger compared by what it holds)
    const again = right(evaluatePayout(payout, context))
    expect({ ...again, ledger: null }).toEqual({ ...evaluation, ledger: null })
    expect(again.ledger === null ? null : ledgerSize(again.ledger)).toEqual(
      evaluation.ledger === null ? null : ledgerSize(evaluation.ledger),
    )
  },
)

test('the generated cases reach every status and halt reason', () => {
  // the property above ran first in this file; every outcome must have turned up at least once
  expect([...seen.keys()].sort()).toEqual(
    [
      'approved ',
      'manual_review possible_match',
      'manual_review risk_at_or_above_review_tier',
      'manual_review velocity_review',
      'pending_approval awaiting_checker',
      'pending_approval checker_is_maker',
      'pending_approval maker_unknown',
      'pending_approval velocity_not_evaluated',
      'pending_engine_review engine_unreachable',
      'pending_screening no_list_loaded',
      'screening_failed sanctions_hit',
      'velocity_blocked velocity_block',
    ].sort(),
  )
})

test.prop([arbPayoutEvaluationInput({ present: 1 })], { numRuns: 500 })(
  'no stage can be skipped: taking away what any one stage needs keeps an approved payout from approval',
  ({ payout, context }) => {
    const full = right(evaluatePayout(payout, context))
    if (full.status !== 'approved') return
    const makerChecker = resolvePayoutConfig(context.config).makerChecker
    const without: Array<readonly [PayoutEvaluationContext, string]> = [
      [{ ...context, screening: {} }, 'screening'],
      [{ ...context, velocity: undefined }, 'velocity'],
      [{ ...context, engine: undefined }, 'engine'],
      ...(makerChecker ? [[{ ...context, approval: undefined }, 'approval'] as const] : []),
    ]
    for (const [lacking, stage] of without) {
      const e = right(evaluatePayout(payout, lacking))
      expect(e.status).not.toBe('approved')
      expect(e.halt?.stage).toBe(stage)
    }
  },
)

test.prop(
  [
    arbPayoutToEvaluate.chain((payout) =>
      fc.record({
        payout: fc.constant(payout),
        context: arbPayoutEvaluationContext(payout, { present: 1 }),
        velocity: arbVelocityContexts(payout),
      }),
    ),
  ],
  { numRuns: 300 },
)(
  'velocity on a ledger and on the records of a keyed store holding the same history decide alike',
  ({ payout, context, velocity }) => {
    const onLedger = right(evaluatePayout(payout, { ...context, velocity: velocity.ledger }))
    const keyed = right(evaluatePayout(payout, { ...context, velocity: velocity.keyed }))
    expect(keyed.events).toEqual(onLedger.events)
    expect(keyed.status).toBe(onLedger.status)
    if (onLedger.velocity._tag === 'Evaluated' && keyed.velocity._tag === 'Evaluated') {
      expect(keyed.velocity.verdict).toEqual(onLedger.velocity.verdict)
      expect(keyed.velocity.writes !== null && onLedger.velocity.writes === null).toBe(true)
    }
  },
)
