/**
 * The payout store on PostgreSQL (node-postgres or PGlite, through `Sql`), with a transactional
 * outbox: one payout event is one transaction that reads the payout's snapshot and next audit
 * seq, runs the pure keyed step (`applyPayoutEventKeyed`), and writes the snapshot, the audit
 * records and the webhook envelopes together — or rolls back whole. Tables: `sql/002_payout.sql`.
 *
 * Concurrency: a row lock. The transaction takes `select … for update` on the payout's snapshot
 * row, then reads the snapshot and the next seq in one statement (so both are of one moment, after
 * the lock's last holder committed); events for one payout are applied one after another and a
 * racing event waits (at most `lockTimeoutMs`) instead of losing and starting over: with a
 * conditional update alone, two instances retrying one payout's webhook storm would each redo the
 * whole read-decide-write on every lost race, and could run out of attempts on events that would
 * all have been accepted. It is one lock per transaction, so no lock order can deadlock. The
 * update still names the version read (`where version = $expected`) and the audit rows still
 * carry their seqs under a unique (payout_id, seq), so a writer that bypassed the lock is caught,
 * not trusted. A start has no row to lock: two starts may both read nothing, and the insert's
 * `on conflict do nothing` tells the loser, which reads again and gets `duplicate_event` (or
 * `PayoutAlreadyExists`). Such a lost race, a deadlock or serialization failure
 * reported by the server, or a lock wait that timed out rolls back and tries again, at most
 * `attempts` times (then `PayoutStoreContended`). A store that fails or times out otherwise is
 * `PayoutStoreUnavailable`, and nothing is half-written. If the connection drops during `COMMIT`
 * the outcome is unknown: retry the same event, and an event already applied is a
 * `duplicate_event` (events are idempotent by id).
 *
 * The outbox reader leases rows (`claimWebhooks`), and `markDelivered` marks them. Order: a
 * payout's envelopes are handed out in seq order, each only once every earlier envelope of the
 * payout is delivered or ahead of it in the same batch — the claim takes each payout from its
 * first undelivered row, and skips a payout whose first row another reader holds (locked, with
 * `for update skip locked`, or leased and not yet expired), so several readers never deliver one
 * payout's webhooks out of order or at once. Within a batch envelopes are in `position` order, the
 * order they were written: for one payout that is commit order (its transactions are serialised
 * by the row lock); across payouts positions are drawn when a transaction writes the outbox, and
 * concurrent transactions may commit in another order, so a later claim can hand out an envelope
 * with a smaller position than one already handed out. No global commit order is promised: it
 * would need every payout event of the platform to queue on one lock.
 */
import type { EpochMillis, PayoutId, ValidationError, Versioned, WebhookEventId } from '@payout-kernel/core'
import {
  type AuditRecord,
  applyPayoutEventKeyed,
  decodeAuditRecord,
  decodePayoutReads,
  decodeWebhookEnvelope,
  type KeyedPayoutRefusal,
  type KeyedPayoutStep,
  type PayoutReads,
  type PayoutSnapshot,
  type PayoutStep,
  type PayoutStore,
  type PayoutStoreError,
  type PayoutStoreRefusal,
  payoutIdOfStart,
  startPayoutKeyed,
  type WebhookEnvelope,
} from '@payout-kernel/payout-machine'
import * as E from '#fp-ts/Either'
import type { Sql, SqlTransaction } from './Sql.js'

// ---------------------------------------------------------------- model

/**
 * How the store behaves under contention and faults: `attempts` (default 8) transactions per
 * event before `PayoutStoreContended`; `lockTimeoutMs` (default 2,000) the longest wait for a
 * payout's row lock; `statementTimeoutMs` (default 5,000) the longest any one statement may run
 * (then `PayoutStoreUnavailable`). `null` leaves a timeout to the connection's own settings.
 *
 * @example
 * import type { PostgresPayoutStoreOptions } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const options: PostgresPayoutStoreOptions = { attempts: 4, lockTimeoutMs: 500 }
 * assert.equal(options.attempts, 4)
 */
export interface PostgresPayoutStoreOptions {
  readonly attempts?: number
  readonly lockTimeoutMs?: number | null
  readonly statementTimeoutMs?: number | null
}

// ---------------------------------------------------------------- faults

/** Thrown inside a transaction to roll it back when a conditional write finds the record moved. */
class LostRace extends Error {
  constructor(what: string) {
    super(`lost the race: ${what}`)
  }
}

/** SQLSTATEs after which the same transaction may succeed: serialization, deadlock, unique, lock wait. */
const retryable = new Set(['40001', '40P01', '23505', '55P03'])

const isRetryable = (e: unknown): boolean =>
  e instanceof LostRace ||
  (typeof e === 'object' && e !== null && retryable.has(String((e as { readonly code?: unknown }).code)))

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const unavailable = (e: unknown): E.Either<PayoutStoreError, never> =>
  E.left({ _tag: 'PayoutStoreUnavailable', message: messageOf(e) })

const corrupt = (error: ValidationError): E.Either<PayoutStoreError, never> =>
  E.left({ _tag: 'PayoutStoreCorrupt', error })

// ---------------------------------------------------------------- statements

const lockSnapshot = 'select 1 from payout_snapshot where payout_id = $1 for update'

const insertSnapshot = `insert into payout_snapshot (payout_id, version, status, snapshot)
  values ($1, nextval('payout_snapshot_version'), $2, $3::jsonb)
  on conflict (payout_id) do nothing
  returning version`

const updateSnapshot = `update payout_snapshot
  set version = nextval('payout_snapshot_version'), status = $2, snapshot = $3::jsonb, updated_at = now()
  where payout_id = $1 and version = $4
  returning version`

const insertAudit = `insert into payout_audit (payout_id, seq, id, record)
  select $1, (r.value->>'seq')::int, r.value->>'id', r.value
  from jsonb_array_elements($2::jsonb) with ordinality as r(value, n)
  order by r.n`

const insertOutbox = `insert into payout_outbox (id, payout_id, seq, type, created_at, body)
  select r.value->>'id', r.value->>'payoutId', (r.value->>'seq')::int, r.value->>'type',
    r.value->>'createdAt', r.value->>'body'
  from jsonb_array_elements($1::jsonb) with ordinality as r(value, n)
  order by r.n`

const readPayout = `select s.version, s.snapshot,
    (select coalesce(max(a.seq), 0) + 1 from payout_audit a where a.payout_id = $1) as next_seq
  from (select 1) as one left join payout_snapshot s on s.payout_id = $1`

const claimHeads = `select o.payout_id from payout_outbox o
  where o.delivered_at is null
    and (o.lease_until is null or o.lease_until <= to_timestamp($1::float8 / 1000))
    and not exists (
      select 1 from payout_outbox e
      where e.payout_id = o.payout_id and e.delivered_at is null and e.seq < o.seq)
  order by o.position
  limit $2
  for update of o skip locked`

const leaseRows = `update payout_outbox set lease_until = to_timestamp($3::float8 / 1000)
  where position in (
    select position from payout_outbox
    where delivered_at is null and payout_id in (select jsonb_array_elements_text($1::jsonb))
    order by position
    limit $2
    for update)
  returning position, id, payout_id, seq, type, created_at, body`

const markRows = `with marked as (
    update payout_outbox set delivered_at = to_timestamp($2::float8 / 1000), lease_until = null
    where delivered_at is null and id in (select jsonb_array_elements_text($1::jsonb))
    returning 1)
  select count(*)::int as n from marked`

const pruneRows = `with pruned as (
    delete from payout_outbox where delivered_at < to_timestamp($1::float8 / 1000) returning 1)
  select count(*)::int as n from pruned`

interface ReadRow {
  readonly version: unknown
  readonly snapshot: unknown
  readonly next_seq: unknown
}

/** The reads of a keyed step from the row of `readPayout` (its snapshot columns null when there is none). */
const readsOf = (
  payoutId: PayoutId,
  rows: ReadonlyArray<ReadRow>,
): E.Either<ValidationError, PayoutReads> => {
  const row = rows[0]
  return decodePayoutReads({
    payoutId,
    snapshot:
      row === undefined || row.version === null ? null : { version: row.version, value: row.snapshot },
    nextSeq: row?.next_seq,
  })
}

interface OutboxRow {
  readonly position: unknown
  readonly id: unknown
  readonly payout_id: unknown
  readonly seq: unknown
  readonly type: unknown
  readonly created_at: unknown
  readonly body: unknown
}

// ---------------------------------------------------------------- constructors

/**
 * The payout store on a PostgreSQL database migrated with `migrate` (tables of
 * `sql/002_payout.sql`). Every operation resolves to a value, never rejects: a refused event, or a
 * `PayoutStoreError` when the database failed, timed out or kept losing races.
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite'
 * import { migrate, pgliteSql, postgresPayoutStore } from '@payout-kernel/store-postgres'
 * import type { EpochMillis, PayoutId } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const sql = pgliteSql(new PGlite())
 * await migrate(sql)
 * const store = postgresPayoutStore(sql)
 * const payoutId = 'pay_1' as PayoutId
 * assert.ok(E.isRight(await store.start({ payoutId, eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })))
 * const step = await store.apply(payoutId, { type: 'SUBMITTED', eventId: 'e1', occurredAt: 1, actor: { type: 'system' } })
 * assert.ok(E.isRight(step) && step.right.snapshot.status === 'pending_screening')
 *
 * const claimed = await store.claimWebhooks({ limit: 10, at: 2 as EpochMillis, leaseMs: 30_000 })
 * assert.ok(E.isRight(claimed))
 * assert.deepEqual(claimed.right.map((w) => w.seq), [1, 2])
 * assert.deepEqual(await store.markDelivered(claimed.right.map((w) => w.id), 3 as EpochMillis), E.right(2))
 * assert.deepEqual(await store.pruneDelivered(86_400_004 as EpochMillis, 86_400_000), E.right(2))
 */
export const postgresPayoutStore = (sql: Sql, options: PostgresPayoutStoreOptions = {}): PayoutStore => {
  const attempts = Math.max(1, options.attempts ?? 8)
  const lockTimeout = options.lockTimeoutMs === undefined ? 2_000 : options.lockTimeoutMs
  const statementTimeout = options.statementTimeoutMs === undefined ? 5_000 : options.statementTimeoutMs

  const limit = async (tx: SqlTransaction): Promise<void> => {
    if (lockTimeout === null && statementTimeout === null) return
    await tx.query(
      `select set_config('lock_timeout', $1, true) as l, set_config('statement_timeout', $2, true) as s`,
      [
        lockTimeout === null ? '0' : `${lockTimeout}ms`,
        statementTimeout === null ? '0' : `${statementTimeout}ms`,
      ],
    )
  }

  /** Runs `body` in a transaction, again after a retryable failure, at most `attempts` times. */
  const transact = async <A>(
    body: (tx: SqlTransaction) => Promise<A>,
  ): Promise<E.Either<PayoutStoreError, A>> => {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return E.right(
          await sql.transaction(async (tx) => {
            await limit(tx)
            return body(tx)
          }),
        )
      } catch (e) {
        if (!isRetryable(e)) return unavailable(e)
      }
    }
    return E.left({ _tag: 'PayoutStoreContended', attempts })
  }

  const writeStep = async (tx: SqlTransaction, payoutId: PayoutId, keyed: KeyedPayoutStep): Promise<void> => {
    const { snapshot, auditRecords, outbox } = keyed.writes
    const status = keyed.step.snapshot.status
    const value = JSON.stringify(snapshot.value)
    const written =
      snapshot.expected === null
        ? await tx.query(insertSnapshot, [payoutId, status, value])
        : await tx.query(updateSnapshot, [payoutId, status, value, snapshot.expected])
    if (written.length === 0) throw new LostRace(`the snapshot of ${payoutId} moved`)
    await tx.query(insertAudit, [payoutId, JSON.stringify(auditRecords)])
    if (outbox.length > 0) await tx.query(insertOutbox, [JSON.stringify(outbox)])
  }

  /** One keyed decision: lock and read the payout's records, decide, write (or roll back whole). */
  const decide = async (
    payoutId: PayoutId,
    keyed: (reads: PayoutReads) => E.Either<KeyedPayoutRefusal, KeyedPayoutStep>,
  ): Promise<E.Either<PayoutStoreRefusal, PayoutStep>> => {
    const outcome = await transact(async (tx): Promise<E.Either<PayoutStoreRefusal, PayoutStep>> => {
      // First the lock, then the reads, in one statement: the snapshot and the trail it read are of
      // one moment, after the last holder of the lock committed. When there is no row to lock (a
      // start), two starts may both read nothing; the insert's `on conflict` tells the loser.
      await tx.query(lockSnapshot, [payoutId])
      const reads = readsOf(payoutId, await tx.query<ReadRow>(readPayout, [payoutId]))
      if (E.isLeft(reads)) return corrupt(reads.left)
      const decided = keyed(reads.right)
      if (E.isLeft(decided)) return decided
      await writeStep(tx, payoutId, decided.right)
      return E.right(decided.right.step)
    })
    return E.isLeft(outcome) ? outcome : outcome.right
  }

  const count = (rows: ReadonlyArray<{ readonly n?: unknown }>): number => Number(rows[0]?.n ?? 0)

  return {
    start: async (input) => {
      const payoutId = payoutIdOfStart(input)
      if (E.isLeft(payoutId)) return payoutId
      return decide(payoutId.right, (reads) => startPayoutKeyed(reads, input))
    },

    apply: (payoutId, event, config) =>
      decide(payoutId, (reads) => applyPayoutEventKeyed(reads, event, config)),

    read: async (payoutId) => {
      const rows = await transact((tx) => tx.query<ReadRow>(readPayout, [payoutId]))
      if (E.isLeft(rows)) return rows
      const reads = readsOf(payoutId, rows.right)
      if (E.isLeft(reads)) return corrupt(reads.left)
      const snapshot: Versioned<PayoutSnapshot> | null = reads.right.snapshot
      return E.right(snapshot)
    },

    auditTrail: async (payoutId) => {
      const rows = await transact((tx) =>
        tx.query<{ readonly record: unknown }>(
          'select record from payout_audit where payout_id = $1 order by seq',
          [payoutId],
        ),
      )
      if (E.isLeft(rows)) return rows
      const records: AuditRecord[] = []
      for (const row of rows.right) {
        const record = decodeAuditRecord(row.record)
        if (E.isLeft(record)) return corrupt(record.left)
        records.push(record.right)
      }
      return E.right(records)
    },

    claimWebhooks: async ({ limit: most, at, leaseMs }) => {
      const rows = await transact(async (tx) => {
        const heads = await tx.query<{ readonly payout_id: string }>(claimHeads, [at, most])
        if (heads.length === 0) return []
        return tx.query<OutboxRow>(leaseRows, [
          JSON.stringify(heads.map((h) => h.payout_id)),
          most,
          at + leaseMs,
        ])
      })
      if (E.isLeft(rows)) return rows
      const ordered = [...rows.right].sort((a, b) => Number(a.position) - Number(b.position))
      const envelopes: WebhookEnvelope[] = []
      for (const row of ordered) {
        const envelope = decodeWebhookEnvelope({
          id: row.id,
          payoutId: row.payout_id,
          seq: row.seq,
          type: row.type,
          createdAt: row.created_at,
          body: row.body,
        })
        if (E.isLeft(envelope)) return corrupt(envelope.left)
        envelopes.push(envelope.right)
      }
      return E.right(envelopes)
    },

    markDelivered: async (ids: ReadonlyArray<WebhookEventId>, at: EpochMillis) => {
      if (ids.length === 0) return E.right(0)
      const rows = await transact((tx) =>
        tx.query<{ readonly n: unknown }>(markRows, [JSON.stringify(ids), at]),
      )
      return E.map(count)(rows)
    },

    pruneDelivered: async (at, retentionMs) => {
      const rows = await transact((tx) => tx.query<{ readonly n: unknown }>(pruneRows, [at - retentionMs]))
      return E.map(count)(rows)
    },
  }
}
