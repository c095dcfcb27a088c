/**
 * A webhook receiver's dedupe on event id, as a keyed decision (DOMAIN.md §8). Deliveries come at
 * least once — the sender redelivers until it sees a 2xx, and may redeliver even then (a crash
 * between sending and recording) — so a receiver must act on each event id once.
 *
 * One record per (scope, event id). A delivery reads it and decides:
 * - no record, or one that expired: **accepted** — a lease is written (`Processing`, for
 *   `leaseMs`); process the event, then `completeWebhookReceipt` records it `Processed` for
 *   `retentionMs`, or `releaseWebhookReceipt` frees the lease when processing failed, so that the
 *   next delivery is accepted again;
 * - a live lease: **in flight** — another instance is processing it; answer non-2xx (e.g. 409 with
 *   `Retry-After`) so the sender delivers again later, and do not process it;
 * - a `Processed` record: **duplicate** — answer 2xx and do nothing.
 * A crashed instance's lease lapses after `leaseMs` and a redelivery is accepted again, so an event
 * is never lost; it is processed by one instance at a time, and never again once recorded.
 *
 * Retention: 7 days by default. A receipt must outlive every redelivery of its event. Each
 * redelivery is signed afresh, so the 300 s signature tolerance does not bound it; what bounds it is
 * the sender's retry horizon (multi-day schedules are common: Stripe's is 3 days) plus the time a
 * receiver may be down and catching up. A week covers both with margin, for one small record per
 * event. Configurable.
 *
 * The store (`WebhookReceiptStore`) only reads a record, writes it conditionally on the version read
 * and prunes expired ones; the runners (`receiveWebhookIn`, …) retry a lost race and fail closed
 * (`WebhookReceiptUnavailable`: answer 503, the sender retries) when the store fails or keeps losing.
 */
import {
  type ConditionalWrite,
  decodeWith,
  guardDecoder,
  maxIdLength,
  type ValidationError,
  type Versioned,
  validationError,
  versionRead,
  WebhookEventId,
} from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { memoryRecords } from './internal/memoryRecords.js'

// ---------------------------------------------------------------- model

/**
 * A receiver's scope for event ids: whose events these are (the endpoint, or the platform account
 * the receiver serves); a receiver with one endpoint uses one constant. `[A-Za-z0-9_-]`, 1 to 255
 * characters, so `scope:event_id` is an unambiguous store key.
 *
 * @example
 * import { WebhookReceiptScope } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(WebhookReceiptScope.is('payouts-endpoint'))
 * assert.ok(!WebhookReceiptScope.is('a:b'))
 */
export const WebhookReceiptScope = /* @__PURE__ */ t.brand(
  t.string,
  (s): s is t.Branded<string, { readonly WebhookReceiptScope: unique symbol }> => {
    if (s.length === 0 || s.length > maxIdLength) return false
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45
      if (!ok) return false
    }
    return true
  },
  'WebhookReceiptScope',
)
/** A receiver's scope for event ids. */
export type WebhookReceiptScope = t.TypeOf<typeof WebhookReceiptScope>

/**
 * The record a receipt decision reads and writes: the receiver's scope and the event id.
 *
 * @example
 * import { webhookReceiptKey, type WebhookReceiptKey } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * const k: WebhookReceiptKey = key.right
 * assert.equal(k.eventId, 'evt_1')
 */
export interface WebhookReceiptKey {
  readonly scope: WebhookReceiptScope
  readonly eventId: WebhookEventId
}

/**
 * A receipt as stored. `Processing`: a delivery was accepted at `receivedAt` and is being
 * processed until `expiresAt` (the lease). `Processed`: it was processed at `processedAt`, and
 * later deliveries are duplicates until `expiresAt`. A record at or past `expiresAt` counts as
 * absent and may be pruned. Times are epoch ms.
 *
 * @example
 * import type { WebhookReceiptRecord } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const done: WebhookReceiptRecord = { _tag: 'Processed', receivedAt: 0, processedAt: 40, expiresAt: 604_800_040 }
 * assert.equal(done._tag, 'Processed')
 */
export type WebhookReceiptRecord =
  | { readonly _tag: 'Processing'; readonly receivedAt: number; readonly expiresAt: number }
  | {
      readonly _tag: 'Processed'
      readonly receivedAt: number
      readonly processedAt: number
      readonly expiresAt: number
    }

/**
 * How long an accepted delivery's lease lasts (`leaseMs`) and how long a processed event's
 * receipt is kept (`retentionMs`), in milliseconds.
 *
 * @example
 * import { defaultWebhookReceiptConfig, type WebhookReceiptConfig } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const config: WebhookReceiptConfig = { ...defaultWebhookReceiptConfig, leaseMs: 30_000 }
 * assert.equal(config.retentionMs, 7 * 24 * 60 * 60 * 1000)
 */
export interface WebhookReceiptConfig {
  /** How long an accepted delivery is held for its processing, in ms (at least 1). */
  readonly leaseMs: number
  /** How long a processed event's receipt is kept, in ms (at least 1). */
  readonly retentionMs: number
}

/**
 * The defaults: a 60 s lease, a 7-day retention.
 *
 * @example
 * import { defaultWebhookReceiptConfig } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(defaultWebhookReceiptConfig, { leaseMs: 60_000, retentionMs: 604_800_000 })
 */
export const defaultWebhookReceiptConfig: WebhookReceiptConfig = /* @__PURE__ */ Object.freeze({
  leaseMs: 60_000,
  retentionMs: 604_800_000,
})

/**
 * An accepted delivery's hold on its event: the key, when it was accepted and until when it is
 * held. What `completeWebhookReceipt` and `releaseWebhookReceipt` take.
 *
 * @example
 * import type { WebhookReceiptLease } from '@payout-kernel/request-auth'
 * import type { WebhookEventId } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const lease = { key: { scope: 'payouts', eventId: 'evt_1' as WebhookEventId }, receivedAt: 0, leaseUntil: 60_000 } as WebhookReceiptLease
 * assert.equal(lease.leaseUntil - lease.receivedAt, 60_000)
 */
export interface WebhookReceiptLease {
  readonly key: WebhookReceiptKey
  readonly receivedAt: number
  readonly leaseUntil: number
}

/**
 * What a delivery is, once decided: `Accepted` (process it; the lease is held), `InFlight`
 * (another instance holds it until `leaseUntil`: answer non-2xx) or `Duplicate` (answer 2xx, do
 * nothing).
 *
 * @example
 * import type { WebhookReceiptAnswer } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const status = (a: WebhookReceiptAnswer): number => (a._tag === 'InFlight' ? 409 : 200)
 * assert.equal(status({ _tag: 'Duplicate', receivedAt: 0, processedAt: 5 }), 200)
 */
export type WebhookReceiptAnswer =
  | { readonly _tag: 'Accepted'; readonly lease: WebhookReceiptLease }
  | { readonly _tag: 'InFlight'; readonly leaseUntil: number }
  | { readonly _tag: 'Duplicate'; readonly receivedAt: number; readonly processedAt: number }

/**
 * A receipt decision: the answer and the write that must land for it to hold (`null`: none).
 *
 * @example
 * import { decideWebhookReceipt, defaultWebhookReceiptConfig, webhookReceiptKey, type WebhookReceiptDecision } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * const decision: WebhookReceiptDecision = decideWebhookReceipt(null, key.right, 0, defaultWebhookReceiptConfig)
 * assert.equal(decision.write?.expected, null)
 */
export interface WebhookReceiptDecision {
  readonly answer: WebhookReceiptAnswer
  readonly write: ConditionalWrite<WebhookReceiptRecord> | null
}

/**
 * Why a runner gave up, failing closed (answer 503 so the sender retries; nothing was processed):
 * the store failed or timed out (`store_failed`), or the decision lost the race `attempts` times
 * (`contended`).
 *
 * @example
 * import type { WebhookReceiptUnavailable } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const down: WebhookReceiptUnavailable = { _tag: 'WebhookReceiptUnavailable', reason: 'store_failed', attempts: 1 }
 * assert.equal(down.reason, 'store_failed')
 */
export interface WebhookReceiptUnavailable {
  readonly _tag: 'WebhookReceiptUnavailable'
  readonly reason: 'store_failed' | 'contended'
  readonly attempts: number
}

// ---------------------------------------------------------------- constructors and codecs

/**
 * The key of a delivery's receipt, decoded: a `ValidationError` naming `scope` or `event_id`.
 *
 * @example
 * import { webhookReceiptKey } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(webhookReceiptKey('payouts', 'evt_1'), E.right({ scope: 'payouts', eventId: 'evt_1' }))
 * const bad = webhookReceiptKey('payouts', 'pay_1')
 * assert.ok(E.isLeft(bad) && bad.left.problems[0]?.field === 'event_id')
 */
export const webhookReceiptKey = (
  scope: unknown,
  eventId: unknown,
): E.Either<ValidationError, WebhookReceiptKey> => {
  if (!WebhookReceiptScope.is(scope))
    return E.left(validationError('scope', 'must be [A-Za-z0-9_-], 1 to 255 characters'))
  if (!WebhookEventId.is(eventId))
    return E.left(validationError('event_id', 'must be a webhook event id, evt_…'))
  return E.right({ scope, eventId })
}

const Millis = /* @__PURE__ */ t.refinement(t.number, Number.isSafeInteger, 'EpochMillis')
const Positive = /* @__PURE__ */ t.refinement(
  t.number,
  (n) => Number.isSafeInteger(n) && n >= 1,
  'PositiveMillis',
)

const RecordCodec = /* @__PURE__ */ t.union(
  [
    /* @__PURE__ */ t.type({
      _tag: /* @__PURE__ */ t.literal('Processing'),
      receivedAt: Millis,
      expiresAt: Millis,
    }),
    /* @__PURE__ */ t.type({
      _tag: /* @__PURE__ */ t.literal('Processed'),
      receivedAt: Millis,
      processedAt: Millis,
      expiresAt: Millis,
    }),
  ],
  'WebhookReceiptRecord',
)
const decodeRecord = /* @__PURE__ */ decodeWith(RecordCodec)

/**
 * Decodes a receipt record read back from a store (its JSON): the record with only its own
 * fields, or a `ValidationError` naming the field.
 *
 * @example
 * import { decodeWebhookReceiptRecord } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(
 *   decodeWebhookReceiptRecord({ _tag: 'Processing', receivedAt: 0, expiresAt: 60_000, extra: 1 }),
 *   E.right({ _tag: 'Processing', receivedAt: 0, expiresAt: 60_000 }),
 * )
 * assert.ok(E.isLeft(decodeWebhookReceiptRecord({ _tag: 'Processed', receivedAt: 0, expiresAt: 1 })))
 */
export const decodeWebhookReceiptRecord = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, WebhookReceiptRecord> => {
    const decoded = decodeRecord(u)
    if (E.isLeft(decoded)) return decoded
    const r = decoded.right
    return E.right(
      r._tag === 'Processing'
        ? { _tag: 'Processing', receivedAt: r.receivedAt, expiresAt: r.expiresAt }
        : { _tag: 'Processed', receivedAt: r.receivedAt, processedAt: r.processedAt, expiresAt: r.expiresAt },
    )
  },
)

/**
 * Decodes a receipt configuration: whole milliseconds, at least 1 each, or a `ValidationError`.
 *
 * @example
 * import { decodeWebhookReceiptConfig } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(decodeWebhookReceiptConfig({ leaseMs: 30_000, retentionMs: 86_400_000 })))
 * assert.ok(E.isLeft(decodeWebhookReceiptConfig({ leaseMs: 0, retentionMs: 86_400_000 })))
 */
export const decodeWebhookReceiptConfig: (u: unknown) => E.Either<ValidationError, WebhookReceiptConfig> =
  /* @__PURE__ */ decodeWith(
    /* @__PURE__ */ t.type({ leaseMs: Positive, retentionMs: Positive }, 'WebhookReceiptConfig'),
  )

// ---------------------------------------------------------------- decisions

const live = (read: Versioned<WebhookReceiptRecord> | null, now: number): WebhookReceiptRecord | null =>
  read !== null && read.value.expiresAt > now ? read.value : null

/**
 * Decides a delivery on the receipt read for its key (`null`: none): accepted with a lease written
 * (nothing live was there), in flight (a live lease), or a duplicate (processed). Pure.
 *
 * @example
 * import { decideWebhookReceipt, defaultWebhookReceiptConfig, webhookReceiptKey } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * const first = decideWebhookReceipt(null, key.right, 1_000, defaultWebhookReceiptConfig)
 * assert.equal(first.answer._tag, 'Accepted')
 * assert.deepEqual(first.write, { expected: null, value: { _tag: 'Processing', receivedAt: 1_000, expiresAt: 61_000 } })
 *
 * const held = { version: 1, value: { _tag: 'Processing' as const, receivedAt: 1_000, expiresAt: 61_000 } }
 * assert.deepEqual(decideWebhookReceipt(held, key.right, 2_000, defaultWebhookReceiptConfig), { answer: { _tag: 'InFlight', leaseUntil: 61_000 }, write: null })
 * // The lease lapsed (the instance crashed): accepted again.
 * assert.equal(decideWebhookReceipt(held, key.right, 61_000, defaultWebhookReceiptConfig).answer._tag, 'Accepted')
 */
export const decideWebhookReceipt = (
  read: Versioned<WebhookReceiptRecord> | null,
  key: WebhookReceiptKey,
  now: number,
  config: WebhookReceiptConfig,
): WebhookReceiptDecision => {
  const current = live(read, now)
  if (current?._tag === 'Processed')
    return {
      answer: { _tag: 'Duplicate', receivedAt: current.receivedAt, processedAt: current.processedAt },
      write: null,
    }
  if (current?._tag === 'Processing')
    return { answer: { _tag: 'InFlight', leaseUntil: current.expiresAt }, write: null }
  const leaseUntil = now + config.leaseMs
  return {
    answer: { _tag: 'Accepted', lease: { key, receivedAt: now, leaseUntil } },
    write: {
      expected: versionRead(read),
      value: { _tag: 'Processing', receivedAt: now, expiresAt: leaseUntil },
    },
  }
}

/**
 * Records an accepted delivery processed at `now`, on the receipt read for its key: the write of a
 * `Processed` record kept `retentionMs`, or `null` when it is recorded processed already. It is
 * written even when the lease lapsed meanwhile (the event was processed; later deliveries are
 * duplicates).
 *
 * @example
 * import { completeWebhookReceipt, decideWebhookReceipt, defaultWebhookReceiptConfig, webhookReceiptKey } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * const accepted = decideWebhookReceipt(null, key.right, 0, defaultWebhookReceiptConfig)
 * assert.ok(accepted.answer._tag === 'Accepted' && accepted.write?.value)
 * const read = { version: 1, value: accepted.write.value }
 * assert.deepEqual(completeWebhookReceipt(read, accepted.answer.lease, 40, defaultWebhookReceiptConfig), {
 *   expected: 1, value: { _tag: 'Processed', receivedAt: 0, processedAt: 40, expiresAt: 604_800_040 },
 * })
 */
export const completeWebhookReceipt = (
  read: Versioned<WebhookReceiptRecord> | null,
  lease: WebhookReceiptLease,
  now: number,
  config: WebhookReceiptConfig,
): ConditionalWrite<WebhookReceiptRecord> | null =>
  live(read, now)?._tag === 'Processed'
    ? null
    : {
        expected: versionRead(read),
        value: {
          _tag: 'Processed',
          receivedAt: lease.receivedAt,
          processedAt: now,
          expiresAt: now + config.retentionMs,
        },
      }

/**
 * Frees an accepted delivery's lease after its processing failed, on the receipt read for its
 * key: the delete, or `null` when the record is no longer this lease (it lapsed and another
 * delivery holds the event, or it was processed), which is then left alone.
 *
 * @example
 * import { decideWebhookReceipt, defaultWebhookReceiptConfig, releaseWebhookReceipt, webhookReceiptKey } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * const accepted = decideWebhookReceipt(null, key.right, 0, defaultWebhookReceiptConfig)
 * assert.ok(accepted.answer._tag === 'Accepted' && accepted.write?.value)
 * const read = { version: 4, value: accepted.write.value }
 * assert.deepEqual(releaseWebhookReceipt(read, accepted.answer.lease), { expected: 4, value: null })
 * assert.equal(releaseWebhookReceipt(null, accepted.answer.lease), null)
 */
export const releaseWebhookReceipt = (
  read: Versioned<WebhookReceiptRecord> | null,
  lease: WebhookReceiptLease,
): ConditionalWrite<WebhookReceiptRecord> | null =>
  read !== null &&
  read.value._tag === 'Processing' &&
  read.value.receivedAt === lease.receivedAt &&
  read.value.expiresAt === lease.leaseUntil
    ? { expected: read.version, value: null }
    : null

// ---------------------------------------------------------------- stores

/**
 * Where receipts live, shared by a receiver's instances. `read` reads one record with its
 * version; `write` applies a write only if the record is still at `expected` (`null`: absent),
 * deleting it for a `null` value, and resolves to whether it did (`false`: the race was lost,
 * nothing written); `prune` deletes the records whose `expiresAt` is at or before `now` and
 * resolves to how many. Versions only grow (one counter per store). Any of them rejects when the
 * store is down; a store that holds records it cannot decode (`decodeWebhookReceiptRecord`)
 * rejects too. A table keyed by (scope, event id) with a version and an `expires_at` column, or a
 * Redis hash per key with a script comparing the version (and a TTL at `expiresAt`), fits.
 *
 * @example
 * import { inMemoryWebhookReceiptStore, webhookReceiptKey, type WebhookReceiptStore } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store: WebhookReceiptStore = inMemoryWebhookReceiptStore()
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * const value = { _tag: 'Processing' as const, receivedAt: 0, expiresAt: 60_000 }
 * assert.equal(await store.write(key.right, { expected: null, value }), true)
 * assert.equal(await store.write(key.right, { expected: null, value }), false) // lost: it exists now
 * assert.equal((await store.read(key.right))?.value._tag, 'Processing')
 * assert.equal(await store.prune(60_000), 1)
 */
export interface WebhookReceiptStore {
  /** The record of a key with its version, `null` when there is none. */
  readonly read: (key: WebhookReceiptKey) => Promise<Versioned<WebhookReceiptRecord> | null>
  /** Applies a write if the record is still at the version expected; `false`: lost the race, nothing written. */
  readonly write: (key: WebhookReceiptKey, write: ConditionalWrite<WebhookReceiptRecord>) => Promise<boolean>
  /** Deletes the records expired at `now`; resolves to how many were deleted. */
  readonly prune: (now: number) => Promise<number>
}

/**
 * A receipt store in one process's memory: for tests and single-instance receivers, and the
 * reference the database stores are held to. `size` says how many records it holds.
 *
 * @example
 * import { inMemoryWebhookReceiptStore, receiveWebhookIn, webhookReceiptKey } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryWebhookReceiptStore()
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * await receiveWebhookIn(store, key.right, 0)
 * assert.equal(store.size(), 1)
 */
export const inMemoryWebhookReceiptStore = (): WebhookReceiptStore & {
  /** How many records the store holds. */
  readonly size: () => number
} => memoryRecords<WebhookReceiptKey, WebhookReceiptRecord>((key) => `${key.scope}:${key.eventId}`)

// ---------------------------------------------------------------- runners

const defaultAttempts = 8

/** Reads, decides and writes until the write lands (or nothing is to be written). */
const run = async <A>(
  store: WebhookReceiptStore,
  key: WebhookReceiptKey,
  decide: (read: Versioned<WebhookReceiptRecord> | null) => {
    readonly result: A
    readonly write: ConditionalWrite<WebhookReceiptRecord> | null
  },
  attempts: number,
): Promise<E.Either<WebhookReceiptUnavailable, A>> => {
  let attempt = 0
  try {
    while (attempt < attempts) {
      attempt++
      const decided = decide(await store.read(key))
      if (decided.write === null || (await store.write(key, decided.write))) return E.right(decided.result)
    }
  } catch {
    return E.left({ _tag: 'WebhookReceiptUnavailable', reason: 'store_failed', attempts: attempt })
  }
  return E.left({ _tag: 'WebhookReceiptUnavailable', reason: 'contended', attempts: attempt })
}

/**
 * Decides a delivery against a shared store: `decideWebhookReceipt` on the record read, its write
 * applied only if the record did not move (else read and decide again, up to `attempts` times,
 * 8 by default). Of concurrent deliveries of one event exactly one is accepted. Fails closed.
 *
 * @example
 * import { inMemoryWebhookReceiptStore, receiveWebhookIn, webhookReceiptKey } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryWebhookReceiptStore()
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * const answers = await Promise.all([receiveWebhookIn(store, key.right, 0), receiveWebhookIn(store, key.right, 0)])
 * assert.deepEqual(answers.map((a) => E.isRight(a) && a.right._tag).sort(), ['Accepted', 'InFlight'])
 */
export const receiveWebhookIn = (
  store: WebhookReceiptStore,
  key: WebhookReceiptKey,
  now: number,
  config: WebhookReceiptConfig = defaultWebhookReceiptConfig,
  attempts: number = defaultAttempts,
): Promise<E.Either<WebhookReceiptUnavailable, WebhookReceiptAnswer>> =>
  run(
    store,
    key,
    (read) => {
      const decision = decideWebhookReceipt(read, key, now, config)
      return { result: decision.answer, write: decision.write }
    },
    attempts,
  )

/**
 * Records an accepted delivery processed, against a shared store (`completeWebhookReceipt`):
 * resolves once the receipt is stored. Answer the sender 2xx after this. Fails closed (then the
 * event may be delivered and processed again after the lease: make the processing itself
 * idempotent where a second run would do harm).
 *
 * @example
 * import { completeWebhookReceiptIn, inMemoryWebhookReceiptStore, receiveWebhookIn, webhookReceiptKey } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryWebhookReceiptStore()
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * const first = await receiveWebhookIn(store, key.right, 0)
 * assert.ok(E.isRight(first) && first.right._tag === 'Accepted')
 * // … process the event …
 * assert.ok(E.isRight(await completeWebhookReceiptIn(store, first.right.lease, 40)))
 * const again = await receiveWebhookIn(store, key.right, 90_000)
 * assert.ok(E.isRight(again) && again.right._tag === 'Duplicate')
 */
export const completeWebhookReceiptIn = (
  store: WebhookReceiptStore,
  lease: WebhookReceiptLease,
  now: number,
  config: WebhookReceiptConfig = defaultWebhookReceiptConfig,
  attempts: number = defaultAttempts,
): Promise<E.Either<WebhookReceiptUnavailable, WebhookReceiptLease>> =>
  run(
    store,
    lease.key,
    (read) => ({ result: lease, write: completeWebhookReceipt(read, lease, now, config) }),
    attempts,
  )

/**
 * Frees an accepted delivery's lease after its processing failed, against a shared store
 * (`releaseWebhookReceipt`), so that the sender's next delivery is accepted at once rather than
 * after the lease. Answer the sender non-2xx.
 *
 * @example
 * import { inMemoryWebhookReceiptStore, receiveWebhookIn, releaseWebhookReceiptIn, webhookReceiptKey } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryWebhookReceiptStore()
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * const first = await receiveWebhookIn(store, key.right, 0)
 * assert.ok(E.isRight(first) && first.right._tag === 'Accepted')
 * assert.ok(E.isRight(await releaseWebhookReceiptIn(store, first.right.lease)))
 * const retried = await receiveWebhookIn(store, key.right, 10)
 * assert.ok(E.isRight(retried) && retried.right._tag === 'Accepted')
 */
export const releaseWebhookReceiptIn = (
  store: WebhookReceiptStore,
  lease: WebhookReceiptLease,
  attempts: number = defaultAttempts,
): Promise<E.Either<WebhookReceiptUnavailable, WebhookReceiptLease>> =>
  run(store, lease.key, (read) => ({ result: lease, write: releaseWebhookReceipt(read, lease) }), attempts)
