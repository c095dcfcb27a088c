/**
 * The in-memory store of single keyed records, shared by the replay and receipt stores: a map of
 * versioned records, conditional writes on the version read (versions from one counter, never
 * reused), and a prune of the records expired at `now`.
 */
import type { ConditionalWrite, Versioned } from '@payout-kernel/core'

/** read / write / prune / size over a map, for records that say when they expire. */
export const memoryRecords = <K, V extends { readonly expiresAt: number }>(id: (key: K) => string) => {
  let versions = 0
  const records = new Map<string, Versioned<V>>()
  return {
    read: async (key: K): Promise<Versioned<V> | null> => records.get(id(key)) ?? null,
    write: async (key: K, w: ConditionalWrite<V>): Promise<boolean> => {
      const k = id(key)
      if ((records.get(k)?.version ?? null) !== w.expected) return false
      if (w.value === null) records.delete(k)
      else records.set(k, { version: ++versions, value: w.value })
      return true
    },
    prune: async (now: number): Promise<number> => {
      let deleted = 0
      for (const [k, r] of records)
        if (r.value.expiresAt <= now) {
          records.delete(k)
          deleted++
        }
      return deleted
    },
    size: (): number => records.size,
  }
}
