// The databases the store suites run against: PGlite in this process always (`npm test` needs
// only Node), and the PostgreSQL server named by PAYOUT_KERNEL_PG_URL when there is one (.ci/run
// starts one). With PAYOUT_KERNEL_REQUIRE_PG=1 (set by .ci/run) a missing server is a failure, not
// a suite quietly left out. Each opened database is a fresh schema (server) or instance (PGlite).
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { migrate, pgliteSql, pgSql, type Sql } from '../src/index.js'

export type DatabaseKind = 'pglite' | 'server'

export interface TestDatabase {
  readonly kind: DatabaseKind
  readonly sql: Sql
  /** `select version()`, shortened to "PostgreSQL 15.18". */
  readonly version: string
  /** For a server: the URL of this database with its schema on the search path. */
  readonly url: string | null
  readonly schema: string | null
  readonly close: () => Promise<void>
}

export const serverUrl: string | null = process.env.PAYOUT_KERNEL_PG_URL ?? null
export const serverRequired = process.env.PAYOUT_KERNEL_REQUIRE_PG === '1'

/** The kinds to run a suite on. Throws (so the suite fails) when a required server is missing. */
export const databaseKinds = (): ReadonlyArray<DatabaseKind> => {
  if (serverUrl === null && serverRequired)
    throw new Error(
      'PAYOUT_KERNEL_REQUIRE_PG=1 but PAYOUT_KERNEL_PG_URL is not set: the server suite cannot run',
    )
  if (serverUrl === null)
    process.stdout.write(
      'store-postgres: server suites NOT run (PAYOUT_KERNEL_PG_URL unset); PGlite suites run. `.ci/run` starts a server.\n',
    )
  return serverUrl === null ? ['pglite'] : ['pglite', 'server']
}

/** Records in a test's metadata which database it ran on; the summary line of the run lists them. */
export const databaseOf = (meta: object, version: string): void => {
  ;(meta as Record<string, unknown>).database = version
}

const shortVersion = (v: string): string => /PostgreSQL [0-9.]+/.exec(v)?.[0] ?? v

let schemas = 0

/** A pool on the server with `schema` first on every connection's search path. */
export const serverPool = (schema: string, max = 8): pg.Pool =>
  new pg.Pool({
    connectionString: serverUrl ?? undefined,
    max,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 2_000,
  })

export const openDatabase = async (kind: DatabaseKind): Promise<TestDatabase> => {
  if (kind === 'pglite') {
    const db = new PGlite()
    const sql = pgliteSql(db)
    await migrate(sql)
    return {
      kind,
      sql,
      version: `PGlite (${shortVersion(await sql.serverVersion())})`,
      url: null,
      schema: null,
      close: () => db.close(),
    }
  }
  const schema = `pk_test_${process.pid}_${Date.now()}_${schemas++}`
  const admin = new pg.Client({ connectionString: serverUrl ?? undefined })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  const pool = serverPool(schema)
  // A connection lost on purpose (fault tests) must not crash the process.
  pool.on('error', () => {})
  const sql = pgSql(pool)
  await migrate(sql)
  const url = `${serverUrl}${serverUrl?.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
  return {
    kind,
    sql,
    version: shortVersion(await sql.serverVersion()),
    url,
    schema,
    close: async () => {
      await pool.end()
      const drop = new pg.Client({ connectionString: serverUrl ?? undefined })
      await drop.connect()
      await drop.query(`drop schema if exists ${schema} cascade`)
      await drop.end()
    },
  }
}
