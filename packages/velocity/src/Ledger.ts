/**
 * The velocity ledger: what each tracked group key (merchant, beneficiary, instrument, destination
 * country; same beneficiary and amount for duplicates) has used in its current windows. Persistent:
 * `recordPayout` and `releasePayout` return a new ledger and leave the old one meaning exactly
 * what it meant. Using the latest version is constant time per rule; going back to an older version
 * costs time proportional to the steps in between (the store is shared and rerooted, Baker's trick).
 */
import type { ValidationError } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import { factOf, newStore, record, refuseRecord, release, storeSize, track } from './internal/Store.js'
import { change, handle, storeOf } from './internal/Versions.js'
import type { Payout } from './Payout.js'
import type { RuleSet } from './RuleSet.js'

// ---------------------------------------------------------------- model

/**
 * An immutable velocity ledger. Make one with `emptyLedger`, grow it with `recordPayout`; every
 * version stays valid.
 *
 * @example
 * import { emptyLedger, ledgerSize, type Ledger } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const ledger: Ledger = emptyLedger()
 * assert.deepEqual(ledgerSize(ledger), { trackedKeys: 0, payouts: 0 })
 */
export interface Ledger {
  readonly _tag: 'Ledger'
}

// ---------------------------------------------------------------- constructors

/**
 * An empty ledger tracking the windows of the given rule sets (a rule set's per-payout rules need no
 * tracking). Rules with the same grouping, window and filters share one tracker, so a threshold,
 * action or enabled change keeps its usage.
 *
 * @example
 * import { emptyLedger, ledgerSize, parseRuleSet } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'n', name: 'Count', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 5 }] })
 * assert.ok(E.isRight(rs))
 * assert.deepEqual(ledgerSize(emptyLedger(rs.right)), { trackedKeys: 0, payouts: 0 })
 */
export const emptyLedger = (...ruleSets: ReadonlyArray<RuleSet>): Ledger => {
  const store = newStore()
  for (const rs of ruleSets) track(null, store, rs)
  return handle({ v: { kind: 'tip', store } })
}

// ---------------------------------------------------------------- operations

/**
 * Starts tracking the windows of another rule set (say, a new version). New trackers count from
 * now on; to know the past of a new window exactly, replay the history into a fresh ledger.
 *
 * @example
 * import { emptyLedger, evaluate, parseRuleSet, trackRuleSet } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'n', name: 'Count', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 5 }] })
 * assert.ok(E.isRight(rs))
 * const ledger = trackRuleSet(emptyLedger(), rs.right)
 * assert.notEqual(ledger, emptyLedger())
 */
export const trackRuleSet = (ledger: Ledger, ruleSet: RuleSet): Ledger =>
  change(ledger, (j, store) => track(j, store, ruleSet))

/**
 * Records a payout's usage in every tracked window it falls in and returns the new ledger. Payouts
 * must come in time order (a `created_at` before the ledger's latest is refused), and an id the
 * ledger still holds is refused.
 *
 * @example
 * import { emptyLedger, ledgerSize, parseRuleSet, payout, recordPayout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'n', name: 'Count', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 5 }] })
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '250.00', currency: 'USD', createdAt: 0 })
 * assert.ok(E.isRight(rs) && E.isRight(p))
 * const before = emptyLedger(rs.right)
 * const after = recordPayout(before, p.right)
 * assert.ok(E.isRight(after))
 * assert.deepEqual(ledgerSize(after.right), { trackedKeys: 1, payouts: 1 })
 * assert.deepEqual(ledgerSize(before), { trackedKeys: 0, payouts: 0 }) // the old version is intact
 * assert.ok(E.isLeft(recordPayout(after.right, p.right))) // same id again
 */
export const recordPayout = (ledger: Ledger, payout: Payout): E.Either<ValidationError, Ledger> => {
  const fact = factOf(payout)
  const refused = refuseRecord(storeOf(ledger), fact)
  if (refused !== undefined) return E.left({ _tag: 'ValidationError', problems: [refused] })
  return E.right(change(ledger, (j, store) => record(j, store, fact)))
}

/**
 * Gives back a payout's usage (it ended cancelled, failed, returned, screening_failed or
 * velocity_blocked). An id the ledger does not hold, or holds released already, leaves it as it is.
 *
 * @example
 * import { emptyLedger, ledgerSize, parseRuleSet, payout, recordPayout, releasePayout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'n', name: 'Count', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 5 }] })
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '250.00', currency: 'USD', createdAt: 0 })
 * assert.ok(E.isRight(rs) && E.isRight(p))
 * const recorded = recordPayout(emptyLedger(rs.right), p.right)
 * assert.ok(E.isRight(recorded))
 * assert.deepEqual(ledgerSize(releasePayout(recorded.right, 'pay_1')).payouts, 0)
 */
export const releasePayout = (ledger: Ledger, payoutId: string): Ledger =>
  change(ledger, (j, store) => {
    release(j, store, payoutId)
  })

/**
 * How big a ledger is: the group keys its trackers hold usage for, and the payouts it keeps so they
 * can be released.
 *
 * @example
 * import { emptyLedger, ledgerSize } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(ledgerSize(emptyLedger()), { trackedKeys: 0, payouts: 0 })
 */
export const ledgerSize = (ledger: Ledger): { readonly trackedKeys: number; readonly payouts: number } =>
  storeSize(storeOf(ledger))
