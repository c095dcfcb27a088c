// The replay's memory of recorded payout ids: id → until when a repeat is refused. A `Map` does the
// same, but on a history of fresh strings each lookup walks its bucket, entry and key through
// memory the cache no longer holds. This table keeps a 32-bit hash of every id in a typed array
// with open addressing (linear probing, load ≤ 1/2): a lookup of an id it does not hold — nearly
// every payout — reads one or two neighbouring hashes and stops; the id itself is compared only
// when the hashes agree. Expired ids go when the table is swept: it is rebuilt with the others.

/** FNV-1a over the UTF-16 code units, never 0 (0 marks an empty slot). */
export const hashOf = (s: string): number => {
  let h = 0x811c9dc5 | 0
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h === 0 ? 1 : h
}

/**
 * The capacity of an open-addressing table rebuilt for `live` entries: the `current` one while it
 * leaves room for them (load ≤ 1/2) and is at most 16 times as many, else room for four times as
 * many (a power of two, at least 16).
 */
export const capacityFor = (live: number, current: number): number => {
  let capacity = 16
  while (capacity < live * 4) capacity *= 2
  return capacity <= current && current <= Math.max(16, live * 16) && live * 2 <= current ? current : capacity
}

export class IdTable {
  private hashes = new Int32Array(16)
  private untils = new Float64Array(16)
  private keys: Array<string | undefined> = new Array<string | undefined>(16).fill(undefined)
  private mask = 15
  /** Arrays the table has left, one set per capacity, reused by the next rebuild to it (no garbage). */
  private readonly spares = new Map<
    number,
    { hashes: Int32Array<ArrayBuffer>; untils: Float64Array<ArrayBuffer>; keys: Array<string | undefined> }
  >()
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
    if (this.size * 2 > this.mask + 1) this.rebuild(Number.NEGATIVE_INFINITY)
  }

  /** Drops every id held until `t` or earlier. */
  sweep(t: number): void {
    this.rebuild(t)
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

  /**
   * A table holding the ids held after `t`, with room for four times as many: spare arrays of that
   * capacity when the table has them, else new ones; the current ones become the spare of theirs.
   */
  private rebuild(t: number): void {
    const { hashes, untils, keys } = this
    let live = 0
    for (let i = 0; i < hashes.length; i++) if (hashes[i] !== 0 && (untils[i] as number) > t) live++
    const capacity = capacityFor(live, hashes.length)
    const spare = this.spares.get(capacity)
    if (spare !== undefined) {
      this.spares.delete(capacity)
      spare.hashes.fill(0)
      this.hashes = spare.hashes
      this.untils = spare.untils
      this.keys = spare.keys
    } else {
      this.hashes = new Int32Array(capacity)
      this.untils = new Float64Array(capacity)
      this.keys = new Array<string | undefined>(capacity).fill(undefined)
    }
    this.mask = capacity - 1
    this.size = 0
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i] as number
      if (h !== 0 && (untils[i] as number) > t) this.put(h, keys[i] as string, untils[i] as number)
    }
    // the old arrays become the spare of their capacity (their ids let go)
    keys.fill(undefined)
    this.spares.set(hashes.length, { hashes, untils, keys })
  }
}
