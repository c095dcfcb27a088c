/**
 * A table of single records, each read and written on its own: the shape of the keyed decisions
 * that read one record and write it back (a DPoP proof's `jti`, a webhook receipt). A read is one
 * statement; a write is one statement conditional on the version read (an insert that does
 * nothing if a row appeared, an update or delete only at the version expected), so a write is one
 * round trip and atomic by itself. Versions come from one sequence per table family.
 */
import type { ConditionalWrite, ValidationError, Versioned } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import type { Sql } from '../Sql.js'
import { CorruptRecord } from './CorruptRecord.js'

/** What a table of single records is: its name, key columns, sequence and record codec. */
export interface SingleRecordTable<K, V> {
  /** The table (a constant of this package, never caller input). */
  readonly table: string
  /** The two key columns, in primary-key order. */
  readonly keyColumns: readonly [string, string]
  /** The sequence new versions come from. */
  readonly sequence: string
  /** The key's two column values. */
  readonly keyOf: (key: K) => readonly [string, string]
  /** Decodes a stored record (its jsonb, parsed). */
  readonly decode: (u: unknown) => E.Either<ValidationError, V>
  /** When a record may be pruned (epoch ms). */
  readonly expiresAt: (value: V) => number
  /** Names the record in an error: "webhook receipt", "DPoP proof". */
  readonly what: string
}

const wholeMs = (n: number, field: string): number => {
  if (!Number.isSafeInteger(n)) throw new TypeError(`${field} must be whole epoch milliseconds, got ${n}`)
  return n
}

/** read / write / prune of a table of single records, through the `Sql` interface. */
export const singleRecords = <K, V>(sql: Sql, spec: SingleRecordTable<K, V>) => {
  const [a, b] = spec.keyColumns
  const where = `${a} = $1 and ${b} = $2`
  return {
    read: async (key: K): Promise<Versioned<V> | null> => {
      const k = spec.keyOf(key)
      const rows = await sql.query<{ record: unknown; version: string | number }>(
        `select record, version from ${spec.table} where ${where}`,
        [k[0], k[1]],
        `payout_kernel_${spec.table}_read`,
      )
      const row = rows[0]
      if (row === undefined) return null
      const decoded = spec.decode(row.record)
      if (E.isLeft(decoded)) throw new CorruptRecord(`${spec.what} ${k.join('/')}`, decoded.left)
      return { version: Number(row.version), value: decoded.right }
    },
    write: async (key: K, w: ConditionalWrite<V>): Promise<boolean> => {
      const k = spec.keyOf(key)
      if (w.value === null) {
        if (w.expected === null) return true
        const rows = await sql.query(
          `delete from ${spec.table} where ${where} and version = $3 returning 1 as done`,
          [k[0], k[1], w.expected],
          `payout_kernel_${spec.table}_delete`,
        )
        return rows.length === 1
      }
      const record = JSON.stringify(w.value)
      const expires = wholeMs(spec.expiresAt(w.value), 'expiresAt')
      const rows =
        w.expected === null
          ? await sql.query(
              `insert into ${spec.table} (${a}, ${b}, record, expires_at, version)
               values ($1, $2, $3::jsonb, $4, nextval('${spec.sequence}'))
               on conflict do nothing returning 1 as done`,
              [k[0], k[1], record, expires],
              `payout_kernel_${spec.table}_insert`,
            )
          : await sql.query(
              `update ${spec.table} set record = $3::jsonb, expires_at = $4, version = nextval('${spec.sequence}')
               where ${where} and version = $5 returning 1 as done`,
              [k[0], k[1], record, expires, w.expected],
              `payout_kernel_${spec.table}_update`,
            )
      return rows.length === 1
    },
    prune: async (now: number): Promise<number> => {
      const rows = await sql.query<{ n: number }>(
        `with gone as (delete from ${spec.table} where expires_at <= $1 returning 1) select count(*)::int as n from gone`,
        [wholeMs(now, 'now')],
      )
      return rows[0]?.n ?? 0
    },
    count: async (): Promise<number> => {
      const rows = await sql.query<{ n: number }>(`select count(*)::int as n from ${spec.table}`)
      return rows[0]?.n ?? 0
    },
  }
}
