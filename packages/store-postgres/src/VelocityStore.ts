/**
 * The velocity records in PostgreSQL (`sql/003_velocity.sql`): a `VelocityRecordStore` of
 * `@payout-kernel/velocity` that runs each keyed decision (`evaluateAndRecordStep`,
 * `releaseStep`) as one transaction, so many service instances share one ledger.
 *
 * One decision is `BEGIN`, the timeouts (`set_config`, local to the transaction), one locking read
 * per `Read` of the step (`select … for update` of the keys it names, ordered by key), one
 * statement applying all the writes (each conditional on the version read), `COMMIT`: five round
 * trips for evaluate-and-record, six for a release (it reads its own record, then what it counted).
 *
 * Why row locks in one fixed order rather than optimistic conditional updates alone: velocity's
 * contention is a hot key by design — every payout of a merchant reads and writes that merchant's
 * usage rows, and the interesting moments are many instances paying one merchant near a limit.
 * Optimistically, every decision but one per round would lose and decide again, so under load
 * most work is redone and a decision can run out of retries and fail closed although nothing is
 * wrong. A row lock queues the contenders instead: each waits its turn once, then reads what the
 * previous one committed. Every decision locks its rows in the same order (keys sorted byte-wise,
 * collation "C"; a release's own record `p/…` sorts before the usage `u/…` it reads next), and
 * inserts new rows in that order too, so no two decisions wait on each other in a cycle. Rows that
 * do not exist yet cannot be locked: a write that expected none is an insert that does nothing if
 * a concurrent decision made the row first, and the write statement counts what it applied — a
 * lost race (or a version that moved, which the locks rule out) rolls the whole transaction back
 * and the decision runs again from its first read, up to `maxAttempts` times. Deadlocks (which
 * the order rules out) and serialization failures are retried the same way.
 *
 * Fail closed: an unreachable server, a timeout (`lock_timeout`, `statement_timeout`), an
 * unexpected error, or losing `maxAttempts` times in a row resolve to `VelocityStoreUnavailable`
 * and the transaction rolls back whole; a stored record that does not decode is a
 * `ValidationError` naming its key and field. Never an allow.
 */
import { type ValidationError, type ValidationProblem, withinField } from '@payout-kernel/core'
import {
  decodeVelocityRecord,
  runStep,
  type VelocityReads,
  type VelocityRecord,
  type VelocityRecordStore,
  type VelocityStoreError,
  type VelocityWrite,
  velocityRecordExpiry,
} from '@payout-kernel/velocity'
import * as E from '#fp-ts/Either'
import type { Sql, SqlTransaction } from './Sql.js'

// ---------------------------------------------------------------- model

/**
 * Options of `postgresVelocityRecords`: how many times a decision runs before it gives up on lost
 * races (default 8), how long it waits for a row lock (default 2,000 ms) and for any one statement
 * (default 5,000 ms).
 *
 * @example
 * import type { PostgresVelocityOptions } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const options: PostgresVelocityOptions = { maxAttempts: 4, lockTimeoutMs: 500 }
 * assert.equal(options.maxAttempts, 4)
 */
export interface PostgresVelocityOptions {
  readonly maxAttempts?: number
  readonly lockTimeoutMs?: number
  readonly statementTimeoutMs?: number
}

/**
 * The PostgreSQL velocity store: a `VelocityRecordStore`, plus `attempts` (how many transactions
 * it began and how many of them it ran again after a lost race, since it was made).
 *
 * @example
 * import type { PostgresVelocityRecords } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const counts: ReturnType<PostgresVelocityRecords['attempts']> = { transactions: 3, retries: 1 }
 * assert.equal(counts.retries, 1)
 */
export interface PostgresVelocityRecords extends VelocityRecordStore {
  /** How many transactions the store began, and how many of them it ran again after a lost race. */
  readonly attempts: () => { readonly transactions: number; readonly retries: number }
}

// ---------------------------------------------------------------- errors

/** A write that did not apply: a concurrent decision made the row first (or it moved). */
class LostRace extends Error {}

type Reason = Extract<VelocityStoreError, { _tag: 'VelocityStoreUnavailable' }>['reason']

const codeOf = (e: unknown): string => {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : ''
}

const retryable = (e: unknown): boolean => e instanceof LostRace || ['40001', '40P01'].includes(codeOf(e))

const reasonOf = (e: unknown): Reason => {
  const code = codeOf(e)
  const message = e instanceof Error ? e.message : String(e)
  if (code === '55P03' || code === '57014' || /timeout|timed out/i.test(message)) return 'timeout'
  if (
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE'].includes(
      code,
    ) ||
    /connect|terminat|closed/i.test(message)
  )
    return 'unreachable'
  return 'failure'
}

const unavailable = (reason: Reason, message: string, attempts: number): VelocityStoreError => ({
  _tag: 'VelocityStoreUnavailable',
  reason,
  message,
  attempts,
})

// ---------------------------------------------------------------- statements

const lockRead = `select key, version::text as version, value from velocity_record
  where key = any(array(select jsonb_array_elements_text($1::jsonb)))
  order by key for update`

const applyWrites = `with w as (
    select * from jsonb_to_recordset($1::jsonb) as w(key text, expected bigint, remove boolean, value jsonb, expires_at bigint)
  ), updated as (
    update velocity_record r
    set value = w.value, expires_at = w.expires_at, version = nextval('velocity_record_version')
    from w where not w.remove and w.expected is not null and r.key = w.key and r.version = w.expected
    returning 1
  ), deleted as (
    delete from velocity_record r using w
    where w.remove and w.expected is not null and r.key = w.key and r.version = w.expected
    returning 1
  ), inserted as (
    insert into velocity_record (key, version, value, expires_at)
    select w.key, nextval('velocity_record_version'), w.value, w.expires_at from w
    where not w.remove and w.expected is null
    order by w.key
    on conflict (key) do nothing
    returning 1
  )
  select ((select count(*) from updated) + (select count(*) from deleted) + (select count(*) from inserted))::int as applied`

/** The writes as the statement's one JSON parameter; a delete of what was never there is no write. */
const writesJson = (writes: ReadonlyArray<VelocityWrite>): { json: string; count: number } => {
  const rows = writes
    .filter((w) => !(w.expected === null && w.value === null))
    .map((w) => ({
      key: w.key,
      expected: w.expected,
      remove: w.value === null,
      value: w.value,
      expires_at: w.value === null ? null : velocityRecordExpiry(w.value),
    }))
  return { json: JSON.stringify(rows), count: rows.length }
}

const versionOf = (u: unknown): number | undefined => {
  const n = typeof u === 'string' && /^[0-9]{1,16}$/.test(u) ? Number(u) : Number.NaN
  return Number.isSafeInteger(n) ? n : undefined
}

/** Locks and reads the keys (sorted by the caller); a row that does not decode is a problem named by key. */
const readLocked = async (
  tx: SqlTransaction,
  keys: ReadonlyArray<string>,
): Promise<E.Either<ValidationError, VelocityReads>> => {
  const rows = await tx.query<{ key: string; version: unknown; value: unknown }>(lockRead, [
    JSON.stringify(keys),
  ])
  const out = new Map<string, { version: number; value: VelocityRecord } | null>()
  const problems: ValidationProblem[] = []
  for (const k of keys) out.set(k, null)
  for (const row of rows) {
    const version = versionOf(row.version)
    const decoded = decodeVelocityRecord(row.value)
    if (version === undefined)
      problems.push({ field: `${row.key}.version`, message: 'must be a whole number of at least 0' })
    if (E.isLeft(decoded)) problems.push(...withinField(row.key)(decoded.left).problems)
    else if (version !== undefined) out.set(row.key, { version, value: decoded.right })
  }
  return problems.length > 0 ? E.left({ _tag: 'ValidationError', problems }) : E.right(out)
}

// ---------------------------------------------------------------- constructors

/**
 * A `VelocityRecordStore` on PostgreSQL, through the `Sql` interface (`pgSql(pool)` for a server,
 * `pgliteSql(db)` in-process); the table comes from `migrate(sql)`. Give a server pool a
 * `connectionTimeoutMillis`: an unreachable server then resolves to an error value too.
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite'
 * import { migrate, pgliteSql, postgresVelocityRecords } from '@payout-kernel/store-postgres'
 * import { evaluateAndRecordStep, parseRuleSet, payout, releaseStep } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const sql = pgliteSql(new PGlite())
 * await migrate(sql)
 * const store = postgresVelocityRecords(sql)
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'daily', name: 'Daily cap', kind: 'max_daily_amount',
 *   action: 'block', enabled: true, threshold: '1000.00', currency: 'USD' }] })
 * const at = (id: string, amount: string) => payout({ id, merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount, currency: 'USD', createdAt: Date.UTC(2026, 0, 1, 9) })
 * const [first, second] = [at('pay_1', '600.00'), at('pay_2', '400.01')]
 * assert.ok(E.isRight(rs) && E.isRight(first) && E.isRight(second))
 * const v1 = await store.run(evaluateAndRecordStep(rs.right, first.right))
 * const v2 = await store.run(evaluateAndRecordStep(rs.right, second.right))
 * assert.ok(E.isRight(v1) && E.isRight(v2))
 * assert.deepEqual([v1.right.action, v2.right.action], ['allow', 'block'])
 * assert.deepEqual(await store.run(releaseStep('pay_1')), E.right(true))
 * const v3 = await store.run(evaluateAndRecordStep(rs.right, second.right))
 * assert.ok(E.isRight(v3) && v3.right.action === 'allow')
 * assert.deepEqual(await store.prune(Date.UTC(2026, 0, 2)), E.right(2)) // the day's row and pay_2's own record
 */
export const postgresVelocityRecords = (
  sql: Sql,
  options: PostgresVelocityOptions = {},
): PostgresVelocityRecords => {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8)
  const timeouts = [`${options.lockTimeoutMs ?? 2_000}ms`, `${options.statementTimeoutMs ?? 5_000}ms`]
  let transactions = 0
  let retries = 0

  const run: VelocityRecordStore['run'] = async (step) => {
    for (let attempt = 1; ; attempt++) {
      transactions++
      try {
        const outcome = await sql.transaction(async (tx) => {
          await tx.query(
            `select set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`,
            timeouts,
          )
          const walked = await runStep(step, (keys) => readLocked(tx, keys))
          if (E.isLeft(walked)) return walked
          const { json, count } = writesJson(walked.right.writes)
          if (count > 0) {
            const applied = await tx.query<{ applied: number }>(applyWrites, [json])
            if ((applied[0]?.applied ?? -1) !== count) throw new LostRace('a record moved since it was read')
          }
          return E.right(walked.right.result)
        })
        return outcome
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e)
        if (!retryable(e)) return E.left(unavailable(reasonOf(e), message, attempt))
        if (attempt >= maxAttempts)
          return E.left(unavailable('contention', `lost ${attempt} races in a row: ${message}`, attempt))
        retries++
      }
    }
  }

  return {
    run,
    prune: async (now) => {
      try {
        const rows = await sql.query<{ pruned: number }>(
          'with gone as (delete from velocity_record where expires_at <= $1 returning 1) select count(*)::int as pruned from gone',
          [now],
        )
        return E.right(rows[0]?.pruned ?? 0)
      } catch (e) {
        return E.left(unavailable(reasonOf(e), e instanceof Error ? e.message : String(e), 1))
      }
    },
    attempts: () => ({ transactions, retries }),
  }
}
