// The lifecycle around a machine stepper: decoding, duplicates, the refusal reasons, inferred
// steps for out-of-order rail events, stale regressions, and the audit records and webhook events
// of each accepted transition. `applyPayoutEvent` runs it over the compiled table; the tests run
// the very same code over XState's `transition()` and compare.
import {
  type EpochMillis,
  EpochMillis as EpochMillisCodec,
  fromDecodeErrors,
  guardDecoder,
  type PayoutEventId,
  PayoutId,
  type PayoutId as PayoutIdType,
  type ValidationError,
  type ValidationProblem,
  type WebhookEventId,
} from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { type PayoutConfig, resolvePayoutConfig } from '../PayoutConfig.js'
import {
  type Actor,
  decodePayoutEvent,
  EventId,
  type PayoutEvent,
  type PayoutEventType,
} from '../PayoutEvent.js'
import type { PayoutContext, PayoutState } from '../PayoutMachine.js'
import type { PayoutSnapshot } from '../PayoutSnapshot.js'
import { cancellableStatuses, type PayoutStatus, payoutStatuses } from '../PayoutStatus.js'
import type {
  AuditRecord,
  PayoutStep,
  RefusalReason,
  Rejection,
  WebhookData,
  WebhookEvent,
  WebhookEventType,
} from '../PayoutStep.js'
import { auditRecordIdOf, rfc3339Fast, webhookEventIdOf } from './FastId.js'
import { acceptedIn, type Moved, type Stepper, statusBit } from './TransitionTable.js'

// ---------------------------------------------------------------- refusals

const refuse = (
  reason: RefusalReason,
  message: string,
  status: PayoutStatus | null,
  eventType: string | null,
  problems: ReadonlyArray<ValidationProblem> = [],
): E.Either<Rejection, never> =>
  E.left({ _tag: 'PayoutRejection', reason, message, status, eventType, problems })

const invalid = (
  e: ValidationError,
  status: PayoutStatus | null,
  eventType: unknown,
): E.Either<Rejection, never> =>
  refuse(
    'invalid_event',
    `invalid event: ${e.problems.map((p) => `${p.field === '' ? '(event)' : p.field} ${p.message}`).join('; ')}`,
    status,
    typeof eventType === 'string' ? eventType : null,
    e.problems,
  )

// ---------------------------------------------------------------- records

const rfiWebhook = (type: PayoutEventType | 'CREATED'): WebhookEventType | undefined => {
  switch (type) {
    case 'RFI_OPENED':
      return 'rfi.created'
    case 'RFI_RESPONDED':
      return 'rfi.responded'
    case 'RFI_RESOLVED':
      return 'rfi.resolved'
    case 'RFI_ESCALATED':
      return 'rfi.escalated'
    default:
      return undefined
  }
}

/** `payout.<status>` for each status, built once. */
const statusWebhook = /* @__PURE__ */ Object.fromEntries(
  /* @__PURE__ */ payoutStatuses.map((s) => [s, `payout.${s}`]),
) as {
  readonly [S in PayoutStatus]: `payout.${S}`
}

type Metadata = Record<string, string | number | boolean>

const metadataOf = (
  event: PayoutEvent,
  eventId: string,
  state: PayoutState,
  inferred: boolean,
  next: PayoutContext,
  config: { readonly reviewTier: string },
): Metadata => {
  // whole literals, one per kind of event, in the same key order as ever
  switch (event.type) {
    case 'VELOCITY_EVALUATED':
      return { event_id: eventId, state, inferred, verdict: event.verdict }
    case 'RISK_SCORED':
      return next.risk !== null
        ? {
            event_id: eventId,
            state,
            inferred,
            raw_score: event.rawScore,
            tier: next.risk.tier,
            evaluation_id: event.evaluationId,
            review_tier: config.reviewTier,
          }
        : {
            event_id: eventId,
            state,
            inferred,
            raw_score: event.rawScore,
            evaluation_id: event.evaluationId,
            review_tier: config.reviewTier,
          }
    case 'RFI_OPENED':
    case 'RFI_RESPONDED':
    case 'RFI_RESOLVED':
    case 'RFI_ESCALATED':
      return next.rfi !== null
        ? { event_id: eventId, state, inferred, rfi_id: next.rfi.id, rfi_status: next.rfi.status }
        : { event_id: eventId, state, inferred }
    default:
      return { event_id: eventId, state, inferred }
  }
}

const reasonOf = (event: PayoutEvent, to: PayoutStatus): string | undefined =>
  event.type === 'CANCEL'
    ? event.reason
    : event.type === 'REVIEW_REJECTED'
      ? 'review_rejected'
      : event.type === 'RFI_RESOLVED' && to === 'cancelled'
        ? 'rfi_blocked'
        : undefined

interface Emitted {
  readonly record: AuditRecord
  readonly webhook: WebhookEvent | undefined
}

const emit = (
  payoutId: PayoutIdType,
  seq: number,
  from: PayoutStatus | null,
  to: Moved,
  event: PayoutEvent | { readonly type: 'CREATED'; readonly actor: Actor },
  eventId: string,
  occurredAt: string,
  inferred: boolean,
  config: { readonly reviewTier: string },
): Emitted => {
  const auditId = auditRecordIdOf(payoutId, seq) as PayoutEventId
  const reason = event.type === 'CREATED' ? undefined : reasonOf(event, to.status)
  const metadata =
    event.type === 'CREATED'
      ? { event_id: eventId, state: to.state, inferred }
      : metadataOf(event, eventId, to.state, inferred, to.context, config)
  const actorId = event.actor.id
  // Whole literals, optional fields last, so that every record is built in one allocation with
  // its final shape (adding a property later would grow it out of line).
  const record: AuditRecord =
    actorId === undefined
      ? reason === undefined
        ? {
            id: auditId,
            payout_id: payoutId,
            seq,
            previous_status: from,
            status: to.status,
            event: event.type,
            actor_type: event.actor.type,
            occurred_at: occurredAt,
            metadata,
          }
        : {
            id: auditId,
            payout_id: payoutId,
            seq,
            previous_status: from,
            status: to.status,
            event: event.type,
            actor_type: event.actor.type,
            occurred_at: occurredAt,
            metadata,
            reason,
          }
      : reason === undefined
        ? {
            id: auditId,
            payout_id: payoutId,
            seq,
            previous_status: from,
            status: to.status,
            event: event.type,
            actor_type: event.actor.type,
            occurred_at: occurredAt,
            metadata,
            actor_id: actorId,
          }
        : {
            id: auditId,
            payout_id: payoutId,
            seq,
            previous_status: from,
            status: to.status,
            event: event.type,
            actor_type: event.actor.type,
            occurred_at: occurredAt,
            metadata,
            actor_id: actorId,
            reason,
          }
  const rfiType = rfiWebhook(event.type)
  const type: WebhookEventType | undefined = from !== to.status ? statusWebhook[to.status] : rfiType
  if (type === undefined) return { record, webhook: undefined }
  const rfi = rfiType !== undefined ? to.context.rfi : null
  const data: WebhookData =
    rfi === null
      ? reason === undefined
        ? { payout_id: payoutId, status: to.status, previous_status: from, seq, audit_record_id: auditId }
        : {
            payout_id: payoutId,
            status: to.status,
            previous_status: from,
            seq,
            audit_record_id: auditId,
            reason,
          }
      : reason === undefined
        ? {
            payout_id: payoutId,
            status: to.status,
            previous_status: from,
            seq,
            audit_record_id: auditId,
            rfi: { id: rfi.id, status: rfi.status },
          }
        : {
            payout_id: payoutId,
            status: to.status,
            previous_status: from,
            seq,
            audit_record_id: auditId,
            reason,
            rfi: { id: rfi.id, status: rfi.status },
          }
  return {
    record,
    webhook: { id: webhookEventIdOf(payoutId, seq) as WebhookEventId, type, created_at: occurredAt, data },
  }
}

// ---------------------------------------------------------------- starting

/** What `startPayout` needs: the payout id, the creating event's id and time, and who created it. */
export interface StartPayoutInput {
  readonly payoutId: PayoutIdType
  readonly eventId: EventId
  readonly occurredAt: EpochMillis
  readonly actor: Actor<'merchant' | 'ops' | 'system'>
}

// Not an exact codec: core's `fromDecodeErrors` loses field names under an ExactType.
const StartPayoutInput: t.Decoder<unknown, StartPayoutInput> = /* @__PURE__ */ t.type(
  {
    payoutId: PayoutId,
    eventId: EventId,
    occurredAt: EpochMillisCodec,
    actor: /* @__PURE__ */ t.intersection([
      /* @__PURE__ */ t.type({ type: /* @__PURE__ */ t.keyof({ merchant: null, ops: null, system: null }) }),
      /* @__PURE__ */ t.partial({
        id: /* @__PURE__ */ t.refinement(t.string, (s) => /^[\x21-\x7e]{1,255}$/.test(s), 'ActorId'),
      }),
    ]),
  },
  'StartPayoutInput',
)

/** 1 to 255 printable ASCII characters, no spaces. */
const isOpaqueId = (s: unknown): s is string => {
  if (typeof s !== 'string' || s.length === 0 || s.length > 255) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}

/** `pay_` and 1 to 251 ASCII letters or digits: what `PayoutId` of core accepts. */
const isPayoutId = (s: unknown): s is PayoutIdType => {
  if (typeof s !== 'string' || s.length < 5 || s.length > 255 || !s.startsWith('pay_')) return false
  for (let i = 4; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) return false
  }
  return true
}

/** The `type` of a refused input, for the rejection: `undefined` where there is none, or reading it throws. */
const typeOfRefused = (input: unknown): unknown => {
  try {
    return typeof input === 'object' && input !== null
      ? (input as { readonly type?: unknown }).type
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Exactly what the `StartPayoutInput` codec accepts, checked by hand for the hot path (tested
 * equal). An input that throws when read is not one (the codec then names the field).
 */
export const isStartPayoutInputFast = (u: unknown): u is StartPayoutInput => {
  try {
    return isStartPayoutInputFastUnguarded(u)
  } catch {
    return false
  }
}

const isStartPayoutInputFastUnguarded = (u: unknown): u is StartPayoutInput => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false
  const s = u as Record<string, unknown>
  if (!isPayoutId(s.payoutId)) return false
  if (!isOpaqueId(s.eventId)) return false
  if (!EpochMillisCodec.is(s.occurredAt)) return false
  const actor = s.actor
  if (typeof actor !== 'object' || actor === null || Array.isArray(actor)) return false
  const a = actor as Record<string, unknown>
  const type = a.type
  if (type !== 'merchant' && type !== 'ops' && type !== 'system') return false
  return a.id === undefined || isOpaqueId(a.id)
}

/** The io-ts decoder of `startPayout`'s input: the reference, and the source of error messages. */
export const decodeStartStrict = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, StartPayoutInput> =>
    E.mapLeft(fromDecodeErrors)(StartPayoutInput.decode(u)),
)

const decodeStart = (u: unknown): E.Either<ValidationError, StartPayoutInput> =>
  isStartPayoutInputFast(u) ? E.right(u) : decodeStartStrict(u)

/** Starts a payout in `created`: the first audit record (seq 1, event `CREATED`) and `payout.created`. */
export const start = (input: unknown): E.Either<Rejection, PayoutStep> => {
  const decoded = decodeStart(input)
  if (E.isLeft(decoded)) return invalid(decoded.left, null, 'CREATED')
  const { payoutId, eventId, occurredAt, actor } = decoded.right
  const context: PayoutContext = {
    payoutId,
    makerId: actor.type === 'merchant' ? (actor.id ?? null) : null,
    velocity: null,
    risk: null,
    rfi: null,
    rfiCount: 0,
    completedAt: null,
    seq: 1,
    lastOccurredAt: occurredAt,
    appliedEventIds: [eventId],
    visited: statusBit.created,
  }
  const moved: Moved = { state: 'created', status: 'created', context }
  const { record, webhook } = emit(
    payoutId,
    1,
    null,
    moved,
    { type: 'CREATED', actor },
    eventId,
    rfc3339Fast(occurredAt),
    false,
    { reviewTier: '' },
  )
  return E.right({
    snapshot: moved,
    auditRecords: [record],
    webhookEvents: webhook === undefined ? [] : [webhook],
  })
}

// ---------------------------------------------------------------- applying

const implied: Partial<Record<PayoutEventType, ReadonlyArray<PayoutEventType>>> = {
  RAIL_DISPATCHED: ['RAIL_SUBMITTED'],
  RAIL_REJECTED: ['RAIL_SUBMITTED'],
  RAIL_SETTLED: ['RAIL_SUBMITTED', 'RAIL_DISPATCHED'],
  RAIL_FAILED: ['RAIL_SUBMITTED', 'RAIL_DISPATCHED'],
  RAIL_RETURNED: ['RAIL_SUBMITTED', 'RAIL_DISPATCHED'],
}

/** One transition taken within a step. */
export interface Microstep {
  readonly event: PayoutEvent
  readonly to: Moved
  readonly inferred: boolean
}

const wasApplied = (ids: ReadonlyArray<string>, id: string): boolean => {
  for (let i = ids.length - 1; i >= 0; i--) if (ids[i] === id) return true
  return false
}

/**
 * The context after a step: the machine's context `c`, with the bookkeeping of the step (last
 * seq, latest time, the event id, the statuses visited). Spelled out, not spread: every snapshot
 * context has the same shape.
 */
const nextContextOf = (
  c: PayoutContext,
  before: PayoutContext,
  event: PayoutEvent,
  seq: number,
  visited: number,
): PayoutContext => {
  const ids = before.appliedEventIds
  const n = ids.length
  const appliedEventIds = new Array<string>(n + 1)
  for (let i = 0; i < n; i++) appliedEventIds[i] = ids[i] as string
  appliedEventIds[n] = event.eventId
  return {
    payoutId: c.payoutId,
    makerId: c.makerId,
    velocity: c.velocity,
    risk: c.risk,
    rfi: c.rfi,
    rfiCount: c.rfiCount,
    completedAt: c.completedAt,
    seq,
    lastOccurredAt: Math.max(event.occurredAt, before.lastOccurredAt) as EpochMillis,
    appliedEventIds,
    visited,
  }
}

/** The lifecycle functions over one stepper. */
export const makeLifecycle = (stepper: Stepper) => {
  /** Tries the implied rail events (shortest chain first) and then the event itself. */
  const infer = (
    snapshot: PayoutSnapshot,
    event: PayoutEvent,
    config: ReturnType<typeof resolvePayoutConfig>,
  ): Microstep[] | undefined => {
    const chain = implied[event.type]
    if (chain === undefined) return undefined
    for (let k = 1; k <= chain.length; k++) {
      const steps: Microstep[] = []
      let at: Moved = snapshot
      let ok = true
      for (const type of chain.slice(chain.length - k)) {
        const impliedEvent = {
          type,
          eventId: event.eventId,
          occurredAt: event.occurredAt,
          actor: event.actor,
        } as PayoutEvent
        const next = stepper(at.state, at.context, impliedEvent, config)
        if (next === undefined) {
          ok = false
          break
        }
        steps.push({ event: impliedEvent, to: next, inferred: true })
        at = next
      }
      if (!ok) continue
      const last = stepper(at.state, at.context, event, config)
      if (last === undefined) continue
      steps.push({ event, to: last, inferred: false })
      return steps
    }
    return undefined
  }

  const apply = (
    snapshot: PayoutSnapshot,
    input: unknown,
    config?: PayoutConfig,
  ): E.Either<Rejection, PayoutStep> => {
    const status = snapshot.status
    const decoded = decodePayoutEvent(input)
    if (E.isLeft(decoded)) return invalid(decoded.left, status, typeOfRefused(input))
    const event = decoded.right
    const context = snapshot.context
    if (wasApplied(context.appliedEventIds, event.eventId))
      return refuse('duplicate_event', `event ${event.eventId} was already applied`, status, event.type)
    const resolved = resolvePayoutConfig(config)
    const direct = stepper(snapshot.state, context, event, resolved)
    if (direct !== undefined) {
      // the common case, one transition: no microstep list
      const seq = context.seq + 1
      const occurredAt = rfc3339Fast(event.occurredAt)
      const { record, webhook } = emit(
        context.payoutId,
        seq,
        status,
        direct,
        event,
        event.eventId,
        occurredAt,
        false,
        resolved,
      )
      return E.right({
        snapshot: {
          state: direct.state,
          status: direct.status,
          context: nextContextOf(
            direct.context,
            context,
            event,
            seq,
            context.visited | statusBit[direct.status],
          ),
        },
        auditRecords: [record],
        webhookEvents: webhook === undefined ? [] : [webhook],
      })
    }
    let steps: Microstep[] | undefined
    if (event.type === 'CANCEL' && !cancellableStatuses.has(status))
      return refuse(
        'payout_not_cancellable',
        `a payout cannot be cancelled once ${status}`,
        status,
        event.type,
      )
    if (event.type === 'REVIEW_APPROVED' && status === 'manual_review')
      return refuse('rfi_open', 'the reviewer cannot approve while an RFI is open', status, event.type)
    if (event.type === 'APPROVED' && snapshot.state === 'pending_approval.awaiting_checker')
      return refuse(
        'maker_cannot_approve',
        event.actor.id === undefined
          ? 'the checker must be identified (actor.id) to approve'
          : 'the maker of a payout cannot approve it',
        status,
        event.type,
      )
    steps = infer(snapshot, event, resolved)
    if (steps === undefined) {
      if (event.occurredAt < context.lastOccurredAt && (context.visited & acceptedIn[event.type]) !== 0)
        return refuse(
          'stale_event',
          `${event.type} is older than the last applied event and belongs to a status the payout has left`,
          status,
          event.type,
        )
      return refuse(
        'not_allowed_in_state',
        `${event.type} is not allowed in ${snapshot.state}`,
        status,
        event.type,
      )
    }
    const occurredAt = rfc3339Fast(event.occurredAt)
    const auditRecords: AuditRecord[] = []
    const webhookEvents: WebhookEvent[] = []
    let seq = context.seq
    let visited = context.visited
    let from: PayoutStatus = status
    let last: Moved = snapshot
    for (const step of steps) {
      seq += 1
      const { record, webhook } = emit(
        context.payoutId,
        seq,
        from,
        step.to,
        step.event,
        event.eventId,
        occurredAt,
        step.inferred,
        resolved,
      )
      auditRecords.push(record)
      if (webhook !== undefined) webhookEvents.push(webhook)
      visited |= statusBit[step.to.status]
      from = step.to.status
      last = step.to
    }
    return E.right({
      snapshot: {
        state: last.state,
        status: last.status,
        context: nextContextOf(last.context, context, event, seq, visited),
      },
      auditRecords,
      webhookEvents,
    })
  }

  return { apply, infer }
}
