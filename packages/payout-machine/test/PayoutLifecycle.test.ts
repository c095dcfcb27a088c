// Invariants of the lifecycle that a payout service relies on, over random and hostile event streams.

import { fc, test } from '@fast-check/vitest'
import { deriveId, type PayoutId } from '@payout-kernel/core'
import { arbGarbage } from '@payout-kernel/core/testing'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  applyPayoutEvent,
  type PayoutStatus,
  type PayoutStep,
  payoutConfig,
  restorePayout,
  serializePayout,
  startPayout,
  terminalStatuses,
} from '../src/index.js'
import { arbPayoutEventStream, arbPayoutLifecycle } from '../src/testing/index.js'
import { itemInputs, runInputs } from './Harness.js'

const arbStream = arbPayoutEventStream()

describe('terminal statuses', () => {
  test.prop([arbStream], { numRuns: 300 })(
    'no event moves a terminal payout, except a return of a completed one inside the late-return window',
    ({ config, start, items }) => {
      const run = runInputs(applyPayoutEvent, start, itemInputs(items), config)
      for (const { before, input, result } of run.results) {
        if (!terminalStatuses.has(before.status) || E.isLeft(result)) continue
        const event = input as { type: string; occurredAt: number }
        expect(before.status).toBe('completed')
        expect(event.type).toBe('RAIL_RETURNED')
        expect(result.right.snapshot.status).toBe('returned')
        expect(config.lateReturnWindowMs).not.toBeNull()
        expect(event.occurredAt - (before.context.completedAt ?? Number.NaN)).toBeLessThanOrEqual(
          config.lateReturnWindowMs ?? Number.NaN,
        )
      }
    },
  )
})

describe('audit records and webhooks', () => {
  test.prop([arbStream], { numRuns: 300 })(
    'audit seq runs 1, 2, 3, … without gaps across all steps, and the snapshot knows the last one',
    ({ config, start, items }) => {
      const run = runInputs(applyPayoutEvent, start, itemInputs(items), config)
      const seqs = run.steps.flatMap((s) => s.auditRecords.map((r) => r.seq))
      expect(seqs).toEqual(seqs.map((_, i) => i + 1))
      expect(run.final.context.seq).toBe(seqs.length)
    },
  )

  test.prop([arbStream], { numRuns: 300 })(
    'each record chains from the previous status; one webhook per status change or RFI change, ids derived from payout id and seq',
    ({ config, start, items }) => {
      const run = runInputs(applyPayoutEvent, start, itemInputs(items), config)
      let status: PayoutStatus | null = null
      for (const step of run.steps) {
        const bySeq = new Map(step.webhookEvents.map((w) => [w.data.seq, w]))
        expect(bySeq.size).toBe(step.webhookEvents.length)
        for (const record of step.auditRecords) {
          expect(record.previous_status).toBe(status)
          const webhook = bySeq.get(record.seq)
          const expected = record.previous_status !== record.status || record.event.startsWith('RFI_')
          expect(webhook !== undefined).toBe(expected)
          if (webhook !== undefined) {
            const digits = `${deriveId('evt_', [start.payoutId]).slice(4)}${record.seq}`
            expect(webhook.id).toBe(`evt_${digits}`)
            expect(record.id).toBe(`pev_${digits}`)
            expect(webhook.data.audit_record_id).toBe(record.id)
            expect(webhook.type).toBe(
              record.previous_status !== record.status ? `payout.${record.status}` : webhook.type,
            )
            expect(
              webhook.type.startsWith(record.previous_status !== record.status ? 'payout.' : 'rfi.'),
            ).toBe(true)
          }
          status = record.status
        }
        expect(step.webhookEvents.every((w) => step.auditRecords.some((r) => r.seq === w.data.seq))).toBe(
          true,
        )
        expect(step.snapshot.status).toBe(status)
      }
    },
  )

  test.prop([arbStream], { numRuns: 200 })(
    'replaying the same inputs gives the same snapshots, records and webhook ids; webhook ids are unique',
    ({ config, start, items }) => {
      const inputs = itemInputs(items)
      const first = runInputs(applyPayoutEvent, start, inputs, config)
      const second = runInputs(applyPayoutEvent, start, inputs, config)
      expect(second.steps).toEqual(first.steps)
      const ids = first.steps.flatMap((s) => s.webhookEvents.map((w) => w.id))
      expect(new Set(ids).size).toBe(ids.length)
    },
  )

  test.prop([fc.array(arbPayoutLifecycle(), { minLength: 2, maxLength: 4 }), fc.array(fc.nat())], {
    numRuns: 100,
  })(
    "interleaving several payouts' events gives each payout exactly the steps it gets alone",
    (lifecycles, picks) => {
      const distinctIds = lifecycles.map((l, i) => ({
        ...l,
        start: { ...l.start, payoutId: `${l.start.payoutId}x${i}` as PayoutId },
      }))
      const alone = distinctIds.map(({ config, start, events }) =>
        runInputs(applyPayoutEvent, start, events, config),
      )
      // the same events, the payouts taking turns in the order `picks` says
      const snapshots = distinctIds.map(({ start }) => {
        const started = startPayout(start)
        if (E.isLeft(started)) throw new Error('refused')
        return started.right.snapshot
      })
      const steps: PayoutStep[][] = distinctIds.map(() => [])
      const next = distinctIds.map(() => 0)
      let remaining = distinctIds.reduce((n, l) => n + l.events.length, 0)
      for (let k = 0; remaining > 0; k++) {
        const open = distinctIds.flatMap((l, i) => ((next[i] ?? 0) < l.events.length ? [i] : []))
        const i = open[(picks[k % Math.max(1, picks.length)] ?? k) % open.length] ?? 0
        const l = distinctIds[i]
        const at = next[i] ?? 0
        const snapshot = snapshots[i]
        if (l === undefined || snapshot === undefined) throw new Error('index')
        const step = applyPayoutEvent(snapshot, l.events[at], l.config)
        if (E.isLeft(step)) throw new Error(step.left.message)
        snapshots[i] = step.right.snapshot
        steps[i]?.push(step.right)
        next[i] = at + 1
        remaining -= 1
      }
      alone.forEach((run, i) => {
        expect(steps[i]).toEqual(run.steps.slice(1))
      })
    },
  )

  test.prop([arbStream], { numRuns: 200 })(
    'inferred steps appear only before an accepted rail event, and mark the rail steps it implies',
    ({ config, start, items }) => {
      const run = runInputs(applyPayoutEvent, start, itemInputs(items), config)
      for (const step of run.steps) {
        const inferred = step.auditRecords.filter((r) => r.metadata.inferred === true)
        if (inferred.length === 0) continue
        const last = step.auditRecords[step.auditRecords.length - 1]
        expect(last?.metadata.inferred).toBe(false)
        expect(last?.event.startsWith('RAIL_')).toBe(true)
        expect(
          inferred.map((r) => r.event).every((e) => e === 'RAIL_SUBMITTED' || e === 'RAIL_DISPATCHED'),
        ).toBe(true)
      }
    },
  )
})

describe('refusals', () => {
  test.prop([arbStream, fc.nat()], { numRuns: 300 })(
    'an event applied again (same id) is refused as duplicate_event and changes nothing',
    ({ config, start, items }, pick) => {
      const run = runInputs(applyPayoutEvent, start, itemInputs(items), config)
      const applied = run.results.filter((r) => E.isRight(r.result))
      const again = applied[pick % Math.max(1, applied.length)]
      if (again === undefined) return
      const before = structuredClone(run.final)
      const result = applyPayoutEvent(run.final, again.input, config)
      expect(E.isLeft(result) && result.left.reason).toBe('duplicate_event')
      expect(run.final).toEqual(before)
    },
  )

  test.prop([arbStream], { numRuns: 300 })(
    'approval never happens with an open RFI or by the maker',
    ({ config, start, items }) => {
      const run = runInputs(applyPayoutEvent, start, itemInputs(items), config)
      const maker = start.actor.type === 'merchant' ? (start.actor.id ?? null) : null
      for (const { before, input, result } of run.results) {
        if (E.isLeft(result) || result.right.snapshot.status !== 'approved' || before.status === 'approved')
          continue
        const event = input as { type: string; actor: { id?: string } }
        const rfi = before.context.rfi
        expect(rfi === null || rfi.status === 'cleared').toBe(true)
        if (event.type === 'APPROVED') {
          expect(event.actor.id).toBeDefined()
          expect(event.actor.id).not.toBe(maker)
        }
      }
    },
  )

  test.prop([arbPayoutLifecycle(), fc.nat(), arbGarbage], { numRuns: 10_000 })(
    'garbage is refused as invalid_event naming a field, never thrown, in any state',
    ({ config, start, events }, cut, garbage) => {
      const run = runInputs(applyPayoutEvent, start, events.slice(0, cut % (events.length + 1)), config)
      const result = applyPayoutEvent(run.final, garbage, config)
      expect(E.isLeft(result)).toBe(true)
      if (E.isLeft(result)) {
        expect(result.left.reason).toBe('invalid_event')
        expect(result.left.problems.length).toBeGreaterThan(0)
        expect(result.left.status).toBe(run.final.status)
      }
    },
  )

  test.prop([arbGarbage], { numRuns: 10_000 })(
    'garbage given to startPayout, restorePayout and payoutConfig is refused, never thrown',
    (garbage) => {
      const started = startPayout(garbage)
      expect(E.isLeft(started) && started.left.reason === 'invalid_event').toBe(true)
      expect(E.isLeft(restorePayout(garbage))).toBe(true)
      const config = payoutConfig(garbage)
      if (garbage !== undefined)
        expect(E.isLeft(config) || (typeof garbage === 'object' && garbage !== null)).toBe(true)
    },
  )
})

describe('snapshots', () => {
  test.prop([arbStream], { numRuns: 200 })(
    'every snapshot survives serialisation, and the restored one continues the same way',
    ({ config, start, items }) => {
      const inputs = itemInputs(items)
      const run = runInputs(applyPayoutEvent, start, inputs, config)
      for (const { before } of run.results)
        expect(restorePayout(serializePayout(before))).toEqual(E.right(before))
      const half = Math.floor(inputs.length / 2)
      const first = runInputs(applyPayoutEvent, start, inputs.slice(0, half), config)
      const restored = restorePayout(serializePayout(first.final))
      expect(E.isRight(restored)).toBe(true)
      if (E.isLeft(restored)) return
      let snapshot = restored.right
      for (const input of inputs.slice(half)) {
        const step = applyPayoutEvent(snapshot, input, config)
        if (E.isRight(step)) snapshot = step.right.snapshot
      }
      expect(snapshot).toEqual(run.final)
    },
  )

  test.prop(
    [
      arbPayoutLifecycle(),
      fc.oneof(fc.integer({ min: 2, max: 99 }), fc.constant(0)),
      fc.string({ minLength: 1, maxLength: 30 }),
    ],
    {
      numRuns: 200,
    },
  )(
    'an unknown version or state is a decode error naming the field',
    ({ config, start, events }, version, state) => {
      const run = runInputs(applyPayoutEvent, start, events, config)
      const json = JSON.parse(serializePayout(run.final)) as Record<string, unknown>
      const badVersion = restorePayout({ ...json, version })
      expect(E.isLeft(badVersion) && badVersion.left.problems[0]?.field).toBe('version')
      const badState = restorePayout({ ...json, state: `${state}!` })
      expect(E.isLeft(badState) && badState.left.problems[0]?.field).toBe('state')
    },
  )
})
