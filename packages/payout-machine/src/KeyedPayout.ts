/**
 * A payout event as a keyed decision (DOMAIN.md §8). It reads two things of one payout: the stored
 * snapshot with the version it was written at, and the seq its next audit record takes. It returns
 * what to write, all in one transaction or not at all: the next snapshot (conditional on the
 * version read), the audit records with their seqs (a unique `(payout_id, seq)` in the store makes
 * a lost race visible even without the version check), and the webhook envelopes for the outbox.
 * Same reads, same event, same policy: same step and same writes, on any store.
 */
import {
  type ConditionalWrite,
  describeValue,
  fromDecodeErrors,
  guardDecoder,
  PayoutEventId,
  PayoutId,
  type ValidationError,
  type Versioned,
  validationError,
  WebhookEventId,
  withinField,
} from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import type { PayoutConfig } from './PayoutConfig.js'
import { actorTypes, payoutEventTypes } from './PayoutEvent.js'
import { applyPayoutEvent, startPayout } from './PayoutLifecycle.js'
import { payoutMachineVersion } from './PayoutMachine.js'
import { type PayoutSnapshot, restorePayout, type SerializedPayout } from './PayoutSnapshot.js'
import { type PayoutStatus, PayoutStatus as PayoutStatusCodec, payoutStatuses } from './PayoutStatus.js'
import type { AuditRecord, PayoutStep, Rejection, WebhookEvent, WebhookEventType } from './PayoutStep.js'

// ---------------------------------------------------------------- model

/**
 * What one payout event reads, for the payout `payoutId`: its stored snapshot with the version it
 * was written at (`null` when none is stored), and `nextSeq`, the seq of its next audit record (1
 * more than the last one stored; 1 when there is none).
 *
 * @example
 * import { type PayoutReads, startPayout } from '@payout-kernel/payout-machine'
 * import type { PayoutId } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(started))
 * const reads: PayoutReads = {
 *   payoutId: 'pay_1' as PayoutId,
 *   snapshot: { version: 1, value: started.right.snapshot },
 *   nextSeq: 2,
 * }
 * assert.equal(reads.snapshot?.value.status, 'created')
 */
export interface PayoutReads {
  readonly payoutId: PayoutId
  readonly snapshot: Versioned<PayoutSnapshot> | null
  readonly nextSeq: number
}

/**
 * A webhook delivery waiting in the outbox: the event id receivers deduplicate on (`evt_…`,
 * derived from the payout id and the seq), the payout and the seq of the audit record it reports
 * (the outbox hands a payout's envelopes out in seq order), the event type, its `created_at`, and
 * `body`, the exact JSON text of `{ id, type, created_at, data }` that is signed (HMAC over
 * `"{timestamp}.{body}"`) and sent — kept as text so that every redelivery sends the same bytes.
 *
 * @example
 * import { type WebhookEnvelope } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * const envelope = {
 *   id: 'evt_1', payoutId: 'pay_1', seq: 1, type: 'payout.created', createdAt: '1970-01-01T00:00:00.000Z',
 *   body: '{"id":"evt_1","type":"payout.created","created_at":"1970-01-01T00:00:00.000Z","data":{}}',
 * } as WebhookEnvelope
 * assert.equal(JSON.parse(envelope.body).id, envelope.id)
 */
export interface WebhookEnvelope {
  readonly id: WebhookEventId
  readonly payoutId: PayoutId
  readonly seq: number
  readonly type: WebhookEventType
  readonly createdAt: string
  readonly body: string
}

/**
 * What one accepted payout event writes, in one transaction: the snapshot (its serialised form,
 * written only if the payout is still at the version read, `expected: null` for a new payout), the
 * audit records to insert with their seqs (from the `nextSeq` read, without gaps), and the webhook
 * envelopes to put in the outbox.
 *
 * @example
 * import { startPayoutKeyed, type PayoutWrites } from '@payout-kernel/payout-machine'
 * import type { PayoutId } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayoutKeyed(
 *   { payoutId: 'pay_1' as PayoutId, snapshot: null, nextSeq: 1 },
 *   { payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } },
 * )
 * assert.ok(E.isRight(started))
 * const writes: PayoutWrites = started.right.writes
 * assert.equal(writes.snapshot.expected, null)
 * assert.deepEqual(writes.auditRecords.map((r) => r.seq), [1])
 * assert.deepEqual(writes.outbox.map((w) => w.type), ['payout.created'])
 */
export interface PayoutWrites {
  readonly snapshot: ConditionalWrite<SerializedPayout>
  readonly auditRecords: ReadonlyArray<AuditRecord>
  readonly outbox: ReadonlyArray<WebhookEnvelope>
}

/** An accepted keyed step: the step itself (as `applyPayoutEvent` gives it) and the writes that store it. */
export interface KeyedPayoutStep {
  readonly step: PayoutStep
  readonly writes: PayoutWrites
}

/** An event for a payout the store does not hold. */
export interface PayoutNotFound {
  readonly _tag: 'PayoutNotFound'
  readonly payoutId: PayoutId
}

/** A start for a payout that exists already, created by another event (the same creating event again is a `duplicate_event`). */
export interface PayoutAlreadyExists {
  readonly _tag: 'PayoutAlreadyExists'
  readonly payoutId: PayoutId
  readonly status: PayoutStatus
}

/**
 * Records that do not belong together: a snapshot stored under another payout's id, a snapshot
 * whose last seq is not the last audit record's, audit records without a snapshot. Nothing is
 * written; the store needs repair, not a retry.
 */
export interface PayoutRecordsInconsistent {
  readonly _tag: 'PayoutRecordsInconsistent'
  readonly payoutId: PayoutId
  readonly message: string
}

/** Why a keyed step writes nothing: the lifecycle refused the event, or the records read do not allow it. */
export type KeyedPayoutRefusal = Rejection | PayoutNotFound | PayoutAlreadyExists | PayoutRecordsInconsistent

// ---------------------------------------------------------------- operations

/** The serialised form of a snapshot, as an object (what `serializePayout` writes as text). */
const serialized = (snapshot: PayoutSnapshot): SerializedPayout => ({
  machine: 'payout',
  version: payoutMachineVersion,
  state: snapshot.state,
  context: snapshot.context,
})

/**
 * The outbox envelope of a webhook event: its id, payout, seq, type and time, and its JSON body.
 *
 * @example
 * import { startPayout, webhookEnvelopeOf } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(started))
 * const event = started.right.webhookEvents[0]
 * assert.ok(event !== undefined)
 * const envelope = webhookEnvelopeOf(event)
 * assert.deepEqual([envelope.payoutId, envelope.seq, envelope.type], ['pay_1', 1, 'payout.created'])
 * assert.deepEqual(JSON.parse(envelope.body), event)
 */
export const webhookEnvelopeOf = (event: WebhookEvent): WebhookEnvelope => ({
  id: event.id,
  payoutId: event.data.payout_id,
  seq: event.data.seq,
  type: event.type,
  createdAt: event.created_at,
  body: JSON.stringify(event),
})

const writesOf = (expected: number | null, step: PayoutStep): PayoutWrites => ({
  snapshot: { expected, value: serialized(step.snapshot) },
  auditRecords: step.auditRecords,
  outbox: step.webhookEvents.map(webhookEnvelopeOf),
})

const inconsistent = (payoutId: PayoutId, message: string): E.Either<KeyedPayoutRefusal, never> =>
  E.left({ _tag: 'PayoutRecordsInconsistent', payoutId, message })

/**
 * Starts a payout as a keyed decision: `startPayout` on the input, given what the store holds for
 * its payout id. A payout already stored refuses the start: with `duplicate_event` when it was
 * created by this very event (a retried start; nothing changes), else `PayoutAlreadyExists`.
 *
 * @example
 * import { startPayoutKeyed } from '@payout-kernel/payout-machine'
 * import type { PayoutId } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const input = { payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } }
 * const started = startPayoutKeyed({ payoutId: 'pay_1' as PayoutId, snapshot: null, nextSeq: 1 }, input)
 * assert.ok(E.isRight(started))
 * assert.equal(started.right.step.snapshot.status, 'created')
 *
 * const stored = { version: 1, value: started.right.step.snapshot }
 * const again = startPayoutKeyed({ payoutId: 'pay_1' as PayoutId, snapshot: stored, nextSeq: 2 }, input)
 * assert.ok(E.isLeft(again) && again.left._tag === 'PayoutRejection' && again.left.reason === 'duplicate_event')
 * const other = startPayoutKeyed({ payoutId: 'pay_1' as PayoutId, snapshot: stored, nextSeq: 2 }, { ...input, eventId: 'c2' })
 * assert.ok(E.isLeft(other) && other.left._tag === 'PayoutAlreadyExists')
 */
export const startPayoutKeyed = (
  reads: PayoutReads,
  input: unknown,
): E.Either<KeyedPayoutRefusal, KeyedPayoutStep> => {
  const started = startPayout(input)
  if (E.isLeft(started)) return started
  const step = started.right
  const payoutId = step.snapshot.context.payoutId
  if (payoutId !== reads.payoutId)
    return inconsistent(
      reads.payoutId,
      `the records read are of ${reads.payoutId}, the start is of ${payoutId}`,
    )
  const stored = reads.snapshot
  if (stored !== null) {
    const creator = stored.value.context.appliedEventIds[0]
    const eventId = step.snapshot.context.appliedEventIds[0]
    return creator === eventId
      ? E.left({
          _tag: 'PayoutRejection',
          reason: 'duplicate_event',
          message: `payout ${payoutId} was already created by event ${eventId}`,
          status: stored.value.status,
          eventType: 'CREATED',
          problems: [],
        })
      : E.left({ _tag: 'PayoutAlreadyExists', payoutId, status: stored.value.status })
  }
  if (reads.nextSeq !== 1)
    return inconsistent(
      payoutId,
      `no snapshot is stored, yet audit records up to seq ${reads.nextSeq - 1} are`,
    )
  return E.right({ step, writes: writesOf(null, step) })
}

/**
 * Applies one event as a keyed decision: `applyPayoutEvent` on the stored snapshot, and the writes
 * that store the step (the snapshot conditional on the version read, the audit records from
 * `nextSeq`, the outbox envelopes). A refusal writes nothing; so does a payout the store does not
 * hold (`PayoutNotFound`) or records that disagree (`PayoutRecordsInconsistent`).
 *
 * @example
 * import { applyPayoutEventKeyed, startPayout } from '@payout-kernel/payout-machine'
 * import type { PayoutId } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(started))
 * const reads = { payoutId: 'pay_1' as PayoutId, snapshot: { version: 7, value: started.right.snapshot }, nextSeq: 2 }
 * const submitted = { type: 'SUBMITTED', eventId: 'e1', occurredAt: 1_000, actor: { type: 'system' } }
 * const keyed = applyPayoutEventKeyed(reads, submitted)
 * assert.ok(E.isRight(keyed))
 * assert.equal(keyed.right.writes.snapshot.expected, 7)
 * assert.equal(keyed.right.writes.snapshot.value?.state, 'pending_screening')
 * assert.deepEqual(keyed.right.writes.auditRecords.map((r) => r.seq), [2])
 * assert.deepEqual(keyed.right.writes.outbox.map((w) => w.type), ['payout.pending_screening'])
 *
 * const missing = applyPayoutEventKeyed({ ...reads, snapshot: null, nextSeq: 1 }, submitted)
 * assert.ok(E.isLeft(missing) && missing.left._tag === 'PayoutNotFound')
 */
export const applyPayoutEventKeyed = (
  reads: PayoutReads,
  event: unknown,
  config?: PayoutConfig,
): E.Either<KeyedPayoutRefusal, KeyedPayoutStep> => {
  const stored = reads.snapshot
  if (stored === null) return E.left({ _tag: 'PayoutNotFound', payoutId: reads.payoutId })
  const context = stored.value.context
  if (context.payoutId !== reads.payoutId)
    return inconsistent(
      reads.payoutId,
      `the snapshot stored under ${reads.payoutId} is of ${context.payoutId}`,
    )
  if (context.seq + 1 !== reads.nextSeq)
    return inconsistent(
      reads.payoutId,
      `the snapshot's last seq is ${context.seq}, the audit trail's is ${reads.nextSeq - 1}`,
    )
  const step = applyPayoutEvent(stored.value, event, config)
  if (E.isLeft(step)) return step
  return E.right({ step: step.right, writes: writesOf(stored.version, step.right) })
}

// ---------------------------------------------------------------- codecs

/**
 * A whole number at least `min`, as a store hands one back: a JavaScript number, a bigint, or the
 * decimal text node-postgres returns for a `bigint` column.
 */
const storedInteger = (name: string, min: number): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= min,
    (u, c) => {
      const n =
        typeof u === 'number'
          ? u
          : typeof u === 'bigint'
            ? u >= BigInt(min) && u <= BigInt(Number.MAX_SAFE_INTEGER)
              ? Number(u)
              : Number.NaN
            : typeof u === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(u)
              ? Number(u)
              : Number.NaN
      return Number.isSafeInteger(n) && n >= min
        ? t.success(n)
        : t.failure(u, c, `must be a whole number ≥ ${min}, got ${describeValue(u)}`)
    },
    (n) => n,
  )

const ReadsShape = /* @__PURE__ */ t.type(
  {
    payoutId: PayoutId,
    snapshot: /* @__PURE__ */ t.union([
      t.null,
      /* @__PURE__ */ t.type({ version: /* @__PURE__ */ storedInteger('Version', 0), value: t.unknown }),
    ]),
    nextSeq: /* @__PURE__ */ storedInteger('Seq', 1),
  },
  'PayoutReads',
)

/**
 * Decodes what a store read back for one payout event — `{ payoutId, snapshot: { version, value }
 * | null, nextSeq }`, the value a serialised snapshot (JSON text or parsed) — into `PayoutReads`,
 * or a `ValidationError` naming the field (`snapshot.version`, `snapshot.value.context.seq`, …).
 * Versions and seqs may come back as numbers, bigints or decimal text.
 *
 * @example
 * import { decodePayoutReads, serializePayout, startPayout } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(started))
 * const value = JSON.parse(serializePayout(started.right.snapshot))
 * const reads = decodePayoutReads({ payoutId: 'pay_1', snapshot: { version: '12', value }, nextSeq: 2 })
 * assert.ok(E.isRight(reads))
 * assert.equal(reads.right.snapshot?.version, 12)
 *
 * const bad = decodePayoutReads({ payoutId: 'pay_1', snapshot: { version: 1, value: { ...value, state: 'draft' } }, nextSeq: 2 })
 * assert.ok(E.isLeft(bad) && bad.left.problems[0]?.field === 'snapshot.value.state')
 * const noSeq = decodePayoutReads({ payoutId: 'pay_1', snapshot: null, nextSeq: 0 })
 * assert.ok(E.isLeft(noSeq) && noSeq.left.problems[0]?.field === 'nextSeq')
 */
export const decodePayoutReads = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, PayoutReads> => {
    const shape = ReadsShape.decode(u)
    if (E.isLeft(shape)) return E.left(fromDecodeErrors(shape.left))
    const { payoutId, snapshot, nextSeq } = shape.right
    if (snapshot === null) return E.right({ payoutId, snapshot: null, nextSeq })
    const value = restorePayout(snapshot.value)
    if (E.isLeft(value)) return E.left(withinField('snapshot.value')(value.left))
    return E.right({ payoutId, snapshot: { version: snapshot.version, value: value.right }, nextSeq })
  },
)

const webhookEventTypes: ReadonlyArray<WebhookEventType> = [
  .../* @__PURE__ */ payoutStatuses.map((s): WebhookEventType => `payout.${s}`),
  'rfi.created',
  'rfi.responded',
  'rfi.resolved',
  'rfi.escalated',
]

const WebhookEventTypeCodec = /* @__PURE__ */ t.keyof(
  /* @__PURE__ */ Object.fromEntries(/* @__PURE__ */ webhookEventTypes.map((w) => [w, null])) as Record<
    WebhookEventType,
    null
  >,
  'WebhookEventType',
)

const EnvelopeShape = /* @__PURE__ */ t.type(
  {
    id: WebhookEventId,
    payoutId: PayoutId,
    seq: /* @__PURE__ */ storedInteger('Seq', 1),
    type: WebhookEventTypeCodec,
    createdAt: t.string,
    body: t.string,
  },
  'WebhookEnvelope',
)

/**
 * Decodes an outbox envelope read back from a store: the envelope, or a `ValidationError` naming
 * the field. The body must be the JSON of a webhook event agreeing with the columns beside it
 * (`body.id`, `body.type`, `body.created_at`, `body.data.payout_id`, `body.data.seq`).
 *
 * @example
 * import { decodeWebhookEnvelope, startPayout, webhookEnvelopeOf } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(started) && started.right.webhookEvents[0] !== undefined)
 * const envelope = webhookEnvelopeOf(started.right.webhookEvents[0])
 * assert.deepEqual(decodeWebhookEnvelope({ ...envelope, seq: '1' }), E.right(envelope))
 *
 * const moved = decodeWebhookEnvelope({ ...envelope, seq: 2 })
 * assert.ok(E.isLeft(moved) && moved.left.problems[0]?.field === 'body.data.seq')
 */
export const decodeWebhookEnvelope = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, WebhookEnvelope> => {
    const shape = EnvelopeShape.decode(u)
    if (E.isLeft(shape)) return E.left(fromDecodeErrors(shape.left))
    const envelope = shape.right
    let body: unknown
    try {
      body = JSON.parse(envelope.body)
    } catch {
      return E.left(validationError('body', 'is not JSON'))
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return E.left(validationError('body', `must be a webhook event object, got ${describeValue(body)}`))
    const b = body as Record<string, unknown>
    const data = b.data
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      return E.left(validationError('body.data', `must be an object, got ${describeValue(data)}`))
    const d = data as Record<string, unknown>
    const agree: ReadonlyArray<readonly [string, unknown, unknown]> = [
      ['body.id', b.id, envelope.id],
      ['body.type', b.type, envelope.type],
      ['body.created_at', b.created_at, envelope.createdAt],
      ['body.data.payout_id', d.payout_id, envelope.payoutId],
      ['body.data.seq', d.seq, envelope.seq],
    ]
    for (const [field, found, column] of agree)
      if (found !== column)
        return E.left(validationError(field, `must be ${describeValue(column)}, got ${describeValue(found)}`))
    return E.right(envelope)
  },
)

const Nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null])

const AuditRecordCodec = /* @__PURE__ */ t.intersection(
  [
    /* @__PURE__ */ t.type({
      id: PayoutEventId,
      payout_id: PayoutId,
      seq: /* @__PURE__ */ storedInteger('Seq', 1),
      previous_status: /* @__PURE__ */ Nullable(PayoutStatusCodec),
      status: PayoutStatusCodec,
      event: /* @__PURE__ */ t.keyof(
        /* @__PURE__ */ Object.fromEntries(
          /* @__PURE__ */ [...payoutEventTypes, 'CREATED'].map((k) => [k, null]),
        ) as Record<AuditRecord['event'], null>,
      ),
      actor_type: /* @__PURE__ */ t.keyof(
        /* @__PURE__ */ Object.fromEntries(/* @__PURE__ */ actorTypes.map((a) => [a, null])) as Record<
          AuditRecord['actor_type'],
          null
        >,
      ),
      occurred_at: t.string,
      metadata: /* @__PURE__ */ t.record(t.string, /* @__PURE__ */ t.union([t.string, t.number, t.boolean])),
    }),
    /* @__PURE__ */ t.partial({ actor_id: t.string, reason: t.string }),
  ],
  'AuditRecord',
)

/**
 * Decodes an audit record read back from a store (its wire shape, snake_case): the record, or a
 * `ValidationError` naming the field.
 *
 * @example
 * import { decodeAuditRecord, startPayout } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(started))
 * const record = started.right.auditRecords[0]
 * assert.deepEqual(decodeAuditRecord(JSON.parse(JSON.stringify(record))), E.right(record))
 * const bad = decodeAuditRecord({ ...record, status: 'paid' })
 * assert.ok(E.isLeft(bad) && bad.left.problems[0]?.field === 'status')
 */
export const decodeAuditRecord = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, AuditRecord> => {
    const decoded = AuditRecordCodec.decode(u)
    if (E.isLeft(decoded)) return E.left(fromDecodeErrors(decoded.left))
    return E.right(decoded.right as AuditRecord)
  },
)
