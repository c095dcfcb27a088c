// The replay's group keys: (parent slot, tag, number, text) → the key's slot in its pool. A
// beneficiary, instrument or destination country is keyed by its merchant's slot, its grouping and
// its id; a duplicate group by its beneficiary's slot, its currency and its amount. One `Map` per
// merchant and a `Map` of duplicate strings did the same, but a history where most payouts make a
// new key spent its time in their churn: a string built per payout for the duplicate key, entries
// made and deleted, backing stores grown and shrunk, and an entry array per key at every sweep.
// Here the keys sit in typed arrays with open addressing (linear probing, load ≤ 3/4), beside a
// 32-bit hash of each, so a lookup reads neighbouring hashes and compares the key itself only when
// they agree. Keys are dropped by `retain`, in place: the keys after each emptied position move
// back to close the gap (as the sweep that calls it runs after as many new keys as were alive,
// that is amortised O(1)). Only growth (and a table left under 1/16 full) makes new arrays, so
// the replay's typed arrays are made once each, not again at every sweep: V8 starts a full
// collection of the whole heap each time 64 MB of them have been made since the last.

import { closeGaps, firstEmpty, grownCapacity, hashOf, shrinks } from './IdTable.js'

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

export class KeyTable {
  private hashes = new Int32Array(16)
  private parents = new Int32Array(16)
  private tags = new Int32Array(16)
  /** Empty unless the table is `numbered` (else every key's number is 0). */
  private nums: Float64Array
  private texts: string[] = new Array<string>(16).fill('')
  private slots = new Int32Array(16)
  private mask = 15
  /** How many keys the table holds. */
  size = 0

  constructor(
    /** Whether keys have numbers other than 0 (duplicate groups: their amount). */
    private readonly numbered: boolean,
  ) {
    this.nums = new Float64Array(numbered ? 16 : 0)
  }

  /** The slot of the key whose hash is `h` (from `keyHash`), or -1. */
  get(h: number, parent: number, tag: number, num: number, text: string): number {
    const hashes = this.hashes
    const mask = this.mask
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = hashes[i] as number
      if (at === EMPTY) return -1
      if (
        at === h &&
        this.parents[i] === parent &&
        this.tags[i] === tag &&
        (!this.numbered || this.nums[i] === num) &&
        this.texts[i] === text
      )
        return this.slots[i] as number
    }
  }

  /** Adds a key the table does not hold, with its slot (its number must be 0 unless the table is numbered). */
  add(h: number, parent: number, tag: number, num: number, text: string, slot: number): void {
    this.put(h, parent, tag, num, text, slot)
    this.size++
    const capacity = this.mask + 1
    const grown = grownCapacity(this.size, capacity)
    if (grown !== capacity) this.moveTo(grown)
  }

  /**
   * Keeps the keys for which `keep(slot, parent, tag)` is true and drops the others, in place (then
   * moves to smaller arrays if the table is very sparse). `keep` is called once per key, in no set
   * order, and may release the slot of a key it drops.
   */
  retain(keep: (slot: number, parent: number, tag: number) => boolean): void {
    const { hashes, parents, tags, nums, texts, slots } = this
    const emptyBefore = firstEmpty(hashes)
    for (let i = 0; i < hashes.length; i++)
      if (hashes[i] !== EMPTY && !keep(slots[i] as number, parents[i] as number, tags[i] as number)) {
        hashes[i] = EMPTY
        texts[i] = ''
        this.size--
      }
    const numbered = this.numbered
    closeGaps(hashes, emptyBefore, (from, to) => {
      parents[to] = parents[from] as number
      tags[to] = tags[from] as number
      if (numbered) nums[to] = nums[from] as number
      texts[to] = texts[from] as string
      texts[from] = ''
      slots[to] = slots[from] as number
    })
    if (shrinks(this.size, hashes.length)) this.moveTo(hashes.length / 4)
  }

  /** Puts a key in the first empty position from its hash on. */
  private put(h: number, parent: number, tag: number, num: number, text: string, slot: number): void {
    const hashes = this.hashes
    const mask = this.mask
    let i = h & mask
    while (hashes[i] !== EMPTY) i = (i + 1) & mask
    hashes[i] = h
    this.parents[i] = parent
    this.tags[i] = tag
    if (this.numbered) this.nums[i] = num
    this.texts[i] = text
    this.slots[i] = slot
  }

  /** Moves every key to new arrays of `capacity` positions. */
  private moveTo(capacity: number): void {
    const { hashes, parents, tags, nums, texts, slots } = this
    this.hashes = new Int32Array(capacity)
    this.parents = new Int32Array(capacity)
    this.tags = new Int32Array(capacity)
    this.nums = new Float64Array(this.numbered ? capacity : 0)
    this.texts = new Array<string>(capacity).fill('')
    this.slots = new Int32Array(capacity)
    this.mask = capacity - 1
    for (let i = 0; i < hashes.length; i++)
      if (hashes[i] !== EMPTY)
        this.put(
          hashes[i] as number,
          parents[i] as number,
          tags[i] as number,
          this.numbered ? (nums[i] as number) : 0,
          texts[i] as string,
          slots[i] as number,
        )
  }
}
