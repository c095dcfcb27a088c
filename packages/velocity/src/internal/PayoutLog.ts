// The replay's log of recorded payouts that a rolling window still counts: per payout its time,
// amount in minor units, currency index, which filters it passed (a bit each) and, per grouping,
// the row of counted usage it is taken out of, in typed arrays that grow by doubling and drop their
// oldest entries by moving the rest down. Plain arrays did the same, but every growth and every cut
// made a new backing store on the collected heap, and a long replay then spent a good part of its
// time in full collections.

import type { Payout } from '../Payout.js'
import type { Amount } from './Amount.js'

export class PayoutLog {
  /** How many payouts the log holds. */
  length = 0
  t = new Float64Array(1024)
  /** Minor units; NaN where the amount is a bigint (in `big`, by position). */
  minor = new Float64Array(1024)
  currency = new Int32Array(1024)
  pass = new Int32Array(1024)
  /** By grouping, then position: the row of counted usage the payout is taken out of (-1: none). */
  readonly slots: Int32Array[]
  /** The payouts themselves, kept only when `keepPayouts` (distinct counts, or more than 31 filters). */
  readonly payouts: Payout[] = []
  private readonly big = new Map<number, bigint>()

  constructor(
    private readonly groupings: number,
    private readonly keepPayouts: boolean,
  ) {
    this.slots = Array.from({ length: groupings }, () => new Int32Array(1024))
  }

  /** The amount at position `i`. */
  minorAt(i: number): Amount {
    const m = this.minor[i] as number
    return Number.isNaN(m) ? (this.big.get(i) as bigint) : m
  }

  /** Appends a payout; `nodes[g]` is its row of counted usage in grouping `g` (-1: none). */
  push(
    t: number,
    minor: Amount,
    currency: number,
    pass: number,
    nodes: ReadonlyArray<number>,
    p: Payout,
  ): void {
    const i = this.length
    if (i === this.t.length) this.grow()
    this.t[i] = t
    if (typeof minor === 'number') this.minor[i] = minor
    else {
      this.minor[i] = Number.NaN
      this.big.set(i, minor)
    }
    this.currency[i] = currency
    this.pass[i] = pass
    for (let g = 0; g < this.groupings; g++) (this.slots[g] as Int32Array)[i] = nodes[g] as number
    if (this.keepPayouts) this.payouts.push(p)
    this.length = i + 1
  }

  /** Drops the first `head` payouts (positions move down by `head`). */
  drop(head: number): void {
    const n = this.length
    this.t.copyWithin(0, head, n)
    this.minor.copyWithin(0, head, n)
    this.currency.copyWithin(0, head, n)
    this.pass.copyWithin(0, head, n)
    for (const s of this.slots) s.copyWithin(0, head, n)
    if (this.keepPayouts) this.payouts.splice(0, head)
    if (this.big.size > 0) {
      const moved = [...this.big].filter(([i]) => i >= head)
      this.big.clear()
      for (const [i, v] of moved) this.big.set(i - head, v)
    }
    this.length = n - head
  }

  private grow(): void {
    const capacity = this.t.length * 2
    const bigger = <A extends Float64Array | Int32Array>(a: A, make: (n: number) => A): A => {
      const b = make(capacity)
      b.set(a)
      return b
    }
    this.t = bigger(this.t, (n) => new Float64Array(n))
    this.minor = bigger(this.minor, (n) => new Float64Array(n))
    this.currency = bigger(this.currency, (n) => new Int32Array(n))
    this.pass = bigger(this.pass, (n) => new Int32Array(n))
    for (let g = 0; g < this.groupings; g++)
      this.slots[g] = bigger(this.slots[g] as Int32Array, (n) => new Int32Array(n))
  }
}
