/**
 * Running the keyed rescore decisions against a store of records shared by many instances: read
 * the records a decision names, decide, and apply its writes only if none of the records it writes
 * moved since the read (else read and decide again). Every merchant's admitted decisions write its
 * quota log, so they are serialised by it; a beneficiary's starts and releases by its record; a
 * key's uses by its merchant's log. So the invariants hold exactly however many instances run: at
 * most the quota admitted in any window, one rescore per beneficiary in flight, one start per key.
 * A store that fails, or keeps losing the race past the attempts, fails closed: `503
 * idempotency_unavailable`, and nothing of that decision is written.
 */
import type { ValidationError } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import { quotaTime, unavailable } from './internal/Decision.js'
import type { RescoreConfig } from './RescoreConfig.js'
import {
  completeRescoreKeyed,
  decideRescoreKeyed,
  failRescoreKeyed,
  type KeyedRescoreSettlement,
  type QuotaLogKey,
  type QuotaLogRead,
  type RescoreKeys,
  type RescoreReads,
  type RescoreWrites,
  rescoreKeysOf,
  settlementKeysOf,
} from './RescoreKeyed.js'
import type { RescoreFailure, RescoreOutcome } from './RescorePolicy.js'
import type { RescoreRequest } from './RescoreRequest.js'
import type { RescoreResponse } from './RescoreResponse.js'
import type { BeneficiaryRescore, IdempotencyRecord } from './RescoreState.js'
import type { RescoreAnswer } from './RescoreStore.js'

// ---------------------------------------------------------------- model

/**
 * How many records a store holds: merchants with a quota log, admissions kept, idempotency keys,
 * beneficiaries with a lease or cooldown. What `prune` keeps near the live ones.
 *
 * @example
 * import type { RescoreRecordCounts } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const none: RescoreRecordCounts = { merchants: 0, admissions: 0, idempotencyKeys: 0, beneficiaries: 0 }
 * assert.equal(none.admissions, 0)
 */
export interface RescoreRecordCounts {
  readonly merchants: number
  readonly admissions: number
  readonly idempotencyKeys: number
  readonly beneficiaries: number
}

/**
 * Where the records live. `read` reads the records named (one consistent read); `write` applies
 * the writes of one decision together, only if every record written is still at the version read,
 * and resolves to whether it did (`false`: nothing written, decide again); `prune` deletes what
 * can no longer change an answer at `now` or later; `counts` says how much is kept. Any of them
 * may reject when the store is down or times out.
 *
 * @example
 * import { inMemoryRescoreRecords, type RescoreRecordStore } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const store: RescoreRecordStore = inMemoryRescoreRecords()
 * assert.deepEqual(await store.counts(), { merchants: 0, admissions: 0, idempotencyKeys: 0, beneficiaries: 0 })
 */
export interface RescoreRecordStore {
  /** Reads the records named, in one consistent read. */
  readonly read: (keys: RescoreKeys) => Promise<RescoreReads>
  /** Applies one decision's writes together if none of their records moved; `false`: nothing written. */
  readonly write: (writes: RescoreWrites) => Promise<boolean>
  /** Deletes what can no longer change an answer at `now` or later; resolves to what is left. */
  readonly prune: (now: number, config: RescoreConfig) => Promise<RescoreRecordCounts>
  /** How many records the store holds. */
  readonly counts: () => Promise<RescoreRecordCounts>
}

// ---------------------------------------------------------------- in memory

interface MemoryLog {
  version: number
  head: number
  /** The times of admissions `offset …` (the ones before were pruned). */
  offset: number
  times: number[]
}

/** The number of the first admission of `log` at or after `from` later than `cutoff`. */
const firstAfter = (log: MemoryLog, from: number, cutoff: number): number => {
  const length = log.offset + log.times.length
  let lo = Math.max(from, log.offset)
  let hi = length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((log.times[mid - log.offset] as number) > cutoff) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** A log's read for a key, as a database computes it. */
const quotaLogReadOf = (log: MemoryLog | undefined, key: QuotaLogKey): QuotaLogRead => {
  if (log === undefined)
    return { version: null, length: 0, latest: null, first: 0, oldest: null, freeing: null }
  const length = log.offset + log.times.length
  const latest = length > log.offset ? (log.times[log.times.length - 1] as number) : null
  const time = quotaTime(key.now, latest)
  const first = firstAfter(log, log.head, time - key.windowMs)
  const at = (n: number): number | null => (n < length ? (log.times[n - log.offset] ?? null) : null)
  return {
    version: log.version,
    length,
    latest,
    first,
    oldest: at(first),
    freeing: first < length ? at(Math.max(first, length - key.limit)) : null,
  }
}

/**
 * A record store in one process's memory: the reference the database stores are tested against
 * (the same contract suite runs on each), and a store for tests. Versions come from one counter.
 *
 * @example
 * import { decideRescoreIn, defaultRescoreConfig, inMemoryRescoreRecords } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryRescoreRecords()
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * assert.equal((await decideRescoreIn(store, request, 0, defaultRescoreConfig)).effects.length, 1)
 * assert.deepEqual(await store.counts(), { merchants: 1, admissions: 1, idempotencyKeys: 1, beneficiaries: 1 })
 */
export const inMemoryRescoreRecords = (): RescoreRecordStore => {
  let versions = 0
  const logs = new Map<string, MemoryLog>()
  const keys = new Map<string, { version: number; value: IdempotencyRecord }>()
  const beneficiaries = new Map<string, { version: number; value: BeneficiaryRescore }>()
  const keyOf = (merchantId: string, key: string) => JSON.stringify([merchantId, key])
  const counts = (): RescoreRecordCounts => {
    let admissions = 0
    for (const log of logs.values()) admissions += log.times.length
    return { merchants: logs.size, admissions, idempotencyKeys: keys.size, beneficiaries: beneficiaries.size }
  }
  return {
    read: async (k) => ({
      quota: k.quota === null ? null : quotaLogReadOf(logs.get(k.quota.merchantId), k.quota),
      idempotency:
        k.idempotency === null
          ? null
          : (keys.get(keyOf(k.idempotency.merchantId, k.idempotency.idempotencyKey)) ?? null),
      beneficiary: k.beneficiaryId === null ? null : (beneficiaries.get(k.beneficiaryId) ?? null),
    }),
    write: async (w) => {
      // Check every write first: all land or none.
      if (w.quota !== null) {
        const log = logs.get(w.quota.merchantId)
        const length = log === undefined ? 0 : log.offset + log.times.length
        if ((log?.version ?? null) !== w.quota.expected || length !== w.quota.length) return false
      }
      const id = w.idempotency === null ? '' : keyOf(w.idempotency.merchantId, w.idempotency.idempotencyKey)
      if (w.idempotency !== null && (keys.get(id)?.version ?? null) !== w.idempotency.expected) return false
      if (
        w.beneficiary !== null &&
        (beneficiaries.get(w.beneficiary.beneficiaryId)?.version ?? null) !== w.beneficiary.expected
      )
        return false
      if (w.quota !== null) {
        const log = logs.get(w.quota.merchantId) ?? { version: 0, head: 0, offset: 0, times: [] }
        log.version = ++versions
        log.head = w.quota.head
        log.times.push(w.quota.time)
        logs.set(w.quota.merchantId, log)
      }
      if (w.idempotency !== null) {
        if (w.idempotency.value === null) keys.delete(id)
        else keys.set(id, { version: ++versions, value: w.idempotency.value })
      }
      if (w.beneficiary !== null) {
        if (w.beneficiary.value === null) beneficiaries.delete(w.beneficiary.beneficiaryId)
        else
          beneficiaries.set(w.beneficiary.beneficiaryId, { version: ++versions, value: w.beneficiary.value })
      }
      return true
    },
    prune: async (now, config) => {
      for (const [merchantId, log] of logs) {
        const latest = log.times[log.times.length - 1]
        const time = latest === undefined ? now : Math.max(now, latest)
        const first = firstAfter(log, log.offset, time - config.quota.windowMs)
        if (first === log.offset + log.times.length) logs.delete(merchantId)
        else {
          log.times.splice(0, first - log.offset)
          log.offset = first
          log.head = Math.max(log.head, first)
        }
      }
      for (const [id, { value }] of keys)
        if (value.expiresAt <= now || (value._tag === 'InFlight' && value.lease.expiresAt <= now))
          keys.delete(id)
      for (const [id, { value }] of beneficiaries)
        if ((value.lease?.expiresAt ?? now) <= now && (value.cooldownUntil ?? now) <= now)
          beneficiaries.delete(id)
      return counts()
    },
    counts: async () => counts(),
  }
}

// ---------------------------------------------------------------- operations

const defaultAttempts = 32

const writesNothing = (w: RescoreWrites): boolean =>
  w.quota === null && w.idempotency === null && w.beneficiary === null

/**
 * Reads, decides and writes until the write lands: the decision, or its refusal (which writes
 * nothing); `undefined` when the store fails or keeps moving.
 */
const run = async <L, A extends { readonly writes: RescoreWrites }>(
  store: RescoreRecordStore,
  keys: RescoreKeys,
  decide: (reads: RescoreReads) => E.Either<L, A>,
  attempts: number,
): Promise<E.Either<L, A> | undefined> => {
  try {
    for (let i = 0; i < attempts; i++) {
      const decision = decide(await store.read(keys))
      if (E.isLeft(decision)) return decision
      if (writesNothing(decision.right.writes) || (await store.write(decision.right.writes))) return decision
    }
  } catch {
    return undefined
  }
  return undefined
}

/**
 * `decideRescore` against a record store shared by many instances: the response to send now, or
 * the rescore to start (its lease is then held in the store). `503 idempotency_unavailable` when
 * the store fails or keeps losing the race.
 *
 * @example
 * import { decideRescoreIn, defaultRescoreConfig, inMemoryRescoreRecords } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryRescoreRecords()
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const [a, b] = await Promise.all([
 *   decideRescoreIn(store, request, 0, defaultRescoreConfig),
 *   decideRescoreIn(store, { ...request, headers: { 'Idempotency-Key': 'k-2' } }, 0, defaultRescoreConfig),
 * ])
 * // Exactly one of the two starts the rescore; the other is told it is in flight.
 * assert.deepEqual([a.effects.length, b.response?.status], [1, 202])
 */
export const decideRescoreIn = async (
  store: RescoreRecordStore,
  request: RescoreRequest,
  now: number,
  config: RescoreConfig,
  attempts: number = defaultAttempts,
): Promise<RescoreAnswer> => {
  const decision = await run(
    store,
    rescoreKeysOf(request, now, config),
    (reads) => E.right(decideRescoreKeyed(reads, request, now, config)),
    attempts,
  )
  if (decision === undefined || E.isLeft(decision))
    return { response: unavailable(String(request?.merchantId ?? ''), config), effects: [] }
  const d = decision.right
  return d.response === null
    ? { response: null, effects: d.effects }
    : { response: d.response, effects: d.effects }
}

const settleIn = async (
  store: RescoreRecordStore,
  lease: unknown,
  settle: (reads: RescoreReads) => E.Either<ValidationError, KeyedRescoreSettlement>,
  now: number,
  config: RescoreConfig,
  attempts: number,
): Promise<E.Either<ValidationError, RescoreResponse>> => {
  const settled = await run(store, settlementKeysOf(lease, now, config), settle, attempts)
  if (settled === undefined)
    return E.right(unavailable(String((lease as { merchantId?: unknown } | null)?.merchantId ?? ''), config))
  return E.map((s: KeyedRescoreSettlement) => s.response)(settled)
}

/**
 * `completeRescore` against a record store: the 200 to send (or the `ValidationError` of a bad
 * outcome; `503 idempotency_unavailable` when the store fails).
 *
 * @example
 * import { completeRescoreIn, decideRescoreIn, defaultRescoreConfig, inMemoryRescoreRecords } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryRescoreRecords()
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const started = await decideRescoreIn(store, request, 0, defaultRescoreConfig)
 * assert.ok(started.response === null)
 * const done = await completeRescoreIn(store, { lease: started.effects[0].lease, current: { evaluationId: 'eval_9', rawScore: 120 } }, 800, defaultRescoreConfig)
 * assert.deepEqual(E.map((r: { status: number }) => r.status)(done), E.right(200))
 * // The same key again: the verdict, replayed.
 * assert.equal((await decideRescoreIn(store, request, 900, defaultRescoreConfig)).response?.headers['X-Idempotent-Replayed'], 'true')
 */
export const completeRescoreIn = (
  store: RescoreRecordStore,
  outcome: RescoreOutcome,
  now: number,
  config: RescoreConfig,
  attempts: number = defaultAttempts,
): Promise<E.Either<ValidationError, RescoreResponse>> =>
  settleIn(
    store,
    (outcome as { lease?: unknown } | null)?.lease,
    (reads) => completeRescoreKeyed(reads, outcome, now, config),
    now,
    config,
    attempts,
  )

/**
 * `failRescore` against a record store: the 502 to send, the lease and key freed.
 *
 * @example
 * import { decideRescoreIn, defaultRescoreConfig, failRescoreIn, inMemoryRescoreRecords } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryRescoreRecords()
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const started = await decideRescoreIn(store, request, 0, defaultRescoreConfig)
 * assert.ok(started.response === null)
 * const failed = await failRescoreIn(store, { lease: started.effects[0].lease }, 10, defaultRescoreConfig)
 * assert.deepEqual(E.map((r: { status: number }) => r.status)(failed), E.right(502))
 * assert.equal((await decideRescoreIn(store, request, 20, defaultRescoreConfig)).effects.length, 1)
 */
export const failRescoreIn = (
  store: RescoreRecordStore,
  failure: RescoreFailure,
  now: number,
  config: RescoreConfig,
  attempts: number = defaultAttempts,
): Promise<E.Either<ValidationError, RescoreResponse>> =>
  settleIn(
    store,
    (failure as { lease?: unknown } | null)?.lease,
    (reads) => failRescoreKeyed(reads, failure, now, config),
    now,
    config,
    attempts,
  )
