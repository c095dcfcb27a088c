/**
 * The rescore decision itself, over what it reads rather than where it reads it from: the
 * whole-state form (`RescorePolicy.ts`) and the keyed form (`RescoreKeyed.ts`) both run these
 * steps, so they give the same answers by construction (and a differential property checks it).
 * A decision reads three things — the merchant's quota position, the idempotency record of
 * (merchant, key), the beneficiary's lease and cooldown — and each step says what to write.
 */
import {
  type ApiErrorBody,
  BeneficiaryId,
  describeValue,
  guardDecoder,
  MerchantId,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import { encodeRescoreVerdict, type RescoreVerdictWire, rescoreVerdict } from '@payout-kernel/trust'
import * as E from '#fp-ts/Either'
import { merchantQuotaLimit, type RescoreConfig } from '../RescoreConfig.js'
import { decodeRescoreRequest, idempotencyKeyOf, type RescoreRequest } from '../RescoreRequest.js'
import {
  type QuotaStatus,
  type RescoreErrorCode,
  type RescoreResponse,
  type RescoreResponseBody,
  rescoreError,
  retryAfterSeconds,
} from '../RescoreResponse.js'
import type { BeneficiaryRescore, IdempotencyRecord, RescoreLease } from '../RescoreState.js'
import {
  fingerprintOf,
  isWellFormedRequest,
  matchesFingerprint,
  plainIdempotencyKey,
} from './RequestShape.js'

// ---------------------------------------------------------------- responses

// Shared, frozen bodies for the answers that carry no detail (a replay shares its stored body the same way).
const errorBodies = /* @__PURE__ */ new Map<RescoreErrorCode, RescoreResponseBody>()
export const errorBodyOf = (code: RescoreErrorCode): RescoreResponseBody => {
  let body = errorBodies.get(code)
  if (body === undefined) {
    const { error } = rescoreError(code, { limit: 0, remaining: 0, resetSeconds: 0 }).body as ApiErrorBody
    body = Object.freeze({ error: Object.freeze({ ...error }) })
    errorBodies.set(code, body)
  }
  return body
}
const inFlightBody: RescoreResponseBody = /* @__PURE__ */ Object.freeze({ status: 'in_flight' as const })

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

/** The fail-closed answer when a store fails or keeps losing the race: `503 idempotency_unavailable`. */
export const unavailable = (merchantId: string, config: RescoreConfig): RescoreResponse =>
  rescoreError(
    'idempotency_unavailable',
    { limit: merchantQuotaLimit(config, merchantId), remaining: 0, resetSeconds: 1 },
    { retryAfterSeconds: 1 },
  )

// ---------------------------------------------------------------- quota

/**
 * Where a merchant's quota log stands at a decision. `time` is the quota's time (the later of
 * `now` and the latest admission: it never goes back, so a clock stepping backwards never lets an
 * admission out early); `first` the position of the first admission inside the window ending
 * then (in the log's own numbering), `live` how many are inside, `oldest` the earliest of them,
 * `freeing` the one whose leaving frees a slot (the oldest, unless the limit shrank below the
 * live count). With nothing live, `oldest` and `freeing` are `time`.
 */
export interface QuotaPosition {
  readonly limit: number
  readonly limitText: string
  readonly time: number
  readonly first: number
  readonly live: number
  readonly oldest: number
  readonly freeing: number
}

/**
 * The quota's time: the later of `now` and the latest admission (`null`: none), so it never goes
 * back. A NaN `now` falls back to the latest admission.
 */
export const quotaTime = (now: number, latest: number | null): number => {
  if (latest === null) return now
  // Not Math.max: that would turn a NaN `now` into NaN.
  return now > latest ? now : latest
}

/** The `X-RateLimit-*` figures of a position, nothing admitted. */
export const quotaStatusAt = (position: QuotaPosition, now: number, config: RescoreConfig): QuotaStatus => {
  const { limit, live } = position
  if (live === 0) return { limit, remaining: limit, resetSeconds: 0 }
  return {
    limit,
    remaining: Math.max(0, limit - live),
    resetSeconds: retryAfterSeconds(position.freeing + config.quota.windowMs - now),
  }
}

// ---------------------------------------------------------------- before the quota

/**
 * The checks before the quota, in order: the service's own request shape (422 naming the
 * fields), 501 no engine access, 400 `Idempotency-Key`, 422 beneficiary id. A response to send
 * (`status` gives the quota figures of a merchant, as the headers need them), or the key read.
 */
export const precheck = (
  request: RescoreRequest,
  status: (merchantId: string) => QuotaStatus,
): { readonly response: RescoreResponse } | { readonly key: string } => {
  // a request that throws when read (a getter, a proxy) is malformed too, naming the field
  const checked = guardDecoder(
    (r: RescoreRequest): E.Either<ValidationError, ReturnType<typeof precheckUnguarded>> =>
      E.right(precheckUnguarded(r, status)),
  )(request)
  return E.isRight(checked) ? checked.right : malformed(checked.left.problems, '', status)
}

const malformed = (
  problems: ReadonlyArray<ValidationProblem>,
  merchantId: string,
  status: (merchantId: string) => QuotaStatus,
): { readonly response: RescoreResponse } => ({
  response: rescoreError('validation_error', status(merchantId), {
    message: `the service passed a malformed request: ${problems.map((p) => p.field || 'request').join(', ')}`,
    details: problems,
  }),
})

const precheckUnguarded = (
  request: RescoreRequest,
  status: (merchantId: string) => QuotaStatus,
): { readonly response: RescoreResponse } | { readonly key: string } => {
  if (!isWellFormedRequest(request)) {
    const decoded = decodeRescoreRequest(request)
    const problems = E.isLeft(decoded) ? decoded.left.problems : []
    const merchantId = (request as { merchantId?: unknown } | null)?.merchantId
    return malformed(problems, MerchantId.is(merchantId) ? merchantId : '', status)
  }
  const { merchantId, beneficiaryId } = request
  if (!request.engine.configured)
    return { response: rescoreError('rescore_not_configured', status(merchantId)) }
  let key = plainIdempotencyKey(request.headers)
  if (key === undefined) {
    const read = idempotencyKeyOf(request.headers)
    if (E.isLeft(read)) {
      const quota = status(merchantId)
      return {
        response:
          read.left._tag === 'MissingIdempotencyKey'
            ? rescoreError('missing_idempotency_key', quota)
            : rescoreError('invalid_idempotency_key', quota, { message: read.left.message }),
      }
    }
    key = read.right
  }
  if (!BeneficiaryId.is(beneficiaryId)) {
    const details = [
      { field: 'id', message: `must be a beneficiary id (ben_…), got ${describeValue(beneficiaryId)}` },
    ]
    return {
      response: rescoreError('validation_error', status(merchantId), {
        message: `id: ${details[0]?.message}`,
        details,
      }),
    }
  }
  return { key }
}

// ---------------------------------------------------------------- after the quota

/** The quota figures of an admitted request, as its headers carry them. */
export interface Admitted {
  readonly limitText: string
  readonly remaining: number
  readonly reset: number
}

/** The quota check: the 429 when the merchant's quota is spent, else the admitted figures. */
export const admit = (
  position: QuotaPosition,
  now: number,
  config: RescoreConfig,
): { readonly response: RescoreResponse } | Admitted => {
  const windowMs = config.quota.windowMs
  const { limit, limitText, live } = position
  if (live >= limit) {
    const retry = retryAfterSeconds(position.freeing + windowMs - now)
    return { response: respond(429, errorBodyOf('rate_limit_exceeded'), limitText, 0, retry, retry, false) }
  }
  return {
    limitText,
    remaining: limit - live - 1,
    reset: retryAfterSeconds(position.oldest + windowMs - now),
  }
}

/**
 * What an admitted request resolves to: a response (with the 409 lock to store under the key, if
 * that is the answer), or the rescore to start with the key's in-flight record and the
 * beneficiary's new state.
 */
export type Resolution =
  | { readonly response: RescoreResponse; readonly store?: IdempotencyRecord }
  | {
      readonly response: null
      readonly lease: RescoreLease
      readonly inFlight: IdempotencyRecord
      readonly beneficiary: BeneficiaryRescore
    }

/**
 * After the quota, in order: idempotency (replay, 409 conflict, 409 in flight), 404 no engine
 * profile, 409 locked (stored for replay), 202 a rescore of the beneficiary in flight, 429
 * cooldown, start. `record` is the key's record, `beneficiary` the beneficiary's state, as read.
 */
export const resolve = (
  request: RescoreRequest,
  key: string,
  record: IdempotencyRecord | undefined,
  beneficiary: BeneficiaryRescore | undefined,
  q: Admitted,
  now: number,
  config: RescoreConfig,
): Resolution => {
  const { merchantId, beneficiaryId, engine } = request
  const { limitText, remaining, reset } = q
  if (
    record !== undefined &&
    record.expiresAt > now &&
    (record._tag !== 'InFlight' || record.lease.expiresAt > now)
  ) {
    // The fingerprint is built only when a key is compared or bound (most requests need neither).
    if (!matchesFingerprint(record.fingerprint, beneficiaryId, request.method, request.path))
      return {
        response: respond(409, errorBodyOf('idempotency_conflict'), limitText, remaining, reset, -1, false),
      }
    if (record._tag === 'InFlight')
      return {
        response: respond(409, errorBodyOf('idempotency_in_flight'), limitText, remaining, reset, -1, false),
      }
    return { response: respond(record.status, record.body, limitText, remaining, reset, -1, true) }
  }

  // What the engine knows.
  if (!engine.profileExists)
    return {
      response: respond(
        404,
        errorBodyOf('engine_beneficiary_not_found'),
        limitText,
        remaining,
        reset,
        -1,
        false,
      ),
    }
  if (engine.locked) {
    const body = errorBodyOf('beneficiary_scoring_locked') as ApiErrorBody
    return {
      response: respond(409, body, limitText, remaining, reset, -1, false),
      store: {
        _tag: 'Stored',
        fingerprint: fingerprintOf(beneficiaryId, request.method, request.path),
        firstUsedAt: now,
        expiresAt: now + config.idempotencyRetentionMs,
        status: 409,
        body,
      },
    }
  }

  // One rescore per beneficiary at a time, then its cooldown.
  if (beneficiary !== undefined) {
    if (beneficiary.lease !== null && beneficiary.lease.expiresAt > now)
      return { response: respond(202, inFlightBody, limitText, remaining, reset, -1, false) }
    if (beneficiary.cooldownUntil !== null && beneficiary.cooldownUntil > now) {
      const retry = retryAfterSeconds(beneficiary.cooldownUntil - now)
      return {
        response: respond(
          429,
          errorBodyOf('rescore_rate_limited'),
          limitText,
          remaining,
          reset,
          retry,
          false,
        ),
      }
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
  return {
    response: null,
    lease,
    inFlight: {
      _tag: 'InFlight',
      fingerprint,
      firstUsedAt: now,
      expiresAt: now + config.idempotencyRetentionMs,
      lease,
    },
    beneficiary: { lease, cooldownUntil: beneficiary?.cooldownUntil ?? null },
  }
}

// ---------------------------------------------------------------- settle

const sameLease = (a: RescoreLease, b: RescoreLease): boolean =>
  a.startedAt === b.startedAt &&
  a.beneficiaryId === b.beneficiaryId &&
  a.idempotencyKey === b.idempotencyKey &&
  a.merchantId === b.merchantId

/** The problems of a value handed back as a lease, naming the fields (none for a lease). */
export const leaseProblems = (u: unknown): ValidationProblem[] => {
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

/** The beneficiary with the lease released (if it still holds) and, optionally, a later cooldown end. */
export const released = (
  b: BeneficiaryRescore | undefined,
  lease: RescoreLease,
  cooldownUntil: number | null,
): BeneficiaryRescore | undefined => {
  const holds = b?.lease != null && sameLease(b.lease, lease)
  const nextLease = holds ? null : (b?.lease ?? null)
  const nextCooldown =
    cooldownUntil === null
      ? (b?.cooldownUntil ?? null)
      : Math.max(cooldownUntil, b?.cooldownUntil ?? cooldownUntil)
  return nextLease === null && nextCooldown === null
    ? undefined
    : { lease: nextLease, cooldownUntil: nextCooldown }
}

/** Whether the key's record (as read: `undefined` when there is none) is still this lease's. */
const holdsKey = (record: IdempotencyRecord | undefined, lease: RescoreLease): boolean =>
  record !== undefined && record._tag === 'InFlight' && sameLease(record.lease, lease)

/**
 * The problems of a failure handed back (its lease), naming the fields; a failure that throws when
 * read is one too.
 */
export const failureProblems = (failure: unknown): ReadonlyArray<ValidationProblem> => {
  const checked = guardDecoder(
    (u: unknown): E.Either<ValidationError, ReadonlyArray<ValidationProblem>> =>
      E.right(leaseProblems((u as { lease?: unknown } | null)?.lease)),
  )(failure)
  return E.isRight(checked) ? checked.right : checked.left.problems
}

/**
 * The decoded engine answer of a completion: the lease and the verdict body, or the problems (an
 * outcome that throws when read among them).
 */
export const completionOf = (
  outcome: unknown,
): E.Either<ValidationError, { readonly lease: RescoreLease; readonly body: RescoreVerdictWire }> =>
  guardDecoder(completionOfUnguarded)(outcome)

const completionOfUnguarded = (
  outcome: unknown,
): E.Either<ValidationError, { readonly lease: RescoreLease; readonly body: RescoreVerdictWire }> => {
  if (typeof outcome !== 'object' || outcome === null)
    return E.left({
      _tag: 'ValidationError',
      problems: [{ field: '', message: `must be an outcome, got ${describeValue(outcome)}` }],
    })
  const o = outcome as { lease?: RescoreLease; current?: unknown; previous?: unknown }
  const problems = leaseProblems(o.lease)
  const verdict = rescoreVerdict({
    beneficiaryId: BeneficiaryId.is(o.lease?.beneficiaryId) ? o.lease.beneficiaryId : 'ben_0',
    current: o.current as { evaluationId: string; rawScore: number },
    previous: (o.previous ?? null) as { evaluationId: string; rawScore: number } | null,
  })
  if (E.isLeft(verdict)) problems.push(...verdict.left.problems)
  if (problems.length > 0 || E.isLeft(verdict)) return E.left({ _tag: 'ValidationError', problems })
  return E.right({ lease: o.lease as RescoreLease, body: encodeRescoreVerdict(verdict.right) })
}

/**
 * The key's record after a completion: the 200 stored for replay while the record is still this
 * lease's, even when its retention has passed by the completing instance's clock (an instance
 * whose clock runs behind still reads it as alive, and must then replay the verdict, not answer
 * "in flight"; prune removes it). A newer use of the key that took it over after the lease lapsed
 * is left alone (`'keep'`); a record pruned meanwhile is stored as it would have been, unless its
 * retention has passed (`'keep'`: nothing to bring back).
 */
export const completedKey = (
  record: IdempotencyRecord | undefined,
  lease: RescoreLease,
  body: RescoreVerdictWire,
  now: number,
  config: RescoreConfig,
): IdempotencyRecord | 'keep' => {
  if (record !== undefined && !holdsKey(record, lease)) return 'keep'
  const kept =
    record === undefined
      ? { firstUsedAt: lease.startedAt, expiresAt: lease.startedAt + config.idempotencyRetentionMs }
      : record
  if (record === undefined && kept.expiresAt <= now) return 'keep'
  return {
    _tag: 'Stored',
    fingerprint: lease.fingerprint,
    firstUsedAt: kept.firstUsedAt,
    expiresAt: kept.expiresAt,
    status: 200,
    body,
  }
}

/** Whether a failure frees the key: only while its record is still this lease's in-flight record. */
export const failureFreesKey = (record: IdempotencyRecord | undefined, lease: RescoreLease): boolean =>
  holdsKey(record, lease)
