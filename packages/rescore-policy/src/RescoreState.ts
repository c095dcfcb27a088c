/**
 * The state the rescore policy decides over: each merchant's sliding log of admitted requests,
 * the idempotency keys in use, and each beneficiary's lease (a rescore in flight) and cooldown.
 * Persistent: every operation returns a new state and a held state is never altered, so a service
 * may keep, compare and swap states freely. Under the hood each part is a versioned map (see
 * `internal/Versioned.ts`): the latest state holds the data and older states hold the edits back
 * to it, so using states one after the other costs one map update per change.
 */

import type { ApiErrorBody } from '@payout-kernel/core'
import type { RescoreVerdictWire } from '@payout-kernel/trust'
import {
  emptyMapVersion,
  emptyQuotaVersion,
  emptyTableVersion,
  type MapVersion,
  mapSet,
  mapWorld,
  type QuotaVersion,
  quotaUpdate,
  quotaWorld,
  type TableVersion,
  tableSet,
  tableWorld,
} from './internal/Versioned.js'
import type { RescoreConfig } from './RescoreConfig.js'

// ---------------------------------------------------------------- model

/**
 * A started rescore's hold on its beneficiary and its idempotency key, until `expiresAt` (a
 * crashed worker's lease lapses then). The service hands it back with the engine's answer.
 *
 * @example
 * import type { RescoreLease } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const lease: RescoreLease = {
 *   merchantId: 'mer_acme', idempotencyKey: 'k-1', beneficiaryId: 'ben_1',
 *   fingerprint: '{"beneficiary_id":"ben_1","method":"POST","path":"/v1/beneficiaries/ben_1/rescore"}',
 *   startedAt: 0, expiresAt: 30_000,
 * }
 * assert.equal(lease.expiresAt - lease.startedAt, 30_000)
 */
export interface RescoreLease {
  readonly merchantId: string
  readonly idempotencyKey: string
  readonly beneficiaryId: string
  readonly fingerprint: string
  readonly startedAt: number
  readonly expiresAt: number
}

/**
 * What an idempotency key holds: the rescore it started, still running, or the response stored
 * for replay (the 200 verdict or the permanent 409 lock). Kept until `expiresAt`, 24 h (by
 * default) after the key's first use.
 *
 * @example
 * import type { IdempotencyRecord } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const stored: IdempotencyRecord = {
 *   _tag: 'Stored', fingerprint: 'f', firstUsedAt: 0, expiresAt: 86_400_000, status: 409,
 *   body: { error: { code: 'beneficiary_scoring_locked', message: 'locked' } },
 * }
 * assert.equal(stored.status, 409)
 */
export type IdempotencyRecord =
  | {
      readonly _tag: 'InFlight'
      readonly fingerprint: string
      readonly firstUsedAt: number
      readonly expiresAt: number
      readonly lease: RescoreLease
    }
  | {
      readonly _tag: 'Stored'
      readonly fingerprint: string
      readonly firstUsedAt: number
      readonly expiresAt: number
      readonly status: 200 | 409
      readonly body: RescoreVerdictWire | ApiErrorBody
    }

/**
 * A beneficiary's rescore state: the lease of the rescore in flight, if any, and the end of its
 * cooldown after the last completed rescore, if any.
 *
 * @example
 * import type { BeneficiaryRescore } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const cooling: BeneficiaryRescore = { lease: null, cooldownUntil: 300_000 }
 * assert.equal(cooling.lease, null)
 */
export interface BeneficiaryRescore {
  readonly lease: RescoreLease | null
  readonly cooldownUntil: number | null
}

/**
 * The whole state: merchant quota logs by merchant id, idempotency records by merchant and key,
 * beneficiaries by id. Persistent maps (each part says how many entries it holds in `size`); read
 * it through the functions of this package.
 *
 * @example
 * import { initialRescoreState, type RescoreState } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const state: RescoreState = initialRescoreState()
 * assert.equal(state.keys.size, 0)
 */
export interface RescoreState {
  readonly quotas: QuotaVersion
  readonly keys: TableVersion<IdempotencyRecord>
  readonly beneficiaries: MapVersion<BeneficiaryRescore>
}

// ---------------------------------------------------------------- constructors

const initial: RescoreState = {
  quotas: /* @__PURE__ */ emptyQuotaVersion(),
  keys: /* @__PURE__ */ emptyTableVersion(),
  beneficiaries: /* @__PURE__ */ emptyMapVersion(),
}

/**
 * The state of a deployment that has seen no request.
 *
 * @example
 * import { initialRescoreState, rescoreStateSize } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(rescoreStateSize(initialRescoreState()), { merchants: 0, idempotencyKeys: 0, beneficiaries: 0, admissions: 0 })
 */
export const initialRescoreState = (): RescoreState => initial

// ---------------------------------------------------------------- operations

/**
 * How much the state holds: merchants with a live quota log, idempotency keys, beneficiaries
 * with a lease or cooldown, and quota admissions kept. What pruning keeps bounded.
 *
 * @example
 * import { initialRescoreState, rescoreStateSize } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(rescoreStateSize(initialRescoreState()).admissions, 0)
 */
export const rescoreStateSize = (
  state: RescoreState,
): { merchants: number; idempotencyKeys: number; beneficiaries: number; admissions: number } => {
  let admissions = 0
  for (const log of quotaWorld(state.quotas)?.values() ?? []) admissions += log.len - log.head
  return {
    merchants: state.quotas.size,
    idempotencyKeys: state.keys.size,
    beneficiaries: state.beneficiaries.size,
    admissions,
  }
}

/**
 * The state without what can no longer change an answer at `now` or later: quota admissions out
 * of the window, keys past their retention or whose rescore's lease lapsed, lapsed leases and
 * finished cooldowns (and merchants and beneficiaries left with nothing). Run it periodically
 * with the current time; memory then stays bounded by the traffic of one retention period.
 *
 * @example
 * import {
 *   decideRescore, defaultRescoreConfig, initialRescoreState, pruneRescoreState, rescoreStateSize,
 * } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const { state } = decideRescore(initialRescoreState(), {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: false, locked: false },
 * }, 0, defaultRescoreConfig)
 * assert.equal(rescoreStateSize(state).admissions, 1)
 * assert.deepEqual(rescoreStateSize(pruneRescoreState(state, 60_000, defaultRescoreConfig)), {
 *   merchants: 0, idempotencyKeys: 0, beneficiaries: 0, admissions: 0,
 * })
 */
export const pruneRescoreState = (state: RescoreState, now: number, config: RescoreConfig): RescoreState => {
  const windowMs = config.quota.windowMs
  const expired: [string, number][] = []
  for (const [merchant, log] of quotaWorld(state.quotas) ?? []) {
    const latest = log.len > log.head ? (log.times[log.len - 1] ?? now) : now
    const cutoff = Math.max(now, latest) - windowMs
    let head = log.head
    while (head < log.len && (log.times[head] ?? Number.NaN) <= cutoff) head++
    if (head !== log.head || head === log.len) expired.push([merchant, head])
  }
  let quotas = state.quotas
  for (const [merchant, head] of expired) quotas = quotaUpdate(quotas, merchant, head, undefined)

  const lapsed: [string, string][] = []
  for (const [merchant, row] of tableWorld(state.keys) ?? [])
    for (const [key, record] of row)
      if (record.expiresAt <= now || (record._tag === 'InFlight' && record.lease.expiresAt <= now))
        lapsed.push([merchant, key])
  let keys = state.keys
  for (const [merchant, key] of lapsed) keys = tableSet(keys, merchant, key, undefined)

  const changed: [string, BeneficiaryRescore | undefined][] = []
  for (const [id, b] of mapWorld(state.beneficiaries) ?? []) {
    const lease = b.lease !== null && b.lease.expiresAt > now ? b.lease : null
    const cooldownUntil = b.cooldownUntil !== null && b.cooldownUntil > now ? b.cooldownUntil : null
    if (lease === null && cooldownUntil === null) changed.push([id, undefined])
    else if (lease !== b.lease || cooldownUntil !== b.cooldownUntil)
      changed.push([id, { lease, cooldownUntil }])
  }
  let beneficiaries = state.beneficiaries
  for (const [id, b] of changed) beneficiaries = mapSet(beneficiaries, id, b)

  return quotas === state.quotas && keys === state.keys && beneficiaries === state.beneficiaries
    ? state
    : { quotas, keys, beneficiaries }
}
