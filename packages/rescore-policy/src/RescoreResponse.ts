/**
 * The response of the rescore endpoint, as an HTTP layer sends it: a status, headers and a JSON
 * body. Errors are `{ error: { code, message } }`; every response carries the merchant's
 * `X-RateLimit-*` headers; 429, 404 and 501 carry `Cache-Control: no-store`.
 */
import type { ApiErrorBody } from '@payout-kernel/core'
import type { RescoreVerdictWire } from '@payout-kernel/trust'

// ---------------------------------------------------------------- model

/**
 * Every error code the endpoint answers with, and its status.
 *
 * @example
 * import { rescoreErrorStatus } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(rescoreErrorStatus.rescore_not_configured, 501)
 * assert.equal(rescoreErrorStatus.rate_limit_exceeded, 429)
 */
export const rescoreErrorStatus = {
  rescore_not_configured: 501,
  missing_idempotency_key: 400,
  invalid_idempotency_key: 400,
  validation_error: 422,
  rate_limit_exceeded: 429,
  idempotency_conflict: 409,
  idempotency_in_flight: 409,
  engine_beneficiary_not_found: 404,
  beneficiary_scoring_locked: 409,
  rescore_rate_limited: 429,
  engine_unavailable: 502,
  idempotency_unavailable: 503,
} as const

/** An error code of the endpoint. */
export type RescoreErrorCode = keyof typeof rescoreErrorStatus

/** The body of a 202: a rescore of this beneficiary is already running. */
export interface InFlightBody {
  readonly status: 'in_flight'
}

/** A response body: the verdict (200), in flight (202) or an error. */
export type RescoreResponseBody = RescoreVerdictWire | InFlightBody | ApiErrorBody

/**
 * A response: status, headers (canonical names) and the JSON body, sent as is.
 *
 * @example
 * import type { RescoreResponse } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const accepted: RescoreResponse = {
 *   status: 202,
 *   headers: { 'Content-Type': 'application/json', 'X-RateLimit-Limit': '1000', 'X-RateLimit-Remaining': '999', 'X-RateLimit-Reset': '60' },
 *   body: { status: 'in_flight' },
 * }
 * assert.equal(JSON.stringify(accepted.body), '{"status":"in_flight"}')
 */
export interface RescoreResponse {
  readonly status: 200 | 202 | 400 | 404 | 409 | 422 | 429 | 501 | 502 | 503
  readonly headers: Readonly<Record<string, string>>
  readonly body: RescoreResponseBody
}

/**
 * The merchant's quota as the `X-RateLimit-*` headers state it: the limit, what is left after
 * this request, and whole seconds (rounded up) until the next request is admitted again when the
 * quota is spent, or until the oldest admitted request leaves the window; 0 when none is in it.
 *
 * @example
 * import type { QuotaStatus } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const q: QuotaStatus = { limit: 1000, remaining: 0, resetSeconds: 12 }
 * assert.equal(q.remaining, 0)
 */
export interface QuotaStatus {
  readonly limit: number
  readonly remaining: number
  readonly resetSeconds: number
}

// ---------------------------------------------------------------- constructors

/**
 * Whole seconds to wait for `ms` milliseconds: rounded up, at least 1.
 *
 * @example
 * import { retryAfterSeconds } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(retryAfterSeconds(1), 1)
 * assert.equal(retryAfterSeconds(1000), 1)
 * assert.equal(retryAfterSeconds(1001), 2)
 * assert.equal(retryAfterSeconds(0), 1)
 */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000))

const messages: Record<RescoreErrorCode, string> = {
  rescore_not_configured: 'this deployment has no engine access configured',
  missing_idempotency_key: 'the Idempotency-Key header is required',
  invalid_idempotency_key: 'the Idempotency-Key header is not usable',
  validation_error: 'the request is not valid',
  rate_limit_exceeded: 'the merchant-wide rescore quota is spent; honor Retry-After',
  idempotency_conflict: 'this Idempotency-Key was first used for a different request',
  idempotency_in_flight: 'the request first made with this Idempotency-Key is still running',
  engine_beneficiary_not_found:
    'the engine has no profile for this beneficiary yet; the next payout seeds it',
  beneficiary_scoring_locked: 'the beneficiary is permanently locked; do not retry',
  rescore_rate_limited: 'this beneficiary was rescored recently; honor Retry-After',
  engine_unavailable: 'the engine did not answer; retry with the same Idempotency-Key',
  idempotency_unavailable: 'the idempotency store is unavailable; retry later',
}

const noStore = /* @__PURE__ */ new Set<number>([429, 404, 501])

// Headers every response carries.
const quotaHeaders = (quota: QuotaStatus): Record<string, string> => ({
  'Content-Type': 'application/json',
  'X-RateLimit-Limit': String(quota.limit),
  'X-RateLimit-Remaining': String(quota.remaining),
  'X-RateLimit-Reset': String(quota.resetSeconds),
})

/**
 * A response with the quota headers, `Cache-Control: no-store` where the table says, and
 * `Retry-After` when given.
 *
 * @example
 * import { rescoreResponse } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const r = rescoreResponse(202, { status: 'in_flight' }, { limit: 1000, remaining: 7, resetSeconds: 3 })
 * assert.equal(r.headers['X-RateLimit-Remaining'], '7')
 * assert.equal(r.headers['Cache-Control'], undefined)
 */
export const rescoreResponse = (
  status: RescoreResponse['status'],
  body: RescoreResponseBody,
  quota: QuotaStatus,
  extra: { readonly retryAfterSeconds?: number; readonly replayed?: boolean } = {},
): RescoreResponse => {
  const headers = quotaHeaders(quota)
  if (noStore.has(status)) headers['Cache-Control'] = 'no-store'
  if (extra.retryAfterSeconds !== undefined) headers['Retry-After'] = String(extra.retryAfterSeconds)
  if (extra.replayed === true) headers['X-Idempotent-Replayed'] = 'true'
  return { status, headers, body }
}

/**
 * An error response: the code's status and `{ error: { code, message } }`.
 *
 * @example
 * import { rescoreError } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const r = rescoreError('rescore_not_configured', { limit: 1000, remaining: 1000, resetSeconds: 0 })
 * assert.equal(r.status, 501)
 * assert.equal(r.headers['Cache-Control'], 'no-store')
 * assert.deepEqual(r.body, { error: { code: 'rescore_not_configured', message: 'this deployment has no engine access configured' } })
 */
export const rescoreError = (
  code: RescoreErrorCode,
  quota: QuotaStatus,
  extra: {
    readonly retryAfterSeconds?: number
    readonly message?: string
    readonly details?: ApiErrorBody['error']['details']
  } = {},
): RescoreResponse => {
  const error =
    extra.details === undefined
      ? { code, message: extra.message ?? messages[code] }
      : { code, message: extra.message ?? messages[code], details: extra.details }
  return rescoreResponse(rescoreErrorStatus[code], { error }, quota, extra)
}
