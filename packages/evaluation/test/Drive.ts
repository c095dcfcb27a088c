// Applying an evaluation's events to the real payout machine, then (optionally) the rail's.
import type { EpochMillis } from '@payout-kernel/core'
import {
  applyPayoutEvent,
  type EventId,
  type PayoutConfig,
  type PayoutEvent,
  type PayoutSnapshot,
  type Rejection,
  startPayout,
} from '@payout-kernel/payout-machine'
import * as E from '#fp-ts/Either'
import { type PayoutEvaluation, type PayoutToEvaluate, startInputOf } from '../src/index.js'

/** What driving the events did: every snapshot after each accepted event, and the refusals. */
export interface Drive {
  readonly snapshots: ReadonlyArray<PayoutSnapshot>
  readonly refused: ReadonlyArray<{ readonly event: PayoutEvent; readonly rejection: Rejection }>
  readonly final: PayoutSnapshot
}

/** Starts the payout in `created` and applies the events in order, keeping every refusal. */
export const drive = (
  payout: PayoutToEvaluate,
  events: ReadonlyArray<PayoutEvent>,
  config: PayoutConfig | undefined,
): Drive => {
  const started = startPayout(startInputOf(payout))
  if (E.isLeft(started)) throw new Error(`startPayout refused: ${started.left.message}`)
  let snapshot = started.right.snapshot
  const snapshots: PayoutSnapshot[] = []
  const refused: Array<{ event: PayoutEvent; rejection: Rejection }> = []
  for (const event of events) {
    const step = applyPayoutEvent(snapshot, event, config)
    if (E.isLeft(step)) refused.push({ event, rejection: step.left })
    else {
      snapshot = step.right.snapshot
      snapshots.push(snapshot)
    }
  }
  return { snapshots, refused, final: snapshot }
}

/** The rail's events after an approval: submitted, dispatched, settled, an hour apart from `at`. */
export const railEvents = (at: number): PayoutEvent[] => [
  {
    type: 'RAIL_SUBMITTED',
    eventId: 'rail-1' as EventId,
    occurredAt: (at + 3_600_000) as EpochMillis,
    actor: { type: 'system' },
  },
  {
    type: 'RAIL_DISPATCHED',
    eventId: 'rail-2' as EventId,
    occurredAt: (at + 7_200_000) as EpochMillis,
    actor: { type: 'rail' },
  },
  {
    type: 'RAIL_SETTLED',
    eventId: 'rail-3' as EventId,
    occurredAt: (at + 10_800_000) as EpochMillis,
    actor: { type: 'rail' },
  },
]

/** Drives the evaluation's events, then the rail's. */
export const driveThroughRail = (
  payout: PayoutToEvaluate,
  evaluation: PayoutEvaluation,
  config: PayoutConfig | undefined,
): Drive => {
  const last = Math.max(payout.createdAt, ...evaluation.events.map((e) => e.occurredAt))
  return drive(payout, [...evaluation.events, ...railEvents(last)], config)
}
