/**
 * How long Redis keeps each record (its TTL, set with every write): as long as the record can
 * change an answer, measured from the record's own times — never from a clock of this process —
 * plus a margin for the clocks of the instances and the server not agreeing to the millisecond.
 * A TTL counts on the server's clock from the write; each record's span starts at or before its
 * write (a lease at its start, a quota log at its latest admission, a calendar period at its
 * start), so the TTL never ends before the record stops mattering, given a margin at least the
 * clocks' disagreement. `null`: no TTL (a lifetime velocity window's totals, kept until released).
 */
import type { BeneficiaryRescore, IdempotencyRecord, RescoreConfig } from '@payout-kernel/rescore-policy'
import type { VelocityRecord } from '@payout-kernel/velocity'

/** The TTLs of the rescore records. */
export interface RescoreExpiry {
  /** A quota log (and its admissions), from its latest admission: the window. */
  readonly quota: number
  /** An idempotency record, from its write: to its lease's end (in flight) or its retention's. */
  readonly idempotency: (record: IdempotencyRecord) => number
  /** A beneficiary's record, from its write: to its lease's end or its cooldown's, the later. */
  readonly beneficiary: (record: BeneficiaryRescore) => number
}

const atLeast1 = (ms: number): number => Math.max(1, Math.ceil(ms))

export const rescoreExpiry = (
  config: Pick<RescoreConfig, 'quota' | 'cooldownMs'>,
  windowMs: number,
  marginMs: number,
): RescoreExpiry => ({
  quota: atLeast1(Math.max(windowMs, config.quota.windowMs) + marginMs),
  idempotency: (r) =>
    atLeast1(
      (r._tag === 'InFlight'
        ? Math.min(r.expiresAt, r.lease.expiresAt) - r.lease.startedAt
        : r.expiresAt - r.firstUsedAt) + marginMs,
    ),
  beneficiary: (r) =>
    atLeast1(
      Math.max(
        r.lease === null ? 0 : r.lease.expiresAt - r.lease.startedAt,
        r.cooldownUntil === null ? 0 : config.cooldownMs,
      ) + marginMs,
    ),
})

/** A velocity record's TTL: its window's span (period, rolling width, a payout's counting life). */
export const velocityTtl = (record: VelocityRecord, marginMs: number): number | null => {
  switch (record.kind) {
    case 'calendar':
      return atLeast1(record.end - record.start + marginMs)
    case 'rolling':
      return atLeast1(record.until - record.latest + marginMs)
    case 'payout':
      return record.liveUntil === null ? null : atLeast1(record.liveUntil - record.t + marginMs)
    case 'lifetime':
      return null
  }
}

/** The version counter's TTL: longer than any reader holds a version, and than the records it numbers. */
export const counterTtl = (ttls: ReadonlyArray<number | null>): number =>
  Math.max(25 * 3_600_000, ...ttls.map((t) => t ?? 0))
