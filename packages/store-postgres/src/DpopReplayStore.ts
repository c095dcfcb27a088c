/**
 * Seen DPoP `jti` values in PostgreSQL (`sql/005_request_auth.sql`): a `DpopReplayStore` of
 * `@payout-kernel/request-auth`, so that of many instances behind one API a proof passes once.
 * One row per (key thumbprint, `jti`). A read is one statement; a write is one statement
 * conditional on the version read (an insert that does nothing when a concurrent request made
 * the row first), so of two requests with one proof exactly one write lands, and the other reads
 * the row and is refused as a replay. `prune` deletes the rows past their `expiresAt`. A store
 * that is down, or a stored record that does not decode, rejects: `checkDpopReplayIn` refuses
 * the proof as `unavailable` (503), never lets it pass unrecorded.
 */
import { type DpopReplayKey, type DpopReplayStore, decodeDpopReplayRecord } from '@payout-kernel/request-auth'
import { singleRecords } from './internal/SingleRecords.js'
import type { Sql } from './Sql.js'

/**
 * A DPoP replay store on PostgreSQL: the `DpopReplayStore` contract, and a count of its rows.
 *
 * @example
 * import type { PostgresDpopReplayStore } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const rows = async (store: PostgresDpopReplayStore): Promise<number> => store.count()
 * assert.equal(typeof rows, 'function')
 */
export interface PostgresDpopReplayStore extends DpopReplayStore {
  /** How many seen `jti` values the table holds (live or not yet pruned). */
  readonly count: () => Promise<number>
}

/**
 * A `DpopReplayStore` on PostgreSQL, through the `Sql` interface; the table comes from
 * `migrate(sql)`.
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite'
 * import { checkDpopReplayIn } from '@payout-kernel/request-auth'
 * import { migrate, pgliteSql, postgresDpopReplays } from '@payout-kernel/store-postgres'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const sql = pgliteSql(new PGlite())
 * await migrate(sql)
 * const store = postgresDpopReplays(sql)
 * const proof = { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I', jti: 'e1j3V_bKic8-LAEB', iat: 1562262618 }
 * assert.ok(E.isRight(await checkDpopReplayIn(store, proof, 1_000)))
 * const again = await checkDpopReplayIn(store, proof, 2_000)
 * assert.ok(E.isLeft(again) && again.left.reason === 'replay')
 * assert.equal(await store.prune(301_000), 1)
 */
export const postgresDpopReplays = (sql: Sql): PostgresDpopReplayStore =>
  singleRecords(sql, {
    table: 'dpop_replay',
    keyColumns: ['jkt', 'jti'],
    sequence: 'request_auth_version',
    keyOf: (key: DpopReplayKey) => [key.jkt, key.jti],
    decode: decodeDpopReplayRecord,
    expiresAt: (r) => r.expiresAt,
    what: 'DPoP jti',
  })
