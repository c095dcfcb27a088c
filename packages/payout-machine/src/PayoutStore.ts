/**
 * Where a service keeps its payouts, shared by all of its instances: each payout's snapshot, its
 * audit trail and a transactional outbox of webhook deliveries. Applying an event is one atomic
 * unit — the snapshot, the audit records and the outbox envelopes are written together or not at
 * all — and the outbox hands its envelopes out in order, at least once. One contract, several
 * stores: `inMemoryPayoutStore` here, PostgreSQL (and PGlite) in `@payout-kernel/store-postgres`;
 * the same contract suite runs on each.
 */
import type { EpochMillis, PayoutId, ValidationError, Versioned, WebhookEventId } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import {
  applyPayoutEventKeyed,
  decodeAuditRecord,
  decodePayoutReads,
  decodeWebhookEnvelope,
  type KeyedPayoutRefusal,
  type KeyedPayoutStep,
  type PayoutReads,
  type PayoutWrites,
  startPayoutKeyed,
  type WebhookEnvelope,
} from './KeyedPayout.js'
import type { PayoutConfig } from './PayoutConfig.js'
import { startPayout } from './PayoutLifecycle.js'
import type { PayoutSnapshot } from './PayoutSnapshot.js'
import type { AuditRecord, PayoutStep } from './PayoutStep.js'

// ---------------------------------------------------------------- model

/**
 * A store that could not do its part, as a value (the event is refused and can be retried; nothing
 * was written): `PayoutStoreUnavailable` when it failed or timed out, `PayoutStoreContended` when
 * it lost the race to other writers on every attempt, `PayoutStoreCorrupt` when what it read back
 * is not a payout record (the `ValidationError` names the field).
 *
 * @example
 * import type { PayoutStoreError } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * const down: PayoutStoreError = { _tag: 'PayoutStoreUnavailable', message: 'connection refused' }
 * assert.equal(down._tag, 'PayoutStoreUnavailable')
 */
export type PayoutStoreError =
  | { readonly _tag: 'PayoutStoreUnavailable'; readonly message: string }
  | { readonly _tag: 'PayoutStoreContended'; readonly attempts: number }
  | { readonly _tag: 'PayoutStoreCorrupt'; readonly error: ValidationError }

/** Why a store wrote nothing for an event: the keyed step refused it, or the store failed. */
export type PayoutStoreRefusal = KeyedPayoutRefusal | PayoutStoreError

/**
 * What a reader asks of the outbox: at most `limit` envelopes, at time `at` (epoch ms), each held
 * for `leaseMs` — no other reader is handed it until `at + leaseMs`, and if it is not marked
 * delivered by then, it is handed out again (delivery is at least once).
 */
export interface WebhookClaim {
  readonly limit: number
  readonly at: EpochMillis
  readonly leaseMs: number
}

/**
 * A payout store. `start` and `apply` are each one atomic unit; `claimWebhooks`, `markDelivered`
 * and `pruneDelivered` are the outbox reader. The order the outbox promises: a payout's envelopes
 * in seq order, each handed out only once every earlier envelope of its payout is delivered or
 * ahead of it in the same batch (so several readers never deliver one payout's webhooks out of
 * order); a batch lists its envelopes in the order they were written (for one payout that is
 * commit order; across payouts, the order their transactions wrote the outbox, which concurrent
 * transactions may commit in another order).
 *
 * @example
 * import { inMemoryPayoutStore, type PayoutStore } from '@payout-kernel/payout-machine'
 * import type { EpochMillis } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store: PayoutStore = inMemoryPayoutStore()
 * await store.start({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * const claimed = await store.claimWebhooks({ limit: 10, at: 5 as EpochMillis, leaseMs: 30_000 })
 * assert.ok(E.isRight(claimed))
 * assert.deepEqual(claimed.right.map((w) => w.type), ['payout.created'])
 */
export interface PayoutStore {
  /** Starts a payout: `startPayoutKeyed` on what is stored, its writes in one transaction. */
  readonly start: (input: unknown) => Promise<E.Either<PayoutStoreRefusal, PayoutStep>>
  /** Applies one event to a stored payout: `applyPayoutEventKeyed`, its writes in one transaction. */
  readonly apply: (
    payoutId: PayoutId,
    event: unknown,
    config?: PayoutConfig,
  ) => Promise<E.Either<PayoutStoreRefusal, PayoutStep>>
  /** The stored snapshot of a payout and its version, `null` when there is none. */
  readonly read: (payoutId: PayoutId) => Promise<E.Either<PayoutStoreError, Versioned<PayoutSnapshot> | null>>
  /** A payout's audit records, in seq order. */
  readonly auditTrail: (payoutId: PayoutId) => Promise<E.Either<PayoutStoreError, ReadonlyArray<AuditRecord>>>
  /** Hands out undelivered envelopes, in order (see above), leased to this reader. */
  readonly claimWebhooks: (
    claim: WebhookClaim,
  ) => Promise<E.Either<PayoutStoreError, ReadonlyArray<WebhookEnvelope>>>
  /** Marks envelopes delivered at `at`; resolves to how many were not delivered before. */
  readonly markDelivered: (
    ids: ReadonlyArray<WebhookEventId>,
    at: EpochMillis,
  ) => Promise<E.Either<PayoutStoreError, number>>
  /** Deletes the envelopes delivered before `at - retentionMs`; resolves to how many. */
  readonly pruneDelivered: (
    at: EpochMillis,
    retentionMs: number,
  ) => Promise<E.Either<PayoutStoreError, number>>
}

// ---------------------------------------------------------------- operations

/**
 * The payout id a start is for, decoded from the start's input (what a store reads by), or the
 * refusal `startPayout` gives.
 *
 * @example
 * import { payoutIdOfStart } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const id = payoutIdOfStart({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.deepEqual(id, E.right('pay_1'))
 * assert.ok(E.isLeft(payoutIdOfStart({ payoutId: 'ben_1' })))
 */
export const payoutIdOfStart = (input: unknown): E.Either<KeyedPayoutRefusal, PayoutId> => {
  const started = startPayout(input)
  return E.isLeft(started) ? started : E.right(started.right.snapshot.context.payoutId)
}

// ---------------------------------------------------------------- constructors

interface OutboxRow {
  readonly position: number
  readonly envelope: WebhookEnvelope
  leaseUntil: number | null
  deliveredAt: number | null
}

/**
 * A payout store in memory, for one process and for tests: records kept as the JSON text a
 * database would hold and read back through the same decoders (`decodePayoutReads`, …), versions
 * from one counter, an outbox in write order. It keeps the whole contract of `PayoutStore`; a
 * JavaScript call between two awaits is atomic, so no lock is needed.
 *
 * @example
 * import { inMemoryPayoutStore } from '@payout-kernel/payout-machine'
 * import type { PayoutId } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryPayoutStore()
 * await store.start({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * const step = await store.apply('pay_1' as PayoutId, { type: 'SUBMITTED', eventId: 'e1', occurredAt: 1, actor: { type: 'system' } })
 * assert.ok(E.isRight(step))
 * const trail = await store.auditTrail('pay_1' as PayoutId)
 * assert.deepEqual(E.map((t: ReadonlyArray<{ seq: number }>) => t.map((r) => r.seq))(trail), E.right([1, 2]))
 * const again = await store.apply('pay_1' as PayoutId, { type: 'SUBMITTED', eventId: 'e1', occurredAt: 1, actor: { type: 'system' } })
 * assert.ok(E.isLeft(again) && again.left._tag === 'PayoutRejection' && again.left.reason === 'duplicate_event')
 */
export const inMemoryPayoutStore = (): PayoutStore => {
  let versions = 0
  let positions = 0
  const snapshots = new Map<string, { readonly version: number; readonly json: string }>()
  const audits = new Map<string, string[]>()
  const outbox: OutboxRow[] = []

  const corrupt = (error: ValidationError): E.Either<PayoutStoreError, never> =>
    E.left({ _tag: 'PayoutStoreCorrupt', error })

  const readRecords = (payoutId: PayoutId): E.Either<ValidationError, PayoutReads> => {
    const stored = snapshots.get(payoutId)
    return decodePayoutReads({
      payoutId,
      snapshot: stored === undefined ? null : { version: stored.version, value: stored.json },
      nextSeq: (audits.get(payoutId)?.length ?? 0) + 1,
    })
  }

  /** Applies the writes of a keyed step, all or nothing: checks every condition first. */
  const write = (payoutId: PayoutId, writes: PayoutWrites): boolean => {
    const current = snapshots.get(payoutId)?.version ?? null
    const trail = audits.get(payoutId) ?? []
    if (current !== writes.snapshot.expected) return false
    if (writes.auditRecords.some((r, i) => r.seq !== trail.length + 1 + i)) return false
    const value = writes.snapshot.value
    if (value === null) snapshots.delete(payoutId)
    else snapshots.set(payoutId, { version: ++versions, json: JSON.stringify(value) })
    audits.set(payoutId, [...trail, ...writes.auditRecords.map((r) => JSON.stringify(r))])
    for (const envelope of writes.outbox)
      outbox.push({ position: ++positions, envelope, leaseUntil: null, deliveredAt: null })
    return true
  }

  const decide = async (
    payoutId: PayoutId,
    step: (reads: PayoutReads) => E.Either<KeyedPayoutRefusal, KeyedPayoutStep>,
  ): Promise<E.Either<PayoutStoreRefusal, PayoutStep>> => {
    const reads = readRecords(payoutId)
    if (E.isLeft(reads)) return corrupt(reads.left)
    const decided = step(reads.right)
    if (E.isLeft(decided)) return decided
    return write(payoutId, decided.right.writes)
      ? E.right(decided.right.step)
      : E.left({ _tag: 'PayoutStoreContended', attempts: 1 })
  }

  return {
    start: async (input) => {
      const payoutId = payoutIdOfStart(input)
      if (E.isLeft(payoutId)) return payoutId
      return decide(payoutId.right, (reads) => startPayoutKeyed(reads, input))
    },
    apply: async (payoutId, event, config) =>
      decide(payoutId, (reads) => applyPayoutEventKeyed(reads, event, config)),
    read: async (payoutId) => {
      const reads = readRecords(payoutId)
      return E.isLeft(reads) ? corrupt(reads.left) : E.right(reads.right.snapshot)
    },
    auditTrail: async (payoutId) => {
      const records: AuditRecord[] = []
      for (const json of audits.get(payoutId) ?? []) {
        const record = decodeAuditRecord(JSON.parse(json))
        if (E.isLeft(record)) return corrupt(record.left)
        records.push(record.right)
      }
      return E.right(records)
    },
    claimWebhooks: async ({ limit, at, leaseMs }) => {
      // A payout is handed out from its first undelivered envelope on, and only when that one is
      // not leased to another reader (then all of the payout waits).
      const heads = new Map<string, OutboxRow>()
      for (const row of outbox)
        if (row.deliveredAt === null && !heads.has(row.envelope.payoutId))
          heads.set(row.envelope.payoutId, row)
      const claimed: OutboxRow[] = []
      for (const row of outbox) {
        if (claimed.length >= limit) break
        if (row.deliveredAt !== null) continue
        const head = heads.get(row.envelope.payoutId)
        if (head === undefined || (head.leaseUntil !== null && head.leaseUntil > at)) continue
        claimed.push(row)
      }
      const envelopes: WebhookEnvelope[] = []
      for (const row of claimed) {
        const envelope = decodeWebhookEnvelope(row.envelope)
        if (E.isLeft(envelope)) return corrupt(envelope.left)
        envelopes.push(envelope.right)
      }
      for (const row of claimed) row.leaseUntil = at + leaseMs
      return E.right(envelopes)
    },
    markDelivered: async (ids, at) => {
      const wanted = new Set<string>(ids)
      let marked = 0
      for (const row of outbox)
        if (row.deliveredAt === null && wanted.has(row.envelope.id)) {
          row.deliveredAt = at
          marked++
        }
      return E.right(marked)
    },
    pruneDelivered: async (at, retentionMs) => {
      const before = outbox.length
      const kept = outbox.filter((row) => row.deliveredAt === null || row.deliveredAt >= at - retentionMs)
      outbox.splice(0, outbox.length, ...kept)
      return E.right(before - kept.length)
    },
  }
}
