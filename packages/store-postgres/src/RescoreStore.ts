/**
 * The rescore policy's records in PostgreSQL (`sql/001_rescore.sql`, its functions replaced by
 * `sql/004_rescore_batch.sql`): a `RescoreRecordStore` for
 * `decideRescoreIn`, `completeRescoreIn` and `failRescoreIn` of `@payout-kernel/rescore-policy`.
 *
 * One decision is two statements, so two round trips when uncontended: `rescore_read_batch` reads
 * the merchant's quota position, the key's record and the beneficiary's record in one snapshot,
 * the policy decides in the service, and `rescore_write_batch` applies the decision's writes in
 * one statement, each conditional on the version read. A record that moved in between fails that
 * decision's writes (none of them is applied: every version is checked before the first write)
 * and the policy decides again on a fresh read. The decisions an instance has in flight together share those two statements (up to
 * `batchSize` to a statement): under load an instance spends well under one round trip per
 * decision. Before writing, a statement takes an advisory lock per record it may write, in one
 * global order, so two instances' statements never wait on each other in a cycle, and nothing
 * but a prune's delete can move a record between its check and its write (then the statement
 * rolls back whole and all its decisions decide again).
 *
 * Why conditional writes on a version column rather than row locks: a lock (`select … for
 * update`) would hold a transaction open across the service's decision, and `BEGIN`, the locking
 * read, the writes and `COMMIT` are four round trips; the optimistic form is two, holds no lock
 * while the service thinks, and serialises exactly what must be serialised (a merchant's quota
 * log, a key, a beneficiary) — the update itself waits for a concurrent writer of the same row,
 * then sees its version.
 */
import { decodeWith, type ValidationError } from '@payout-kernel/core'
import {
  decodeBeneficiaryRescore,
  decodeIdempotencyRecord,
  type RescoreConfig,
  type RescoreKeys,
  type RescoreReads,
  type RescoreRecordCounts,
  type RescoreRecordStore,
  type RescoreWrites,
} from '@payout-kernel/rescore-policy'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { CorruptRecord } from './internal/CorruptRecord.js'
import type { Sql } from './Sql.js'

// ---------------------------------------------------------------- codecs

const Int = t.refinement(t.number, Number.isSafeInteger, 'Int')
const QuotaRead = t.type({
  version: Int,
  length: Int,
  latest: Int,
  first: Int,
  oldest: t.union([Int, t.null]),
  freeing: t.union([Int, t.null]),
})
const decodeQuotaRead = decodeWith(QuotaRead)
const VersionedJson = t.type({ version: Int, value: t.unknown })
const decodeVersioned = decodeWith(VersionedJson)

const orThrow = <A>(what: string, r: E.Either<ValidationError, A>): A => {
  if (E.isLeft(r)) throw new CorruptRecord(what, r.left)
  return r.right
}

const versioned = <A>(
  what: string,
  u: unknown,
  decode: (u: unknown) => E.Either<ValidationError, A>,
): { version: number; value: A } | null => {
  if (u === null || u === undefined) return null
  const v = orThrow(what, decodeVersioned(u))
  return { version: v.version, value: orThrow(what, decode(v.value)) }
}

const epochMs = (n: number, field: string): number => {
  if (!Number.isSafeInteger(n)) throw new TypeError(`${field} must be whole epoch milliseconds, got ${n}`)
  return n
}

// ---------------------------------------------------------------- batches

/** SQLSTATEs of a write batch that lost a race as a whole: serialization failure, unique violation. */
const lostRace = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && ['40001', '23505'].includes(String((e as { code?: unknown }).code))

const describe = (u: unknown): string => (Array.isArray(u) ? `${u.length} results` : typeof u)

const readItem = (keys: RescoreKeys) => {
  const q = keys.quota
  return {
    qm: q?.merchantId ?? null,
    qn: q === null ? null : epochMs(q.now, 'now'),
    qw: q?.windowMs ?? null,
    ql: q?.limit ?? null,
    km: keys.idempotency?.merchantId ?? null,
    kk: keys.idempotency?.idempotencyKey ?? null,
    b: keys.beneficiaryId,
  }
}

const decodeReads = (u: unknown, keys: RescoreKeys): RescoreReads => {
  const row = (u ?? {}) as { quota?: unknown; idempotency?: unknown; beneficiary?: unknown }
  const quota = row.quota == null ? null : orThrow('quota log', decodeQuotaRead(row.quota))
  return {
    quota:
      quota === null && keys.quota !== null
        ? { version: null, length: 0, latest: null, first: 0, oldest: null, freeing: null }
        : quota,
    idempotency: versioned('idempotency record', row.idempotency, decodeIdempotencyRecord),
    beneficiary: versioned('beneficiary record', row.beneficiary, decodeBeneficiaryRescore),
  }
}

const writeItem = (w: RescoreWrites) => {
  const { quota: q, idempotency: k, beneficiary: b } = w
  const kv = k?.value ?? null
  const bv = b?.value ?? null
  return {
    qm: q?.merchantId ?? null,
    qe: q?.expected ?? null,
    qh: q?.head ?? null,
    ql: q?.length ?? null,
    qt: q === null ? null : epochMs(q.time, 'now'),
    km: k?.merchantId ?? null,
    kk: k?.idempotencyKey ?? null,
    ke: k?.expected ?? null,
    kr: kv,
    kx:
      kv === null ? null : kv._tag === 'InFlight' ? Math.min(kv.expiresAt, kv.lease.expiresAt) : kv.expiresAt,
    b: b?.beneficiaryId ?? null,
    be: b?.expected ?? null,
    br: bv,
    bx:
      bv === null
        ? null
        : Math.max(
            bv.lease?.expiresAt ?? Number.MIN_SAFE_INTEGER,
            bv.cooldownUntil ?? Number.MIN_SAFE_INTEGER,
          ),
  }
}

type ReadItem = ReturnType<typeof readItem>
type WriteItem = ReturnType<typeof writeItem>

/** The call of `rescore_read_batch` with its parameters numbered from `$<from + 1>`. */
const readCall = (from: number): string =>
  `rescore_read_batch($${from + 1}::text[], $${from + 2}::bigint[], $${from + 3}::bigint[], $${from + 4}::bigint[],
     $${from + 5}::text[], $${from + 6}::text[], $${from + 7}::text[])`
const readParams = (items: ReadonlyArray<ReadItem>): unknown[] => [
  items.map((i) => i.qm),
  items.map((i) => i.qn),
  items.map((i) => i.qw),
  items.map((i) => i.ql),
  items.map((i) => i.km),
  items.map((i) => i.kk),
  items.map((i) => i.b),
]

/** The call of `rescore_write_batch` with its parameters numbered from `$<from + 1>`. */
const writeCall = (from: number): string =>
  `rescore_write_batch($${from + 1}::text[], $${from + 2}::bigint[], $${from + 3}::bigint[], $${from + 4}::bigint[],
     $${from + 5}::bigint[], $${from + 6}::text[], $${from + 7}::text[], $${from + 8}::bigint[], $${from + 9}::jsonb[],
     $${from + 10}::bigint[], $${from + 11}::text[], $${from + 12}::bigint[], $${from + 13}::jsonb[], $${from + 14}::bigint[])`
const writeParams = (items: ReadonlyArray<WriteItem>): unknown[] => [
  items.map((i) => i.qm),
  items.map((i) => i.qe),
  items.map((i) => i.qh),
  items.map((i) => i.ql),
  items.map((i) => i.qt),
  items.map((i) => i.km),
  items.map((i) => i.kk),
  items.map((i) => i.ke),
  items.map((i) => (i.kr === null ? null : JSON.stringify(i.kr))),
  items.map((i) => i.kx),
  items.map((i) => i.b),
  items.map((i) => i.be),
  items.map((i) => (i.br === null ? null : JSON.stringify(i.br))),
  items.map((i) => i.bx),
]

const readStatement = `select ${readCall(0)} as reads`
const writeStatement = `select ${writeCall(0)} as oks`

interface Pending<I, P, O> {
  readonly item: I
  /** The item as the statement's parameters take it (converted when asked, so a bad item fails alone). */
  readonly param: P
  readonly resolve: (o: O) => void
  readonly reject: (e: unknown) => void
}

/**
 * The reads asked for in one turn of the event loop go out together, up to `max` to a statement,
 * and so do the writes: the decisions an instance has in flight share their round trips. Each
 * caller gets its own result, or its statement's failure. A write statement that lost a race as a
 * whole (a prune deleted a record under a write) answers each of its writes "lost": those
 * decisions read and decide again.
 */
const batches = (sql: Sql, max: number) => {
  const reads: Pending<RescoreKeys, ReadItem, RescoreReads>[] = []
  const writes: Pending<RescoreWrites, WriteItem, boolean>[] = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    while (reads.length > 0) void sendReads(reads.splice(0, max))
    while (writes.length > 0) void sendWrites(writes.splice(0, max))
  }
  const enqueue = <I, P, O>(queue: Pending<I, P, O>[], item: I, param: (i: I) => P): Promise<O> =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, param: param(item), resolve, reject })
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    })
  const sendReads = async (batch: Pending<RescoreKeys, ReadItem, RescoreReads>[]): Promise<void> => {
    let out: unknown
    try {
      const rows = await sql.query<{ reads: unknown }>(
        readStatement,
        readParams(batch.map((p) => p.param)),
        'payout_kernel_rescore_read_batch',
      )
      out = rows[0]?.reads
      if (!Array.isArray(out) || out.length !== batch.length)
        throw new Error(`rescore_read_batch answered ${describe(out)} for ${batch.length} reads`)
    } catch (e) {
      for (const p of batch) p.reject(e)
      return
    }
    for (const [i, p] of batch.entries()) {
      // A corrupt record fails its own decision (closed), not the others of the statement.
      try {
        p.resolve(decodeReads((out as unknown[])[i], p.item))
      } catch (e) {
        p.reject(e)
      }
    }
  }
  const sendWrites = async (batch: Pending<RescoreWrites, WriteItem, boolean>[]): Promise<void> => {
    try {
      const rows = await sql.query<{ oks: unknown }>(
        writeStatement,
        writeParams(batch.map((p) => p.param)),
        'payout_kernel_rescore_write_batch',
      )
      const oks = rows[0]?.oks
      if (!Array.isArray(oks) || oks.length !== batch.length || !oks.every((ok) => typeof ok === 'boolean'))
        throw new Error(`rescore_write_batch answered ${describe(oks)} for ${batch.length} writes`)
      for (const [i, p] of batch.entries()) p.resolve(oks[i] as boolean)
    } catch (e) {
      for (const p of batch) lostRace(e) ? p.resolve(false) : p.reject(e)
    }
  }
  return {
    read: (keys: RescoreKeys): Promise<RescoreReads> => enqueue(reads, keys, readItem),
    write: (w: RescoreWrites): Promise<boolean> => enqueue(writes, w, writeItem),
  }
}

// ---------------------------------------------------------------- constructors

/**
 * How the store shares round trips: the decisions an instance has in flight in one turn of the
 * event loop are read together and written together, `batchSize` (default 4) to a statement, so
 * several batches run at once on the pool's connections. `1` sends every decision on its own.
 *
 * @example
 * import type { PostgresRescoreOptions } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const options: PostgresRescoreOptions = { batchSize: 8 }
 * assert.equal(options.batchSize, 8)
 */
export interface PostgresRescoreOptions {
  readonly batchSize?: number
}

/**
 * A `RescoreRecordStore` on PostgreSQL, through the `Sql` interface (`pgSql(pool)` for a server,
 * `pgliteSql(db)` in-process). The tables and functions come from `migrate(sql)`. Give the pool a
 * `connectionTimeoutMillis` and a `statement_timeout`: a store that is unreachable or slow then
 * rejects, and the policy answers `503 idempotency_unavailable` (fail closed).
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite'
 * import { decideRescoreIn, defaultRescoreConfig } from '@payout-kernel/rescore-policy'
 * import { migrate, pgliteSql, postgresRescoreRecords } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const sql = pgliteSql(new PGlite())
 * await migrate(sql)
 * const store = postgresRescoreRecords(sql)
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const first = await decideRescoreIn(store, request, 0, defaultRescoreConfig)
 * assert.equal(first.effects.length, 1)
 * const again = await decideRescoreIn(store, { ...request, headers: { 'Idempotency-Key': 'k-2' } }, 10, defaultRescoreConfig)
 * assert.deepEqual(again.response?.body, { status: 'in_flight' })
 * assert.deepEqual(await store.counts(), { merchants: 1, admissions: 2, idempotencyKeys: 1, beneficiaries: 1 })
 */
export const postgresRescoreRecords = (
  sql: Sql,
  options: PostgresRescoreOptions = {},
): RescoreRecordStore => {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 4))
  const counts = async (): Promise<RescoreRecordCounts> => {
    const rows = await sql.query<{ m: number; a: number; k: number; b: number }>(
      `select (select count(*) from rescore_quota)::int as m, (select count(*) from rescore_admission)::int as a,
              (select count(*) from rescore_idempotency)::int as k, (select count(*) from rescore_beneficiary)::int as b`,
    )
    const r = rows[0]
    return {
      merchants: r?.m ?? 0,
      admissions: r?.a ?? 0,
      idempotencyKeys: r?.k ?? 0,
      beneficiaries: r?.b ?? 0,
    }
  }
  const { read, write } = batches(sql, batchSize)
  return {
    read,
    write,
    prune: async (now: number, config: RescoreConfig) => {
      const at = epochMs(now, 'now')
      const windowMs = config.quota.windowMs
      // Admissions out of their log's window; then logs with nothing live, with their admissions.
      await sql.query(
        `delete from rescore_admission a using rescore_quota q
         where a.merchant_id = q.merchant_id and a.admitted_at <= greatest($1::bigint, q.latest_at) - $2::bigint`,
        [at, windowMs],
      )
      await sql.query(
        `with gone as (delete from rescore_quota where latest_at <= $1::bigint - $2::bigint returning merchant_id)
         delete from rescore_admission a using gone where a.merchant_id = gone.merchant_id`,
        [at, windowMs],
      )
      await sql.query('delete from rescore_idempotency where expires_at <= $1', [at])
      await sql.query('delete from rescore_beneficiary where expires_at <= $1', [at])
      return counts()
    },
    counts,
  }
}
