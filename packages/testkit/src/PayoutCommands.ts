/**
 * A model-based command set for a service that embeds the payout machine: fast-check drives the
 * service under test and the library's own `applyPayoutEvent` side by side, with events that move
 * the payout forward, events of any type, redeliveries and garbage, and checks after every command
 * that the service answered exactly as the machine does.
 */
import type { EpochMillis, EvaluationId } from '@payout-kernel/core'
import { arbGarbage } from '@payout-kernel/core/testing'
import {
  applyPayoutEvent,
  eventActors,
  type PayoutEvent,
  type PayoutEventType,
  type PayoutSnapshot,
  type PayoutStatus,
  payoutEventTypes,
  type RefusalReason,
  type ResolvedPayoutConfig,
  type StartPayoutInput,
  startPayout,
} from '@payout-kernel/payout-machine'
import { arbPayoutConfig, arbStartPayoutInput } from '@payout-kernel/payout-machine/testing'
import type { RawRisk } from '@payout-kernel/trust'
import fc from 'fast-check'
import * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- model

/**
 * What the service answered to one delivered event: accepted, with the status the payout is in
 * and the ids of the webhooks it emitted, or refused with the machine's reason.
 */
export type PayoutReply =
  | { readonly accepted: true; readonly status: PayoutStatus; readonly webhookIds: ReadonlyArray<string> }
  | { readonly accepted: false; readonly reason: RefusalReason }

/** The service under test, as the command set sees it: one payout, created before the run. */
export interface PayoutServiceUnderTest {
  /** Delivers one event (or anything a sender might post) to the service. */
  deliver(event: unknown): PayoutReply | Promise<PayoutReply>
}

/** The model: the machine's snapshot of the payout, the events delivered so far, and a clock. */
export interface PayoutModel {
  snapshot: PayoutSnapshot
  readonly config: ResolvedPayoutConfig
  readonly delivered: PayoutEvent[]
  clock: number
  nextEventId: number
}

/** A command of the payout command set. */
export type PayoutCommand = fc.AsyncCommand<PayoutModel, PayoutServiceUnderTest>

// ---------------------------------------------------------------- the oracle

/**
 * The reply the payout machine gives to an event in the model's state: what the service must answer.
 *
 * @example
 * import { expectedPayoutReply, payoutModel } from '@payout-kernel/testkit'
 * import { defaultPayoutConfig } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * const model = payoutModel(
 *   { payoutId: 'pay_1', eventId: 'e0', occurredAt: 1_000, actor: { type: 'merchant', id: 'maker' } },
 *   defaultPayoutConfig,
 * )
 * const reply = expectedPayoutReply(model, { type: 'SUBMITTED', eventId: 'e1', occurredAt: 2_000, actor: { type: 'system' } })
 * assert.equal(reply.accepted && reply.status, 'pending_screening')
 */
export const expectedPayoutReply = (model: PayoutModel, event: unknown): PayoutReply => {
  const step = applyPayoutEvent(model.snapshot, event, model.config)
  return E.isLeft(step)
    ? { accepted: false, reason: step.left.reason }
    : {
        accepted: true,
        status: step.right.snapshot.status,
        webhookIds: step.right.webhookEvents.map((w) => w.id),
      }
}

/**
 * The model of a payout just created with `start`, under `config`.
 *
 * @example
 * import { payoutModel } from '@payout-kernel/testkit'
 * import { defaultPayoutConfig } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * const model = payoutModel({ payoutId: 'pay_1', eventId: 'e0', occurredAt: 0, actor: { type: 'system' } }, defaultPayoutConfig)
 * assert.equal(model.snapshot.status, 'created')
 */
export const payoutModel = (start: StartPayoutInput, config: ResolvedPayoutConfig): PayoutModel => {
  const started = startPayout(start)
  if (E.isLeft(started)) throw new Error(`payoutModel: the start input is refused: ${started.left.message}`)
  return { snapshot: started.right.snapshot, config, delivered: [], clock: start.occurredAt, nextEventId: 1 }
}

// ---------------------------------------------------------------- commands

/** Builds an event of a type from one random choice, at the model's next instant, with its next id. */
const buildEvent = (model: PayoutModel, type: PayoutEventType, choice: number): PayoutEvent => {
  const actors = eventActors[type]
  const actorType = actors[choice % actors.length] ?? 'system'
  const at = (model.clock + 1_000) as EpochMillis
  const base = {
    eventId: `e${model.nextEventId}`,
    occurredAt: at,
    actor: actorType === 'merchant' ? { type: actorType, id: `user${choice % 3}` } : { type: actorType },
  }
  switch (type) {
    case 'VELOCITY_EVALUATED':
      return {
        ...base,
        type,
        verdict: (['allow', 'alert', 'allow', 'review', 'block'] as const)[choice % 5] ?? 'allow',
      } as PayoutEvent
    case 'RISK_SCORED':
      return {
        ...base,
        type,
        rawScore: (choice % 1001) as RawRisk,
        evaluationId: `eval_${choice % 97}` as EvaluationId,
      } as PayoutEvent
    case 'RFI_RESOLVED':
      return { ...base, type, outcome: choice % 3 === 0 ? 'blocked' : 'cleared' } as PayoutEvent
    case 'CANCEL':
      return (
        choice % 2 === 0 ? { ...base, type } : { ...base, type, reason: 'customer asked' }
      ) as PayoutEvent
    default:
      return { ...base, type } as PayoutEvent
  }
}

const record = (model: PayoutModel, event: PayoutEvent): void => {
  model.clock = event.occurredAt
  model.nextEventId += 1
}

/** Delivers an event to both sides, checks the service answered as the machine does, and moves the model. */
const deliverBoth = async (
  model: PayoutModel,
  real: PayoutServiceUnderTest,
  event: unknown,
): Promise<void> => {
  const expected = expectedPayoutReply(model, event)
  const actual = await real.deliver(event)
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(
      `the service answered ${JSON.stringify(actual)}, the payout machine ${JSON.stringify(expected)}`,
    )
  const step = applyPayoutEvent(model.snapshot, event, model.config)
  if (E.isRight(step)) {
    model.snapshot = step.right.snapshot
    model.delivered.push(event as PayoutEvent)
  }
}

class NextEvent implements PayoutCommand {
  constructor(readonly choice: number) {}
  check = () => true
  async run(model: PayoutModel, real: PayoutServiceUnderTest): Promise<void> {
    // The first event type, from a rotating start, that the machine accepts now; any event when none does.
    const types = [...payoutEventTypes.slice(this.choice % payoutEventTypes.length), ...payoutEventTypes]
    const events = types.map((type) => buildEvent(model, type, this.choice))
    const event =
      events.find((e) => E.isRight(applyPayoutEvent(model.snapshot, e, model.config))) ?? events[0]
    if (event === undefined) return
    record(model, event)
    await deliverBoth(model, real, event)
  }
  toString = () => `NextEvent(${this.choice})`
}

class AnyEvent implements PayoutCommand {
  constructor(
    readonly type: PayoutEventType,
    readonly choice: number,
  ) {}
  check = () => true
  async run(model: PayoutModel, real: PayoutServiceUnderTest): Promise<void> {
    const event = buildEvent(model, this.type, this.choice)
    record(model, event)
    await deliverBoth(model, real, event)
  }
  toString = () => `AnyEvent(${this.type}, ${this.choice})`
}

class Redeliver implements PayoutCommand {
  constructor(readonly index: number) {}
  check = (model: Readonly<PayoutModel>) => model.delivered.length > 0
  async run(model: PayoutModel, real: PayoutServiceUnderTest): Promise<void> {
    await deliverBoth(model, real, model.delivered[this.index % model.delivered.length])
  }
  toString = () => `Redeliver(${this.index})`
}

class Garbage implements PayoutCommand {
  constructor(readonly value: unknown) {}
  check = () => true
  async run(model: PayoutModel, real: PayoutServiceUnderTest): Promise<void> {
    await deliverBoth(model, real, this.value)
  }
  toString = () => `Garbage(${fc.stringify(this.value)})`
}

/**
 * The command set: events that move the payout forward (most of them), events of any type
 * (mostly refused), redeliveries of accepted events (duplicates) and garbage.
 *
 * @example
 * import { payoutCommands } from '@payout-kernel/testkit'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * const [commands] = fc.sample(payoutCommands({ maxCommands: 5 }), 1)
 * assert.ok(commands !== undefined && [...commands].length <= 5)
 */
export const payoutCommands = (
  options: { readonly maxCommands?: number } = {},
): fc.Arbitrary<Iterable<PayoutCommand>> =>
  fc.commands(
    [
      fc.nat().map((c) => new NextEvent(c)),
      fc.nat().map((c) => new NextEvent(c)),
      fc.nat().map((c) => new NextEvent(c)),
      fc.tuple(fc.constantFrom(...payoutEventTypes), fc.nat()).map(([t, c]) => new AnyEvent(t, c)),
      fc.nat().map((i) => new Redeliver(i)),
      arbGarbage.map((v) => new Garbage(v)),
    ],
    { maxCommands: options.maxCommands ?? 30 },
  )

/**
 * A property: for any payout, policy and command sequence, the service built by `makeService`
 * answers every delivery exactly as the payout machine does.
 *
 * @example
 * import { payoutServiceProperty, type PayoutReply } from '@payout-kernel/testkit'
 * import { applyPayoutEvent, startPayout, type PayoutSnapshot } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * // A service that keeps the snapshot in memory and answers with what the machine did.
 * await fc.assert(
 *   payoutServiceProperty((start, config) => {
 *     const started = startPayout(start)
 *     if (E.isLeft(started)) throw new Error(started.left.message)
 *     let snapshot: PayoutSnapshot = started.right.snapshot
 *     return {
 *       deliver: (event): PayoutReply => {
 *         const step = applyPayoutEvent(snapshot, event, config)
 *         if (E.isLeft(step)) return { accepted: false, reason: step.left.reason }
 *         snapshot = step.right.snapshot
 *         return { accepted: true, status: snapshot.status, webhookIds: step.right.webhookEvents.map((w) => w.id) }
 *       },
 *     }
 *   }),
 *   { numRuns: 20 },
 * )
 */
export const payoutServiceProperty = (
  makeService: (
    start: StartPayoutInput,
    config: ResolvedPayoutConfig,
  ) => PayoutServiceUnderTest | Promise<PayoutServiceUnderTest>,
  options: { readonly maxCommands?: number; readonly config?: fc.Arbitrary<ResolvedPayoutConfig> } = {},
): fc.IAsyncProperty<[StartPayoutInput, ResolvedPayoutConfig, Iterable<PayoutCommand>]> =>
  fc.asyncProperty(
    arbStartPayoutInput,
    options.config ?? arbPayoutConfig,
    payoutCommands(options),
    async (start, config, commands) => {
      const real = await makeService(start, config)
      await fc.asyncModelRun(() => ({ model: payoutModel(start, config), real }), commands)
    },
  )
