/**
 * The decision behind `POST /v1/beneficiaries/{id}/rescore`, as pure functions over an explicit
 * state: `decideRescore` answers a request (or starts a rescore), `completeRescore` and
 * `failRescore` take the engine's answer, in the documented check order:
 * 501 → 400 (key) → 422 (id) → merchant quota 429 → idempotency replay / 409s → 404 → 409 locked
 * → 202 in flight → 429 cooldown → start.
 */
import {
  type ApiErrorBody,
  BeneficiaryId,
  describeValue,
  MerchantId,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import { encodeRescoreVerdict, rescoreVerdict } from '@payout-kernel/trust'
import * as E from 'fp-ts/lib/Either.js'
import {
  fingerprintOf,
  isWellFormedRequest,
  matchesFingerprint,
  plainIdempotencyKey,
} from './internal/RequestShape.js'
import {
  mapGet,
  mapSet,
  type QuotaLog,
  quotaLog,
  quotaUpdate,
  tableGet,
  tableSet,
} from './internal/Versioned.js'
import { merchantQuotaLimit, type RescoreConfig } from './RescoreConfig.js'
import { decodeRescoreRequest, idempotencyKeyOf, type RescoreRequest } from './RescoreRequest.js'
import {
  type QuotaStatus,
  type RescoreErrorCode,
  type RescoreResponse,
  type RescoreResponseBody,
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

// ---------------------------------------------------------------- responses

// Shared, frozen bodies for the answers that carry no detail (a replay shares its stored body the same way).
const errorBodies = new Map<RescoreErrorCode, RescoreResponseBody>()
const errorBodyOf = (code: RescoreErrorCode): RescoreResponseBody => {
  let body = errorBodies.get(code)
  if (body === undefined) {
    const { error } = rescoreError(code, { limit: 0, remaining: 0, resetSeconds: 0 }).body as ApiErrorBody
    body = Object.freeze({ error: Object.freeze({ ...error }) })
    errorBodies.set(code, body)
  }
  return body
}
const inFlightBody: RescoreResponseBody = Object.freeze({ status: 'in_flight' as const })
const noEffects: readonly [] = Object.freeze([]) as readonly []

/**
 * A response from the quota figures as header text: what `rescoreResponse` builds, without the
 * intermediate objects. `retryAfter` is omitted when negative.
 */
const respond = (
  status: RescoreResponse['status'],
  body: RescoreResponseBody,
  limitText: string,
  remaining: number,
  reset: number,
  retryAfter: number,
  replayed: boolean,
): RescoreResponse => {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-RateLimit-Limit': limitText,
    'X-RateLimit-Remaining': `${remaining}`,
    'X-RateLimit-Reset': `${reset}`,
  }
  if (status === 429 || status === 404 || status === 501) headers['Cache-Control'] = 'no-store'
  if (retryAfter >= 0) headers['Retry-After'] = `${retryAfter}`
  if (replayed) headers['X-Idempotent-Replayed'] = 'true'
  return { status, headers, body }
}

// ---------------------------------------------------------------- quota

const sameLease = (a: RescoreLease, b: RescoreLease): boolean =>
  a.startedAt === b.startedAt &&
  a.beneficiaryId === b.beneficiaryId &&
  a.idempotencyKey === b.idempotencyKey &&
  a.merchantId === b.merchantId

/** The merchant's limit under `config`, memoised on its log (a cache: the log's value is its times). */
const limitOn = (log: QuotaLog, merchantId: string, config: RescoreConfig): void => {
  if (log.config === config) return
  log.limit = merchantQuotaLimit(config, merchantId)
  log.limitText = `${log.limit}`
  log.config = config
}

/** The index of the log's first admission later than `cutoff` (its times are ascending). */
const firstLive = (log: QuotaLog, cutoff: number): number => {
  const times = log.times
  let lo = log.head
  let hi = log.len
  // Usually at most one or two admissions left the window since the last decision.
  for (let k = 0; k < 4; k++) {
    if (lo >= hi || (times[lo] as number) > cutoff) return lo
    lo++
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((times[mid] as number) > cutoff) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** The quota's time for this log: the later of `now` and the latest admission (it never goes back). */
const quotaTimeOf = (log: QuotaLog, now: number): number => {
  if (log.len === log.head) return now
  const latest = log.times[log.len - 1] as number
  // biome-ignore lint/complexity/useMathMinMax: as before, a NaN `now` falls back to the latest admission
  return now > latest ? now : latest
}

/**
 * The `X-RateLimit-*` figures as of `now`, nothing admitted. Time for the quota never goes back:
 * it is the later of `now` and the latest admission, so a clock that steps backwards never lets
 * an admission out early.
 */
const readQuota = (
  state: RescoreState,
  merchantId: string,
  now: number,
  config: RescoreConfig,
): QuotaStatus => {
  const log = quotaLog(state.quotas, merchantId)
  const limit = merchantQuotaLimit(config, merchantId)
  if (log === undefined) return { limit, remaining: limit, resetSeconds: 0 }
  const windowMs = config.quota.windowMs
  const first = firstLive(log, quotaTimeOf(log, now) - windowMs)
  const live = log.len - first
  if (live === 0) return { limit, remaining: limit, resetSeconds: 0 }
  // The admission whose leaving the window frees a slot (the oldest, unless the limit shrank).
  const freeing = log.times[first + (live >= limit ? live - limit : 0)] as number
  return {
    limit,
    remaining: Math.max(0, limit - live),
    resetSeconds: retryAfterSeconds(freeing + windowMs - now),
  }
}

// ---------------------------------------------------------------- decide

const answer = (state: RescoreState, response: RescoreResponse): RescoreDecision => ({
  state,
  response,
  effects: noEffects,
})

/** The 422 for a request the service built wrong, naming the fields (the slow path). */
const malformed = (
  state: RescoreState,
  request: unknown,
  now: number,
  config: RescoreConfig,
): RescoreDecision => {
  const decoded = decodeRescoreRequest(request)
  const problems = E.isLeft(decoded) ? decoded.left.problems : []
  const merchantId = (request as { merchantId?: unknown } | null)?.merchantId
  return answer(
    state,
    rescoreError(
      'validation_error',
      readQuota(state, MerchantId.is(merchantId) ? merchantId : '', now, config),
      {
        message: `the service passed a malformed request: ${problems.map((p) => p.field || 'request').join(', ')}`,
        details: problems,
      },
    ),
  )
}

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
  if (!isWellFormedRequest(request)) return malformed(state, request, now, config)
  const { merchantId, beneficiaryId, engine } = request

  // 501 → 400 → 422: nothing counts yet.
  if (!engine.configured)
    return answer(state, rescoreError('rescore_not_configured', readQuota(state, merchantId, now, config)))
  let key = plainIdempotencyKey(request.headers)
  if (key === undefined) {
    const read = idempotencyKeyOf(request.headers)
    if (E.isLeft(read)) {
      const quota = readQuota(state, merchantId, now, config)
      return answer(
        state,
        read.left._tag === 'MissingIdempotencyKey'
          ? rescoreError('missing_idempotency_key', quota)
          : rescoreError('invalid_idempotency_key', quota, { message: read.left.message }),
      )
    }
    key = read.right
  }
  if (!BeneficiaryId.is(beneficiaryId)) {
    const details = [
      { field: 'id', message: `must be a beneficiary id (ben_…), got ${describeValue(beneficiaryId)}` },
    ]
    return answer(
      state,
      rescoreError('validation_error', readQuota(state, merchantId, now, config), {
        message: `id: ${details[0]?.message}`,
        details,
      }),
    )
  }

  // Merchant quota: exact sliding log.
  const windowMs = config.quota.windowMs
  const log = quotaLog(state.quotas, merchantId)
  let limit: number
  let limitText: string
  let first = 0
  let time = now
  let live = 0
  if (log === undefined) {
    limit = merchantQuotaLimit(config, merchantId)
    limitText = `${limit}`
  } else {
    limitOn(log, merchantId, config)
    limit = log.limit
    limitText = log.limitText
    time = quotaTimeOf(log, now)
    first = firstLive(log, time - windowMs)
    live = log.len - first
    if (live >= limit) {
      const retry = retryAfterSeconds((log.times[first + live - limit] as number) + windowMs - now)
      return answer(
        state,
        respond(429, errorBodyOf('rate_limit_exceeded'), limitText, 0, retry, retry, false),
      )
    }
  }
  // Admitted: what the headers say from here on.
  const oldest = live === 0 ? time : (log?.times[first] as number)
  const remaining = limit - live - 1
  const reset = retryAfterSeconds(oldest + windowMs - now)
  const quotas = quotaUpdate(state.quotas, merchantId, first, time)

  // Idempotency.
  const record = tableGet(state.keys, merchantId, key)
  if (
    record !== undefined &&
    record.expiresAt > now &&
    (record._tag !== 'InFlight' || record.lease.expiresAt > now)
  ) {
    const counted: RescoreState = { quotas, keys: state.keys, beneficiaries: state.beneficiaries }
    // The fingerprint is built only when a key is compared or bound (most requests need neither).
    if (!matchesFingerprint(record.fingerprint, beneficiaryId, request.method, request.path))
      return answer(
        counted,
        respond(409, errorBodyOf('idempotency_conflict'), limitText, remaining, reset, -1, false),
      )
    if (record._tag === 'InFlight')
      return answer(
        counted,
        respond(409, errorBodyOf('idempotency_in_flight'), limitText, remaining, reset, -1, false),
      )
    return answer(counted, respond(record.status, record.body, limitText, remaining, reset, -1, true))
  }

  // What the engine knows.
  if (!engine.profileExists)
    return answer(
      { quotas, keys: state.keys, beneficiaries: state.beneficiaries },
      respond(404, errorBodyOf('engine_beneficiary_not_found'), limitText, remaining, reset, -1, false),
    )
  if (engine.locked) {
    const body = errorBodyOf('beneficiary_scoring_locked') as ApiErrorBody
    const stored: IdempotencyRecord = {
      _tag: 'Stored',
      fingerprint: fingerprintOf(beneficiaryId, request.method, request.path),
      firstUsedAt: now,
      expiresAt: now + config.idempotencyRetentionMs,
      status: 409,
      body,
    }
    return answer(
      { quotas, keys: tableSet(state.keys, merchantId, key, stored), beneficiaries: state.beneficiaries },
      respond(409, body, limitText, remaining, reset, -1, false),
    )
  }

  // One rescore per beneficiary at a time, then its cooldown.
  const beneficiary = mapGet(state.beneficiaries, beneficiaryId)
  if (beneficiary !== undefined) {
    if (beneficiary.lease !== null && beneficiary.lease.expiresAt > now)
      return answer(
        { quotas, keys: state.keys, beneficiaries: state.beneficiaries },
        respond(202, inFlightBody, limitText, remaining, reset, -1, false),
      )
    if (beneficiary.cooldownUntil !== null && beneficiary.cooldownUntil > now) {
      const retry = retryAfterSeconds(beneficiary.cooldownUntil - now)
      return answer(
        { quotas, keys: state.keys, beneficiaries: state.beneficiaries },
        respond(429, errorBodyOf('rescore_rate_limited'), limitText, remaining, reset, retry, false),
      )
    }
  }

  // Start.
  const fingerprint = fingerprintOf(beneficiaryId, request.method, request.path)
  const lease: RescoreLease = {
    merchantId,
    idempotencyKey: key,
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
      quotas,
      keys: tableSet(state.keys, merchantId, key, inFlight),
      beneficiaries: mapSet(state.beneficiaries, beneficiaryId, {
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
  const b: BeneficiaryRescore | undefined = mapGet(state.beneficiaries, lease.beneficiaryId)
  const holds = b?.lease != null && sameLease(b.lease, lease)
  const nextLease = holds ? null : (b?.lease ?? null)
  const nextCooldown =
    cooldownUntil === null
      ? (b?.cooldownUntil ?? null)
      : Math.max(cooldownUntil, b?.cooldownUntil ?? cooldownUntil)
  const beneficiaries = mapSet(
    state.beneficiaries,
    lease.beneficiaryId,
    nextLease === null && nextCooldown === null
      ? undefined
      : { lease: nextLease, cooldownUntil: nextCooldown },
  )
  return { ...state, beneficiaries }
}

/** The key's record while it is still this lease's; `'free'` when no record is left (pruned). */
const heldKey = (state: RescoreState, lease: RescoreLease): IdempotencyRecord | 'free' | undefined => {
  const record = tableGet(state.keys, lease.merchantId, lease.idempotencyKey)
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
          keys: tableSet(released.keys, lease.merchantId, lease.idempotencyKey, {
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
      : { ...released, keys: tableSet(released.keys, lease.merchantId, lease.idempotencyKey, undefined) }
  return E.right({
    state: next,
    response: rescoreError('engine_unavailable', readQuota(next, lease.merchantId, now, config)),
  })
}
