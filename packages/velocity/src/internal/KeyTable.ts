// The replay's group keys: (parent slot, tag, number, text) → the key's slot in its pool. A
// beneficiary, instrument or destination country is keyed by its merchant's slot, its grouping and
// its id; a duplicate group by its beneficiary's slot, its currency and its amount. One `Map` per
// merchant and a `Map` of duplicate strings did the same, but a history where most payouts make a
// new key spent its time in their churn: a string built per payout for the duplicate key, entries
// made and deleted, backing stores grown and shrunk, and an entry array per key at every sweep.
// Here the keys sit in typed arrays with open addressing (linear probing, load ≤ 1/2), beside a
// 32-bit hash of each, so a lookup reads neighbouring hashes and compares the key itself only when
// they agree. Keys are dropped by `retain`, which rebuilds the table with the ones it keeps (as
// the sweep that calls it runs after as many new keys as were alive, that is amortised O(1)).

import { capacityFor, hashOf } from './IdTable.js'

/** Spreads every input bit over the low bits the table indexes by (MurmurHash3's finaliser); never 0. */
const finish = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h === 0 ? 1 : h
}

/**
 * The hash of a key: its text (FNV-1a), then its parent, tag and number (a non-negative safe
 * integer, taken as two 32-bit halves), each folded in by an FNV step, then mixed.
 */
export const keyHash = (parent: number, tag: number, num: number, text: string): number => {
  let h = hashOf(text)
  h = Math.imul(h ^ parent, 0x01000193)
  h = Math.imul(h ^ tag, 0x01000193)
  h = Math.imul(h ^ (num >>> 0), 0x01000193)
  h = Math.imul(h ^ ((num / 4294967296) | 0), 0x01000193)
  return finish(h)
}

const EMPTY = 0

/** The arrays of one table: a key's hash (0: empty), parent, tag, number, text and slot, by position. */
class Columns {
  readonly hashes: Int32Array
  readonly parents: Int32Array
  readonly tags: Int32Array
  readonly nums: Float64Array
  readonly texts: string[]
  readonly slots: Int32Array
  constructor(readonly capacity: number) {
    this.hashes = new Int32Array(capacity)
    this.parents = new Int32Array(capacity)
    this.tags = new Int32Array(capacity)
    this.nums = new Float64Array(capacity)
    this.texts = new Array<string>(capacity).fill('')
    this.slots = new Int32Array(capacity)
  }
}

export class KeyTable {
  private at = new Columns(16)
  /**
   * Arrays the table has left, one set per capacity, reused by the next rebuild to that capacity. A
   * table swept down and grown again between sweeps moves through the same few capacities each time:
   * new arrays each time would be garbage each time, on the collected heap for the texts.
   */
  private readonly spares = new Map<number, Columns>()
  /** Which positions a rebuild keeps, reused from one rebuild to the next. */
  private kept = new Uint8Array(0)
  /** How many keys the table holds. */
  size = 0

  /** The slot of the key whose hash is `h` (from `keyHash`), or -1. */
  get(h: number, parent: number, tag: number, num: number, text: string): number {
    const c = this.at
    const hashes = c.hashes
    const mask = c.capacity - 1
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = hashes[i] as number
      if (at === EMPTY) return -1
      if (
        at === h &&
        c.parents[i] === parent &&
        c.tags[i] === tag &&
        c.nums[i] === num &&
        c.texts[i] === text
      )
        return c.slots[i] as number
    }
  }

  /** Adds a key the table does not hold, with its slot. */
  add(h: number, parent: number, tag: number, num: number, text: string, slot: number): void {
    put(this.at, h, parent, tag, num, text, slot)
    this.size++
    if (this.size * 2 > this.at.capacity) this.rebuild(undefined)
  }

  /**
   * Keeps the keys for which `keep(slot, parent, tag)` is true and drops the others (`keep` is
   * called once per key, in no set order, and may release the slot of a key it drops).
   */
  retain(keep: (slot: number, parent: number, tag: number) => boolean): void {
    this.rebuild(keep)
  }

  /**
   * Moves the kept keys to arrays with room for four times as many (at least 16): spare ones of that
   * capacity when the table has them, else new ones; the old arrays become the spare of theirs.
   */
  private rebuild(keep: ((slot: number, parent: number, tag: number) => boolean) | undefined): void {
    const from = this.at
    const hashes = from.hashes
    if (this.kept.length !== from.capacity) this.kept = new Uint8Array(from.capacity)
    else this.kept.fill(0)
    const kept = this.kept
    let live = 0
    for (let i = 0; i < from.capacity; i++)
      if (
        hashes[i] !== EMPTY &&
        (keep === undefined ||
          keep(from.slots[i] as number, from.parents[i] as number, from.tags[i] as number))
      ) {
        kept[i] = 1
        live++
      }
    const capacity = capacityFor(live, from.capacity)
    let to = this.spares.get(capacity)
    if (to !== undefined) {
      this.spares.delete(capacity)
      to.hashes.fill(EMPTY)
    } else to = new Columns(capacity)
    for (let i = 0; i < from.capacity; i++)
      if (kept[i] === 1)
        put(
          to,
          hashes[i] as number,
          from.parents[i] as number,
          from.tags[i] as number,
          from.nums[i] as number,
          from.texts[i] as string,
          from.slots[i] as number,
        )
    // the old arrays become the spare of their capacity (their texts let go)
    from.texts.fill('')
    this.spares.set(from.capacity, from)
    this.at = to
    this.size = live
  }
}

/** Puts a key in the first empty position from its hash on. */
const put = (
  c: Columns,
  h: number,
  parent: number,
  tag: number,
  num: number,
  text: string,
  slot: number,
): void => {
  const hashes = c.hashes
  const mask = c.capacity - 1
  let i = h & mask
  while (hashes[i] !== EMPTY) i = (i + 1) & mask
  hashes[i] = h
  c.parents[i] = parent
  c.tags[i] = tag
  c.nums[i] = num
  c.texts[i] = text
  c.slots[i] = slot
}
