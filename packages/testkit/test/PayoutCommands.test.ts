import {
  applyPayoutEvent,
  type PayoutSnapshot,
  type ResolvedPayoutConfig,
  restorePayout,
  type StartPayoutInput,
  serializePayout,
  startPayout,
} from '@payout-kernel/payout-machine'
import fc from 'fast-check'
import { expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import { type PayoutReply, type PayoutServiceUnderTest, payoutServiceProperty } from '../src/index.js'

/** A service as a team would write it: the snapshot stored as JSON between deliveries. */
const storedService = (start: StartPayoutInput, config: ResolvedPayoutConfig): PayoutServiceUnderTest => {
  const started = startPayout(start)
  if (E.isLeft(started)) throw new Error(started.left.message)
  let row = serializePayout(started.right.snapshot)
  return {
    deliver: (event): PayoutReply => {
      const snapshot = restorePayout(row)
      if (E.isLeft(snapshot)) throw new Error('corrupt row')
      const step = applyPayoutEvent(snapshot.right, event, config)
      if (E.isLeft(step)) return { accepted: false, reason: step.left.reason }
      row = serializePayout(step.right.snapshot)
      return {
        accepted: true,
        status: step.right.snapshot.status,
        webhookIds: step.right.webhookEvents.map((w) => w.id),
      }
    },
  }
}

test('a service that stores the snapshot between deliveries agrees with the machine', async () => {
  await fc.assert(
    payoutServiceProperty(async (start, config) => storedService(start, config)),
    { numRuns: 150 },
  )
})

test('the command set catches a service that forgets what it delivered (no duplicate detection)', async () => {
  // Keeps a snapshot per delivery, but restores the creation snapshot each time it sees an event id again.
  const forgetful = (start: StartPayoutInput, config: ResolvedPayoutConfig): PayoutServiceUnderTest => {
    const started = startPayout(start)
    if (E.isLeft(started)) throw new Error(started.left.message)
    let snapshot: PayoutSnapshot = started.right.snapshot
    const seen = new Set<string>()
    return {
      deliver: (event): PayoutReply => {
        const id = (event as { eventId?: unknown } | null)?.eventId
        if (typeof id === 'string' && seen.has(id))
          return { accepted: true, status: snapshot.status, webhookIds: [] }
        const step = applyPayoutEvent(snapshot, event, config)
        if (E.isLeft(step)) return { accepted: false, reason: step.left.reason }
        if (typeof id === 'string') seen.add(id)
        snapshot = step.right.snapshot
        return {
          accepted: true,
          status: snapshot.status,
          webhookIds: step.right.webhookEvents.map((w) => w.id),
        }
      },
    }
  }
  const result = await fc.check(
    payoutServiceProperty(async (s, c) => forgetful(s, c)),
    { numRuns: 200 },
  )
  expect(result.failed).toBe(true)
  expect(String(result.counterexample)).toMatch(/Redeliver/)
})

test('the command set catches a service that emits the wrong webhook ids', async () => {
  const renamer = (start: StartPayoutInput, config: ResolvedPayoutConfig): PayoutServiceUnderTest => {
    const inner = storedService(start, config)
    let n = 0
    return {
      deliver: async (event) => {
        const reply = await inner.deliver(event)
        if (!reply.accepted) return reply
        n += 1
        return { ...reply, webhookIds: reply.webhookIds.map((_, i) => `evt_${n}x${i}`) }
      },
    }
  }
  const result = await fc.check(
    payoutServiceProperty(async (s, c) => renamer(s, c)),
    { numRuns: 100 },
  )
  expect(result.failed).toBe(true)
})
