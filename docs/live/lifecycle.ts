// Live example (docs/payout-lifecycle.md): a payout driven event by event from the page, its
// status lit on the machine's own diagram. The page calls these; docs/live.test.ts runs them too.
import {
  applyPayoutEvent,
  type PayoutEventType,
  type PayoutSnapshot,
  payoutLifecycleMermaid,
  startPayout,
} from '@payout-kernel/payout-machine'
import * as E from '#fp-ts/Either'

/** The events the page offers, each with the actor allowed to send it and its fields. */
export const sampleEvents: ReadonlyArray<{
  readonly label: string
  readonly event: Record<string, unknown>
}> = [
  { label: 'SUBMITTED', event: { type: 'SUBMITTED', actor: { type: 'system' } } },
  { label: 'SCREENING_CLEARED', event: { type: 'SCREENING_CLEARED', actor: { type: 'system' } } },
  { label: 'SCREENING_HIT', event: { type: 'SCREENING_HIT', actor: { type: 'system' } } },
  {
    label: 'VELOCITY_EVALUATED allow',
    event: { type: 'VELOCITY_EVALUATED', actor: { type: 'system' }, verdict: 'allow' },
  },
  {
    label: 'VELOCITY_EVALUATED review',
    event: { type: 'VELOCITY_EVALUATED', actor: { type: 'system' }, verdict: 'review' },
  },
  {
    label: 'RISK_SCORED 423 (MEDIUM)',
    event: { type: 'RISK_SCORED', actor: { type: 'engine' }, rawScore: 423, evaluationId: 'eval_live1' },
  },
  {
    label: 'RISK_SCORED 880 (CRITICAL)',
    event: { type: 'RISK_SCORED', actor: { type: 'engine' }, rawScore: 880, evaluationId: 'eval_live2' },
  },
  { label: 'REVIEW_APPROVED', event: { type: 'REVIEW_APPROVED', actor: { type: 'ops', id: 'ops_1' } } },
  { label: 'REVIEW_REJECTED', event: { type: 'REVIEW_REJECTED', actor: { type: 'ops', id: 'ops_1' } } },
  { label: 'CANCEL', event: { type: 'CANCEL', actor: { type: 'merchant' } } },
  { label: 'RAIL_SUBMITTED', event: { type: 'RAIL_SUBMITTED', actor: { type: 'system' } } },
  { label: 'RAIL_DISPATCHED', event: { type: 'RAIL_DISPATCHED', actor: { type: 'rail' } } },
  { label: 'RAIL_SETTLED', event: { type: 'RAIL_SETTLED', actor: { type: 'rail' } } },
  { label: 'RAIL_FAILED', event: { type: 'RAIL_FAILED', actor: { type: 'rail' } } },
]

/** One row of the page's history: the event sent and what the machine said. */
export interface HistoryRow {
  readonly event: PayoutEventType
  readonly outcome: string
}

/** What the page holds: the payout as the machine left it, and the history shown under it. */
export interface LifecycleView {
  readonly snapshot: PayoutSnapshot
  readonly status: string
  readonly history: ReadonlyArray<HistoryRow>
  readonly refusal: string | null
}

const t0 = Date.UTC(2026, 0, 15, 9, 0)

/** A payout just created by a merchant. */
export const startLifecycle = (): LifecycleView => {
  const created = startPayout({
    payoutId: 'pay_live',
    eventId: 'live-0',
    occurredAt: t0,
    actor: { type: 'merchant', id: 'alice' },
  })
  if (E.isLeft(created)) throw new Error(created.left.message) // a fixed, valid input
  const snapshot = created.right.snapshot
  return { snapshot, status: snapshot.status, history: [], refusal: null }
}

/** Sends one of `sampleEvents` (by label): the new status, or the machine's refusal. */
export const send = (view: LifecycleView, label: string): LifecycleView => {
  const sample = sampleEvents.find((s) => s.label === label)
  if (sample === undefined) return { ...view, refusal: `no sample event ${label}` }
  const n = view.history.length + 1
  const type = sample.event.type as PayoutEventType
  const step = applyPayoutEvent(view.snapshot, {
    ...sample.event,
    eventId: `live-${n}`,
    occurredAt: t0 + n * 60_000,
  })
  if (E.isLeft(step)) {
    const refusal = `${step.left.reason}: ${step.left.message}`
    return {
      ...view,
      refusal,
      history: [...view.history, { event: type, outcome: `refused (${step.left.reason})` }],
    }
  }
  const snapshot = step.right.snapshot
  return {
    snapshot,
    status: snapshot.status,
    refusal: null,
    history: [...view.history, { event: type, outcome: `${view.status} → ${snapshot.status}` }],
  }
}

/** The machine's Mermaid diagram with the current status highlighted. */
export const diagramOf = (status: string): string =>
  `${payoutLifecycleMermaid()}\n  classDef current fill:#ffd54f,stroke:#e65100,stroke-width:3px\n  class ${status} current\n`
