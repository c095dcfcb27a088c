/**
 * fast-check arbitraries for payout events, policies and whole lifecycles, valid by construction:
 * lifecycles are walked through the machine itself, so every event of one is accepted.
 */
import type { EpochMillis, EvaluationId, PayoutId } from '@payout-kernel/core'
import { arbGarbage, arbId } from '@payout-kernel/core/testing'
import type { RawRisk } from '@payout-kernel/trust'
import { arbTierBands } from '@payout-kernel/trust/testing'
import fc from 'fast-check'
import * as E from '#fp-ts/Either'
import { transitionTable } from '../internal/TransitionTable.js'
import { defaultPayoutConfig, type ResolvedPayoutConfig } from '../PayoutConfig.js'
import {
  type Actor,
  type ActorType,
  type EventId,
  eventActors,
  type PayoutEvent,
  type PayoutEventOf,
  type PayoutEventType,
  payoutEventTypes,
} from '../PayoutEvent.js'
import { applyPayoutEvent, type StartPayoutInput, startPayout } from '../PayoutLifecycle.js'
import type { PayoutSnapshot } from '../PayoutSnapshot.js'
import { terminalStatuses } from '../PayoutStatus.js'

const alphanumeric = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')

/**
 * Event ids as a sender would choose them: 1 to 24 characters of `[A-Za-z0-9_:.-]`.
 *
 * @example
 * import { arbEventId } from '@payout-kernel/payout-machine/testing'
 * import { EventId } from '@payout-kernel/payout-machine'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbEventId, (id) => EventId.is(id)))
 */
export const arbEventId: fc.Arbitrary<EventId> = fc
  .string({ unit: fc.oneof(alphanumeric, fc.constantFrom('_', ':', '.', '-')), minLength: 1, maxLength: 24 })
  .map((s) => s as EventId)

/**
 * An actor of one of the given kinds, with or without an id.
 *
 * @example
 * import { arbActor } from '@payout-kernel/payout-machine/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbActor(['rail']), (a) => a.type === 'rail'))
 */
export const arbActor = <A extends ActorType>(types: ReadonlyArray<A>): fc.Arbitrary<Actor<A>> =>
  fc.record(
    {
      type: fc.constantFrom(...types),
      id: fc.string({ unit: alphanumeric, minLength: 1, maxLength: 12 }),
    },
    { requiredKeys: ['type'] },
  )

const arbTime: fc.Arbitrary<EpochMillis> = fc
  .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2026, 0, 1) })
  .map((n) => n as EpochMillis)

/**
 * Valid events of one type, with the actors allowed to send it and a valid payload.
 *
 * @example
 * import { arbPayoutEventOf } from '@payout-kernel/payout-machine/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbPayoutEventOf('RISK_SCORED'), (e) => e.rawScore >= 0 && e.rawScore <= 1000))
 */
export const arbPayoutEventOf = <K extends PayoutEventType>(type: K): fc.Arbitrary<PayoutEventOf<K>> => {
  const base = fc.record({
    type: fc.constant(type),
    eventId: arbEventId,
    occurredAt: arbTime,
    actor: arbActor(eventActors[type]),
  })
  const payload: fc.Arbitrary<object> =
    type === 'VELOCITY_EVALUATED'
      ? fc.record({ verdict: fc.constantFrom('allow', 'review', 'block', 'alert') })
      : type === 'RISK_SCORED'
        ? fc.record({
            rawScore: fc.integer({ min: 0, max: 1000 }),
            evaluationId: arbId('eval_', 12),
          })
        : type === 'RFI_RESOLVED'
          ? fc.record({ outcome: fc.constantFrom('cleared', 'blocked') })
          : type === 'CANCEL'
            ? fc.record({ reason: fc.string({ minLength: 1, maxLength: 40 }) }, { requiredKeys: [] })
            : fc.constant({})
  return fc.tuple(base, payload).map(([b, p]) => ({ ...b, ...p }) as unknown as PayoutEventOf<K>)
}

/**
 * Valid events of any type (not necessarily allowed in any particular state).
 *
 * @example
 * import { arbPayoutEvent } from '@payout-kernel/payout-machine/testing'
 * import { decodePayoutEvent } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbPayoutEvent, (e) => E.isRight(decodePayoutEvent(e))))
 */
export const arbPayoutEvent: fc.Arbitrary<PayoutEvent> = fc
  .constantFrom(...payoutEventTypes)
  .chain((type) => arbPayoutEventOf(type) as fc.Arbitrary<PayoutEvent>)

/**
 * Policies: every review tier, maker-checker on or off, late returns off or a window up to 30 days,
 * default or random tier bands.
 *
 * @example
 * import { arbPayoutConfig } from '@payout-kernel/payout-machine/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbPayoutConfig, (c) => c.lateReturnWindowMs === null || c.lateReturnWindowMs >= 0))
 */
export const arbPayoutConfig: fc.Arbitrary<ResolvedPayoutConfig> = fc.record({
  reviewTier: fc.constantFrom('LOW', 'MEDIUM', 'HIGH', 'CRITICAL'),
  makerChecker: fc.boolean(),
  lateReturnWindowMs: fc.option(fc.integer({ min: 0, max: 30 * 86_400_000 }), { nil: null }),
  tierBands: fc.oneof(fc.constant(defaultPayoutConfig.tierBands), arbTierBands),
})

/**
 * Inputs of `startPayout`: a payout id, a creating event and a merchant (the maker), ops or system.
 *
 * @example
 * import { arbStartPayoutInput } from '@payout-kernel/payout-machine/testing'
 * import { startPayout } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbStartPayoutInput, (input) => E.isRight(startPayout(input))))
 */
export const arbStartPayoutInput: fc.Arbitrary<StartPayoutInput> = fc.record({
  payoutId: arbId('pay_', 16).map((id) => id as PayoutId),
  eventId: arbEventId,
  occurredAt: arbTime,
  actor: arbActor(['merchant', 'merchant', 'ops', 'system'] as const),
})

// ---------------------------------------------------------------- lifecycles

/** A payout's whole story: the policy, the creation, and the events in the order they were applied. */
export interface PayoutLifecycle {
  readonly config: ResolvedPayoutConfig
  readonly start: StartPayoutInput
  readonly events: ReadonlyArray<PayoutEvent>
}

const actorFor = (type: PayoutEventType, choice: number): Actor => {
  const kind = eventActors[type][choice % eventActors[type].length] ?? 'system'
  return choice % 3 === 0 ? { type: kind } : { type: kind, id: `${kind}${choice % 5}` }
}

/** How many copies of each event the walk puts in the pool: the main line is walked more often than the exits. */
const weights: Partial<Record<PayoutEventType, number>> = {
  SUBMITTED: 1,
  SCREENING_CLEARED: 6,
  SCREENING_POSSIBLE_MATCH: 2,
  REVIEW_APPROVED: 3,
  RAIL_SUBMITTED: 1,
  RAIL_DISPATCHED: 5,
  RAIL_SETTLED: 6,
  RAIL_RETURNED: 2,
}

/** The event variants worth trying in a state, built from one random choice. */
const candidates = (
  snapshot: PayoutSnapshot,
  choice: number,
  at: EpochMillis,
  eventId: EventId,
): PayoutEvent[] => {
  const types = Object.keys(transitionTable[snapshot.state] ?? {}) as PayoutEventType[]
  const out: PayoutEvent[] = []
  for (const type of types) {
    const base = { type, eventId, occurredAt: at, actor: actorFor(type, choice) }
    switch (type) {
      case 'VELOCITY_EVALUATED':
        for (const verdict of ['allow', 'alert', 'allow', 'review', 'block'] as const)
          out.push({ ...base, type, actor: { type: 'system' }, verdict })
        break
      case 'RISK_SCORED':
        for (const rawScore of [choice % 1001, (choice * 7) % 600, ((choice * 13) % 400) + 600])
          out.push({
            ...base,
            type,
            actor: { type: 'engine' },
            rawScore: rawScore as RawRisk,
            evaluationId: `eval_${choice % 97}` as EvaluationId,
          })
        break
      case 'APPROVED':
        out.push({ ...base, type, actor: { type: 'merchant', id: `checker${choice % 4}` } })
        break
      case 'RFI_RESOLVED':
        out.push({ ...base, type, actor: { type: 'ops' }, outcome: choice % 4 === 0 ? 'blocked' : 'cleared' })
        break
      case 'CANCEL':
        if (choice % 8 === 0)
          out.push(
            choice % 16 === 0
              ? { ...base, type, actor: { type: 'ops' }, reason: 'requested by merchant support' }
              : { ...base, type, actor: { type: 'merchant' } },
          )
        break
      default:
        for (let w = weights[type] ?? 1; w > 0; w--) out.push(base as PayoutEvent)
    }
  }
  return out
}

/**
 * Walks the machine with a list of random choices: at each step, the accepted candidates of the
 * current state, one picked by the next choice; after `maxSteps`, the walk heads for a terminal
 * status. Returns the events applied, every one of them accepted.
 */
const walk = (
  config: ResolvedPayoutConfig,
  start: StartPayoutInput,
  choices: ReadonlyArray<number>,
  maxSteps: number,
): PayoutEvent[] => {
  const started = startPayout(start)
  if (E.isLeft(started)) return []
  let snapshot = started.right.snapshot
  let at = start.occurredAt as number
  const events: PayoutEvent[] = []
  for (let i = 0; i < maxSteps + 12; i++) {
    if (
      terminalStatuses.has(snapshot.status) &&
      (snapshot.status !== 'completed' || config.lateReturnWindowMs === null)
    )
      break
    const choice = choices[i % Math.max(1, choices.length)] ?? i
    at += 1 + (choice % 3_600_000)
    const eventId = `${start.eventId.slice(0, 8)}~${i}` as EventId
    const accepted: Array<{ event: PayoutEvent; next: PayoutSnapshot }> = []
    for (const event of candidates(snapshot, choice, at as EpochMillis, eventId)) {
      const step = applyPayoutEvent(snapshot, event, config)
      if (E.isRight(step)) accepted.push({ event, next: step.right.snapshot })
    }
    const finishing = i >= maxSteps
    const pool = finishing
      ? accepted.filter(({ event }) => !event.type.startsWith('RFI_') || event.type === 'RFI_RESOLVED')
      : accepted
    if (snapshot.status === 'completed' && (choice % 2 === 0 || finishing)) break
    const picked = pool[(choice >>> 3) % Math.max(1, pool.length)]
    if (picked === undefined) break
    events.push(picked.event)
    snapshot = picked.next
  }
  return events
}

/**
 * Complete lifecycles: a policy, a creation and every event up to a terminal status (sometimes a
 * late return after `completed`), each event accepted when applied in order. The walk follows the
 * machine, so every path of the diagram appears, RFIs included.
 *
 * @example
 * import { arbPayoutLifecycle } from '@payout-kernel/payout-machine/testing'
 * import { applyPayoutEvent, startPayout, terminalStatuses, type PayoutSnapshot } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * fc.assert(
 *   fc.property(arbPayoutLifecycle(), ({ config, start, events }) => {
 *     const started = startPayout(start)
 *     assert.ok(E.isRight(started))
 *     let snapshot: PayoutSnapshot = started.right.snapshot
 *     for (const event of events) {
 *       const step = applyPayoutEvent(snapshot, event, config)
 *       assert.ok(E.isRight(step))
 *       snapshot = step.right.snapshot
 *     }
 *     assert.ok(terminalStatuses.has(snapshot.status))
 *   }),
 *   { numRuns: 50 },
 * )
 */
export const arbPayoutLifecycle = (
  options: { readonly config?: fc.Arbitrary<ResolvedPayoutConfig>; readonly maxSteps?: number } = {},
): fc.Arbitrary<PayoutLifecycle> =>
  fc
    .tuple(
      options.config ?? arbPayoutConfig,
      arbStartPayoutInput,
      fc.array(fc.nat({ max: 2 ** 30 }), { minLength: 1, maxLength: 24 }),
    )
    .map(([config, start, choices]) => ({
      config,
      start,
      events: walk(config, start, choices, options.maxSteps ?? 16),
    }))

/** One item of an event stream: a decoded event, or anything at all that a sender might post. */
export type StreamItem =
  | { readonly kind: 'event'; readonly event: PayoutEvent }
  | { readonly kind: 'garbage'; readonly value: unknown }

/**
 * Hostile event streams for one payout: a lifecycle's events, then disturbed — some repeated
 * (duplicates), some moved earlier or later (out-of-order deliveries), some rail events dropped
 * (so later ones must be inferred), random valid events of any type, and garbage.
 *
 * @example
 * import { arbPayoutEventStream } from '@payout-kernel/payout-machine/testing'
 * import { applyPayoutEvent, startPayout, type PayoutSnapshot } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * fc.assert(
 *   fc.property(arbPayoutEventStream(), ({ config, start, items }) => {
 *     const started = startPayout(start)
 *     assert.ok(E.isRight(started))
 *     let snapshot: PayoutSnapshot = started.right.snapshot
 *     for (const item of items) {
 *       const step = applyPayoutEvent(snapshot, item.kind === 'event' ? item.event : item.value, config)
 *       if (E.isRight(step)) snapshot = step.right.snapshot
 *     }
 *   }),
 *   { numRuns: 30 },
 * )
 */
export const arbPayoutEventStream = (
  options: { readonly config?: fc.Arbitrary<ResolvedPayoutConfig> } = {},
): fc.Arbitrary<PayoutLifecycle & { readonly items: ReadonlyArray<StreamItem> }> =>
  arbPayoutLifecycle(options).chain((lifecycle) =>
    fc
      .array(
        fc.oneof(
          { weight: 6, arbitrary: fc.constant<'keep'>('keep') },
          { weight: 1, arbitrary: fc.constant<'drop'>('drop') },
          { weight: 1, arbitrary: fc.constant<'repeat'>('repeat') },
          { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) },
          { weight: 1, arbitrary: arbPayoutEvent.map((event) => ({ event })) },
          { weight: 1, arbitrary: arbGarbage.map((value) => ({ value })) },
          { weight: 1, arbitrary: fc.constant<'approve'>('approve') },
        ),
        { minLength: lifecycle.events.length, maxLength: lifecycle.events.length + 4 },
      )
      .map((plan) => {
        const items: StreamItem[] = []
        const moved: Array<{ at: number; item: StreamItem }> = []
        plan.forEach((op, i) => {
          const event = lifecycle.events[i]
          const own: StreamItem | undefined = event === undefined ? undefined : { kind: 'event', event }
          if (op === 'approve') {
            const at = (event?.occurredAt ?? lifecycle.start.occurredAt) as EpochMillis
            const actor = lifecycle.start.actor
            items.push(
              {
                kind: 'event',
                event: {
                  type: 'APPROVED',
                  eventId: `approve${i}` as EventId,
                  occurredAt: at,
                  actor: actor.id === undefined ? { type: 'merchant' } : { type: 'merchant', id: actor.id },
                },
              },
              {
                kind: 'event',
                event: {
                  type: 'REVIEW_APPROVED',
                  eventId: `review${i}` as EventId,
                  occurredAt: at,
                  actor: { type: 'ops' },
                },
              },
            )
          }
          if (typeof op === 'object' && 'event' in op) items.push({ kind: 'event', event: op.event })
          else if (typeof op === 'object') items.push({ kind: 'garbage', value: op.value })
          if (own === undefined) return
          if (op === 'drop' && own.event.type.startsWith('RAIL_')) return
          if (op === 'repeat') items.push(own, own)
          else if (typeof op === 'number') moved.push({ at: Math.max(0, items.length + op), item: own })
          else items.push(own)
        })
        for (const { at, item } of moved.reverse()) items.splice(Math.min(at, items.length), 0, item)
        return { ...lifecycle, items }
      }),
  )
