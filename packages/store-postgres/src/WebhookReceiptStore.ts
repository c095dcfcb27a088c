/**
 * A webhook receiver's receipts in PostgreSQL (`sql/005_request_auth.sql`): a `WebhookReceiptStore`
 * of `@payout-kernel/request-auth`, so that many instances of a receiver accept each event once.
 * One row per (scope, event id). A read is one statement; a write is one statement conditional
 * on the version read (an insert that does nothing when a concurrent delivery made the row first,
 * an update at the version read), so of concurrent deliveries of one event exactly one write
 * lands and `receiveWebhookIn` answers the others from what it reads next. `prune` deletes the
 * receipts past their `expiresAt`. A store that is down, or a stored record that does not decode,
 * rejects: the runners fail closed (`WebhookReceiptUnavailable`), never accepting twice.
 */
import {
  decodeWebhookReceiptRecord,
  type WebhookReceiptKey,
  type WebhookReceiptStore,
} from '@payout-kernel/request-auth'
import { singleRecords } from './internal/SingleRecords.js'
import type { Sql } from './Sql.js'

/**
 * A webhook receipt store on PostgreSQL: the `WebhookReceiptStore` contract, and a count of its rows.
 *
 * @example
 * import type { PostgresWebhookReceiptStore } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const rows = async (store: PostgresWebhookReceiptStore): Promise<number> => store.count()
 * assert.equal(typeof rows, 'function')
 */
export interface PostgresWebhookReceiptStore extends WebhookReceiptStore {
  /** How many receipts the table holds (live or not yet pruned). */
  readonly count: () => Promise<number>
}

/**
 * A `WebhookReceiptStore` on PostgreSQL, through the `Sql` interface; the table comes from
 * `migrate(sql)`. `count` says how many receipts the table holds.
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite'
 * import { receiveWebhookIn, webhookReceiptKey } from '@payout-kernel/request-auth'
 * import { migrate, pgliteSql, postgresWebhookReceipts } from '@payout-kernel/store-postgres'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const sql = pgliteSql(new PGlite())
 * await migrate(sql)
 * const store = postgresWebhookReceipts(sql)
 * const key = webhookReceiptKey('payouts', 'evt_1')
 * assert.ok(E.isRight(key))
 * const [a, b] = await Promise.all([receiveWebhookIn(store, key.right, 0), receiveWebhookIn(store, key.right, 0)])
 * assert.deepEqual([a, b].map((x) => E.isRight(x) && x.right._tag).sort(), ['Accepted', 'InFlight'])
 * assert.equal(await store.count(), 1)
 */
export const postgresWebhookReceipts = (sql: Sql): PostgresWebhookReceiptStore =>
  singleRecords(sql, {
    table: 'webhook_receipt',
    keyColumns: ['scope', 'event_id'],
    sequence: 'request_auth_version',
    keyOf: (key: WebhookReceiptKey) => [key.scope, key.eventId],
    decode: decodeWebhookReceiptRecord,
    expiresAt: (r) => r.expiresAt,
    what: 'webhook receipt',
  })
