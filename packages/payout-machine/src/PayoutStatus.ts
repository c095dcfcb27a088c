/**
 * The fourteen statuses of a payout (DOMAIN.md §2) and the groups the lifecycle rules name:
 * terminal statuses and the statuses a payout can still be cancelled from.
 */
import * as t from 'io-ts'

// ---------------------------------------------------------------- model

/**
 * Every payout status, in lifecycle order.
 *
 * @example
 * import { payoutStatuses } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(payoutStatuses.length, 14)
 * assert.equal(payoutStatuses[0], 'created')
 */
export const payoutStatuses = [
  'created',
  'pending_screening',
  'screening_failed',
  'pending_approval',
  'pending_engine_review',
  'manual_review',
  'approved',
  'processing',
  'sent',
  'completed',
  'failed',
  'returned',
  'cancelled',
  'velocity_blocked',
] as const

/**
 * io-ts codec of a payout status.
 *
 * @example
 * import { PayoutStatus } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(PayoutStatus.is('manual_review'))
 * assert.ok(!PayoutStatus.is('review'))
 */
export const PayoutStatus = /* @__PURE__ */ t.keyof(
  /* @__PURE__ */ Object.fromEntries(/* @__PURE__ */ payoutStatuses.map((s) => [s, null])) as Record<
    (typeof payoutStatuses)[number],
    null
  >,
  'PayoutStatus',
)

/** One of the fourteen payout statuses. */
export type PayoutStatus = (typeof payoutStatuses)[number]

/**
 * The terminal statuses: the payout's story is over. `completed` is terminal yet still accepts a
 * late return when the late-return window is configured.
 *
 * @example
 * import { terminalStatuses } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual([...terminalStatuses].sort(), [
 *   'cancelled', 'completed', 'failed', 'returned', 'screening_failed', 'velocity_blocked',
 * ])
 */
export const terminalStatuses: ReadonlySet<PayoutStatus> = /* @__PURE__ */ new Set<PayoutStatus>([
  'completed',
  'failed',
  'returned',
  'cancelled',
  'screening_failed',
  'velocity_blocked',
])

/**
 * The statuses a merchant or ops can still cancel from; anywhere else `CANCEL` is refused with
 * `payout_not_cancellable`.
 *
 * @example
 * import { cancellableStatuses } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(cancellableStatuses.has('manual_review'))
 * assert.ok(!cancellableStatuses.has('approved'))
 */
export const cancellableStatuses: ReadonlySet<PayoutStatus> = /* @__PURE__ */ new Set<PayoutStatus>([
  'created',
  'pending_screening',
  'pending_approval',
  'pending_engine_review',
  'manual_review',
])
