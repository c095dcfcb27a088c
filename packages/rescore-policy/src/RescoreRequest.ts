/**
 * A rescore request as the policy sees it: who asks (merchant), what was asked (method, path, the
 * beneficiary id from the path, headers, the ignored body) and what the service knows of the
 * engine. Also the idempotency key's rules and the request fingerprint a key is bound to.
 */
import {
  describeValue,
  guardDecoder,
  MerchantId,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- model

/**
 * What the service knows of the engine before the policy decides: whether this deployment has
 * engine access at all, whether the engine has a profile for the beneficiary, and whether the
 * beneficiary's scoring is permanently locked.
 *
 * @example
 * import type { EngineKnowledge } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const engine: EngineKnowledge = { configured: true, profileExists: true, locked: false }
 * assert.equal(engine.locked, false)
 */
export interface EngineKnowledge {
  readonly configured: boolean
  readonly profileExists: boolean
  readonly locked: boolean
}

/** Header values as HTTP servers hand them over: a string, several strings, or nothing. */
export type HeaderValue = string | ReadonlyArray<string> | undefined

/**
 * One `POST /v1/beneficiaries/{id}/rescore` request. `merchantId` comes from the access token,
 * `beneficiaryId` is the raw `{id}` path segment (checked by the policy), header names are
 * case-insensitive, and `body` is ignored.
 *
 * @example
 * import type { RescoreRequest } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const request: RescoreRequest = {
 *   merchantId: 'mer_acme',
 *   method: 'POST',
 *   path: '/v1/beneficiaries/ben_8f2k/rescore',
 *   beneficiaryId: 'ben_8f2k',
 *   headers: { 'Idempotency-Key': 'a3f1c2' },
 *   engine: { configured: true, profileExists: true, locked: false },
 * }
 * assert.equal(request.headers['Idempotency-Key'], 'a3f1c2')
 */
export interface RescoreRequest {
  readonly merchantId: string
  readonly method: string
  readonly path: string
  readonly beneficiaryId: string
  readonly headers: Readonly<Record<string, HeaderValue>>
  readonly body?: unknown
  readonly engine: EngineKnowledge
}

/**
 * What a missing or unusable `Idempotency-Key` header is: absent (or blank), or present but not
 * 1 to 255 printable ASCII characters without surrounding spaces (or sent twice with different values).
 *
 * @example
 * import type { IdempotencyKeyProblem } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const p: IdempotencyKeyProblem = { _tag: 'MissingIdempotencyKey' }
 * assert.equal(p._tag, 'MissingIdempotencyKey')
 */
export type IdempotencyKeyProblem =
  | { readonly _tag: 'MissingIdempotencyKey' }
  | { readonly _tag: 'InvalidIdempotencyKey'; readonly message: string }

// ---------------------------------------------------------------- constants

/**
 * The longest idempotency key accepted.
 *
 * @example
 * import { maxIdempotencyKeyLength } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(maxIdempotencyKeyLength, 255)
 */
export const maxIdempotencyKeyLength = 255

const maxPathLength = 2048
const printableKey = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/
const methodToken = /^[A-Za-z]{1,16}$/

// ---------------------------------------------------------------- operations

/**
 * Reads the `Idempotency-Key` header (any letter case): the key, or why it is unusable.
 *
 * @example
 * import { idempotencyKeyOf } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(idempotencyKeyOf({ 'idempotency-key': 'k-1' }), E.right('k-1'))
 * assert.deepEqual(idempotencyKeyOf({}), E.left({ _tag: 'MissingIdempotencyKey' }))
 * assert.equal(E.isLeft(idempotencyKeyOf({ 'Idempotency-Key': 'x'.repeat(256) })), true)
 */
export const idempotencyKeyOf = /* @__PURE__ */ guardDecoder(
  (headers: unknown): E.Either<IdempotencyKeyProblem, string> => {
    if (typeof headers !== 'object' || headers === null) return E.left({ _tag: 'MissingIdempotencyKey' })
    let found: unknown
    for (const name of Object.keys(headers)) {
      if (name.length === 15 && name.toLowerCase() === 'idempotency-key') {
        const value: unknown = (headers as Record<string, unknown>)[name]
        if (value === undefined) continue
        if (found !== undefined && found !== value)
          return E.left({ _tag: 'InvalidIdempotencyKey', message: 'Idempotency-Key is sent more than once' })
        found = value
      }
    }
    if (Array.isArray(found)) {
      const distinct = [...new Set(found)]
      if (distinct.length > 1)
        return E.left({ _tag: 'InvalidIdempotencyKey', message: 'Idempotency-Key is sent more than once' })
      found = distinct[0]
    }
    if (found === undefined || (typeof found === 'string' && found.trim() === ''))
      return E.left({ _tag: 'MissingIdempotencyKey' })
    if (typeof found !== 'string')
      return E.left({
        _tag: 'InvalidIdempotencyKey',
        message: `Idempotency-Key must be text, got ${describeValue(found)}`,
      })
    if (found.length > maxIdempotencyKeyLength)
      return E.left({
        _tag: 'InvalidIdempotencyKey',
        message: `Idempotency-Key must be at most ${maxIdempotencyKeyLength} characters, got ${found.length}`,
      })
    if (!printableKey.test(found))
      return E.left({
        _tag: 'InvalidIdempotencyKey',
        message: 'Idempotency-Key must be printable ASCII without leading or trailing spaces',
      })
    return E.right(found)
  },
  (e): IdempotencyKeyProblem => ({
    _tag: 'InvalidIdempotencyKey',
    message: `Idempotency-Key could not be read: ${e.problems[0]?.message ?? 'it threw'}`,
  }),
)

/**
 * The fingerprint an idempotency key is bound to on first use: canonical JSON (keys sorted, no
 * spaces) of what the endpoint acts on — the method (upper case), the path and the beneficiary.
 * The body is ignored by the endpoint, so it is not part of it: two requests that differ only in
 * their body are the same request.
 *
 * @example
 * import { requestFingerprint } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const request = {
 *   merchantId: 'mer_acme', method: 'post', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: {}, body: { ignored: true }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * assert.equal(
 *   requestFingerprint(request),
 *   '{"beneficiary_id":"ben_1","method":"POST","path":"/v1/beneficiaries/ben_1/rescore"}',
 * )
 * assert.equal(requestFingerprint({ ...request, body: 'other' }), requestFingerprint(request))
 */
export const requestFingerprint = (request: RescoreRequest): string =>
  JSON.stringify({
    beneficiary_id: request.beneficiaryId,
    method: request.method.toUpperCase(),
    path: request.path,
  })

/**
 * Checks the service's side of a request, before anything else: problems here are bugs of the
 * embedding service, not of the client (merchant id, method, path, that the `{id}` segment and
 * the headers are there, the engine knowledge). The client's side (the key, the beneficiary id)
 * is judged by `decideRescore`, which answers 400 or 422 in the documented order.
 *
 * @example
 * import { decodeRescoreRequest } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const bad = decodeRescoreRequest({ merchantId: 'mer_1', method: 'POST', path: '/x', beneficiaryId: 'ben_1', headers: {} })
 * assert.ok(E.isLeft(bad))
 * assert.deepEqual(bad.left.problems.map((p) => p.field), ['engine'])
 */
export const decodeRescoreRequest = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, RescoreRequest> => {
    const problems = requestProblems(u)
    return problems.length === 0
      ? E.right(u as RescoreRequest)
      : E.left({ _tag: 'ValidationError', problems })
  },
)

const requestProblems = (u: unknown): ValidationProblem[] => {
  if (typeof u !== 'object' || u === null)
    return [{ field: '', message: `must be a request, got ${describeValue(u)}` }]
  const r = u as Record<string, unknown>
  const problems: ValidationProblem[] = []
  if (!MerchantId.is(r.merchantId))
    problems.push({
      field: 'merchantId',
      message: `must be a merchant id, got ${describeValue(r.merchantId)}`,
    })
  if (typeof r.method !== 'string' || !methodToken.test(r.method))
    problems.push({ field: 'method', message: `must be an HTTP method, got ${describeValue(r.method)}` })
  if (typeof r.path !== 'string' || r.path.length === 0 || r.path.length > maxPathLength)
    problems.push({ field: 'path', message: `must be a request path, got ${describeValue(r.path)}` })
  if (typeof r.beneficiaryId !== 'string')
    problems.push({
      field: 'beneficiaryId',
      message: `must be the {id} path segment, got ${describeValue(r.beneficiaryId)}`,
    })
  if (typeof r.headers !== 'object' || r.headers === null || Array.isArray(r.headers))
    problems.push({
      field: 'headers',
      message: `must be an object of headers, got ${describeValue(r.headers)}`,
    })
  const engine = r.engine
  if (typeof engine !== 'object' || engine === null)
    problems.push({
      field: 'engine',
      message: `must be { configured, profileExists, locked }, got ${describeValue(engine)}`,
    })
  else
    for (const flag of ['configured', 'profileExists', 'locked'] as const) {
      const value = (engine as Record<string, unknown>)[flag]
      if (typeof value !== 'boolean')
        problems.push({
          field: `engine.${flag}`,
          message: `must be true or false, got ${describeValue(value)}`,
        })
    }
  return problems
}
