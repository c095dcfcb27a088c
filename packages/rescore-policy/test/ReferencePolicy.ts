// A small, obviously correct reference of the DOMAIN.md §6 table: plain Maps and arrays, linear
// scans, mutated in place. The model-based test runs it beside the real policy on the same
// commands; both must give the same responses and effects.
import { encodeRescoreVerdict, rescoreVerdict } from '@payout-kernel/trust'
import * as E from '#fp-ts/Either'
import type { RescoreConfig, RescoreLease, RescoreRequest, RescoreResponse } from '../src/index.js'

type Body = RescoreResponse['body']

interface KeyUse {
  readonly fingerprint: string
  readonly expiresAt: number
  readonly running: RescoreLease | null
  readonly stored: { readonly status: 200 | 409; readonly body: Body } | null
}

export interface ReferenceAnswer {
  readonly response: RescoreResponse | null
  readonly leases: RescoreLease[]
}

const statusOf: Record<string, RescoreResponse['status'] | undefined> = {
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
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000))

export class ReferencePolicy {
  /** Every admission time per merchant, never forgotten. */
  readonly admissions = new Map<string, number[]>()
  readonly keys = new Map<string, KeyUse>()
  readonly running = new Map<string, RescoreLease>()
  readonly cooldownUntil = new Map<string, number>()

  constructor(readonly config: RescoreConfig) {}

  limit(merchantId: string): number {
    const tier = this.config.quota.merchantTiers[merchantId] ?? this.config.quota.defaultTier
    return this.config.quota.requestsPerWindow * tier
  }

  /** Quota time never goes back behind the latest admission. */
  quotaTime(merchantId: string, now: number): number {
    return Math.max(now, ...(this.admissions.get(merchantId) ?? []))
  }

  inWindow(merchantId: string, now: number): number[] {
    const t = this.quotaTime(merchantId, now)
    return (this.admissions.get(merchantId) ?? []).filter((a) => a > t - this.config.quota.windowMs)
  }

  quota(merchantId: string, now: number) {
    const live = this.inWindow(merchantId, now)
    const limit = this.limit(merchantId)
    const freeing = live[live.length >= limit ? live.length - limit : 0]
    return {
      limit,
      remaining: Math.max(0, limit - live.length),
      reset: freeing === undefined ? 0 : seconds(freeing + this.config.quota.windowMs - now),
    }
  }

  respond(
    status: RescoreResponse['status'],
    body: Body,
    merchantId: string,
    now: number,
    extra: { retryAfter?: number; replayed?: boolean } = {},
  ): RescoreResponse {
    const q = this.quota(merchantId, now)
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-RateLimit-Limit': String(q.limit),
      'X-RateLimit-Remaining': String(q.remaining),
      'X-RateLimit-Reset': String(q.reset),
    }
    if (status === 429 || status === 404 || status === 501) headers['Cache-Control'] = 'no-store'
    if (extra.retryAfter !== undefined) headers['Retry-After'] = String(extra.retryAfter)
    if (extra.replayed) headers['X-Idempotent-Replayed'] = 'true'
    return { status, headers, body }
  }

  error(code: string, merchantId: string, now: number, retryAfter?: number): RescoreResponse {
    return this.respond(
      statusOf[code] ?? 503,
      { error: { code, message: '' } },
      merchantId,
      now,
      retryAfter === undefined ? {} : { retryAfter },
    )
  }

  decide(request: RescoreRequest, now: number): ReferenceAnswer {
    const m = request.merchantId
    const done = (response: RescoreResponse): ReferenceAnswer => ({ response, leases: [] })
    if (!request.engine.configured) return done(this.error('rescore_not_configured', m, now))
    const name = Object.keys(request.headers).find((h) => h.toLowerCase() === 'idempotency-key')
    const key = name === undefined ? undefined : request.headers[name]
    if (typeof key !== 'string' || key.trim() === '')
      return done(this.error('missing_idempotency_key', m, now))
    if (key.length > 255 || !/^[!-~]([ -~]*[!-~])?$/.test(key))
      return done(this.error('invalid_idempotency_key', m, now))
    const b = request.beneficiaryId
    if (!/^ben_[a-zA-Z0-9]+$/.test(b) || b.length > 255) return done(this.error('validation_error', m, now))

    if (this.inWindow(m, now).length >= this.limit(m)) {
      const reset = this.quota(m, now).reset
      return done(this.error('rate_limit_exceeded', m, now, reset))
    }
    const admittedAt = this.quotaTime(m, now)
    this.admissions.set(m, [...(this.admissions.get(m) ?? []), admittedAt])

    const fingerprint = JSON.stringify({
      beneficiary_id: b,
      method: request.method.toUpperCase(),
      path: request.path,
    })
    const scope = `${m}\n${key}`
    const use = this.keys.get(scope)
    const alive =
      use !== undefined && use.expiresAt > now && !(use.running !== null && use.running.expiresAt <= now)
    if (use !== undefined && alive) {
      if (use.fingerprint !== fingerprint) return done(this.error('idempotency_conflict', m, now))
      if (use.running !== null) return done(this.error('idempotency_in_flight', m, now))
      if (use.stored !== null)
        return done(this.respond(use.stored.status, use.stored.body, m, now, { replayed: true }))
    }
    if (!request.engine.profileExists) return done(this.error('engine_beneficiary_not_found', m, now))
    if (request.engine.locked) {
      const response = this.error('beneficiary_scoring_locked', m, now)
      this.keys.set(scope, {
        fingerprint,
        expiresAt: now + this.config.idempotencyRetentionMs,
        running: null,
        stored: { status: 409, body: response.body },
      })
      return done(response)
    }
    const lease = this.running.get(b)
    if (lease !== undefined && lease.expiresAt > now)
      return done(this.respond(202, { status: 'in_flight' }, m, now))
    const until = this.cooldownUntil.get(b)
    if (until !== undefined && until > now)
      return done(this.error('rescore_rate_limited', m, now, seconds(until - now)))

    const started: RescoreLease = {
      merchantId: m,
      idempotencyKey: key,
      beneficiaryId: b,
      fingerprint,
      startedAt: now,
      expiresAt: now + this.config.leaseMs,
    }
    this.running.set(b, started)
    this.keys.set(scope, {
      fingerprint,
      expiresAt: now + this.config.idempotencyRetentionMs,
      running: started,
      stored: null,
    })
    return { response: null, leases: [started] }
  }

  private sameLease(a: RescoreLease | null | undefined, b: RescoreLease): boolean {
    return (
      a != null &&
      a.merchantId === b.merchantId &&
      a.idempotencyKey === b.idempotencyKey &&
      a.beneficiaryId === b.beneficiaryId &&
      a.startedAt === b.startedAt
    )
  }

  private release(lease: RescoreLease): void {
    if (this.sameLease(this.running.get(lease.beneficiaryId), lease)) this.running.delete(lease.beneficiaryId)
  }

  complete(
    lease: RescoreLease,
    evaluation: {
      current: { evaluationId: string; rawScore: number }
      previous: { evaluationId: string; rawScore: number } | null
    },
    now: number,
  ): RescoreResponse {
    const verdict = rescoreVerdict({ beneficiaryId: lease.beneficiaryId, ...evaluation })
    if (E.isLeft(verdict)) throw new Error('the reference only completes with valid evaluations')
    const body = encodeRescoreVerdict(verdict.right)
    this.release(lease)
    this.cooldownUntil.set(
      lease.beneficiaryId,
      Math.max(this.cooldownUntil.get(lease.beneficiaryId) ?? 0, now + this.config.cooldownMs),
    )
    const scope = `${lease.merchantId}\n${lease.idempotencyKey}`
    const use = this.keys.get(scope)
    if (use !== undefined && this.sameLease(use.running, lease))
      this.keys.set(scope, { ...use, running: null, stored: { status: 200, body } })
    return this.respond(200, body, lease.merchantId, now)
  }

  fail(lease: RescoreLease, now: number): RescoreResponse {
    this.release(lease)
    const scope = `${lease.merchantId}\n${lease.idempotencyKey}`
    if (this.sameLease(this.keys.get(scope)?.running, lease)) this.keys.delete(scope)
    return this.error('engine_unavailable', lease.merchantId, now)
  }
}

/** A response with error messages left out, so the reference need not copy every wording. */
export const withoutMessages = (r: RescoreResponse | null): unknown =>
  r === null ? null : 'error' in r.body ? { ...r, body: { error: { code: r.body.error.code } } } : r
