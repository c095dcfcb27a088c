/**
 * Every package's fast-check arbitraries, one namespace per package, for teams that property-test
 * their own code against payout-kernel.
 */

/**
 * Arbitraries of `@payout-kernel/core`: ids, currencies, countries, money, decimal amounts, instants, garbage.
 *
 * @example
 * import { core } from '@payout-kernel/testkit'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(core.arbId('ben_'), (id) => id.startsWith('ben_')))
 */
export * as core from '@payout-kernel/core/testing'
/**
 * Arbitraries of `@payout-kernel/payout-machine`: events, configs, whole lifecycles, hostile event streams.
 *
 * @example
 * import { payoutMachine } from '@payout-kernel/testkit'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(payoutMachine.arbPayoutLifecycle(), (l) => l.events.length > 0), { numRuns: 20 })
 */
export * as payoutMachine from '@payout-kernel/payout-machine/testing'
/**
 * Arbitraries of `@payout-kernel/rescore-policy`: requests, configs, clock steps.
 *
 * @example
 * import { rescorePolicy } from '@payout-kernel/testkit'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(rescorePolicy.arbRescoreRequest(), (r) => r.method === 'POST'))
 */
export * as rescorePolicy from '@payout-kernel/rescore-policy/testing'
/**
 * Arbitraries of `@payout-kernel/scoring`: conditions, rules, rule sets, transactions, features.
 *
 * @example
 * import { scoring } from '@payout-kernel/testkit'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(scoring.arbTransaction, (t) => typeof t === 'object'), { numRuns: 20 })
 */
export * as scoring from '@payout-kernel/scoring/testing'
/**
 * Arbitraries of `@payout-kernel/trust`: raw risks, band sets, rescore verdicts.
 *
 * @example
 * import { trust } from '@payout-kernel/testkit'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(trust.arbRawRisk, (raw) => raw >= 0 && raw <= 1000))
 */
export * as trust from '@payout-kernel/trust/testing'
/**
 * Arbitraries of `@payout-kernel/velocity`: rules, rule sets, payouts, histories.
 *
 * @example
 * import { velocity } from '@payout-kernel/testkit'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(Object.keys(velocity).length > 0)
 */
export * as velocity from '@payout-kernel/velocity/testing'
