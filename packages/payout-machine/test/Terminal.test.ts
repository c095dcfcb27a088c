// Pinned examples: each terminal status of DOMAIN.md §2, how a payout gets there, and what it means
// for the events that come after.

import { describe, expect, it } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  applyPayoutEvent,
  type PayoutConfig,
  type PayoutStep,
  type Rejection,
  startPayout,
  terminalStatuses,
} from '../src/index.js'

const sys = (type: string, extra: object = {}) => ({ type, actor: { type: 'system' }, ...extra })
const rail = (type: string) => ({ type, actor: { type: 'rail' } })
const ops = (type: string, extra: object = {}) => ({ type, actor: { type: 'ops', id: 'olga' }, ...extra })
const merchant = (type: string, extra: object = {}) => ({
  type,
  actor: { type: 'merchant', id: 'bob' },
  ...extra,
})
const score = (rawScore: number) => ({
  type: 'RISK_SCORED',
  actor: { type: 'engine' },
  rawScore,
  evaluationId: 'eval_1',
})
const approved = [
  sys('SUBMITTED'),
  sys('SCREENING_CLEARED'),
  sys('VELOCITY_EVALUATED', { verdict: 'allow' }),
  score(100),
]
const sent = [...approved, sys('RAIL_SUBMITTED'), rail('RAIL_DISPATCHED')]

/** Every step of a run from creation; throws on the first refusal (these are happy paths). */
const run = (events: ReadonlyArray<object>, config?: PayoutConfig): PayoutStep[] => {
  const created = startPayout({
    payoutId: 'pay_term',
    eventId: 'c',
    occurredAt: 0,
    actor: { type: 'merchant', id: 'alice' },
  })
  if (E.isLeft(created)) throw new Error(created.left.message)
  const steps = [created.right]
  events.forEach((event, i) => {
    const last = steps[steps.length - 1] as PayoutStep
    const step = applyPayoutEvent(
      last.snapshot,
      { eventId: `e${i}`, occurredAt: (i + 1) * 1_000, ...event },
      config,
    )
    if (E.isLeft(step)) throw new Error(`${i}: ${step.left.message}`)
    steps.push(step.right)
  })
  return steps
}
const last = (steps: PayoutStep[]) => (steps[steps.length - 1] as PayoutStep).snapshot
const refusal = (steps: PayoutStep[], event: object, config?: PayoutConfig): Rejection | undefined => {
  const r = applyPayoutEvent(last(steps), { eventId: 'after', occurredAt: 1_000_000, ...event }, config)
  return E.isLeft(r) ? r.left : undefined
}

describe('terminal statuses', () => {
  it('completed: the rail confirmed delivery; nothing moves it, not even a return, unless late returns are on', () => {
    const steps = run([...sent, rail('RAIL_SETTLED')])
    expect(last(steps).status).toBe('completed')
    expect(last(steps).context.completedAt).toBe(7_000)
    expect(refusal(steps, rail('RAIL_RETURNED'))?.reason).toBe('not_allowed_in_state')
    expect(refusal(steps, ops('CANCEL'))?.reason).toBe('payout_not_cancellable')
    const window = { lateReturnWindowMs: 993_000 }
    const late = applyPayoutEvent(
      last(steps),
      { eventId: 'r', occurredAt: 1_000_000, ...rail('RAIL_RETURNED') },
      window,
    )
    expect(E.isRight(late) && late.right.snapshot.status).toBe('returned')
    expect(refusal(steps, rail('RAIL_RETURNED'), { lateReturnWindowMs: 992_999 })?.reason).toBe(
      'not_allowed_in_state',
    )
  })

  it('failed: the rail refused the submission, or settlement failed after dispatch', () => {
    expect(last(run([...approved, sys('RAIL_SUBMITTED'), rail('RAIL_REJECTED')])).status).toBe('failed')
    const steps = run([...sent, rail('RAIL_FAILED')])
    expect(last(steps).status).toBe('failed')
    expect(refusal(steps, rail('RAIL_SETTLED'))?.reason).toBe('not_allowed_in_state')
  })

  it('returned: the funds came back after dispatch', () => {
    const steps = run([...sent, rail('RAIL_RETURNED')])
    expect(last(steps).status).toBe('returned')
    expect(steps[steps.length - 1]?.webhookEvents.map((w) => w.type)).toEqual(['payout.returned'])
  })

  it('cancelled: by the merchant or ops before the rail, by a reviewer, or by an RFI resolved blocked', () => {
    const byMerchant = run([sys('SUBMITTED'), merchant('CANCEL', { reason: 'wrong beneficiary' })])
    expect(last(byMerchant).status).toBe('cancelled')
    expect(byMerchant[2]?.auditRecords[0]?.reason).toBe('wrong beneficiary')
    const byReviewer = run([sys('SUBMITTED'), sys('SCREENING_POSSIBLE_MATCH'), ops('REVIEW_REJECTED')])
    expect(byReviewer[3]?.auditRecords[0]?.reason).toBe('review_rejected')
    const byRfi = run([
      sys('SUBMITTED'),
      sys('SCREENING_POSSIBLE_MATCH'),
      ops('RFI_OPENED'),
      ops('RFI_RESOLVED', { outcome: 'blocked' }),
    ])
    expect(last(byRfi).status).toBe('cancelled')
    expect(byRfi[4]?.webhookEvents[0]?.type).toBe('payout.cancelled')
    expect(byRfi[4]?.webhookEvents[0]?.data.reason).toBe('rfi_blocked')
    expect(refusal(byRfi, merchant('CANCEL'))?.reason).toBe('payout_not_cancellable')
  })

  it('screening_failed: a sanctions hit; nothing moves it', () => {
    const steps = run([sys('SUBMITTED'), sys('SCREENING_HIT')])
    expect(last(steps).status).toBe('screening_failed')
    expect(refusal(steps, ops('REVIEW_APPROVED'))?.reason).toBe('not_allowed_in_state')
  })

  it('velocity_blocked: a velocity rule with action block; the engine is never asked', () => {
    const steps = run([
      sys('SUBMITTED'),
      sys('SCREENING_CLEARED'),
      sys('VELOCITY_EVALUATED', { verdict: 'block' }),
    ])
    expect(last(steps).status).toBe('velocity_blocked')
    expect(refusal(steps, score(10))?.reason).toBe('not_allowed_in_state')
    expect(last(steps).context.risk).toBeNull()
  })

  it('are exactly the six of DOMAIN.md §2', () => {
    expect([...terminalStatuses].sort()).toEqual(
      ['cancelled', 'completed', 'failed', 'returned', 'screening_failed', 'velocity_blocked'].sort(),
    )
  })
})

describe('the decisions of the review tier and maker-checker', () => {
  it('a score at the review tier goes to manual review, one below passes (raw 600 is HIGH, 599 MEDIUM)', () => {
    const base = [sys('SUBMITTED'), sys('SCREENING_CLEARED'), sys('VELOCITY_EVALUATED', { verdict: 'alert' })]
    expect(last(run([...base, score(600)])).status).toBe('manual_review')
    expect(last(run([...base, score(599)])).status).toBe('approved')
    expect(last(run([...base, score(599)], { reviewTier: 'MEDIUM' })).status).toBe('manual_review')
  })

  it('an engine outage waits in pending_engine_review, and the late score decides as it would have', () => {
    const base = [
      sys('SUBMITTED'),
      sys('SCREENING_CLEARED'),
      sys('VELOCITY_EVALUATED', { verdict: 'allow' }),
      sys('ENGINE_UNAVAILABLE'),
    ]
    expect(last(run(base)).status).toBe('pending_engine_review')
    expect(last(run([...base, score(900)])).status).toBe('manual_review')
    expect(last(run([...base, score(10)])).status).toBe('approved')
    expect(last(run([...base, score(10)], { makerChecker: true })).state).toBe(
      'pending_approval.awaiting_checker',
    )
  })
})
