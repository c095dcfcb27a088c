/**
 * Keyed decisions: a stateful decision names the few records it reads, and returns the records it
 * writes, each write conditional on the version it read. A store then makes one decision one
 * transaction: it reads the named records, runs the pure decision, and applies the writes only if
 * no record moved since (otherwise it reads again). The same decision runs on an in-memory map,
 * a PostgreSQL table or Redis keys, and gives the same answer.
 */

// ---------------------------------------------------------------- model

/**
 * A record as a store holds it: its value and the version it was last written at. Versions only
 * ever grow (a store draws them from one counter, so a record deleted and written again never
 * reuses a version a stale reader saw).
 *
 * @example
 * import type { Versioned } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const read: Versioned<{ cooldownUntil: number }> = { version: 7, value: { cooldownUntil: 300_000 } }
 * assert.equal(read.version, 7)
 */
export interface Versioned<V> {
  readonly version: number
  readonly value: V
}

/**
 * One write of a keyed decision: the record's new value (`null` deletes it), to be applied only if
 * the record is still at the version the decision read (`expected`; `null` when it read nothing).
 *
 * @example
 * import type { ConditionalWrite } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const create: ConditionalWrite<{ lease: null; cooldownUntil: number }> = {
 *   expected: null, value: { lease: null, cooldownUntil: 300_000 },
 * }
 * assert.equal(create.expected, null)
 */
export interface ConditionalWrite<V> {
  readonly expected: number | null
  readonly value: V | null
}

// ---------------------------------------------------------------- operations

/**
 * The version a decision read of a record, for its write: `null` when there was none.
 *
 * @example
 * import { versionRead } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(versionRead(null), null)
 * assert.equal(versionRead({ version: 3, value: 'x' }), 3)
 */
export const versionRead = <V>(read: Versioned<V> | null): number | null =>
  read === null ? null : read.version
