/**
 * The one small query interface every store in this package runs on: a parameterised query that
 * resolves to its rows, and a transaction around a body of queries. Two adapters ship:
 * `pgSql` for node-postgres (a `Pool`) and `pgliteSql` for PGlite (PostgreSQL in-process, for
 * tests and for a service's own test suite). Both are structural: this package imports neither.
 */

// ---------------------------------------------------------------- model

/**
 * Runs one parameterised statement (`$1`, `$2`, …) and resolves to its rows. Rejects when the
 * server does (a constraint, a lost connection, a timeout). `name` marks a statement run often:
 * node-postgres then prepares it once per connection and the server plans it once (PGlite
 * ignores it).
 *
 * @example
 * import { type SqlQuery } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const fake: SqlQuery = async (_text, params) => [{ echoed: params?.[0] }] as never
 * assert.deepEqual(await fake('select $1::text as echoed', ['x']), [{ echoed: 'x' }])
 */
export type SqlQuery = <R extends object = Record<string, unknown>>(
  text: string,
  params?: ReadonlyArray<unknown>,
  name?: string,
) => Promise<ReadonlyArray<R>>

/**
 * The queries of one transaction: `query` runs a parameterised statement, `exec` a script of
 * statements without parameters (a migration file).
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite'
 * import { pgliteSql, type SqlTransaction } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const count = async (tx: SqlTransaction) => {
 *   await tx.exec('create table t (n int); insert into t values (1), (2);')
 *   return (await tx.query<{ n: number }>('select count(*)::int as n from t'))[0]?.n
 * }
 * assert.equal(await pgliteSql(new PGlite()).transaction(count), 2)
 */
export interface SqlTransaction {
  /** Runs one parameterised statement. */
  readonly query: SqlQuery
  /** Runs a script of statements, without parameters. */
  readonly exec: (script: string) => Promise<void>
}

/**
 * A database as the stores use it: `query` runs one statement on its own (autocommit), and
 * `transaction` runs a body on one connection between `BEGIN` and `COMMIT`, rolling back whole
 * when the body rejects.
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite'
 * import { pgliteSql, type Sql } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const sql: Sql = pgliteSql(new PGlite())
 * assert.deepEqual(await sql.query('select 1 + 1 as two'), [{ two: 2 }])
 */
export interface Sql {
  /** Runs one statement on its own. */
  readonly query: SqlQuery
  /** Runs `body` in one transaction: committed when it resolves, rolled back whole when it rejects. */
  readonly transaction: <A>(body: (tx: SqlTransaction) => Promise<A>) => Promise<A>
  /** What the server says it is (`select version()`), for logs and test reports. */
  readonly serverVersion: () => Promise<string>
}

/** The part of a node-postgres `Pool` (or `Client`-returning pool) the adapter uses. */
export interface PgPoolLike {
  /** Runs one statement on any pooled connection (`name`: as a prepared statement). */
  query(config: { text: string; values?: unknown[]; name?: string }): Promise<{ rows: unknown[] }>
  /** Checks a connection out of the pool (for a transaction). */
  connect(): Promise<PgClientLike>
}

/** The part of a node-postgres pooled client the adapter uses. */
export interface PgClientLike {
  /** Runs one statement on this connection. */
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
  /** Gives the connection back to the pool (destroying it when given an error or `true`). */
  release(destroy?: boolean | Error): void
}

/** The part of a PGlite instance the adapter uses. */
export interface PGliteLike {
  /** Runs one statement. */
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>
  /** Runs a body in one transaction. */
  transaction<A>(
    body: (tx: {
      query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>
      exec(script: string): Promise<unknown>
    }) => Promise<A>,
  ): Promise<A>
}

// ---------------------------------------------------------------- constructors

const versionOf = async (query: SqlQuery): Promise<string> => {
  const rows = await query<{ version: string }>('select version() as version')
  return rows[0]?.version ?? 'unknown'
}

/**
 * The interface over a node-postgres `Pool`: `query` goes to any pooled connection, a
 * transaction holds one connection from `BEGIN` to `COMMIT` (or `ROLLBACK`, and the connection is
 * destroyed if even that fails).
 *
 * @example
 * import { pgSql } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * // Any object with node-postgres's `query` and `connect` will do; here, one that answers 1.
 * const pool = {
 *   query: async () => ({ rows: [{ one: 1 }] }),
 *   connect: async () => ({ query: async () => ({ rows: [] }), release: () => {} }),
 * }
 * assert.deepEqual(await pgSql(pool).query('select 1 as one'), [{ one: 1 }])
 */
export const pgSql = (pool: PgPoolLike): Sql => {
  const query: SqlQuery = async <R extends object>(
    text: string,
    params?: ReadonlyArray<unknown>,
    name?: string,
  ) =>
    (
      await pool.query({
        text,
        ...(params === undefined ? {} : { values: [...params] }),
        ...(name === undefined ? {} : { name }),
      })
    ).rows as R[]
  return {
    query,
    transaction: async (body) => {
      const client = await pool.connect()
      const inTx: SqlQuery = async <R extends object>(text: string, params?: ReadonlyArray<unknown>) =>
        (await client.query(text, params === undefined ? undefined : [...params])).rows as R[]
      try {
        await client.query('BEGIN')
        const result = await body({
          query: inTx,
          exec: async (script) => {
            await client.query(script)
          },
        })
        await client.query('COMMIT')
        client.release()
        return result
      } catch (e) {
        try {
          await client.query('ROLLBACK')
          client.release()
        } catch (lost) {
          client.release(lost instanceof Error ? lost : true)
        }
        throw e
      }
    },
    serverVersion: () => versionOf(query),
  }
}

/**
 * The interface over a PGlite database (PostgreSQL compiled to WebAssembly, in this process).
 *
 * @example
 * import { PGlite } from '@electric-sql/pglite'
 * import { pgliteSql } from '@payout-kernel/store-postgres'
 * import assert from 'node:assert/strict'
 *
 * const sql = pgliteSql(new PGlite())
 * await assert.rejects(sql.transaction(async (tx) => {
 *   await tx.query('create table t (n int)')
 *   throw new Error('changed my mind')
 * }))
 * assert.deepEqual(await sql.query(`select to_regclass('t') as t`), [{ t: null }])
 */
export const pgliteSql = (db: PGliteLike): Sql => {
  const query: SqlQuery = async <R extends object>(text: string, params?: ReadonlyArray<unknown>) =>
    (await db.query(text, params === undefined ? undefined : [...params])).rows as R[]
  return {
    query,
    transaction: (body) =>
      db.transaction((tx) =>
        body({
          query: async <R extends object>(text: string, params?: ReadonlyArray<unknown>) =>
            (await tx.query(text, params === undefined ? undefined : [...params])).rows as R[],
          exec: async (script) => {
            await tx.exec(script)
          },
        }),
      ),
    serverVersion: () => versionOf(query),
  }
}
