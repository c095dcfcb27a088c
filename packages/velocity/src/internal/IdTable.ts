// The replay's memory of recorded payout ids: id → until when a repeat is refused. A `Map` does the
// same, but on a history of fresh strings each lookup walks its bucket, entry and key through
// memory the cache no longer holds. This table keeps a 32-bit hash of every id in a typed array
// with open addressing (linear probing, load ≤ 3/4): a lookup of an id it does not hold — nearly
// every payout — reads one or two neighbouring hashes and stops; the id itself is compared only
// when the hashes agree. Expired ids go when the table is swept, in place: the ids after each
// emptied position move back to close the gap (so a sweep allocates nothing unless it leaves the
// table under 1/16 full; growth does).

/** FNV-1a over the UTF-16 code units, never 0 (0 marks an empty slot). */
export const hashOf = (s: string): number => {
  let h = 0x811c9dc5 | 0
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h === 0 ? 1 : h
}

/** A table grows when it is fuller than this (linear probing stays short: hashes sit 16 to a cache line). */
const LOAD = 0.75

/** The capacity a table of `capacity` positions grows to once it holds `size` entries, or `capacity` while they fit. */
export const grownCapacity = (size: number, capacity: number): number =>
  size > capacity * LOAD ? capacity * 2 : capacity

/** Whether a table of `capacity` positions holding `size` entries is sparse enough to move to a quarter as many. */
export const shrinks = (size: number, capacity: number): boolean => capacity > 64 && size * 16 < capacity

/**
 * Closes the gaps left in a linear-probing table by emptying some of its positions (`hashes[i] = 0`):
 * every entry is moved to the first empty position from its home, so that no probe stops early.
 * `emptyBefore` must be a position that was empty before any was emptied (every probe chain stops
 * at it, so walking on from it, each entry's chain has been settled by the time it is reached).
 * `move(from, to)` moves an entry's other columns; its hash has moved already.
 */
export const closeGaps = (
  hashes: Int32Array,
  emptyBefore: number,
  move: (from: number, to: number) => void,
): void => {
  const mask = hashes.length - 1
  for (let n = 0, i = (emptyBefore + 1) & mask; n < mask; n++, i = (i + 1) & mask) {
    const h = hashes[i] as number
    if (h === 0) continue
    let j = h & mask
    while (j !== i && hashes[j] !== 0) j = (j + 1) & mask
    if (j === i) continue
    hashes[j] = h
    hashes[i] = 0
    move(i, j)
  }
}

/** The first empty position of a table (one exists: tables are never full). */
export const firstEmpty = (hashes: Int32Array): number => {
  let i = 0
  while (hashes[i] !== 0) i++
  return i
}

export class IdTable {
  private hashes = new Int32Array(16)
  private untils = new Float64Array(16)
  private keys: Array<string | undefined> = new Array<string | undefined>(16).fill(undefined)
  private mask = 15
  /** How many ids the table holds. */
  size = 0
  /** The id looked up last and its hash, so that `set` after `get` of the same id hashes once. */
  private lastId = ''
  private lastHash = hashOf('')

  private hash(id: string): number {
    if (id === this.lastId) return this.lastHash
    const h = hashOf(id)
    this.lastId = id
    this.lastHash = h
    return h
  }

  /** Until when `id` is held, or `undefined`. */
  get(id: string): number | undefined {
    const h = this.hash(id)
    const hashes = this.hashes
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const at = hashes[i] as number
      if (at === 0) return undefined
      if (at === h && this.keys[i] === id) return this.untils[i]
    }
  }

  /** Holds `id` until `until` (replacing what it held). */
  set(id: string, until: number): void {
    this.put(this.hash(id), id, until)
    const capacity = this.mask + 1
    const grown = grownCapacity(this.size, capacity)
    if (grown !== capacity) this.moveTo(grown)
  }

  /**
   * Drops every id held until `t` or earlier, in place (then moves to smaller arrays if the table is
   * very sparse): otherwise a sweep allocates nothing, so the table's arrays are made as it grows.
   */
  sweep(t: number): void {
    const { hashes, untils, keys } = this
    const emptyBefore = firstEmpty(hashes)
    for (let i = 0; i < hashes.length; i++)
      if (hashes[i] !== 0 && (untils[i] as number) <= t) {
        hashes[i] = 0
        keys[i] = undefined
        this.size--
      }
    closeGaps(hashes, emptyBefore, (from, to) => {
      untils[to] = untils[from] as number
      keys[to] = keys[from]
      keys[from] = undefined
    })
    if (shrinks(this.size, hashes.length)) this.moveTo(hashes.length / 4)
  }

  private put(h: number, id: string, until: number): void {
    const hashes = this.hashes
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const at = hashes[i] as number
      if (at === 0) {
        hashes[i] = h
        this.keys[i] = id
        this.untils[i] = until
        this.size++
        return
      }
      if (at === h && this.keys[i] === id) {
        this.untils[i] = until
        return
      }
    }
  }

  /** Moves every id to new arrays of `capacity` positions. */
  private moveTo(capacity: number): void {
    const { hashes, untils, keys } = this
    this.hashes = new Int32Array(capacity)
    this.untils = new Float64Array(capacity)
    this.keys = new Array<string | undefined>(capacity).fill(undefined)
    this.mask = capacity - 1
    this.size = 0
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i] as number
      if (h !== 0) this.put(h, keys[i] as string, untils[i] as number)
    }
  }
}
