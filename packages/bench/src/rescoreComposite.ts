// The peer a service author would assemble for the rescore endpoint without this library:
// rate-limiter-flexible's RateLimiterMemory for the merchant quota (one limiter per tier) and
// another for the beneficiary cooldown, plus Maps for the idempotency keys and the leases. It
// answers with a status and the same few headers; it is what `decideRescore` is measured against.
import type { RescoreConfig, RescoreRequest } from '@payout-kernel/rescore-policy'
import { merchantQuotaLimit } from '@payout-kernel/rescore-policy'
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible'

interface KeyRecord {
  readonly fingerprint: string
  readonly status: 0 | 200 | 409
  readonly body: string
}

export interface CompositeAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly start?: { readonly beneficiaryId: string; readonly key: string }
}

export class RescoreComposite {
  private readonly quota = new Map<number, RateLimiterMemory>()
  private readonly cooldown: RateLimiterMemory
  private readonly keys = new Map<string, KeyRecord>()
  private readonly leases = new Map<string, number>()

  constructor(
    private readonly config: RescoreConfig,
    quotaPoints?: number,
  ) {
    for (const tier of [1, 2, 5, 10, 20])
      this.quota.set(
        tier,
        new RateLimiterMemory({
          points: quotaPoints ?? config.quota.requestsPerWindow * tier,
          duration: config.quota.windowMs / 1000,
        }),
      )
    this.cooldown = new RateLimiterMemory({ points: 1, duration: config.cooldownMs / 1000 })
  }

  async decide(r: RescoreRequest, now: number): Promise<CompositeAnswer> {
    const limit = merchantQuotaLimit(this.config, r.merchantId)
    const limiter = this.quota.get(limit / this.config.quota.requestsPerWindow) as RateLimiterMemory
    const key = (r.headers as Record<string, string>)['Idempotency-Key'] ?? ''
    let res: RateLimiterRes
    try {
      res = await limiter.consume(r.merchantId)
    } catch (e) {
      const rej = e as RateLimiterRes
      const retry = `${Math.max(1, Math.ceil(rej.msBeforeNext / 1000))}`
      return { status: 429, headers: { 'X-RateLimit-Remaining': '0', 'Retry-After': retry } }
    }
    const headers = {
      'X-RateLimit-Limit': `${limit}`,
      'X-RateLimit-Remaining': `${res.remainingPoints}`,
      'X-RateLimit-Reset': `${Math.max(1, Math.ceil(res.msBeforeNext / 1000))}`,
    }
    const id = `${r.merchantId}\u0000${key}`
    const fingerprint = `${r.beneficiaryId} ${r.method} ${r.path}`
    const record = this.keys.get(id)
    if (record !== undefined) {
      if (record.fingerprint !== fingerprint) return { status: 409, headers }
      if (record.status === 0) return { status: 409, headers }
      return { status: record.status, headers: { ...headers, 'X-Idempotent-Replayed': 'true' } }
    }
    if (!r.engine.profileExists) return { status: 404, headers }
    if (r.engine.locked) {
      this.keys.set(id, { fingerprint, status: 409, body: '{"error":{"code":"beneficiary_scoring_locked"}}' })
      return { status: 409, headers }
    }
    const lease = this.leases.get(r.beneficiaryId)
    if (lease !== undefined && lease > now) return { status: 202, headers }
    const cooling = await this.cooldown.get(r.beneficiaryId)
    if (cooling !== null && cooling.consumedPoints >= 1)
      return {
        status: 429,
        headers: { ...headers, 'Retry-After': `${Math.max(1, Math.ceil(cooling.msBeforeNext / 1000))}` },
      }
    this.leases.set(r.beneficiaryId, now + this.config.leaseMs)
    this.keys.set(id, { fingerprint, status: 0, body: '' })
    return { status: 0, headers, start: { beneficiaryId: r.beneficiaryId, key: id } }
  }

  async complete(
    start: { readonly beneficiaryId: string; readonly key: string },
    body: string,
  ): Promise<void> {
    this.leases.delete(start.beneficiaryId)
    const record = this.keys.get(start.key)
    if (record !== undefined) this.keys.set(start.key, { ...record, status: 200, body })
    await this.cooldown.consume(start.beneficiaryId)
  }
}
