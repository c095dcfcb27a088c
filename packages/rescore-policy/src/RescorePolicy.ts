/**
 * The decision behind `POST /v1/beneficiaries/{id}/rescore`, as pure functions over an explicit
 * state: `decideRescore` answers a request (or starts a rescore), `completeRescore` and
 * `failRescore` take the engine's answer, in the documented check order:
 * 501 → 400 (key) → 422 (id) → merchant quota 429 → idempotency replay / 409s → 404 → 409 locked
 * → 202 in flight → 429 cooldown → start.
 */
import type { ValidationError } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
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
import type { RescoreRequest } from './RescoreRequest.js'
import { type QuotaStatus, type RescoreResponse, rescoreError, rescoreResponse } from './RescoreResponse.js'
import type { RescoreLease, RescoreState } from './RescoreState.js'

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

const noEffects: readonly [] = /* @__PURE__ */ Object.freeze([]) as readonly []

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
  return quotaTime(now, log.len === log.head ? null : (log.times[log.len - 1] as number))
}

/** Where the merchant's log in the whole state stands at `now`. */
const positionIn = (
  log: QuotaLog | undefined,
  merchantId: string,
  now: number,
  config: RescoreConfig,
): QuotaPosition => {
  if (log === undefined) {
    const limit = merchantQuotaLimit(config, merchantId)
    return { limit, limitText: `${limit}`, time: now, first: 0, live: 0, oldest: now, freeing: now }
  }
  limitOn(log, merchantId, config)
  const time = quotaTimeOf(log, now)
  const first = firstLive(log, time - config.quota.windowMs)
  const live = log.len - first
  const { limit } = log
  return {
    limit,
    limitText: log.limitText,
    time,
    first,
    live,
    oldest: live === 0 ? time : (log.times[first] as number),
    freeing: live === 0 ? time : (log.times[first + (live >= limit ? live - limit : 0)] as number),
  }
}

/** The `X-RateLimit-*` figures as of `now` in the whole state, nothing admitted. */
const readQuota = (
  state: RescoreState,
  merchantId: string,
  now: number,
  config: RescoreConfig,
): QuotaStatus =>
  quotaStatusAt(positionIn(quotaLog(state.quotas, merchantId), merchantId, now, config), now, config)

const answer = (state: RescoreState, response: RescoreResponse): RescoreDecision => ({
  state,
  response,
  effects: noEffects,
})

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
  const checked = precheck(request, (merchantId) => readQuota(state, merchantId, now, config))
  if ('response' in checked) return answer(state, checked.response)
  const { key } = checked
  const { merchantId, beneficiaryId } = request

  // Merchant quota: exact sliding log.
  const position = positionIn(quotaLog(state.quotas, merchantId), merchantId, now, config)
  const admitted = admit(position, now, config)
  if ('response' in admitted) return answer(state, admitted.response)
  const quotas = quotaUpdate(state.quotas, merchantId, position.first, position.time)

  const resolution = resolve(
    request,
    key,
    tableGet(state.keys, merchantId, key),
    mapGet(state.beneficiaries, beneficiaryId),
    admitted,
    now,
    config,
  )
  if (resolution.response !== null)
    return answer(
      {
        quotas,
        keys:
          resolution.store === undefined
            ? state.keys
            : tableSet(state.keys, merchantId, key, resolution.store),
        beneficiaries: state.beneficiaries,
      },
      resolution.response,
    )
  const { lease } = resolution
  return {
    state: {
      quotas,
      keys: tableSet(state.keys, merchantId, key, resolution.inFlight),
      beneficiaries: mapSet(state.beneficiaries, beneficiaryId, resolution.beneficiary),
    },
    response: null,
    effects: [{ _tag: 'StartEngineRescore', beneficiaryId, pillar: 'payee', reason: 'ops_review', lease }],
  }
}

// ---------------------------------------------------------------- settle

/** The state with the beneficiary's lease released (if it still holds) and, optionally, a cooldown end. */
const release = (state: RescoreState, lease: RescoreLease, cooldownUntil: number | null): RescoreState => ({
  ...state,
  beneficiaries: mapSet(
    state.beneficiaries,
    lease.beneficiaryId,
    released(mapGet(state.beneficiaries, lease.beneficiaryId), lease, cooldownUntil),
  ),
})

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
 * import * as E from '#fp-ts/Either'
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
  const completion = completionOf(outcome)
  if (E.isLeft(completion)) return completion
  const { lease, body } = completion.right
  const stored = completedKey(
    tableGet(state.keys, lease.merchantId, lease.idempotencyKey),
    lease,
    body,
    now,
    config,
  )
  const afterRelease = release(state, lease, now + config.cooldownMs)
  const next: RescoreState =
    stored === 'keep'
      ? afterRelease
      : { ...afterRelease, keys: tableSet(afterRelease.keys, lease.merchantId, lease.idempotencyKey, stored) }
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
 * import * as E from '#fp-ts/Either'
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
  const problems = failureProblems(failure)
  if (problems.length > 0) return E.left({ _tag: 'ValidationError', problems })
  const { lease } = failure
  const afterRelease = release(state, lease, null)
  const next: RescoreState = failureFreesKey(
    tableGet(state.keys, lease.merchantId, lease.idempotencyKey),
    lease,
  )
    ? {
        ...afterRelease,
        keys: tableSet(afterRelease.keys, lease.merchantId, lease.idempotencyKey, undefined),
      }
    : afterRelease
  return E.right({
    state: next,
    response: rescoreError('engine_unavailable', readQuota(next, lease.merchantId, now, config)),
  })
}
