/**
 * The events that move a payout, as they arrive from outside: each names what happened
 * (`RAIL_SETTLED`), carries its own id, when it happened and who did it. They are decoded with
 * io-ts before the machine sees them; a bad one is refused as `invalid_event` naming the field.
 */
import {
  describeValue,
  EpochMillis,
  EvaluationId,
  fromDecodeErrors,
  guardDecoder,
  type ValidationError,
  validationError,
} from '@payout-kernel/core'
import { RawRisk } from '@payout-kernel/trust'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- actors

/**
 * Who can act on a payout.
 *
 * @example
 * import { actorTypes } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(actorTypes, ['system', 'merchant', 'ops', 'rail', 'engine'])
 */
export const actorTypes = ['system', 'merchant', 'ops', 'rail', 'engine'] as const

/** Who acted: the platform itself, the merchant, an ops reviewer, the payment rail or the risk engine. */
export type ActorType = (typeof actorTypes)[number]

/** An identifier chosen outside the library (event ids, actor ids): 1 to 255 printable ASCII characters, no spaces. */
const opaqueId = /^[\x21-\x7e]{1,255}$/

/** The brand of `EventId`. */
export interface EventIdBrand {
  readonly EventId: unique symbol
}

/**
 * The id of an incoming event, chosen by whoever sent it (a rail's webhook id, a queue message
 * id): 1 to 255 printable ASCII characters without spaces. Two events with the same id are the
 * same event; the second is a no-op.
 *
 * @example
 * import { EventId } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(EventId.is('wh_2024-05-01:abc'))
 * assert.ok(!EventId.is('has space'))
 * assert.ok(!EventId.is(''))
 */
export const EventId = /* @__PURE__ */ t.brand(
  t.string,
  (s): s is t.Branded<string, EventIdBrand> => opaqueId.test(s),
  'EventId',
)
/** The id of an incoming event. */
export type EventId = t.TypeOf<typeof EventId>

const ActorId = /* @__PURE__ */ t.refinement(t.string, (s) => opaqueId.test(s), 'ActorId')

/** The actor of an event: its kind, and the person or system id when known. */
export interface Actor<A extends ActorType = ActorType> {
  readonly type: A
  readonly id?: string
}

const actorCodec = <A extends ActorType>(types: readonly [A, ...A[]]): t.Type<Actor<A>, Actor<A>, unknown> =>
  t.intersection(
    [
      t.type({ type: t.keyof(Object.fromEntries(types.map((a) => [a, null])) as Record<A, null>) }),
      t.partial({ id: ActorId }),
    ],
    `Actor<${types.join('|')}>`,
  ) as unknown as t.Type<Actor<A>, Actor<A>, unknown>

// ---------------------------------------------------------------- payloads

/**
 * The velocity verdict actions an evaluation can report: `block` stops the payout, `review` sends
 * it to manual review, `allow` and `alert` let it pass (`alert` is only recorded).
 *
 * @example
 * import { VelocityAction } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(VelocityAction.is('alert'))
 * assert.ok(!VelocityAction.is('deny'))
 */
export const VelocityAction = /* @__PURE__ */ t.keyof(
  { allow: null, review: null, block: null, alert: null },
  'VelocityAction',
)
/** A velocity verdict action. */
export type VelocityAction = t.TypeOf<typeof VelocityAction>

/**
 * How ops closed a request for information: `cleared` lets the reviewer decide, `blocked` cancels
 * the payout.
 *
 * @example
 * import { RfiOutcome } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(RfiOutcome.is('blocked'))
 * assert.ok(!RfiOutcome.is('approved'))
 */
export const RfiOutcome = /* @__PURE__ */ t.keyof({ cleared: null, blocked: null }, 'RfiOutcome')
/** How an RFI was resolved. */
export type RfiOutcome = t.TypeOf<typeof RfiOutcome>

const CancelReason = /* @__PURE__ */ t.refinement(
  t.string,
  (s) => s.length >= 1 && s.length <= 255,
  'CancelReason',
)

// ---------------------------------------------------------------- events

/** What every event carries: its type, its id, when it happened and who did it. */
export interface PayoutEventBase<K extends string, A extends ActorType> {
  readonly type: K
  readonly eventId: EventId
  readonly occurredAt: EpochMillis
  readonly actor: Actor<A>
}

/** The kind of a payout event: an upper-snake domain word. */
export type PayoutEventType =
  | 'SUBMITTED'
  | 'SCREENING_CLEARED'
  | 'SCREENING_HIT'
  | 'SCREENING_POSSIBLE_MATCH'
  | 'VELOCITY_EVALUATED'
  | 'RISK_SCORED'
  | 'ENGINE_UNAVAILABLE'
  | 'APPROVED'
  | 'REVIEW_APPROVED'
  | 'REVIEW_REJECTED'
  | 'RFI_OPENED'
  | 'RFI_RESPONDED'
  | 'RFI_RESOLVED'
  | 'RFI_ESCALATED'
  | 'CANCEL'
  | 'RAIL_SUBMITTED'
  | 'RAIL_REJECTED'
  | 'RAIL_DISPATCHED'
  | 'RAIL_SETTLED'
  | 'RAIL_FAILED'
  | 'RAIL_RETURNED'

// Not exact codecs: unknown fields are ignored either way (nothing of the event is kept but its
// known fields), and core's `fromDecodeErrors` loses field names under an ExactType.
const event = <T extends string, A extends ActorType>(type: T, actors: readonly [A, ...A[]]) =>
  t.type(
    { type: t.literal(type), eventId: EventId, occurredAt: EpochMillis, actor: actorCodec(actors) },
    type,
  )

const plain = <T extends string, A extends ActorType>(type: T, actors: readonly [A, ...A[]]) =>
  event(type, actors)

const codecs: { readonly [K in PayoutEventType]: t.Decoder<unknown, PayoutEventOf<K>> } = {
  SUBMITTED: /* @__PURE__ */ plain('SUBMITTED', ['system']),
  SCREENING_CLEARED: /* @__PURE__ */ plain('SCREENING_CLEARED', ['system']),
  SCREENING_HIT: /* @__PURE__ */ plain('SCREENING_HIT', ['system']),
  SCREENING_POSSIBLE_MATCH: /* @__PURE__ */ plain('SCREENING_POSSIBLE_MATCH', ['system']),
  VELOCITY_EVALUATED: /* @__PURE__ */ t.intersection(
    [
      /* @__PURE__ */ event('VELOCITY_EVALUATED', ['system']),
      /* @__PURE__ */ t.type({ verdict: VelocityAction }),
    ],
    'VELOCITY_EVALUATED',
  ),
  RISK_SCORED: /* @__PURE__ */ t.intersection(
    [
      /* @__PURE__ */ event('RISK_SCORED', ['engine']),
      /* @__PURE__ */ t.type({ rawScore: RawRisk, evaluationId: EvaluationId }),
    ],
    'RISK_SCORED',
  ),
  ENGINE_UNAVAILABLE: /* @__PURE__ */ plain('ENGINE_UNAVAILABLE', ['system']),
  APPROVED: /* @__PURE__ */ plain('APPROVED', ['merchant']),
  REVIEW_APPROVED: /* @__PURE__ */ plain('REVIEW_APPROVED', ['ops']),
  REVIEW_REJECTED: /* @__PURE__ */ plain('REVIEW_REJECTED', ['ops']),
  RFI_OPENED: /* @__PURE__ */ plain('RFI_OPENED', ['ops']),
  RFI_RESPONDED: /* @__PURE__ */ plain('RFI_RESPONDED', ['merchant']),
  RFI_RESOLVED: /* @__PURE__ */ t.intersection(
    [/* @__PURE__ */ event('RFI_RESOLVED', ['ops']), /* @__PURE__ */ t.type({ outcome: RfiOutcome })],
    'RFI_RESOLVED',
  ),
  RFI_ESCALATED: /* @__PURE__ */ plain('RFI_ESCALATED', ['ops']),
  CANCEL: /* @__PURE__ */ t.intersection(
    [
      /* @__PURE__ */ event('CANCEL', ['merchant', 'ops']),
      /* @__PURE__ */ t.partial({ reason: CancelReason }),
    ],
    'CANCEL',
  ),
  RAIL_SUBMITTED: /* @__PURE__ */ plain('RAIL_SUBMITTED', ['system']),
  RAIL_REJECTED: /* @__PURE__ */ plain('RAIL_REJECTED', ['rail']),
  RAIL_DISPATCHED: /* @__PURE__ */ plain('RAIL_DISPATCHED', ['rail']),
  RAIL_SETTLED: /* @__PURE__ */ plain('RAIL_SETTLED', ['rail']),
  RAIL_FAILED: /* @__PURE__ */ plain('RAIL_FAILED', ['rail']),
  RAIL_RETURNED: /* @__PURE__ */ plain('RAIL_RETURNED', ['rail']),
} as const

/**
 * Every event type, in lifecycle order.
 *
 * @example
 * import { payoutEventTypes } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(payoutEventTypes.length, 21)
 * assert.ok(payoutEventTypes.includes('RAIL_RETURNED'))
 */
export const payoutEventTypes = /* @__PURE__ */ Object.keys(codecs) as ReadonlyArray<PayoutEventType>

/**
 * The actors allowed to send each event type (DOMAIN.md §2): screening and velocity are the
 * system's, risk scores the engine's, approvals the merchant's checker, reviews and RFIs ops',
 * rail outcomes the rail's. Any other actor makes the event invalid (`actor.type`).
 *
 * @example
 * import { eventActors } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(eventActors.CANCEL, ['merchant', 'ops'])
 * assert.deepEqual(eventActors.RISK_SCORED, ['engine'])
 */
export const eventActors: { readonly [K in PayoutEventType]: ReadonlyArray<ActorType> } = {
  SUBMITTED: ['system'],
  SCREENING_CLEARED: ['system'],
  SCREENING_HIT: ['system'],
  SCREENING_POSSIBLE_MATCH: ['system'],
  VELOCITY_EVALUATED: ['system'],
  RISK_SCORED: ['engine'],
  ENGINE_UNAVAILABLE: ['system'],
  APPROVED: ['merchant'],
  REVIEW_APPROVED: ['ops'],
  REVIEW_REJECTED: ['ops'],
  RFI_OPENED: ['ops'],
  RFI_RESPONDED: ['merchant'],
  RFI_RESOLVED: ['ops'],
  RFI_ESCALATED: ['ops'],
  CANCEL: ['merchant', 'ops'],
  RAIL_SUBMITTED: ['system'],
  RAIL_REJECTED: ['rail'],
  RAIL_DISPATCHED: ['rail'],
  RAIL_SETTLED: ['rail'],
  RAIL_FAILED: ['rail'],
  RAIL_RETURNED: ['rail'],
}

/**
 * A payout event, the union of the 21 event types; `VELOCITY_EVALUATED` carries `verdict`,
 * `RISK_SCORED` carries `rawScore` and `evaluationId`, `RFI_RESOLVED` carries `outcome`, `CANCEL`
 * may carry a `reason` (1 to 255 characters).
 *
 * @example
 * import { type PayoutEvent, decodePayoutEvent } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const decoded = decodePayoutEvent({
 *   type: 'RISK_SCORED', eventId: 'e1', occurredAt: 1_700_000_000_000,
 *   actor: { type: 'engine' }, rawScore: 720, evaluationId: 'eval_9',
 * })
 * assert.ok(E.isRight(decoded))
 * const event: PayoutEvent = decoded.right
 * assert.equal(event.type, 'RISK_SCORED')
 */
export type PayoutEvent =
  | PayoutEventBase<'SUBMITTED', 'system'>
  | PayoutEventBase<'SCREENING_CLEARED', 'system'>
  | PayoutEventBase<'SCREENING_HIT', 'system'>
  | PayoutEventBase<'SCREENING_POSSIBLE_MATCH', 'system'>
  | (PayoutEventBase<'VELOCITY_EVALUATED', 'system'> & { readonly verdict: VelocityAction })
  | (PayoutEventBase<'RISK_SCORED', 'engine'> & {
      readonly rawScore: RawRisk
      readonly evaluationId: EvaluationId
    })
  | PayoutEventBase<'ENGINE_UNAVAILABLE', 'system'>
  | PayoutEventBase<'APPROVED', 'merchant'>
  | PayoutEventBase<'REVIEW_APPROVED', 'ops'>
  | PayoutEventBase<'REVIEW_REJECTED', 'ops'>
  | PayoutEventBase<'RFI_OPENED', 'ops'>
  | PayoutEventBase<'RFI_RESPONDED', 'merchant'>
  | (PayoutEventBase<'RFI_RESOLVED', 'ops'> & { readonly outcome: RfiOutcome })
  | PayoutEventBase<'RFI_ESCALATED', 'ops'>
  | (PayoutEventBase<'CANCEL', 'merchant' | 'ops'> & { readonly reason?: string })
  | PayoutEventBase<'RAIL_SUBMITTED', 'system'>
  | PayoutEventBase<'RAIL_REJECTED', 'rail'>
  | PayoutEventBase<'RAIL_DISPATCHED', 'rail'>
  | PayoutEventBase<'RAIL_SETTLED', 'rail'>
  | PayoutEventBase<'RAIL_FAILED', 'rail'>
  | PayoutEventBase<'RAIL_RETURNED', 'rail'>

/** The payout event of one type. */
export type PayoutEventOf<K extends PayoutEventType> = Extract<PayoutEvent, { readonly type: K }>

const EventType = /* @__PURE__ */ t.keyof(
  /* @__PURE__ */ Object.fromEntries(/* @__PURE__ */ payoutEventTypes.map((k) => [k, null])) as Record<
    PayoutEventType,
    null
  >,
  'PayoutEventType',
)

// ---------------------------------------------------------------- decoding

// The hot path: a hand-written check of exactly what the codecs accept, so a valid event costs a
// few property reads. `decodePayoutEvent` and `decodePayoutEventStrict` are tested to agree.
const actorSets: ReadonlyMap<string, ReadonlySet<string>> = /* @__PURE__ */ new Map(
  /* @__PURE__ */ Object.entries(eventActors).map(([k, v]) => [k, new Set(v)]),
)
const velocityActions = /* @__PURE__ */ new Set(['allow', 'review', 'block', 'alert'])
const evaluationIdPattern = /^eval_[a-zA-Z0-9]+$/

const isOpaqueId = (s: unknown): s is string => {
  if (typeof s !== 'string' || s.length === 0 || s.length > 255) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}

const isWholeIn = (n: unknown, min: number, max: number): n is number =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= min && n <= max

const isPayoutEventFast = (u: unknown): u is PayoutEvent => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false
  const e = u as Record<string, unknown>
  const type = e.type
  if (typeof type !== 'string') return false
  const actors = actorSets.get(type)
  if (actors === undefined) return false
  if (!isOpaqueId(e.eventId)) return false
  if (!isWholeIn(e.occurredAt, -62_167_219_200_000, 253_402_300_799_999)) return false
  const actor = e.actor
  if (typeof actor !== 'object' || actor === null || Array.isArray(actor)) return false
  const a = actor as Record<string, unknown>
  if (typeof a.type !== 'string' || !actors.has(a.type)) return false
  if (a.id !== undefined && !isOpaqueId(a.id)) return false
  switch (type) {
    case 'VELOCITY_EVALUATED':
      return typeof e.verdict === 'string' && velocityActions.has(e.verdict)
    case 'RISK_SCORED':
      return (
        isWholeIn(e.rawScore, 0, 1000) &&
        typeof e.evaluationId === 'string' &&
        e.evaluationId.length <= 255 &&
        evaluationIdPattern.test(e.evaluationId)
      )
    case 'RFI_RESOLVED':
      return e.outcome === 'cleared' || e.outcome === 'blocked'
    case 'CANCEL':
      return (
        e.reason === undefined ||
        (typeof e.reason === 'string' && e.reason.length >= 1 && e.reason.length <= 255)
      )
    default:
      return true
  }
}

/**
 * Decodes an event from outside: the event, or a `ValidationError` naming each bad field
 * (`type`, `occurredAt`, `actor.type`, `rawScore`, …). Never throws, whatever the input.
 *
 * @example
 * import { decodePayoutEvent } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const ok = decodePayoutEvent({ type: 'SUBMITTED', eventId: 'e1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(ok))
 *
 * const wrongActor = decodePayoutEvent({ type: 'SUBMITTED', eventId: 'e1', occurredAt: 0, actor: { type: 'merchant' } })
 * assert.ok(E.isLeft(wrongActor))
 * assert.equal(wrongActor.left.problems[0]?.field, 'actor.type')
 *
 * const unknown = decodePayoutEvent({ type: 'PAID' })
 * assert.ok(E.isLeft(unknown) && unknown.left.problems[0]?.field === 'type')
 */
export const decodePayoutEvent = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, PayoutEvent> =>
    isPayoutEventFast(u) ? E.right(u) : decodePayoutEventStrict(u),
)

/**
 * The io-ts decoder of a payout event: the reference the fast check in `decodePayoutEvent` is
 * tested against, and the source of its error messages.
 *
 * @example
 * import { decodePayoutEventStrict } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const bad = decodePayoutEventStrict({
 *   type: 'VELOCITY_EVALUATED', eventId: 'e1', occurredAt: 0, actor: { type: 'system' }, verdict: 'deny',
 * })
 * assert.ok(E.isLeft(bad) && bad.left.problems[0]?.field === 'verdict')
 */
export const decodePayoutEventStrict = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, PayoutEvent> => {
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return E.left(validationError('', `must be an event object, got ${describeValue(u)}`))
    const type = (u as { readonly type?: unknown }).type
    if (!EventType.is(type))
      return E.left(
        validationError('type', `must be one of ${payoutEventTypes.join(', ')}, got ${describeValue(type)}`),
      )
    const codec: t.Decoder<unknown, PayoutEvent> = codecs[type]
    const result = codec.decode(knownFields(type, u as Record<string, unknown>))
    return E.isRight(result) ? result : E.left(fromDecodeErrors(result.left))
  },
)

const baseFields = ['type', 'eventId', 'occurredAt', 'actor']
const ownFields: Partial<Record<PayoutEventType, readonly string[]>> = {
  VELOCITY_EVALUATED: ['verdict'],
  RISK_SCORED: ['rawScore', 'evaluationId'],
  RFI_RESOLVED: ['outcome'],
  CANCEL: ['reason'],
}

/**
 * The fields an event of its type may have, and no other: an intersection codec merges every key
 * of its input, so an unknown key (or one of the actor's) that throws when read would refuse an
 * event the fast check, which reads only these, accepts. An actor that is not a plain object is
 * left for the codec to refuse.
 */
const knownFields = (type: PayoutEventType, u: Record<string, unknown>): Record<string, unknown> => {
  const picked: Record<string, unknown> = {}
  for (const k of [...baseFields, ...(ownFields[type] ?? [])]) if (k in u) picked[k] = u[k]
  const actor = picked.actor
  if (typeof actor === 'object' && actor !== null && !Array.isArray(actor)) {
    const a = actor as Record<string, unknown>
    picked.actor = 'id' in a ? { type: a.type, id: a.id } : { type: a.type }
  }
  return picked
}
