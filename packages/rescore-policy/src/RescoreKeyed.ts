/**
 * The rescore policy as keyed decisions, for state shared by many service instances. A decision
 * names the few records it reads — the merchant's quota log (as of the decision's time), the
 * idempotency record of (merchant, key), the beneficiary's lease and cooldown — and returns the
 * records it writes, each conditional on the version it read. A store (`RescoreRecordStore`:
 * in memory here, PostgreSQL in `@payout-kernel/store-postgres`) reads the records, runs the
 * decision and applies its writes only if none moved meanwhile, else decides again. The steps are
 * those of `decideRescore`, `completeRescore` and `failRescore`, and give the same answers.
 */
import {
  type ApiErrorBody,
  BeneficiaryId,
  type ConditionalWrite,
  decodeWith,
  guardDecoder,
  MerchantId,
  type ValidationError,
  type Versioned,
  versionRead,
} from '@payout-kernel/core'
import { decodeRescoreVerdict, encodeRescoreVerdict, type RescoreVerdictWire } from '@payout-kernel/trust'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { pipe } from '#fp-ts/function'
import {
  admit,
  completedKey,
  completionOf,
  failureFreesKey,
  failureProblems,
  precheck,
  type QuotaPosition,
  quotaStatusAt,
  quotaTime,
  released,
  resolve,
} from './internal/Decision.js'
import { merchantQuotaLimit, type RescoreConfig } from './RescoreConfig.js'
import type { RescoreFailure, RescoreOutcome, StartEngineRescore } from './RescorePolicy.js'
import type { RescoreRequest } from './RescoreRequest.js'
import { type RescoreResponse, rescoreError, rescoreResponse } from './RescoreResponse.js'
import type { BeneficiaryRescore, IdempotencyRecord, RescoreLease } from './RescoreState.js'

// ---------------------------------------------------------------- model

/**
 * A read of a merchant's quota log as of a decision's time `now`: the window is the one ending at
 * the later of `now` and the log's latest admission, and `limit` says which admission frees a
 * slot when the log is full.
 *
 * @example
 * import type { QuotaLogKey } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const key: QuotaLogKey = { merchantId: 'mer_acme', now: 60_000, windowMs: 60_000, limit: 1000 }
 * assert.equal(key.limit, 1000)
 */
export interface QuotaLogKey {
  readonly merchantId: string
  readonly now: number
  readonly windowMs: number
  readonly limit: number
}

/**
 * The records a keyed rescore decision reads: the merchant's quota log, the idempotency record of
 * (merchant, key) and the beneficiary's record; `null` for one it does not need.
 *
 * @example
 * import { defaultRescoreConfig, rescoreKeysOf } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const keys = rescoreKeysOf({
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }, 0, defaultRescoreConfig)
 * assert.deepEqual(keys.idempotency, { merchantId: 'mer_acme', idempotencyKey: 'k-1' })
 * assert.equal(keys.beneficiaryId, 'ben_1')
 */
export interface RescoreKeys {
  readonly quota: QuotaLogKey | null
  readonly idempotency: { readonly merchantId: string; readonly idempotencyKey: string } | null
  readonly beneficiaryId: string | null
}

/**
 * What a store reads of a merchant's quota log for a `QuotaLogKey`. Admissions are numbered from
 * 0 in the order they were admitted (their times never decrease); `length` is the next number,
 * `first` the number of the first admission inside the window (`length` when none is), `oldest`
 * its time, and `freeing` the time of admission `max(first, length − limit)`, the one whose
 * leaving frees a slot. `version` is the log's version (`null`: no log).
 *
 * @example
 * import type { QuotaLogRead } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const empty: QuotaLogRead = { version: null, length: 0, latest: null, first: 0, oldest: null, freeing: null }
 * assert.equal(empty.length - empty.first, 0) // nothing live
 */
export interface QuotaLogRead {
  readonly version: number | null
  readonly length: number
  readonly latest: number | null
  readonly first: number
  readonly oldest: number | null
  readonly freeing: number | null
}

/**
 * The records read for a decision (`null` for one absent or not asked for).
 *
 * @example
 * import { noRescoreReads, type RescoreReads } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const reads: RescoreReads = noRescoreReads
 * assert.equal(reads.idempotency, null)
 */
export interface RescoreReads {
  readonly quota: QuotaLogRead | null
  readonly idempotency: Versioned<IdempotencyRecord> | null
  readonly beneficiary: Versioned<BeneficiaryRescore> | null
}

/**
 * An admission appended to a merchant's quota log: number `length`, at `time`, the admissions
 * before `head` no longer needed; only if the log is still at version `expected` (`null`: there
 * was no log).
 *
 * @example
 * import type { QuotaAppend } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const append: QuotaAppend = { merchantId: 'mer_acme', expected: null, head: 0, length: 0, time: 0 }
 * assert.equal(append.length, 0)
 */
export interface QuotaAppend {
  readonly merchantId: string
  readonly expected: number | null
  readonly head: number
  readonly length: number
  readonly time: number
}

/**
 * The writes of one decision, applied together or not at all (`null`: that record is not written).
 *
 * @example
 * import { noRescoreWrites, type RescoreWrites } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const writes: RescoreWrites = noRescoreWrites
 * assert.equal(writes.quota, null)
 */
export interface RescoreWrites {
  readonly quota: QuotaAppend | null
  readonly idempotency:
    | (ConditionalWrite<IdempotencyRecord> & { readonly merchantId: string; readonly idempotencyKey: string })
    | null
  readonly beneficiary: (ConditionalWrite<BeneficiaryRescore> & { readonly beneficiaryId: string }) | null
}

/**
 * A keyed decision: the response to send now or the rescore to start, and the writes that must
 * land for it to hold.
 *
 * @example
 * import type { KeyedRescoreDecision } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const starts = (d: KeyedRescoreDecision): boolean => d.response === null
 * assert.equal(typeof starts, 'function')
 */
export type KeyedRescoreDecision =
  | { readonly response: RescoreResponse; readonly effects: readonly []; readonly writes: RescoreWrites }
  | {
      readonly response: null
      readonly effects: readonly [StartEngineRescore]
      readonly writes: RescoreWrites
    }

/**
 * A keyed settlement (`completeRescoreKeyed`, `failRescoreKeyed`): the response and the writes.
 *
 * @example
 * import { noRescoreWrites, type KeyedRescoreSettlement } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const s: KeyedRescoreSettlement = {
 *   response: { status: 502, headers: {}, body: { error: { code: 'engine_unavailable', message: 'down' } } },
 *   writes: noRescoreWrites,
 * }
 * assert.equal(s.response.status, 502)
 */
export interface KeyedRescoreSettlement {
  readonly response: RescoreResponse
  readonly writes: RescoreWrites
}

// ---------------------------------------------------------------- constructors

/**
 * Nothing read: every record absent.
 *
 * @example
 * import { noRescoreReads } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(noRescoreReads.quota, null)
 */
export const noRescoreReads: RescoreReads = /* @__PURE__ */ Object.freeze({
  quota: null,
  idempotency: null,
  beneficiary: null,
})

/**
 * Nothing to write.
 *
 * @example
 * import { noRescoreWrites } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(noRescoreWrites.beneficiary, null)
 */
export const noRescoreWrites: RescoreWrites = /* @__PURE__ */ Object.freeze({
  quota: null,
  idempotency: null,
  beneficiary: null,
})

const noEffects: readonly [] = /* @__PURE__ */ Object.freeze([]) as readonly []

// ---------------------------------------------------------------- codecs

const Millis = /* @__PURE__ */ t.refinement(t.number, Number.isSafeInteger, 'EpochMillis')

const LeaseCodec = /* @__PURE__ */ t.type(
  {
    merchantId: MerchantId,
    idempotencyKey: t.string,
    beneficiaryId: BeneficiaryId,
    fingerprint: t.string,
    startedAt: Millis,
    expiresAt: Millis,
  },
  'RescoreLease',
)

const BeneficiaryRescoreCodec = /* @__PURE__ */ t.type(
  {
    lease: /* @__PURE__ */ t.union([LeaseCodec, t.null]),
    cooldownUntil: /* @__PURE__ */ t.union([Millis, t.null]),
  },
  'BeneficiaryRescore',
)

const ErrorBodyCodec = /* @__PURE__ */ t.type(
  { error: /* @__PURE__ */ t.type({ code: t.string, message: t.string }) },
  'ApiErrorBody',
)

/** A stored 200 body, decoded and encoded again: the verdict's own field order, whatever the store kept. */
const VerdictBody = /* @__PURE__ */ new t.Type<RescoreVerdictWire, RescoreVerdictWire, unknown>(
  'RescoreVerdictWire',
  (u): u is RescoreVerdictWire => E.isRight(decodeRescoreVerdict(u)),
  (u, c) =>
    pipe(
      decodeRescoreVerdict(u),
      E.match(
        (e) => t.failure(u, c, e.problems.map((p) => `${p.field}: ${p.message}`).join('; ')),
        (v) => t.success(encodeRescoreVerdict(v)),
      ),
    ),
  t.identity,
)

const IdempotencyRecordCodec = /* @__PURE__ */ t.union(
  [
    /* @__PURE__ */ t.type({
      _tag: /* @__PURE__ */ t.literal('InFlight'),
      fingerprint: t.string,
      firstUsedAt: Millis,
      expiresAt: Millis,
      lease: LeaseCodec,
    }),
    /* @__PURE__ */ t.type({
      _tag: /* @__PURE__ */ t.literal('Stored'),
      fingerprint: t.string,
      firstUsedAt: Millis,
      expiresAt: Millis,
      status: /* @__PURE__ */ t.literal(200),
      body: VerdictBody,
    }),
    /* @__PURE__ */ t.type({
      _tag: /* @__PURE__ */ t.literal('Stored'),
      fingerprint: t.string,
      firstUsedAt: Millis,
      expiresAt: Millis,
      status: /* @__PURE__ */ t.literal(409),
      body: ErrorBodyCodec,
    }),
  ],
  'IdempotencyRecord',
)

const decodeRecord = /* @__PURE__ */ decodeWith(IdempotencyRecordCodec)

/**
 * Decodes an idempotency record read back from a store (its JSON): a `ValidationError` naming the
 * field for anything else. A stored body comes back in the field order the policy wrote it, so a
 * replay is byte-identical to the first response whatever order the store kept.
 *
 * @example
 * import { decodeIdempotencyRecord } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const stored = { _tag: 'Stored', fingerprint: 'f', firstUsedAt: 0, expiresAt: 86_400_000, status: 409,
 *   body: { error: { message: 'locked', code: 'beneficiary_scoring_locked' } } }
 * const decoded = decodeIdempotencyRecord(stored)
 * assert.ok(E.isRight(decoded))
 * assert.equal(JSON.stringify(decoded.right._tag === 'Stored' && decoded.right.body),
 *   '{"error":{"code":"beneficiary_scoring_locked","message":"locked"}}')
 * assert.ok(E.isLeft(decodeIdempotencyRecord({ ...stored, firstUsedAt: 0.5 })))
 */
export const decodeIdempotencyRecord = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, IdempotencyRecord> =>
    pipe(
      decodeRecord(u),
      E.map((r): IdempotencyRecord => {
        if (r._tag === 'InFlight') return r
        if (r.status === 200) return r
        const body: ApiErrorBody = { error: { code: r.body.error.code, message: r.body.error.message } }
        return { ...r, body }
      }),
    ),
)

/**
 * Decodes a beneficiary's record read back from a store: a `ValidationError` naming the field for
 * anything else.
 *
 * @example
 * import { decodeBeneficiaryRescore } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(decodeBeneficiaryRescore({ lease: null, cooldownUntil: 300_000 }), E.right({ lease: null, cooldownUntil: 300_000 }))
 * assert.ok(E.isLeft(decodeBeneficiaryRescore({ lease: null, cooldownUntil: '300000' })))
 */
export const decodeBeneficiaryRescore: (u: unknown) => E.Either<ValidationError, BeneficiaryRescore> =
  /* @__PURE__ */ decodeWith(BeneficiaryRescoreCodec)

// ---------------------------------------------------------------- keys

const quotaKeyOf = (merchantId: string, now: number, config: RescoreConfig): QuotaLogKey => ({
  merchantId,
  now,
  windowMs: config.quota.windowMs,
  limit: merchantQuotaLimit(config, merchantId),
})

const unread = /* @__PURE__ */ Object.freeze({ limit: 0, remaining: 0, resetSeconds: 0 })

/** The request's merchant id as sent, `undefined` where there is none or reading it throws. */
const merchantIdOf = (request: unknown): unknown => {
  try {
    return (request as { merchantId?: unknown } | null)?.merchantId
  } catch {
    return undefined
  }
}

/**
 * The records `decideRescoreKeyed` reads for a request: only the merchant's quota log when the
 * request is answered before the quota (a 501, 400 or 422), all three otherwise.
 *
 * @example
 * import { defaultRescoreConfig, rescoreKeysOf } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const keys = rescoreKeysOf({
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: {}, engine: { configured: true, profileExists: true, locked: false },
 * }, 0, defaultRescoreConfig)
 * // No Idempotency-Key: a 400, which reads only the quota (for its headers).
 * assert.deepEqual([keys.quota?.merchantId, keys.idempotency, keys.beneficiaryId], ['mer_acme', null, null])
 */
export const rescoreKeysOf = (request: RescoreRequest, now: number, config: RescoreConfig): RescoreKeys => {
  const checked = precheck(request, () => unread)
  const merchantId = merchantIdOf(request)
  const quota = MerchantId.is(merchantId) ? quotaKeyOf(merchantId, now, config) : null
  if ('response' in checked) return { quota, idempotency: null, beneficiaryId: null }
  return {
    quota,
    idempotency: { merchantId: request.merchantId, idempotencyKey: checked.key },
    beneficiaryId: request.beneficiaryId,
  }
}

/**
 * The records `completeRescoreKeyed` and `failRescoreKeyed` read for a lease: its key's record,
 * its beneficiary's record and its merchant's quota log (for the headers). Nothing for a value
 * that is not a lease (the settlement is then a `ValidationError`).
 *
 * @example
 * import { defaultRescoreConfig, settlementKeysOf } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const lease = { merchantId: 'mer_acme', idempotencyKey: 'k-1', beneficiaryId: 'ben_1', fingerprint: 'f', startedAt: 0, expiresAt: 30_000 }
 * assert.equal(settlementKeysOf(lease, 900, defaultRescoreConfig).beneficiaryId, 'ben_1')
 * assert.equal(settlementKeysOf({ lease: 'nope' }, 900, defaultRescoreConfig).quota, null)
 */
export const settlementKeysOf = (lease: unknown, now: number, config: RescoreConfig): RescoreKeys => {
  // a lease that throws when read is no lease either
  if (failureProblems({ lease }).length > 0) return { quota: null, idempotency: null, beneficiaryId: null }
  const l = lease as RescoreLease
  return {
    quota: quotaKeyOf(l.merchantId, now, config),
    idempotency: { merchantId: l.merchantId, idempotencyKey: l.idempotencyKey },
    beneficiaryId: l.beneficiaryId,
  }
}

// ---------------------------------------------------------------- decide

/** The position of a keyed quota read, as the decision steps need it. */
const positionOf = (
  read: QuotaLogRead | null,
  merchantId: string,
  now: number,
  config: RescoreConfig,
): QuotaPosition => {
  const limit = merchantQuotaLimit(config, merchantId)
  const time = quotaTime(now, read?.latest ?? null)
  if (read === null)
    return { limit, limitText: `${limit}`, time, first: 0, live: 0, oldest: time, freeing: time }
  const live = read.length - read.first
  return {
    limit,
    limitText: `${limit}`,
    time,
    first: read.first,
    live,
    oldest: live === 0 ? time : (read.oldest ?? time),
    freeing: live === 0 ? time : (read.freeing ?? time),
  }
}

const answered = (response: RescoreResponse, writes: RescoreWrites): KeyedRescoreDecision => ({
  response,
  effects: noEffects,
  writes,
})

/**
 * `decideRescore` on the records read for `rescoreKeysOf(request, now, config)`: the same response
 * or rescore to start, and the writes (the quota admission, the key's record, the beneficiary's
 * lease), each conditional on the version read. Never throws.
 *
 * @example
 * import { decideRescoreKeyed, defaultRescoreConfig, noRescoreReads } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const first = decideRescoreKeyed(noRescoreReads, request, 0, defaultRescoreConfig)
 * assert.equal(first.response, null)
 * // It admits one request into a new log, binds the key and leases the beneficiary, all created.
 * assert.deepEqual(first.writes.quota, { merchantId: 'mer_acme', expected: null, head: 0, length: 0, time: 0 })
 * assert.equal(first.writes.idempotency?.value?._tag, 'InFlight')
 * assert.equal(first.writes.beneficiary?.expected, null)
 */
export const decideRescoreKeyed = (
  reads: RescoreReads,
  request: RescoreRequest,
  now: number,
  config: RescoreConfig,
): KeyedRescoreDecision => {
  const checked = precheck(request, (merchantId) =>
    quotaStatusAt(positionOf(reads.quota, merchantId, now, config), now, config),
  )
  if ('response' in checked) return answered(checked.response, noRescoreWrites)
  const { key } = checked
  const { merchantId, beneficiaryId } = request

  const position = positionOf(reads.quota, merchantId, now, config)
  const admitted = admit(position, now, config)
  if ('response' in admitted) return answered(admitted.response, noRescoreWrites)
  const quota: QuotaAppend = {
    merchantId,
    expected: reads.quota?.version ?? null,
    head: position.first,
    length: reads.quota?.length ?? 0,
    time: position.time,
  }

  const resolution = resolve(
    request,
    key,
    reads.idempotency?.value,
    reads.beneficiary?.value,
    admitted,
    now,
    config,
  )
  const keyWrite = (value: IdempotencyRecord) => ({
    merchantId,
    idempotencyKey: key,
    expected: versionRead(reads.idempotency),
    value,
  })
  if (resolution.response !== null)
    return answered(resolution.response, {
      quota,
      idempotency: resolution.store === undefined ? null : keyWrite(resolution.store),
      beneficiary: null,
    })
  const { lease } = resolution
  return {
    response: null,
    effects: [{ _tag: 'StartEngineRescore', beneficiaryId, pillar: 'payee', reason: 'ops_review', lease }],
    writes: {
      quota,
      idempotency: keyWrite(resolution.inFlight),
      beneficiary: { beneficiaryId, expected: versionRead(reads.beneficiary), value: resolution.beneficiary },
    },
  }
}

// ---------------------------------------------------------------- settle

const beneficiaryWrite = (
  reads: RescoreReads,
  lease: RescoreLease,
  cooldownUntil: number | null,
): RescoreWrites['beneficiary'] => {
  const before = reads.beneficiary?.value
  const after = released(before, lease, cooldownUntil)
  if (after?.lease === before?.lease && after?.cooldownUntil === before?.cooldownUntil) return null
  return {
    beneficiaryId: lease.beneficiaryId,
    expected: versionRead(reads.beneficiary),
    value: after ?? null,
  }
}

/**
 * `completeRescore` on the records read for `settlementKeysOf(outcome.lease, now, config)`: the
 * 200 to send, and the writes (the verdict stored under the key, the lease released, the
 * cooldown started). A `ValidationError` naming the field for an outcome that does not decode.
 *
 * @example
 * import { completeRescoreKeyed, decideRescoreKeyed, defaultRescoreConfig, noRescoreReads } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const started = decideRescoreKeyed(noRescoreReads, request, 0, defaultRescoreConfig)
 * assert.ok(started.response === null)
 * const reads = {
 *   quota: { version: 1, length: 1, latest: 0, first: 0, oldest: 0, freeing: 0 },
 *   idempotency: { version: 2, value: started.writes.idempotency!.value! },
 *   beneficiary: { version: 3, value: started.writes.beneficiary!.value! },
 * }
 * const done = completeRescoreKeyed(reads, { lease: started.effects[0].lease, current: { evaluationId: 'eval_2', rawScore: 423 } }, 900, defaultRescoreConfig)
 * assert.ok(E.isRight(done))
 * assert.equal(done.right.response.status, 200)
 * assert.deepEqual(done.right.writes.beneficiary, { beneficiaryId: 'ben_1', expected: 3, value: { lease: null, cooldownUntil: 300_900 } })
 */
export const completeRescoreKeyed = (
  reads: RescoreReads,
  outcome: RescoreOutcome,
  now: number,
  config: RescoreConfig,
): E.Either<ValidationError, KeyedRescoreSettlement> => {
  const completion = completionOf(outcome)
  if (E.isLeft(completion)) return completion
  const { lease, body } = completion.right
  const stored = completedKey(reads.idempotency?.value, lease, body, now, config)
  return E.right({
    response: rescoreResponse(
      200,
      body,
      quotaStatusAt(positionOf(reads.quota, lease.merchantId, now, config), now, config),
    ),
    writes: {
      quota: null,
      idempotency:
        stored === 'keep'
          ? null
          : {
              merchantId: lease.merchantId,
              idempotencyKey: lease.idempotencyKey,
              expected: versionRead(reads.idempotency),
              value: stored,
            },
      beneficiary: beneficiaryWrite(reads, lease, now + config.cooldownMs),
    },
  })
}

/**
 * `failRescore` on the records read for `settlementKeysOf(failure.lease, now, config)`: the 502 to
 * send, and the writes (the key freed while it is still the lease's, the lease released).
 *
 * @example
 * import { defaultRescoreConfig, failRescoreKeyed, noRescoreReads } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const lease = { merchantId: 'mer_acme', idempotencyKey: 'k-1', beneficiaryId: 'ben_1', fingerprint: 'f', startedAt: 0, expiresAt: 30_000 }
 * const failed = failRescoreKeyed(noRescoreReads, { lease }, 5, defaultRescoreConfig)
 * assert.ok(E.isRight(failed))
 * assert.equal(failed.right.response.status, 502)
 * assert.deepEqual(failed.right.writes, { quota: null, idempotency: null, beneficiary: null }) // nothing held it
 */
export const failRescoreKeyed = (
  reads: RescoreReads,
  failure: RescoreFailure,
  now: number,
  config: RescoreConfig,
): E.Either<ValidationError, KeyedRescoreSettlement> => {
  const problems = failureProblems(failure)
  if (problems.length > 0) return E.left({ _tag: 'ValidationError', problems })
  const { lease } = failure
  return E.right({
    response: rescoreError(
      'engine_unavailable',
      quotaStatusAt(positionOf(reads.quota, lease.merchantId, now, config), now, config),
    ),
    writes: {
      quota: null,
      idempotency:
        reads.idempotency !== null && failureFreesKey(reads.idempotency.value, lease)
          ? {
              merchantId: lease.merchantId,
              idempotencyKey: lease.idempotencyKey,
              expected: reads.idempotency.version,
              value: null,
            }
          : null,
      beneficiary: beneficiaryWrite(reads, lease, null),
    },
  })
}
