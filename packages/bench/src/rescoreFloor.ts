// The floor of the rescore bench: the least any in-memory implementation of the DOMAIN.md §6 table
// has to do for one request, written as plainly and as cheaply as it can be. One mutable Map per
// table (the merchant's sliding log of admissions, the idempotency records, the beneficiaries'
// leases and cooldowns), no input validation, no persistence (the old state is overwritten), no
// fingerprint string (three string comparisons instead), shared bodies, the header figures only.
// It is not part of the library and is not a policy: it answers only the requests the bench sends
// (well-formed, the engine configured, no completions), and the bench checks that it gives the
// same status as `decideRescore` to every one of them before timing it. It exists to measure how
// fast the table itself can go next to `RateLimiterMemory.consume()`.
import {
  merchantQuotaLimit,
  type RescoreConfig,
  type RescoreRequest,
  retryAfterSeconds,
} from '@payout-kernel/rescore-policy'

interface SlidingLog {
  times: Float64Array
  head: number
  len: number
  readonly limit: number
  readonly limitText: string
}

interface KeyRecord {
  readonly beneficiaryId: string
  readonly method: string
  readonly path: string
  readonly expiresAt: number
  /** When the rescore it started stops holding the key; +Infinity for a stored answer. */
  readonly leaseExpiresAt: number
  /** The stored answer's status; 0 while in flight. */
  readonly status: number
}

interface BeneficiaryRecord {
  leaseExpiresAt: number
  cooldownUntil: number
}

/** What the floor answers: a status and headers, or `null` for a started rescore. */
export interface FloorResponse {
  readonly status: number
  readonly headers: Record<string, string>
}

/** A mutable, minimal table answering the bench's requests. */
export class RescoreFloor {
  private readonly quotas = new Map<string, SlidingLog>()
  private readonly keys = new Map<string, Map<string, KeyRecord>>()
  private readonly beneficiaries = new Map<string, BeneficiaryRecord>()

  constructor(private readonly config: RescoreConfig) {}

  decide(request: RescoreRequest, now: number): FloorResponse | null {
    const { merchantId, beneficiaryId } = request
    const windowMs = this.config.quota.windowMs
    let log = this.quotas.get(merchantId)
    if (log === undefined) {
      const limit = merchantQuotaLimit(this.config, merchantId)
      log = { times: new Float64Array(64), head: 0, len: 0, limit, limitText: `${limit}` }
      this.quotas.set(merchantId, log)
    }
    while (log.head < log.len && (log.times[log.head] as number) <= now - windowMs) log.head++
    if (log.len - log.head >= log.limit) {
      const retry = `${retryAfterSeconds((log.times[log.len - log.limit] as number) + windowMs - now)}`
      return {
        status: 429,
        headers: {
          'Content-Type': 'application/json',
          'X-RateLimit-Limit': log.limitText,
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': retry,
          'Cache-Control': 'no-store',
          'Retry-After': retry,
        },
      }
    }
    if (log.len === log.times.length) {
      const live = log.len - log.head
      const times = live * 2 > log.times.length ? new Float64Array(log.times.length * 2) : log.times
      times.set(log.times.subarray(log.head, log.len))
      log.times = times
      log.head = 0
      log.len = live
    }
    log.times[log.len++] = now
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-RateLimit-Limit': log.limitText,
      'X-RateLimit-Remaining': `${log.limit - (log.len - log.head)}`,
      'X-RateLimit-Reset': `${retryAfterSeconds((log.times[log.head] as number) + windowMs - now)}`,
    }

    const key = request.headers['Idempotency-Key'] as string
    let row = this.keys.get(merchantId)
    if (row === undefined) {
      row = new Map()
      this.keys.set(merchantId, row)
    }
    const record = row.get(key)
    if (record !== undefined && record.expiresAt > now && record.leaseExpiresAt > now) {
      const same =
        record.beneficiaryId === beneficiaryId &&
        record.method === request.method &&
        record.path === request.path
      if (!same || record.status === 0) return { status: 409, headers }
      headers['X-Idempotent-Replayed'] = 'true'
      return { status: record.status, headers }
    }
    if (!request.engine.profileExists) {
      headers['Cache-Control'] = 'no-store'
      return { status: 404, headers }
    }
    if (request.engine.locked) {
      row.set(key, {
        beneficiaryId,
        method: request.method,
        path: request.path,
        expiresAt: now + this.config.idempotencyRetentionMs,
        leaseExpiresAt: Number.POSITIVE_INFINITY,
        status: 409,
      })
      return { status: 409, headers }
    }
    const beneficiary = this.beneficiaries.get(beneficiaryId)
    if (beneficiary !== undefined && beneficiary.leaseExpiresAt > now) return { status: 202, headers }
    if (beneficiary !== undefined && beneficiary.cooldownUntil > now) {
      headers['Cache-Control'] = 'no-store'
      headers['Retry-After'] = `${retryAfterSeconds(beneficiary.cooldownUntil - now)}`
      return { status: 429, headers }
    }
    const leaseExpiresAt = now + this.config.leaseMs
    row.set(key, {
      beneficiaryId,
      method: request.method,
      path: request.path,
      expiresAt: now + this.config.idempotencyRetentionMs,
      leaseExpiresAt,
      status: 0,
    })
    if (beneficiary === undefined) this.beneficiaries.set(beneficiaryId, { leaseExpiresAt, cooldownUntil: 0 })
    else beneficiary.leaseExpiresAt = leaseExpiresAt
    return null
  }
}
