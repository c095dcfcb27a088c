/**
 * The schema, as plain SQL files shipped in the package (`sql/NNN_name.sql`), applied in order
 * and recorded in `payout_kernel_migrations`. Each file runs in its own transaction, under an
 * advisory lock, so instances starting together apply each file once.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Sql } from './Sql.js'

// ---------------------------------------------------------------- model

/**
 * One migration: its name (the file name without `.sql`) and its SQL text.
 *
 * @example
 * import { migrations } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(migrations()[0]?.name, '001_rescore')
 */
export interface Migration {
  readonly name: string
  readonly sql: string
}

// ---------------------------------------------------------------- constructors

const sqlDir = fileURLToPath(new URL('../sql/', import.meta.url))

/**
 * The migrations this package ships, in the order they apply. The files are in the package's
 * `sql/` folder, for a team that runs migrations with its own tool.
 *
 * @example
 * import { migrations } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const names = migrations().map((m) => m.name)
 * assert.deepEqual(names, [...names].sort())
 */
export const migrations = (): ReadonlyArray<Migration> =>
  readdirSync(sqlDir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ name: f.slice(0, -4), sql: readFileSync(sqlDir + f, 'utf8') }))

// ---------------------------------------------------------------- operations

/** An arbitrary, fixed key for the migration advisory lock. */
const migrationLock = 7_361_205_913

/**
 * Applies every migration not yet applied, each in its own transaction, and resolves to the
 * names it applied. Safe to call from many instances at once and on every start.
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite'
 * import { migrate, pgliteSql } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const sql = pgliteSql(new PGlite())
 * assert.ok((await migrate(sql)).includes('001_rescore'))
 * assert.deepEqual(await migrate(sql), [])
 */
export const migrate = async (sql: Sql): Promise<ReadonlyArray<string>> => {
  const applied: string[] = []
  for (const m of migrations()) {
    const done = await sql.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [migrationLock])
      await tx.query(
        'create table if not exists payout_kernel_migrations (name text primary key, applied_at timestamptz not null default now())',
      )
      const seen = await tx.query('select 1 from payout_kernel_migrations where name = $1', [m.name])
      if (seen.length > 0) return false
      await tx.exec(m.sql)
      await tx.query('insert into payout_kernel_migrations (name) values ($1)', [m.name])
      return true
    })
    if (done) applied.push(m.name)
  }
  return applied
}
