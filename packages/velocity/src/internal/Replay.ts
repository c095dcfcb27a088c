// The backtest's engine: one rule set replaying a time-ordered history in state it owns alone.
// It decides exactly as `assess` over a ledger does (the differential tests pit the two against
// each other and against a scan of the history), but it never has to answer for an older version,
// never releases and only moves forward in time, so it keeps its state flat and current:
//
// - group keys are looked up once per payout per grouping (merchant, then beneficiary, instrument,
//   destination country inside the merchant, then same currency and amount inside the beneficiary,
//   in open-addressing tables of typed arrays: `KeyTable.ts`),
//   and a key's counted usage of every tracker of that grouping sits side by side in one row of numbers
//   (count, inline currency, inline sum, calendar period) — no per-tracker maps — which the key takes
//   only when a payout has to be counted rather than held (below);
// - sums stay plain numbers while they are safe integers; a sum that would pass 2^53, a bigint
//   amount or a second currency moves to an exact side map (`more`);
// - a key's row holds its first payouts for the rolling and calendar windows (a beneficiary's also for
//   its duplicate groups'), which count them by their time: nothing takes them out (`record`);
// - the payouts a full row cannot hold expire eagerly: one log, and per rolling tracker a cursor
//   that walks it and takes each payout out of the groups it counted in once it leaves the window;
//   calendar windows compare the period a node's usage belongs to with the tracker's current one;
// - nodes whose every window has passed are dropped by a sweep that runs after as many new nodes as
//   were alive at the last sweep, so memory follows the windows and the sweep is amortised O(1).
import type { Payout } from '../Payout.js'
import type { DistinctField, RuleAction, RuleSet } from '../RuleSet.js'
import type { VelocityWindow } from '../VelocityWindow.js'
import { calendarPeriod } from '../VelocityWindow.js'
import { type Amount, add, fromBigInt, subtract } from './Amount.js'
import { applyRate, type Conversions, type ParsedRate, rateOf } from './Assess.js'
import { IdTable } from './IdTable.js'
import { KeyTable, keyHash } from './KeyTable.js'
import { PayoutLog } from './PayoutLog.js'
import { type CompiledRule, compileRule, type Filter, type Grouping } from './Store.js'

// ---------------------------------------------------------------- group keys

const MERCHANT = 0
const BENEFICIARY = 1
const INSTRUMENT = 2
const COUNTRY = 3
const DUPLICATE = 4
const groupingIndex: Readonly<Record<Grouping, number>> = {
  merchant: MERCHANT,
  beneficiary: BENEFICIARY,
  instrument: INSTRUMENT,
  destination_country: COUNTRY,
  duplicate: DUPLICATE,
}

/** A currency slot that holds nothing yet; `SPILLED`: every currency of the usage is in `more`. */
const NONE = -1
const SPILLED = -2
/** The numbers of one tracker's usage of one key: count, two inline currencies and sums, period. */
const SLOT = 6
/** The numbers of one payout held in its key's row for the rolling and calendar windows: time, minor units, currency, filter bits. */
const ENTRY = 4

/**
 * The counted usage of one grouping's keys: per row, `SLOT` numbers per tracker. A key gets a row
 * when a payout is first counted in it (one its key's row could not hold, see `Engine.record`) and
 * gives it back with the key, so keys that only ever hold their payouts take no row here.
 */
class Usage {
  state: Float64Array = new Float64Array(0)
  /**
   * Sums that do not fit inline (a third currency, past 2^53, bigint amounts), by `row * trackers +
   * tracker`: each an array indexed by currency index (a hole for a currency not counted).
   */
  readonly more = new Map<number, Array<Amount | undefined>>()
  /** Distinct-count trackers: how many counted payouts hold each value, by `row * trackers + tracker`. */
  readonly values = new Map<number, Map<string, number>>()
  readonly width: number
  private readonly blank: Float64Array
  private readonly free: number[] = []
  private next = 0

  constructor(readonly trackers: number) {
    this.width = trackers * SLOT
    this.blank = new Float64Array(this.width)
    for (let i = 0; i < trackers; i++) {
      this.blank[i * SLOT + 1] = NONE
      this.blank[i * SLOT + 3] = NONE
      this.blank[i * SLOT + 5] = Number.NEGATIVE_INFINITY
    }
  }

  alloc(): number {
    const row = this.free.pop() ?? this.next++
    const { blank, width } = this
    if ((row + 1) * width > this.state.length) {
      const state = new Float64Array(Math.max(256, row * 2) * width)
      state.set(this.state)
      this.state = state
    }
    // a loop: for a few dozen numbers it beats the call into `TypedArray.prototype.set`
    const state = this.state
    for (let i = 0, at = row * width; i < width; i++, at++) state[at] = blank[i] as number
    return row
  }

  release(row: number): void {
    if (this.more.size > 0 || this.values.size > 0)
      for (let i = 0; i < this.trackers; i++) {
        this.more.delete(row * this.trackers + i)
        this.values.delete(row * this.trackers + i)
      }
    this.free.push(row)
  }
}

/** Slots per page of a pool (a power of two): a pool grows a page at a time and never moves a key. */
const PAGE_BITS = 10
const IN_PAGE = (1 << PAGE_BITS) - 1

/**
 * The group keys of one grouping as integer slots, in pages of `2^PAGE_BITS` slots. Per slot, a page
 * of `rows` holds until when (exclusive) some window can still count a payout of the key, then the
 * `entries` payouts of `ENTRY` numbers its row holds for its windows (see `Engine.record`; an entry's
 * time is -Infinity when free); a page of `links` holds how many keys nest in it (in a merchant, or
 * duplicates in a beneficiary: their tables name the parent) and its row of counted usage (-1 while
 * it has none). Freed slots are reused, so a new key costs no allocation once the pool has grown to
 * the live keys; and as a pool grows by pages, nothing is copied and no array is left behind — V8
 * starts a full collection of the whole heap each time 64 MB of typed arrays have been made since the
 * last, and arrays grown by doubling would make twice what they keep.
 */
class Pool {
  readonly rows: Float64Array[] = []
  readonly links: Int32Array[] = []
  /** Per slot, 1 if the key had expired at the last `markExpired` (no window can count in it, no key nests in it). */
  expired = new Uint8Array(0)
  /** Per slot, 1 while a key holds it. */
  taken = new Uint8Array(0)
  readonly counted: Usage
  /** The numbers of one slot in `rows`: until when, then `entries * ENTRY`. */
  readonly stride: number
  private readonly free: number[] = []
  private next = 0

  constructor(
    /** How many trackers the grouping has (the width of its rows of counted usage). */
    trackers: number,
    /** How many payouts a key's row holds for its windows (0: none, every payout is counted). */
    readonly entries: number,
  ) {
    this.stride = 1 + entries * ENTRY
    this.counted = new Usage(trackers)
  }

  get live(): number {
    return this.next - this.free.length
  }

  /** How many slots the pool has made (live or free). */
  get made(): number {
    return this.next
  }

  alloc(): number {
    const slot = this.free.pop() ?? this.next++
    if (slot >>> PAGE_BITS === this.rows.length) {
      this.rows.push(new Float64Array((IN_PAGE + 1) * this.stride))
      this.links.push(new Int32Array((IN_PAGE + 1) * 2))
      if (this.expired.length < this.rows.length << PAGE_BITS) {
        const length = this.expired.length * 2 + (IN_PAGE + 1)
        const expired = new Uint8Array(length)
        expired.set(this.expired)
        this.expired = expired
        const taken = new Uint8Array(length)
        taken.set(this.taken)
        this.taken = taken
      }
    }
    this.taken[slot] = 1
    // an empty entry is one from the beginning of time: outside every window, free to take
    const rows = this.rows[slot >>> PAGE_BITS] as Float64Array
    const at = (slot & IN_PAGE) * this.stride
    rows[at] = Number.NEGATIVE_INFINITY
    for (let j = 0, i = at + 1; j < this.entries; j++, i += ENTRY) rows[i] = Number.NEGATIVE_INFINITY
    const links = this.links[slot >>> PAGE_BITS] as Int32Array
    links[(slot & IN_PAGE) * 2] = 0
    links[(slot & IN_PAGE) * 2 + 1] = -1
    return slot
  }

  /** The page of `rows` that holds a slot; its numbers start at `rowAt(slot)`. */
  rowsOf(slot: number): Float64Array {
    return this.rows[slot >>> PAGE_BITS] as Float64Array
  }

  rowAt(slot: number): number {
    return (slot & IN_PAGE) * this.stride
  }

  /** Until when (exclusive) some window can still count a payout of the key. */
  until(slot: number): number {
    return (this.rows[slot >>> PAGE_BITS] as Float64Array)[(slot & IN_PAGE) * this.stride] as number
  }

  /** Keeps the key until `until` at least. */
  keepUntil(slot: number, until: number): void {
    const rows = this.rows[slot >>> PAGE_BITS] as Float64Array
    const at = (slot & IN_PAGE) * this.stride
    if (until > (rows[at] as number)) rows[at] = until
  }

  /** How many keys nest in this one. */
  children(slot: number): number {
    return (this.links[slot >>> PAGE_BITS] as Int32Array)[(slot & IN_PAGE) * 2] as number
  }

  addChildren(slot: number, n: number): void {
    const links = this.links[slot >>> PAGE_BITS] as Int32Array
    const at = (slot & IN_PAGE) * 2
    links[at] = (links[at] as number) + n
  }

  /** The key's row of counted usage, or -1. */
  usage(slot: number): number {
    return (this.links[slot >>> PAGE_BITS] as Int32Array)[(slot & IN_PAGE) * 2 + 1] as number
  }

  /** The key's row of counted usage, made on first use. */
  usageOf(slot: number): number {
    const links = this.links[slot >>> PAGE_BITS] as Int32Array
    const at = (slot & IN_PAGE) * 2 + 1
    let row = links[at] as number
    if (row < 0) {
      row = this.counted.alloc()
      links[at] = row
    }
    return row
  }

  /**
   * Marks in `expired` the keys no window can count in at `t` and in which no key nests: one pass
   * over the pages in order, so that the sweep, walking its key table, asks a small array in cache
   * instead of each key's row in memory.
   */
  markExpired(t: number): void {
    const expired = this.expired
    const stride = this.stride
    for (let page = 0; page < this.rows.length; page++) {
      const rows = this.rows[page] as Float64Array
      const links = this.links[page] as Int32Array
      const base = page << PAGE_BITS
      for (let i = 0; i <= IN_PAGE; i++)
        expired[base + i] = (rows[i * stride] as number) <= t && links[i * 2] === 0 ? 1 : 0
    }
  }

  release(slot: number): void {
    const row = this.usage(slot)
    if (row >= 0) this.counted.release(row)
    this.taken[slot] = 0
    this.free.push(slot)
  }

  /**
   * Puts the free slots in order, so that the keys made next take neighbouring slots, lowest first,
   * and their rows are read and written in the order they sit in memory (a sweep frees them in the
   * order of its key table, which is no order).
   */
  orderFree(): void {
    const free = this.free
    const taken = this.taken
    free.length = 0
    for (let slot = this.next - 1; slot >= 0; slot--) if (taken[slot] === 0) free.push(slot)
  }
}

/** A duplicate group's amount in its key: the number of minor units, or -1 and the digits of a bigint. */
const dupNumber = (minor: Amount): number => (typeof minor === 'number' ? minor : -1)
const dupText = (minor: Amount): string => (typeof minor === 'number' ? '' : `${minor}`)

// ---------------------------------------------------------------- compiled rule set

type TrackedWindow = Exclude<VelocityWindow, { type: 'per_payout' }>

interface Tracker {
  readonly grouping: number
  /** Its slot among the trackers of its grouping. */
  readonly slot: number
  readonly filter: number
  readonly window: TrackedWindow
  readonly code: number
  /** Rolling windows: the length in milliseconds. */
  readonly length: number
  readonly distinct: DistinctField | null
  /** Calendar windows: the current period `[start, end)`. */
  start: number
  end: number
  /** Rolling windows: the next logged payout to expire. */
  cursor: number
}

interface Check {
  readonly index: number
  readonly action: RuleAction
  readonly filter: number
  /** -1 for per-payout rules. */
  readonly tracker: number
  readonly grouping: number
  readonly kind: number
  /** Amount rules: the currency index of the limit. */
  readonly currency: number
  readonly limit: number | bigint
  readonly maxAge: number
  readonly geo: ReadonlySet<string> | null
  readonly deny: boolean
  readonly distinct: DistinctField | null
}

const GEO = 0
const AMOUNT = 1
const COUNT = 2
const DISTINCT = 3

const filterKey = (f: Filter): string =>
  JSON.stringify(
    [f.include, f.exclude, f.currencies, f.instrumentTypes].map((x) => (x ? [...x].sort() : null)),
  )

const passes = (f: Filter, p: Payout): boolean =>
  (f.include === null || f.include.has(p.destinationCountry)) &&
  (f.exclude === null || !f.exclude.has(p.destinationCountry)) &&
  (f.currencies === null || f.currencies.has(p.amount.currency)) &&
  (f.instrumentTypes === null || f.instrumentTypes.has(p.instrumentType))

const distinctValue = (p: Payout, of: DistinctField): string =>
  of === 'beneficiary' ? p.beneficiaryId : of === 'instrument' ? p.instrumentId : p.destinationCountry

/** The verdict action of one payout. */
export type ReplayAction = 'allow' | 'review' | 'block'

/** Why a payout cannot be replayed: the field and the message. */
export interface Refusal {
  readonly field: string
  readonly message: string
}

// ---------------------------------------------------------------- engine

/** When the engine sweeps dropped keys and compacts its log (see the constructor). */
export interface Tuning {
  readonly sweep: number
  readonly compact: number
  readonly proportional: boolean
  /** How many payouts a key's row holds for its rolling and calendar windows before they are counted (see `record`). */
  readonly entries: number
}

const ROLLING = 0
const CALENDAR = 1
const LIFETIME = 2

/**
 * How long a payout counted only by lifetime windows keeps its id remembered, to refuse a repeat:
 * 31 days. Remembering ids for ever would make the replay's memory grow with the history's length.
 */
export const LIFETIME_ID_HORIZON = 31 * 86_400_000

export class Engine {
  /** The rules in rule-set order, compiled. */
  readonly compiled: ReadonlyArray<CompiledRule>
  /** The indexes of the rules that triggered on the last payout. */
  readonly triggered: number[] = []
  private readonly checks: ReadonlyArray<Check>
  private readonly trackers: Tracker[] = []
  private readonly rolling: Tracker[] = []
  private readonly calendars: Tracker[] = []
  private readonly filters: Filter[] = []
  private readonly pass: boolean[] = []
  private readonly used = [false, false, false, false, false]
  private readonly pools: Pool[]
  /** This payout's slot per grouping, -1 when its key is not tracked (yet). */
  private readonly nodes = [-1, -1, -1, -1, -1]
  /** The rows of counted usage a payout is logged with: -1 in a grouping whose key row holds it (see `record`). */
  private readonly logNodes = [-1, -1, -1, -1, -1]
  /**
   * Per grouping: how many payouts a key's row holds for its rolling and calendar windows, the longest
   * rolling window, the calendar windows, and the latest time no current calendar period holds.
   */
  private readonly entries: number[]
  private readonly longest = [0, 0, 0, 0, 0]
  private readonly heldCalendars: Tracker[][] = [[], [], [], [], []]
  private readonly calendarFloor = [
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
  ]
  /** Whether a beneficiary's row holds the payouts of its duplicate groups' windows. */
  private readonly dupInBeneficiary: boolean
  /** `record`'s scratch: per grouping whose key row holds the payout, until when its windows count it. */
  private readonly heldUntil = [
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ]
  /** Held payouts of other currencies than a limit's, summed by currency (`observedAmount`). */
  private readonly sideCurrency: number[] = []
  private readonly sideSum: Amount[] = []
  /** This payout's key hash per grouping, valid when `hashedAt[grouping] === steps`. */
  private readonly keyHashes = [0, 0, 0, 0, 0]
  private readonly hashedAt = [-1, -1, -1, -1, -1]
  private readonly merchants = new Map<string, number>()
  /** Beneficiary, instrument and destination country keys: (merchant slot, grouping, 0, id). */
  private readonly childKeys = new KeyTable(false)
  /** Duplicate keys: (beneficiary slot, currency index, minor units, or -1 and the bigint's digits). */
  private readonly dupKeys = new KeyTable(true)
  /** Currency codes by index, in the order the replay met them. */
  readonly currencies: string[] = []
  /** The last stepped payout's currency index and amount in minor units. */
  currency = 0
  minor: Amount = 0
  private readonly currencyIndex = new Map<string, number>()
  /** Parsed rates by source then target currency index, looked up once per pair. */
  private readonly rates: Array<Array<ParsedRate | null | undefined>> = []
  /** Ids of recorded payouts, with until when a repeat is refused (while a window counts the payout; 31 days for lifetime windows). */
  private readonly ids = new IdTable()
  private idsSwept: number
  private created = 0
  /** Payouts stepped so far; `ownAt[c] === steps` when `own[c]` holds this payout's amount in currency `c`. */
  private steps = 0
  private readonly ownAt: number[] = []
  private readonly own: Array<Amount | undefined> = []
  private nextSweep: number
  private clock = Number.NEGATIVE_INFINITY
  private readonly hasDistinct: boolean
  // the log of recorded payouts that rolling windows still count, from the lowest cursor on
  private readonly log: PayoutLog

  constructor(
    ruleSet: RuleSet,
    private readonly conversions: Conversions,
    /**
     * How many new keys (at least) between sweeps — also as many as are alive when `proportional` —
     * and how many expired payouts (at least) before the log is compacted. Tests sweep on every step.
     */
    private readonly tuning: Tuning = { sweep: 4096, compact: 1024, proportional: true, entries: 2 },
  ) {
    this.compiled = ruleSet.rules.map(compileRule)
    this.idsSwept = tuning.sweep
    this.nextSweep = tuning.sweep
    const filterIds = new Map<string, number>()
    const filterOf = (f: Filter): number => {
      const key = filterKey(f)
      let id = filterIds.get(key)
      if (id === undefined) {
        id = this.filters.length
        filterIds.set(key, id)
        this.filters.push(f)
        this.pass.push(false)
      }
      return id
    }
    const slots = [0, 0, 0, 0, 0]
    const bySignature = new Map<string, number>()
    const checks: Check[] = []
    this.compiled.forEach((c, index) => {
      const rule = c.rule
      let tracker = -1
      const grouping = groupingIndex[c.grouping]
      if (c.signature !== null) {
        const known = bySignature.get(c.signature)
        if (known !== undefined) tracker = known
        else {
          const window = rule.window as TrackedWindow
          const t: Tracker = {
            grouping,
            slot: slots[grouping] ?? 0,
            filter: filterOf(c.filter),
            window,
            code: window.type === 'rolling' ? ROLLING : window.type === 'calendar' ? CALENDAR : LIFETIME,
            length: window.type === 'rolling' ? window.seconds * 1000 : 0,
            distinct: c.distinct,
            start: Number.NEGATIVE_INFINITY,
            end: Number.NEGATIVE_INFINITY,
            cursor: 0,
          }
          slots[grouping] = t.slot + 1
          tracker = this.trackers.length
          this.trackers.push(t)
          if (t.code === ROLLING) this.rolling.push(t)
          if (t.code === CALENDAR) this.calendars.push(t)
          bySignature.set(c.signature, tracker)
          this.used[grouping] = true
          if (grouping === DUPLICATE) this.used[BENEFICIARY] = true
          this.used[MERCHANT] = true
        }
      }
      if (!rule.enabled) return
      const m = rule.measure
      checks.push({
        index,
        action: rule.action,
        filter: filterOf(c.filter),
        tracker,
        grouping,
        kind: m.type === 'none' ? GEO : m.type === 'amount' ? AMOUNT : m.type === 'count' ? COUNT : DISTINCT,
        currency: m.type === 'amount' ? this.currencyOf(m.currency) : NONE,
        limit: m.type === 'none' ? 0 : m.type === 'amount' ? fromBigInt(m.limit) : m.limit,
        maxAge:
          rule.kind === 'new_beneficiary_limit' ? (rule.maxAgeSeconds ?? 0) * 1000 : Number.POSITIVE_INFINITY,
        geo: rule.geo === undefined ? null : new Set(rule.geo.countries),
        deny: rule.geo?.mode !== 'allow',
        distinct: m.type === 'distinct' ? m.of : null,
      })
    })
    this.checks = checks
    // a key's row holds payouts for the rolling and calendar windows of its grouping, unless one of
    // them counts distinct values or filters are too many for a bit each; a beneficiary's row holds
    // them for its duplicate groups' windows too (a duplicate group is a beneficiary's payouts of one amount)
    const distinct = [false, false, false, false, false]
    for (const t of this.trackers) if (t.distinct !== null) distinct[t.grouping] = true
    const holds = this.filters.length <= 31 && tuning.entries > 0
    this.dupInBeneficiary = holds && !distinct[BENEFICIARY] && !distinct[DUPLICATE]
    const windows = [0, 0, 0, 0, 0]
    for (const t of this.trackers) {
      const g = this.holderOf(t.grouping)
      if (t.code === LIFETIME) continue
      windows[g] = (windows[g] as number) + 1
      if (t.code === ROLLING) this.longest[g] = Math.max(this.longest[g] as number, t.length)
      else (this.heldCalendars[g] as Tracker[]).push(t)
    }
    this.entries = windows.map((n, g) =>
      holds && n > 0 && !distinct[g] && g !== DUPLICATE ? tuning.entries : 0,
    )
    this.pools = slots.map((n, g) => new Pool(n, this.entries[g] as number))
    this.hasDistinct = this.trackers.some((t) => t.distinct !== null)
    this.log = new PayoutLog(5, this.hasDistinct || this.filters.length > 31)
  }

  /** The grouping whose key rows hold a grouping's payouts for its windows. */
  private holderOf(grouping: number): number {
    return grouping === DUPLICATE && this.dupInBeneficiary ? BENEFICIARY : grouping
  }

  private currencyOf(code: string): number {
    let i = this.currencyIndex.get(code)
    if (i === undefined) {
      i = this.currencies.length
      this.currencies.push(code)
      this.currencyIndex.set(code, i)
    }
    return i
  }

  // -------------------------------------------------------------- time

  /** Moves every window to time `t`: new calendar periods, rolling expiry, then the sweeps. */
  private advance(t: number): void {
    let periods = false
    for (const tr of this.calendars)
      if (t >= tr.end) {
        const p = calendarPeriod(tr.window as Extract<TrackedWindow, { type: 'calendar' }>, t)
        tr.start = p.start
        tr.end = p.end
        periods = true
      }
    if (periods)
      this.heldCalendars.forEach((held, g) => {
        let floor = Number.POSITIVE_INFINITY
        for (const tr of held) if (tr.start - 1 < floor) floor = tr.start - 1
        this.calendarFloor[g] = floor
      })
    const log = this.log
    const logT = log.t
    const n = log.length
    for (const tr of this.rolling) {
      const cutoff = t - tr.length
      let c = tr.cursor
      if (c >= n || (logT[c] as number) > cutoff) continue
      const slots = log.slots[tr.grouping] as Int32Array
      const f = tr.filter
      const filter = this.filters[f] as Filter
      do {
        const counted =
          f < 31 ? ((log.pass[c] as number) & (1 << f)) !== 0 : passes(filter, log.payouts[c] as Payout)
        // a payout its key's row holds (row -1 here) leaves the window without being counted out
        if (counted && (slots[c] as number) >= 0) this.uncount(slots[c] as number, tr, c)
        c++
      } while (c < n && (logT[c] as number) <= cutoff)
      tr.cursor = c
    }
    this.compact()
    if (this.created >= this.nextSweep) this.sweep(t)
    if (this.ids.size >= this.idsSwept) {
      this.ids.sweep(t)
      this.idsSwept = this.tuning.proportional
        ? Math.max(this.tuning.sweep, this.ids.size * 2)
        : this.tuning.sweep
    }
    this.clock = t
  }

  /** Drops the logged payouts every rolling cursor has passed. */
  private compact(): void {
    const log = this.log
    let head = log.length
    for (const tr of this.rolling) if (tr.cursor < head) head = tr.cursor
    if (head === 0 || head < this.tuning.compact || head * 2 < log.length) return
    log.drop(head)
    for (const tr of this.rolling) tr.cursor -= head
  }

  /** Frees the keys no window can count in any more (after `advance` expired their payouts). */
  private sweep(t: number): void {
    const pools = this.pools
    const dupPool = pools[DUPLICATE] as Pool
    const benPool = pools[BENEFICIARY] as Pool
    const merchantPool = pools[MERCHANT] as Pool
    // duplicates first (they nest in beneficiaries), then the keys nested in merchants, then merchants
    if (this.dupKeys.size > 0) {
      dupPool.markExpired(t)
      const expired = dupPool.expired
      this.dupKeys.retain((slot, ben) => {
        if (expired[slot] === 0) return true
        benPool.addChildren(ben, -1)
        dupPool.release(slot)
        return false
      })
    }
    if (this.childKeys.size > 0) {
      const expired = [pools[BENEFICIARY], pools[INSTRUMENT], pools[COUNTRY]].map((pool) => {
        ;(pool as Pool).markExpired(t)
        return (pool as Pool).expired
      })
      this.childKeys.retain((slot, m, grouping) => {
        if ((expired[grouping - BENEFICIARY] as Uint8Array)[slot] === 0) return true
        merchantPool.addChildren(m, -1)
        ;(pools[grouping] as Pool).release(slot)
        return false
      })
    }
    for (const [key, m] of this.merchants)
      if (merchantPool.until(m) <= t && merchantPool.children(m) === 0) {
        this.merchants.delete(key)
        merchantPool.release(m)
      }
    let live = 0
    for (const pool of pools) {
      pool.orderFree()
      live += pool.live
    }
    this.created = 0
    this.nextSweep = this.tuning.proportional ? Math.max(this.tuning.sweep, live) : this.tuning.sweep
  }

  // -------------------------------------------------------------- usage

  /** The side sums of one tracker in one row of counted usage, by currency index, made on first use. */
  private moreOf(usage: Usage, row: number, tr: Tracker): Array<Amount | undefined> {
    const key = row * usage.trackers + tr.slot
    let more = usage.more.get(key)
    if (more === undefined) {
      more = []
      usage.more.set(key, more)
    }
    return more
  }

  /** Counts a payout in a tracker's usage of the key at `slot`, which gets a row of counted usage if it has none. */
  private count(slot: number, tr: Tracker, t: number, currency: number, minor: Amount, p: Payout): void {
    const pool = this.pools[tr.grouping] as Pool
    const row = pool.usageOf(slot)
    const usage = pool.counted
    const st = usage.state
    const b = row * usage.width + tr.slot * SLOT
    const key = row * usage.trackers + tr.slot
    if (tr.code === CALENDAR && st[b + 5] !== tr.start) {
      // the usage of an earlier period: start the current one
      st[b] = 0
      st[b + 1] = NONE
      st[b + 2] = 0
      st[b + 3] = NONE
      st[b + 4] = 0
      st[b + 5] = tr.start
      usage.more.delete(key)
      usage.values.delete(key)
    }
    st[b] = (st[b] as number) + 1
    if (!addInline(st, b, currency, minor)) {
      const more = this.moreOf(usage, row, tr)
      for (let i = b + 1; i <= b + 3; i += 2) {
        const c = st[i] as number
        if (c >= 0) more[c] = add(more[c] ?? 0, st[i + 1] as number)
        st[i] = NONE
        st[i + 1] = 0
      }
      st[b + 1] = SPILLED
      more[currency] = add(more[currency] ?? 0, minor)
    }
    if (tr.distinct !== null) {
      let values = usage.values.get(key)
      if (values === undefined) {
        values = new Map()
        usage.values.set(key, values)
      }
      const v = distinctValue(p, tr.distinct)
      values.set(v, (values.get(v) ?? 0) + 1)
    }
    const until =
      tr.code === ROLLING ? t + tr.length : tr.code === CALENDAR ? tr.end : Number.POSITIVE_INFINITY
    pool.keepUntil(slot, until)
  }

  /** Takes the logged payout `c` out of a rolling tracker's usage in a row of counted usage. */
  private uncount(row: number, tr: Tracker, c: number): void {
    const usage = (this.pools[tr.grouping] as Pool).counted
    const st = usage.state
    const b = row * usage.width + tr.slot * SLOT
    const key = row * usage.trackers + tr.slot
    const left = (st[b] as number) - 1
    if (left === 0) {
      st[b] = 0
      st[b + 1] = NONE
      st[b + 2] = 0
      st[b + 3] = NONE
      st[b + 4] = 0
      if (usage.more.size > 0) usage.more.delete(key)
      if (usage.values.size > 0) usage.values.delete(key)
      return
    }
    st[b] = left
    const currency = this.log.currency[c] as number
    const minor = this.log.minorAt(c)
    if (st[b + 1] === currency) st[b + 2] = (st[b + 2] as number) - (minor as number)
    else if (st[b + 3] === currency) st[b + 4] = (st[b + 4] as number) - (minor as number)
    else {
      const more = usage.more.get(key)
      if (more !== undefined) more[currency] = subtract(more[currency] ?? 0, minor)
    }
    if (tr.distinct !== null) {
      const values = usage.values.get(key)
      if (values !== undefined) {
        const v = distinctValue(this.log.payouts[c] as Payout, tr.distinct)
        const n = (values.get(v) ?? 0) - 1
        if (n > 0) values.set(v, n)
        else values.delete(v)
      }
    }
  }

  /** How many payouts the row of the key at `slot` holds in a tracker's window at `t` (and passing its filter). */
  private heldCount(pool: Pool, slot: number, tr: Tracker, t: number): number {
    if (slot < 0 || pool.entries === 0 || tr.code === LIFETIME) return 0
    const held = pool.rowsOf(slot)
    const floor = heldFloor(tr, t)
    const bit = 1 << tr.filter
    let n = 0
    for (let j = 0, at = pool.rowAt(slot) + 1; j < pool.entries; j++, at += ENTRY)
      if ((held[at] as number) > floor && ((held[at + 3] as number) & bit) !== 0) n++
    return n
  }

  /** How many payouts of this amount a beneficiary's row holds in a duplicate tracker's window at `t`. */
  private heldDuplicates(ben: number, tr: Tracker, t: number, currency: number, minor: Amount): number {
    if (ben < 0 || tr.code === LIFETIME || !this.dupInBeneficiary) return 0
    const pool = this.pools[BENEFICIARY] as Pool
    const held = pool.rowsOf(ben)
    const floor = heldFloor(tr, t)
    const bit = 1 << tr.filter
    let n = 0
    for (let j = 0, at = pool.rowAt(ben) + 1; j < pool.entries; j++, at += ENTRY)
      if (
        (held[at] as number) > floor &&
        ((held[at + 3] as number) & bit) !== 0 &&
        held[at + 1] === minor &&
        held[at + 2] === currency
      )
        n++
    return n
  }

  /**
   * This payout's amount plus a key's usage at `t`, in the rule's currency (others count only with a
   * rate): the payouts its row holds in the tracker's window and its counted usage in `row` (-1: none
   * that counts: no row, or a calendar usage of an earlier period). A usage converts per currency, so held payouts in another currency are first added to the
   * counted sum of theirs.
   */
  private observedAmount(
    own: Amount,
    pool: Pool,
    slot: number,
    tr: Tracker,
    row: number,
    to: number,
    t: number,
  ): Amount {
    let observed = own
    let sides = 0
    if (slot >= 0 && pool.entries > 0 && tr.code !== LIFETIME) {
      const held = pool.rowsOf(slot)
      const floor = heldFloor(tr, t)
      const bit = 1 << tr.filter
      for (let j = 0, at = pool.rowAt(slot) + 1; j < pool.entries; j++, at += ENTRY) {
        if ((held[at] as number) <= floor || ((held[at + 3] as number) & bit) === 0) continue
        const c = held[at + 2] as number
        const minor = held[at + 1] as number
        if (c === to) observed = add(observed, minor)
        else sides = this.addSide(sides, c, minor)
      }
    }
    if (row >= 0) {
      const usage = pool.counted
      const st = usage.state
      const b = row * usage.width + tr.slot * SLOT
      for (let i = b + 1; i <= b + 3; i += 2) {
        const c = st[i] as number
        if (c < 0) continue
        const sum = sides > 0 ? this.takeSide(sides, c, st[i + 1] as number) : (st[i + 1] as number)
        if (c === to) observed = add(observed, sum)
        else {
          const converted = this.convertTo(sum, c, to)
          if (converted !== undefined) observed = add(observed, converted)
        }
      }
      const more = usage.more.size > 0 ? usage.more.get(row * usage.trackers + tr.slot) : undefined
      if (more !== undefined)
        for (let c = 0; c < more.length; c++) {
          const spilled = more[c]
          if (spilled === undefined) continue
          const sum = sides > 0 ? this.takeSide(sides, c, spilled) : spilled
          const converted = this.convertTo(sum, c, to)
          if (converted !== undefined) observed = add(observed, converted)
        }
    }
    // held currencies the counted usage has none of
    for (let k = 0; k < sides; k++) {
      const c = this.sideCurrency[k] as number
      if (c < 0) continue
      const converted = this.convertTo(this.sideSum[k] as Amount, c, to)
      if (converted !== undefined) observed = add(observed, converted)
    }
    return observed
  }

  /** Adds a held amount to the side sums (`sides` of them so far) and returns how many there are. */
  private addSide(sides: number, currency: number, minor: number): number {
    for (let k = 0; k < sides; k++)
      if (this.sideCurrency[k] === currency) {
        this.sideSum[k] = add(this.sideSum[k] as Amount, minor)
        return sides
      }
    this.sideCurrency[sides] = currency
    this.sideSum[sides] = minor
    return sides + 1
  }

  /** A counted sum plus the side sum of its currency, which is then taken (marked -1). */
  private takeSide(sides: number, currency: number, sum: Amount): Amount {
    for (let k = 0; k < sides; k++)
      if (this.sideCurrency[k] === currency) {
        this.sideCurrency[k] = -1
        return add(sum, this.sideSum[k] as Amount)
      }
    return sum
  }

  /** This payout's amount in currency `to`, converted once per payout and target. */
  private ownIn(minor: Amount, currency: number, to: number): Amount | undefined {
    if (currency === to) return minor
    if (this.ownAt[to] === this.steps) return this.own[to]
    const converted = this.convertTo(minor, currency, to)
    this.ownAt[to] = this.steps
    this.own[to] = converted
    return converted
  }

  private convertTo(a: Amount, from: number, to: number): Amount | undefined {
    if (from === to) return a
    let row = this.rates[from]
    if (row === undefined) {
      row = []
      this.rates[from] = row
    }
    let rate = row[to]
    if (rate === undefined) {
      rate = rateOf(this.conversions, this.currencies[from] as string, this.currencies[to] as string)
      row[to] = rate
    }
    return rate === null ? undefined : applyRate(a, rate, this.conversions.rounding)
  }

  // -------------------------------------------------------------- lookups

  private lookup(p: Payout, currency: number, minor: Amount): void {
    const nodes = this.nodes
    const used = this.used
    const m = used[MERCHANT] ? (this.merchants.get(p.merchantId) ?? -1) : -1
    nodes[MERCHANT] = m
    if (m < 0) {
      nodes[BENEFICIARY] = -1
      nodes[INSTRUMENT] = -1
      nodes[COUNTRY] = -1
      nodes[DUPLICATE] = -1
      return
    }
    const ben = used[BENEFICIARY] ? this.childSlot(BENEFICIARY, m, p.beneficiaryId) : -1
    nodes[BENEFICIARY] = ben
    nodes[INSTRUMENT] = used[INSTRUMENT] ? this.childSlot(INSTRUMENT, m, p.instrumentId) : -1
    nodes[COUNTRY] = used[COUNTRY] ? this.childSlot(COUNTRY, m, p.destinationCountry) : -1
    // a beneficiary with no duplicate group (its row holds them all) has none of this amount either
    nodes[DUPLICATE] =
      used[DUPLICATE] && ben >= 0 && (this.pools[BENEFICIARY] as Pool).children(ben) !== 0
        ? this.dupSlot(ben, currency, minor)
        : -1
  }

  /** The slot of a key nested in merchant `m`, or -1; its hash is kept for `slotOf`. */
  private childSlot(grouping: number, m: number, id: string): number {
    const h = keyHash(m, grouping, 0, id)
    this.keyHashes[grouping] = h
    this.hashedAt[grouping] = this.steps
    return this.childKeys.get(h, m, grouping, 0, id)
  }

  /** The slot of the duplicate key of this amount to beneficiary `ben`, or -1; its hash is kept for `slotOf`. */
  private dupSlot(ben: number, currency: number, minor: Amount): number {
    const num = dupNumber(minor)
    const text = dupText(minor)
    const h = keyHash(ben, currency, num, text)
    this.keyHashes[DUPLICATE] = h
    this.hashedAt[DUPLICATE] = this.steps
    return this.dupKeys.get(h, ben, currency, num, text)
  }

  /** The hash of this payout's key in a grouping: the one `lookup` made, or a new one when it made none. */
  private hashFor(grouping: number, parent: number, tag: number, num: number, text: string): number {
    return this.hashedAt[grouping] === this.steps
      ? (this.keyHashes[grouping] as number)
      : keyHash(parent, tag, num, text)
  }

  /** This payout's slot in a grouping, made (with the keys it nests in) if it has none yet. */
  private slotOf(grouping: number, p: Payout, currency: number, minor: Amount): number {
    const known = this.nodes[grouping] as number
    if (known >= 0) return known
    this.created++
    let slot: number
    if (grouping === MERCHANT) {
      slot = (this.pools[MERCHANT] as Pool).alloc()
      this.merchants.set(p.merchantId, slot)
    } else if (grouping === DUPLICATE) {
      const ben = this.slotOf(BENEFICIARY, p, currency, minor)
      ;(this.pools[BENEFICIARY] as Pool).addChildren(ben, 1)
      slot = (this.pools[DUPLICATE] as Pool).alloc()
      // hashed by the lookup, unless the beneficiary is new with this payout
      const num = dupNumber(minor)
      const text = dupText(minor)
      this.dupKeys.add(this.hashFor(DUPLICATE, ben, currency, num, text), ben, currency, num, text, slot)
    } else {
      const m = this.slotOf(MERCHANT, p, currency, minor)
      ;(this.pools[MERCHANT] as Pool).addChildren(m, 1)
      slot = (this.pools[grouping] as Pool).alloc()
      const id =
        grouping === BENEFICIARY
          ? p.beneficiaryId
          : grouping === INSTRUMENT
            ? p.instrumentId
            : p.destinationCountry
      // hashed by the lookup, unless the merchant is new with this payout
      this.childKeys.add(this.hashFor(grouping, m, grouping, 0, id), m, grouping, 0, id, slot)
    }
    this.nodes[grouping] = slot
    return slot
  }

  // -------------------------------------------------------------- the step

  /** Per grouping (merchant, beneficiary, instrument, country, duplicate), how many key slots its pool has made. */
  get slotsMade(): number[] {
    return this.pools.map((pool) => pool.made)
  }

  /** Why this payout cannot be recorded: its id repeats one still counted in a window. */
  refusal(p: Payout): Refusal | undefined {
    const until = this.ids.get(p.id)
    if (until !== undefined && until > p.createdAt)
      return { field: 'id', message: `payout ${p.id} is already recorded` }
    return undefined
  }

  /** Decides a payout (filling `triggered`), then records it unless blocked. Time must not go back. */
  step(p: Payout): ReplayAction {
    const t = p.createdAt
    this.steps++
    if (t !== this.clock) this.advance(t)
    const currency = this.currencyOf(p.amount.currency)
    const minor = fromBigInt(p.amount.minor)
    this.currency = currency
    this.minor = minor
    const pass = this.pass
    for (let f = 0; f < this.filters.length; f++) pass[f] = passes(this.filters[f] as Filter, p)
    this.lookup(p, currency, minor)
    const action = this.decide(p, t, currency, minor)
    if (action !== 'block') this.record(p, t, currency, minor)
    return action
  }

  private decide(p: Payout, t: number, currency: number, minor: Amount): ReplayAction {
    const triggered = this.triggered
    triggered.length = 0
    let action: ReplayAction = 'allow'
    const created = p.beneficiaryCreatedAt
    for (const c of this.checks) {
      if (!this.pass[c.filter]) continue
      if (created !== undefined && t - created >= c.maxAge) continue
      let hit: boolean
      if (c.kind === GEO) {
        if (c.geo === null) continue
        const listed = c.geo.has(p.destinationCountry)
        hit = c.deny ? listed : !listed
      } else {
        const tr = c.tracker < 0 ? undefined : this.trackers[c.tracker]
        const slot = this.nodes[c.grouping] as number
        const pool = this.pools[c.grouping] as Pool
        // the key's counted usage, if it has a row of it and (calendar windows) it is of this period
        const row = tr === undefined || slot < 0 ? -1 : pool.usage(slot)
        const usage = pool.counted
        const b = row * usage.width + (tr === undefined ? 0 : tr.slot * SLOT)
        const counted = row >= 0 && (tr?.code !== CALENDAR || usage.state[b + 5] === tr.start)
        if (c.kind === AMOUNT) {
          const own = this.ownIn(minor, currency, c.currency)
          if (own === undefined) continue
          hit =
            (tr === undefined
              ? own
              : this.observedAmount(own, pool, slot, tr, counted ? row : -1, c.currency, t)) > c.limit
        } else if (c.kind === COUNT) {
          let observed = 1
          if (tr !== undefined) {
            observed += (counted ? (usage.state[b] as number) : 0) + this.heldCount(pool, slot, tr, t)
            // a duplicate group's payouts the beneficiary's row holds, whether the group has a key or not
            if (c.grouping === DUPLICATE)
              observed += this.heldDuplicates(this.nodes[BENEFICIARY] as number, tr, t, currency, minor)
          }
          hit = observed > c.limit
        } else {
          const values =
            !counted || tr === undefined || c.distinct === null
              ? undefined
              : usage.values.get(row * usage.trackers + tr.slot)
          const observed =
            values === undefined || c.distinct === null
              ? 1
              : values.size + (values.has(distinctValue(p, c.distinct)) ? 0 : 1)
          hit = observed > c.limit
        }
      }
      if (!hit) continue
      triggered.push(c.index)
      if (c.action === 'block') action = 'block'
      else if (c.action === 'review' && action === 'allow') action = 'review'
    }
    return action
  }

  /**
   * Records a payout in the usage of its keys. For the rolling and calendar windows of a grouping,
   * the key's row holds the payout itself when it has a free entry (one no window counts any more):
   * then the windows count it from the row, by its time, and nothing has to take it out when it
   * leaves them. On a history where most keys see a payout or two, such a key never takes a row of
   * counted usage (six numbers per tracker to blank, grow and read), and no window visits it again
   * when the payout expires. A key with more payouts in its windows counts the others in its row of
   * counted usage, and the log takes them out of the rolling windows (`advance`).
   */
  private record(p: Payout, t: number, currency: number, minor: Amount): void {
    let logged = false
    let liveUntil = t
    const pass = this.pass
    let passBits = 0
    for (let f = 0; f < this.filters.length && f < 31; f++) if (pass[f]) passBits |= 1 << f
    // groupings whose hold decision is taken, and those whose key row holds this payout, a bit each
    let decided = 0
    let held = 0
    // per grouping whose key row holds the payout, until when its windows count it
    const heldUntil = this.heldUntil
    for (const tr of this.trackers) {
      if (!pass[tr.filter]) continue
      const g = tr.grouping
      // the grouping whose rows hold this one's payouts (a duplicate group's: its beneficiary's)
      const h = this.holderOf(g)
      if (tr.code !== LIFETIME && (this.entries[h] as number) > 0) {
        const holder = this.slotOf(h, p, currency, minor)
        const bit = 1 << h
        if ((decided & bit) === 0) {
          decided |= bit
          if (typeof minor === 'number' && this.hold(holder, h, t, minor, currency, passBits)) held |= bit
        }
        if ((held & bit) !== 0) {
          const until = tr.code === ROLLING ? t + tr.length : tr.end
          if (until > (heldUntil[h] as number)) heldUntil[h] = until
          continue
        }
      }
      const slot = this.slotOf(g, p, currency, minor)
      this.count(slot, tr, t, currency, minor, p)
      // a lifetime window counts the payout for ever, but its id is remembered for a bounded time
      const until =
        tr.code === ROLLING ? t + tr.length : tr.code === CALENDAR ? tr.end : t + LIFETIME_ID_HORIZON
      if (until > liveUntil) liveUntil = until
      if (tr.code === ROLLING) logged = true
    }
    if (held !== 0)
      for (let h = 0; h < heldUntil.length; h++) {
        if ((held & (1 << h)) === 0) continue
        const until = heldUntil[h] as number
        ;(this.pools[h] as Pool).keepUntil(this.nodes[h] as number, until)
        if (until > liveUntil) liveUntil = until
        heldUntil[h] = Number.NEGATIVE_INFINITY
      }
    if (logged) {
      // per grouping, the key's row of counted usage the rolling windows take the payout out of
      const rows = this.logNodes
      for (let g = 0; g < rows.length; g++) {
        const slot = this.nodes[g] as number
        rows[g] =
          slot < 0 || (held & (1 << this.holderOf(g))) !== 0 ? -1 : (this.pools[g] as Pool).usage(slot)
      }
      this.log.push(t, minor, currency, passBits, rows, p)
    }
    if (liveUntil > t) this.ids.set(p.id, liveUntil)
  }

  /** Puts a payout in a free entry of its key's row in grouping `g`, if there is one. */
  private hold(
    slot: number,
    g: number,
    t: number,
    minor: number,
    currency: number,
    passBits: number,
  ): boolean {
    const pool = this.pools[g] as Pool
    const held = pool.rowsOf(slot)
    // an entry no window of the grouping counts any more: its time is at or before t − the longest
    // rolling window, and before the start of every current calendar period
    const rolling = t - (this.longest[g] as number)
    const calendar = this.calendarFloor[g] as number
    const free = Math.min(rolling, calendar)
    for (let j = 0, at = pool.rowAt(slot) + 1; j < pool.entries; j++, at += ENTRY)
      if ((held[at] as number) <= free) {
        held[at] = t
        held[at + 1] = minor
        held[at + 2] = currency
        held[at + 3] = passBits
        return true
      }
    return false
  }
}

/** Adds an amount to the inline sum at `i` (currency at `i`, sum at `i + 1`): 1 done, 0 full, -1 not there. */
const addAt = (st: Float64Array, i: number, currency: number, minor: number): number => {
  const c = st[i] as number
  if (c === currency) {
    const sum = (st[i + 1] as number) + minor
    if (!Number.isSafeInteger(sum)) return 0
    st[i + 1] = sum
    return 1
  }
  if (c === NONE) {
    st[i] = currency
    st[i + 1] = minor
    return 1
  }
  return c === SPILLED ? 0 : -1
}

/** Adds an amount to one of the two inline sums, if it fits there exactly. */
const addInline = (st: Float64Array, b: number, currency: number, minor: Amount): boolean => {
  if (typeof minor !== 'number') return false
  const first = addAt(st, b + 1, currency, minor)
  return first === 1 || (first === -1 && addAt(st, b + 3, currency, minor) === 1)
}

/**
 * The latest time a held payout can have and be outside a tracker's window at `t`: `t − length` for a
 * rolling window `(t − length, t]`; the instant before the current period for a calendar window
 * (times are whole milliseconds). Lifetime windows hold nothing.
 */
const heldFloor = (tr: Tracker, t: number): number =>
  tr.code === ROLLING ? t - tr.length : tr.code === CALENDAR ? tr.start - 1 : Number.POSITIVE_INFINITY
