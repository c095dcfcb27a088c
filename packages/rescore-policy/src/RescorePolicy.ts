/**
 * The decision behind `POST /v1/beneficiaries/{id}/rescore`, as pure functions over an explicit
 * state: `decideRescore` answers a request (or starts a rescore), `completeRescore` and
 * `failRescore` take the engine's answer, in the documented check order:
 * 501 → 400 (key) → 422 (id) → merchant quota 429 → idempotency replay / 409s → 404 → 409 locked
 * → 202 in flight → 429 cooldown → start.
 */
import {
  BeneficiaryId,
  describeValue,
  MerchantId,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import { encodeRescoreVerdict, rescoreVerdict } from '@payout-kernel/trust'
import * as E from 'fp-ts/lib/Either.js'
import * as Trie from './internal/HashTrie.js'
import type { SlidingLog } from './internal/SlidingLog.js'
import * as Log from './internal/SlidingLog.js'
import { merchantQuotaLimit, type RescoreConfig } from './RescoreConfig.js'
import {
  decodeRescoreRequest,
  idempotencyKeyOf,
  type RescoreRequest,
  requestFingerprint,
} from './RescoreRequest.js'
import {
  type QuotaStatus,
  type RescoreResponse,
  rescoreError,
  rescoreResponse,
  retryAfterSeconds,
} from './RescoreResponse.js'
import type { BeneficiaryRescore, IdempotencyRecord, RescoreLease, RescoreState } from './RescoreState.js'

// ---------------------------------------------------------------- model

/**
 * The one effect the policy asks for: run a Payee-pillar rescore of the beneficiary on the engine,
 * reason `ops_review`, then hand the answer back with `completeRescore` (or `failRescore`) and
 * this lease.
 *
 * @example
 * import type { StartEngineRescore } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const effect: StartEngineRescore = {
 *   _tag: 'StartEngineRescore', beneficiaryId: 'ben_1', pillar: 'payee', reason: 'ops_review',
 *   lease: { merchantId: 'mer_1', idempotencyKey: 'k', beneficiaryId: 'ben_1', fingerprint: 'f', startedAt: 0, expiresAt: 30_000 },
 * }
 * assert.equal(effect.reason, 'ops_review')
 */
export interface StartEngineRescore {
  readonly _tag: 'StartEngineRescore'
  readonly beneficiaryId: string
  readonly pillar: 'payee'
  readonly reason: 'ops_review'
  readonly lease: RescoreLease
}

/**
 * What `decideRescore` returns: the next state, and either a response to send now (no effect) or
 * no response yet and the rescore to start (the response comes from `completeRescore` or
 * `failRescore`).
 *
 * @example
 * import type { RescoreDecision } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const sendNow = (d: RescoreDecision): boolean => d.response !== null
 * assert.equal(typeof sendNow, 'function')
 */
export type RescoreDecision =
  | { readonly state: RescoreState; readonly response: RescoreResponse; readonly effects: readonly [] }
  | { readonly state: RescoreState; readonly response: null; readonly effects: readonly [StartEngineRescore] }

/** The engine's answer to a started rescore: the lease it ran under and its new (and prior) evaluation. */
export interface RescoreOutcome {
  readonly lease: RescoreLease
  readonly current: { readonly evaluationId: string; readonly rawScore: number }
  readonly previous?: { readonly evaluationId: string; readonly rawScore: number } | null
}

/** An engine failure (error, timeout) of a started rescore: the lease it ran under. */
export interface RescoreFailure {
  readonly lease: RescoreLease
}

/** What `completeRescore` and `failRescore` return: the next state and the response to send. */
export interface RescoreSettlement {
  readonly state: RescoreState
  readonly response: RescoreResponse
}

// ---------------------------------------------------------------- quota

const scopeOf = (merchantId: string, idempotencyKey: string): string => `${merchantId}\n${idempotencyKey}`

const sameLease = (a: RescoreLease, b: RescoreLease): boolean =>
  a.startedAt === b.startedAt &&
  a.beneficiaryId === b.beneficiaryId &&
  a.idempotencyKey === b.idempotencyKey &&
  a.merchantId === b.merchantId

/**
 * The merchant's log as of `now`. Time for the quota never goes back: it is the later of `now`
 * and the latest admission, so a clock that steps backwards never lets an admission out early.
 */
const quotaLogAt = (
  state: RescoreState,
  merchantId: string,
  now: number,
  config: RescoreConfig,
): { readonly log: SlidingLog; readonly time: number } => {
  const log = Trie.get(state.quotas, merchantId) ?? Log.emptyLog
  const latest = Log.latest(log)
  const time = latest === undefined || now > latest ? now : latest
  return { log: Log.expire(log, time, config.quota.windowMs), time }
}

/** The `X-RateLimit-*` figures of an expired log. */
const quotaStatusOf = (log: SlidingLog, limit: number, now: number, windowMs: number): QuotaStatus => {
  const live = Log.liveCount(log)
  if (live === 0) return { limit, remaining: limit, resetSeconds: 0 }
  // The admission whose leaving the window frees a slot (the oldest, unless the limit shrank).
  const freeing = Log.liveAt(log, live >= limit ? live - limit : 0)
  return {
    limit,
    remaining: Math.max(0, limit - live),
    resetSeconds: retryAfterSeconds(freeing + windowMs - now),
  }
}

const readQuota = (
  state: RescoreState,
  merchantId: string,
  now: number,
  config: RescoreConfig,
): QuotaStatus =>
  quotaStatusOf(
    quotaLogAt(state, merchantId, now, config).log,
    merchantQuotaLimit(config, merchantId),
    now,
    config.quota.windowMs,
  )

// ---------------------------------------------------------------- decide

const answer = (state: RescoreState, response: RescoreResponse): RescoreDecision => ({
  state,
  response,
  effects: [],
})

const liveRecord = (record: IdempotencyRecord | undefined, now: number): IdempotencyRecord | undefined =>
  record === undefined ||
  record.expiresAt <= now ||
  (record._tag === 'InFlight' && record.lease.expiresAt <= now)
    ? undefined
    : record

/**
 * Decides a rescore request: the response to send, or the rescore to start. Checks, in order:
 * 501 no engine access → 400 `Idempotency-Key` missing or unusable → 422 beneficiary id → 429
 * merchant quota spent (`rate_limit_exceeded`) → idempotency: replay of a stored 200 or 409 lock,
 * 409 `idempotency_conflict` (key first used for another request), 409 `idempotency_in_flight` →
 * 404 no engine profile → 409 `beneficiary_scoring_locked` (stored for replay) → 202 a rescore of
 * this beneficiary is in flight (any key) → 429 `rescore_rate_limited` (cooldown) → start.
 * Every request that passes the quota check counts against the quota; nothing before it does.
 * A request the service got wrong (merchant id, method, path, engine knowledge) is a 422 naming
 * the field, before everything else. Never throws.
 *
 * @example
 * import { decideRescore, defaultRescoreConfig, initialRescoreState } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const first = decideRescore(initialRescoreState(), request, 0, defaultRescoreConfig)
 * assert.equal(first.response, null)
 * assert.deepEqual(first.effects.map((e) => [e._tag, e.pillar, e.reason]), [['StartEngineRescore', 'payee', 'ops_review']])
 *
 * // The same key while the rescore runs, and another key for the same beneficiary:
 * const again = decideRescore(first.state, request, 10, defaultRescoreConfig)
 * assert.equal(again.response?.status, 409)
 * const other = decideRescore(first.state, { ...request, headers: { 'Idempotency-Key': 'k-2' } }, 10, defaultRescoreConfig)
 * assert.deepEqual([other.response?.status, other.response?.body], [202, { status: 'in_flight' }])
 * assert.equal(other.response?.headers['X-RateLimit-Remaining'], '998')
 */
export const decideRescore = (
  state: RescoreState,
  request: RescoreRequest,
  now: number,
  config: RescoreConfig,
): RescoreDecision => {
  const decoded = decodeRescoreRequest(request)
  if (E.isLeft(decoded)) {
    const merchantId = MerchantId.is((request as { merchantId?: unknown } | null)?.merchantId)
      ? (request as { merchantId: string }).merchantId
      : ''
    return answer(
      state,
      rescoreError('validation_error', readQuota(state, merchantId, now, config), {
        message: `the service passed a malformed request: ${decoded.left.problems.map((p) => p.field || 'request').join(', ')}`,
        details: decoded.left.problems,
      }),
    )
  }
  const { merchantId, beneficiaryId, engine } = request
  const before = () => readQuota(state, merchantId, now, config)

  // 501 → 400 → 422: nothing counts yet.
  if (!engine.configured) return answer(state, rescoreError('rescore_not_configured', before()))
  const key = idempotencyKeyOf(request.headers)
  if (E.isLeft(key))
    return answer(
      state,
      key.left._tag === 'MissingIdempotencyKey'
        ? rescoreError('missing_idempotency_key', before())
        : rescoreError('invalid_idempotency_key', before(), { message: key.left.message }),
    )
  if (!BeneficiaryId.is(beneficiaryId)) {
    const details = [
      { field: 'id', message: `must be a beneficiary id (ben_…), got ${describeValue(beneficiaryId)}` },
    ]
    return answer(
      state,
      rescoreError('validation_error', before(), { message: `id: ${details[0]?.message}`, details }),
    )
  }

  // Merchant quota: exact sliding log.
  const limit = merchantQuotaLimit(config, merchantId)
  const windowMs = config.quota.windowMs
  const { log, time } = quotaLogAt(state, merchantId, now, config)
  if (Log.liveCount(log) >= limit) {
    const quota = quotaStatusOf(log, limit, now, windowMs)
    return answer(
      state,
      rescoreError('rate_limit_exceeded', quota, { retryAfterSeconds: quota.resetSeconds }),
    )
  }
  const admitted = Log.admit(log, time)
  const quota = quotaStatusOf(admitted, limit, now, windowMs)
  const counted: RescoreState = { ...state, quotas: Trie.set(state.quotas, merchantId, admitted) }

  // Idempotency.
  const scope = scopeOf(merchantId, key.right)
  const record = liveRecord(Trie.get(state.keys, scope), now)
  // The fingerprint is computed only when a key is compared or bound (most requests need neither).
  if (record !== undefined) {
    if (record.fingerprint !== requestFingerprint(request))
      return answer(counted, rescoreError('idempotency_conflict', quota))
    if (record._tag === 'InFlight') return answer(counted, rescoreError('idempotency_in_flight', quota))
    return answer(counted, rescoreResponse(record.status, record.body, quota, { replayed: true }))
  }

  // What the engine knows.
  if (!engine.profileExists) return answer(counted, rescoreError('engine_beneficiary_not_found', quota))
  if (engine.locked) {
    const locked = rescoreError('beneficiary_scoring_locked', quota)
    const stored: IdempotencyRecord = {
      _tag: 'Stored',
      fingerprint: requestFingerprint(request),
      firstUsedAt: now,
      expiresAt: now + config.idempotencyRetentionMs,
      status: 409,
      body: locked.body as Extract<IdempotencyRecord, { _tag: 'Stored' }>['body'],
    }
    return answer({ ...counted, keys: Trie.set(counted.keys, scope, stored) }, locked)
  }

  // One rescore per beneficiary at a time, then its cooldown.
  const beneficiary = Trie.get(state.beneficiaries, beneficiaryId)
  if (beneficiary?.lease != null && beneficiary.lease.expiresAt > now)
    return answer(counted, rescoreResponse(202, { status: 'in_flight' }, quota))
  if (beneficiary?.cooldownUntil != null && beneficiary.cooldownUntil > now)
    return answer(
      counted,
      rescoreError('rescore_rate_limited', quota, {
        retryAfterSeconds: retryAfterSeconds(beneficiary.cooldownUntil - now),
      }),
    )

  // Start.
  const fingerprint = requestFingerprint(request)
  const lease: RescoreLease = {
    merchantId,
    idempotencyKey: key.right,
    beneficiaryId,
    fingerprint,
    startedAt: now,
    expiresAt: now + config.leaseMs,
  }
  const inFlight: IdempotencyRecord = {
    _tag: 'InFlight',
    fingerprint,
    firstUsedAt: now,
    expiresAt: now + config.idempotencyRetentionMs,
    lease,
  }
  return {
    state: {
      quotas: counted.quotas,
      keys: Trie.set(state.keys, scope, inFlight),
      beneficiaries: Trie.set(state.beneficiaries, beneficiaryId, {
        lease,
        cooldownUntil: beneficiary?.cooldownUntil ?? null,
      }),
    },
    response: null,
    effects: [{ _tag: 'StartEngineRescore', beneficiaryId, pillar: 'payee', reason: 'ops_review', lease }],
  }
}

// ---------------------------------------------------------------- settle

const leaseProblems = (u: unknown): ValidationProblem[] => {
  if (typeof u !== 'object' || u === null)
    return [{ field: 'lease', message: `must be the lease of a started rescore, got ${describeValue(u)}` }]
  const l = u as Record<string, unknown>
  const problems: ValidationProblem[] = []
  if (!MerchantId.is(l.merchantId))
    problems.push({
      field: 'lease.merchantId',
      message: `must be a merchant id, got ${describeValue(l.merchantId)}`,
    })
  if (typeof l.idempotencyKey !== 'string')
    problems.push({
      field: 'lease.idempotencyKey',
      message: `must be a key, got ${describeValue(l.idempotencyKey)}`,
    })
  if (!BeneficiaryId.is(l.beneficiaryId))
    problems.push({
      field: 'lease.beneficiaryId',
      message: `must be a ben_ id, got ${describeValue(l.beneficiaryId)}`,
    })
  if (typeof l.fingerprint !== 'string')
    problems.push({
      field: 'lease.fingerprint',
      message: `must be a fingerprint, got ${describeValue(l.fingerprint)}`,
    })
  for (const f of ['startedAt', 'expiresAt'] as const)
    if (!Number.isSafeInteger(l[f]))
      problems.push({
        field: `lease.${f}`,
        message: `must be epoch milliseconds, got ${describeValue(l[f])}`,
      })
  return problems
}

/** The state with the lease released (if it still holds) and, optionally, a new cooldown end. */
const release = (state: RescoreState, lease: RescoreLease, cooldownUntil: number | null): RescoreState => {
  const b: BeneficiaryRescore | undefined = Trie.get(state.beneficiaries, lease.beneficiaryId)
  const holds = b?.lease != null && sameLease(b.lease, lease)
  const nextLease = holds ? null : (b?.lease ?? null)
  const nextCooldown =
    cooldownUntil === null
      ? (b?.cooldownUntil ?? null)
      : Math.max(cooldownUntil, b?.cooldownUntil ?? cooldownUntil)
  const beneficiaries =
    nextLease === null && nextCooldown === null
      ? Trie.remove(state.beneficiaries, lease.beneficiaryId)
      : Trie.set(state.beneficiaries, lease.beneficiaryId, { lease: nextLease, cooldownUntil: nextCooldown })
  return { ...state, beneficiaries }
}

/** The key's record while it is still this lease's; `'free'` when no record is left (pruned). */
const heldKey = (state: RescoreState, lease: RescoreLease): IdempotencyRecord | 'free' | undefined => {
  const record = Trie.get(state.keys, scopeOf(lease.merchantId, lease.idempotencyKey))
  if (record === undefined) return 'free'
  return record._tag === 'InFlight' && sameLease(record.lease, lease) ? record : undefined
}

/**
 * Takes the engine's answer to a started rescore: the 200 verdict (built with
 * `@payout-kernel/trust`), stored for replay under the key, the lease released and the
 * beneficiary's cooldown started at `now`. A completion whose lease had lapsed still answers its
 * caller and is stored, unless a newer use of the key or beneficiary took over: that one is left alone. An outcome that does not
 * decode (a bad lease, raw scores outside 0..1000) is a `ValidationError` naming the field: the
 * service should then call `failRescore`.
 *
 * @example
 * import { completeRescore, decideRescore, defaultRescoreConfig, initialRescoreState } from '@payout-kernel/rescore-policy'
 * import * as E from 'fp-ts/lib/Either.js'
 * import assert from 'node:assert/strict'
 *
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const started = decideRescore(initialRescoreState(), request, 0, defaultRescoreConfig)
 * assert.ok(started.response === null)
 * const done = completeRescore(started.state, { lease: started.effects[0].lease, current: { evaluationId: 'eval_2', rawScore: 423 }, previous: { evaluationId: 'eval_1', rawScore: 720 } }, 900, defaultRescoreConfig)
 * assert.ok(E.isRight(done))
 * assert.equal(done.right.response.status, 200)
 * assert.deepEqual(done.right.response.body, {
 *   pillar: 'payee', resource_id: 'ben_1', new_evaluation_id: 'eval_2', new_trust_score: 0.577, new_tier: 'MEDIUM', new_score: 423,
 *   previous_evaluation_id: 'eval_1', previous_trust_score: 0.28, previous_tier: 'HIGH', previous_score: 720,
 * })
 * // The same key again: the verdict, replayed. Another key: the cooldown.
 * const replay = decideRescore(done.right.state, request, 1000, defaultRescoreConfig)
 * assert.deepEqual([replay.response?.status, replay.response?.headers['X-Idempotent-Replayed']], [200, 'true'])
 * const cooling = decideRescore(done.right.state, { ...request, headers: { 'Idempotency-Key': 'k-2' } }, 1000, defaultRescoreConfig)
 * assert.deepEqual([cooling.response?.status, cooling.response?.headers['Retry-After']], [429, '300'])
 */
export const completeRescore = (
  state: RescoreState,
  outcome: RescoreOutcome,
  now: number,
  config: RescoreConfig,
): E.Either<ValidationError, RescoreSettlement> => {
  if (typeof outcome !== 'object' || outcome === null)
    return E.left({
      _tag: 'ValidationError',
      problems: [{ field: '', message: `must be an outcome, got ${describeValue(outcome)}` }],
    })
  const problems = leaseProblems(outcome.lease)
  const verdict = rescoreVerdict({
    beneficiaryId: BeneficiaryId.is(outcome.lease?.beneficiaryId) ? outcome.lease.beneficiaryId : 'ben_0',
    current: outcome.current,
    previous: outcome.previous ?? null,
  })
  if (E.isLeft(verdict)) problems.push(...verdict.left.problems)
  if (problems.length > 0 || E.isLeft(verdict)) return E.left({ _tag: 'ValidationError', problems })
  const { lease } = outcome
  const body = encodeRescoreVerdict(verdict.right)
  const record = heldKey(state, lease)
  const released = release(state, lease, now + config.cooldownMs)
  // Stored for replay under its key, unless a newer use of the key took it over after the lease
  // lapsed; a record pruned meanwhile is stored as it would have been.
  const kept =
    record === 'free'
      ? { firstUsedAt: lease.startedAt, expiresAt: lease.startedAt + config.idempotencyRetentionMs }
      : record
  const next: RescoreState =
    kept === undefined || kept.expiresAt <= now
      ? released
      : {
          ...released,
          keys: Trie.set(released.keys, scopeOf(lease.merchantId, lease.idempotencyKey), {
            _tag: 'Stored',
            fingerprint: lease.fingerprint,
            firstUsedAt: kept.firstUsedAt,
            expiresAt: kept.expiresAt,
            status: 200,
            body,
          }),
        }
  return E.right({
    state: next,
    response: rescoreResponse(200, body, readQuota(next, lease.merchantId, now, config)),
  })
}

/**
 * Takes an engine failure of a started rescore: the lease and the idempotency key are freed (the
 * client may retry with the same key), no cooldown is spent, and the caller gets `502
 * engine_unavailable`. A bad lease is a `ValidationError` naming the field.
 *
 * @example
 * import { decideRescore, defaultRescoreConfig, failRescore, initialRescoreState } from '@payout-kernel/rescore-policy'
 * import * as E from 'fp-ts/lib/Either.js'
 * import assert from 'node:assert/strict'
 *
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const started = decideRescore(initialRescoreState(), request, 0, defaultRescoreConfig)
 * assert.ok(started.response === null)
 * const failed = failRescore(started.state, { lease: started.effects[0].lease }, 5, defaultRescoreConfig)
 * assert.ok(E.isRight(failed))
 * assert.equal(failed.right.response.status, 502)
 * // The same key starts again.
 * assert.equal(decideRescore(failed.right.state, request, 6, defaultRescoreConfig).effects.length, 1)
 */
export const failRescore = (
  state: RescoreState,
  failure: RescoreFailure,
  now: number,
  config: RescoreConfig,
): E.Either<ValidationError, RescoreSettlement> => {
  const problems = leaseProblems((failure as { lease?: unknown } | null)?.lease)
  if (problems.length > 0) return E.left({ _tag: 'ValidationError', problems })
  const { lease } = failure
  const released = release(state, lease, null)
  const held = heldKey(state, lease)
  const next: RescoreState =
    held === undefined || held === 'free'
      ? released
      : { ...released, keys: Trie.remove(released.keys, scopeOf(lease.merchantId, lease.idempotencyKey)) }
  return E.right({
    state: next,
    response: rescoreError('engine_unavailable', readQuota(next, lease.merchantId, now, config)),
  })
}
