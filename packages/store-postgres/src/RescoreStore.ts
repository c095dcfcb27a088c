/**
 * The rescore policy's records in PostgreSQL (`sql/001_rescore.sql`): a `RescoreRecordStore` for
 * `decideRescoreIn`, `completeRescoreIn` and `failRescoreIn` of `@payout-kernel/rescore-policy`.
 *
 * One decision is two statements, so two round trips when uncontended: `rescore_read` reads the
 * merchant's quota position, the key's record and the beneficiary's record in one snapshot, the
 * policy decides in the service, and `rescore_write` applies the decision's writes in one
 * statement (so one transaction), each conditional on the version read, in one fixed order. A
 * record that moved in between makes the write raise `serialization_failure`; nothing of it is
 * kept and the policy decides again on a fresh read.
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
  type RescoreReads,
  type RescoreRecordCounts,
  type RescoreRecordStore,
  type RescoreWrites,
} from '@payout-kernel/rescore-policy'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
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

/** What the store holds is not what it should: the decision fails closed, naming the field. */
class CorruptRecord extends Error {
  constructor(what: string, e: ValidationError) {
    super(`${what}: ${e.problems.map((p) => `${p.field || '(record)'}: ${p.message}`).join('; ')}`)
  }
}

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

const isSerializationFailure = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code
  return code === '40001' || code === '40P01'
}

// ---------------------------------------------------------------- constructors

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
export const postgresRescoreRecords = (sql: Sql): RescoreRecordStore => {
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
  return {
    read: async (keys): Promise<RescoreReads> => {
      const q = keys.quota
      const rows = await sql.query<{ quota: unknown; idempotency: unknown; beneficiary: unknown }>(
        'select quota, idempotency, beneficiary from rescore_read($1, $2, $3, $4, $5, $6, $7)',
        [
          q?.merchantId ?? null,
          q === null ? null : epochMs(q.now, 'now'),
          q?.windowMs ?? null,
          q?.limit ?? null,
          keys.idempotency?.merchantId ?? null,
          keys.idempotency?.idempotencyKey ?? null,
          keys.beneficiaryId,
        ],
      )
      const row = rows[0]
      if (row === undefined) throw new Error('rescore_read returned no row')
      const quota = row.quota === null ? null : orThrow('quota log', decodeQuotaRead(row.quota))
      return {
        quota:
          quota === null && q !== null
            ? { version: null, length: 0, latest: null, first: 0, oldest: null, freeing: null }
            : quota,
        idempotency: versioned('idempotency record', row.idempotency, decodeIdempotencyRecord),
        beneficiary: versioned('beneficiary record', row.beneficiary, decodeBeneficiaryRescore),
      }
    },
    write: async (w: RescoreWrites) => {
      const { quota: q, idempotency: k, beneficiary: b } = w
      const kv = k?.value ?? null
      const bv = b?.value ?? null
      try {
        await sql.query('select rescore_write($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)', [
          q?.merchantId ?? null,
          q?.expected ?? null,
          q?.head ?? null,
          q?.length ?? null,
          q === null ? null : epochMs(q.time, 'now'),
          k?.merchantId ?? null,
          k?.idempotencyKey ?? null,
          k?.expected ?? null,
          kv === null ? null : JSON.stringify(kv),
          kv === null
            ? null
            : kv._tag === 'InFlight'
              ? Math.min(kv.expiresAt, kv.lease.expiresAt)
              : kv.expiresAt,
          b?.beneficiaryId ?? null,
          b?.expected ?? null,
          bv === null ? null : JSON.stringify(bv),
          bv === null
            ? null
            : Math.max(
                bv.lease?.expiresAt ?? Number.MIN_SAFE_INTEGER,
                bv.cooldownUntil ?? Number.MIN_SAFE_INTEGER,
              ),
        ])
        return true
      } catch (e) {
        if (isSerializationFailure(e)) return false
        throw e
      }
    },
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
