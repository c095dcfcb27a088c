// The mutable store behind a ledger: one tracker per distinct (grouping, window, filters) of the
// tracked rules, each holding per group key the live usage (count and exact sums per currency) of
// its current window. Rolling windows keep their live events in a queue that expires from the
// front; calendar windows keep one period and reset when it ends; lifetime windows keep totals.
// A global timeline drops each payout once no window can count it any more, so memory follows the
// windows, not the history. All writes go through the journal (see Journal.ts).
import type { Payout } from '../Payout.js'
import type { DistinctField, GroupBy, Rule, RuleFilters, RuleSet } from '../RuleSet.js'
import { type CalendarPeriod, calendarPeriod, type VelocityWindow } from '../VelocityWindow.js'
import { type Amount, add, fromBigInt, subtract } from './Amount.js'
import { type Journal, mapDelete, mapSet, push, setField } from './Journal.js'

// ---------------------------------------------------------------- facts

/** How a tracker groups payouts: a rule's `group_by`, or same beneficiary and amount for duplicates. */
export type Grouping = GroupBy | 'duplicate'

/** One payout as the store keeps it: what filters and groupings look at, and whether it was released. */
export interface Fact {
  readonly id: string
  readonly t: number
  readonly keys: Readonly<Record<Grouping, string>>
  /** What distinct-count measures count (the merchant is already part of every group key). */
  readonly values: Readonly<Record<DistinctField, string>>
  readonly country: string
  readonly currency: string
  readonly instrumentType: string
  readonly minor: Amount
  released: boolean
  liveUntil: number
}

export const factOf = (p: Payout): Fact => {
  const m = p.merchantId
  const b = `${m}\u0000${p.beneficiaryId}`
  return {
    id: p.id,
    t: p.createdAt,
    keys: {
      merchant: m,
      beneficiary: b,
      instrument: `${m}\u0000${p.instrumentId}`,
      destination_country: `${m}\u0000${p.destinationCountry}`,
      duplicate: `${b}\u0000${p.amount.currency}\u0000${p.amount.minor}`,
    },
    values: {
      beneficiary: p.beneficiaryId,
      instrument: p.instrumentId,
      destination_country: p.destinationCountry,
    },
    country: p.destinationCountry,
    currency: p.amount.currency,
    instrumentType: p.instrumentType,
    minor: fromBigInt(p.amount.minor),
    released: false,
    liveUntil: 0,
  }
}

// ---------------------------------------------------------------- compiled rules

export interface Filter {
  readonly include: ReadonlySet<string> | null
  readonly exclude: ReadonlySet<string> | null
  readonly currencies: ReadonlySet<string> | null
  readonly instrumentTypes: ReadonlySet<string> | null
}

const setOf = (xs: ReadonlyArray<string> | undefined): ReadonlySet<string> | null =>
  xs === undefined ? null : new Set(xs)

export const compileFilter = (f: RuleFilters): Filter => ({
  include: setOf(f.includeCountries),
  exclude: setOf(f.excludeCountries),
  currencies: setOf(f.currencies),
  instrumentTypes: setOf(f.instrumentTypes),
})

export const matches = (f: Filter, x: Fact): boolean =>
  (f.include === null || f.include.has(x.country)) &&
  (f.exclude === null || !f.exclude.has(x.country)) &&
  (f.currencies === null || f.currencies.has(x.currency)) &&
  (f.instrumentTypes === null || f.instrumentTypes.has(x.instrumentType))

export type TrackedWindow = Exclude<VelocityWindow, { type: 'per_payout' }>

/** A rule prepared for evaluation: its filter as sets, its grouping, and the signature of its tracker. */
export interface CompiledRule {
  readonly rule: Rule
  readonly filter: Filter
  readonly grouping: Grouping
  /** The field a distinct-count rule counts the values of, else `null`. */
  readonly distinct: DistinctField | null
  /** `null` for per-payout rules, which need no ledger. */
  readonly signature: string | null
}

const sorted = (xs: ReadonlyArray<string> | undefined): ReadonlyArray<string> | null =>
  xs === undefined ? null : [...new Set(xs)].sort()

const signatureOf = (rule: Rule, grouping: Grouping, distinct: DistinctField | null): string | null =>
  rule.window.type === 'per_payout'
    ? null
    : JSON.stringify([
        grouping,
        distinct,
        rule.window,
        sorted(rule.filters.includeCountries),
        sorted(rule.filters.excludeCountries),
        sorted(rule.filters.currencies),
        sorted(rule.filters.instrumentTypes),
      ])

const compiled = /* @__PURE__ */ new WeakMap<Rule, CompiledRule>()

/** The compiled form of a rule (memoised per rule object; rules are immutable). */
export const compileRule = (rule: Rule): CompiledRule => {
  const known = compiled.get(rule)
  if (known) return known
  const grouping: Grouping = rule.kind === 'duplicate_detection' ? 'duplicate' : rule.groupBy
  const distinct = rule.measure.type === 'distinct' ? rule.measure.of : null
  const c = {
    rule,
    filter: compileFilter(rule.filters),
    grouping,
    distinct,
    signature: signatureOf(rule, grouping, distinct),
  }
  compiled.set(rule, c)
  return c
}

// ---------------------------------------------------------------- trackers

/** The usage of one group key in its current window. */
export interface Group {
  count: number
  /** The exact sum per currency: the group's first currency inline, any others in `more`. */
  cur: string
  sum: Amount
  more: Map<string, Amount> | null
  /** Distinct-count trackers: how many counted events hold each value (a value is there while > 0). */
  values: Map<string, number> | null
  /** Rolling windows: the counted events, oldest first, from `head` on. */
  queue: Fact[]
  head: number
  /** Rolling windows: every event at or before `cutoff` has left the window. */
  cutoff: number
  /** Calendar windows: the period the usage belongs to. */
  periodStart: number
  periodEnd: number
  /** When the group was created: earlier events belonged to a group since dropped. */
  readonly since: number
}

export interface Tracker {
  readonly signature: string
  readonly window: TrackedWindow
  readonly grouping: Grouping
  readonly distinct: DistinctField | null
  readonly filter: Filter
  readonly groups: Map<string, Group>
  /** A cache of the last calendar period computed (a pure function of the window and the time). */
  memo: CalendarPeriod
}

export const periodOf = (tracker: Tracker, t: number): CalendarPeriod => {
  const m = tracker.memo
  if (t >= m.start && t < m.end) return m
  if (tracker.window.type !== 'calendar') return m
  const p = calendarPeriod(tracker.window, t)
  tracker.memo = p
  return p
}

/** Until when (exclusive) an event at `t` counts in this tracker's window. */
const countsUntil = (tracker: Tracker, t: number): number => {
  switch (tracker.window.type) {
    case 'rolling':
      return t + tracker.window.seconds * 1000
    case 'calendar':
      return periodOf(tracker, t).end
    case 'lifetime':
      return Number.POSITIVE_INFINITY
  }
}

// ---------------------------------------------------------------- store

export interface Store {
  readonly trackers: Tracker[]
  readonly bySignature: Map<string, Tracker>
  /** Payouts that still count somewhere, by id (for release). */
  readonly index: Map<string, Fact>
  /** The same payouts in recording order (their `liveUntil` never decreases along it). */
  timeline: Fact[]
  timelineHead: number
  /** The latest `createdAt` recorded. */
  clock: number
}

export const newStore = (): Store => ({
  trackers: [],
  bySignature: new Map(),
  index: new Map(),
  timeline: [],
  timelineHead: 0,
  clock: Number.NEGATIVE_INFINITY,
})

/** Adds a tracker for every windowed rule of the rule set whose signature is not tracked yet. */
export const track = (j: Journal, store: Store, ruleSet: RuleSet): void => {
  for (const rule of ruleSet.rules) {
    const c = compileRule(rule)
    if (c.signature === null || store.bySignature.has(c.signature)) continue
    const tracker: Tracker = {
      signature: c.signature,
      window: rule.window as TrackedWindow,
      grouping: c.grouping,
      distinct: c.distinct,
      filter: c.filter,
      groups: new Map(),
      memo: { start: 0, end: 0 },
    }
    push(j, store.trackers, tracker)
    mapSet(j, store.bySignature, c.signature, tracker)
  }
}

const addTo = (j: Journal, g: Group, currency: string, minor: Amount): void => {
  if (g.cur === currency) setField(j, g, 'sum', add(g.sum, minor))
  else if (g.cur === '') {
    setField(j, g, 'cur', currency)
    setField(j, g, 'sum', minor)
  } else {
    let more = g.more
    if (more === null) {
      more = new Map()
      setField(j, g, 'more', more)
    }
    mapSet(j, more, currency, add(more.get(currency) ?? 0, minor))
  }
}

const subtractFrom = (j: Journal, g: Group, currency: string, minor: Amount): void => {
  if (g.cur === currency) setField(j, g, 'sum', subtract(g.sum, minor))
  else if (g.more !== null) mapSet(j, g.more, currency, subtract(g.more.get(currency) ?? 0, minor))
}

/** Counts one more event of a fact in a group: its count, its sums and its distinct value. */
const count = (j: Journal, tracker: Tracker, g: Group, e: Fact): void => {
  setField(j, g, 'count', g.count + 1)
  addTo(j, g, e.currency, e.minor)
  if (tracker.distinct !== null && g.values !== null) {
    const v = e.values[tracker.distinct]
    mapSet(j, g.values, v, (g.values.get(v) ?? 0) + 1)
  }
}

/** Stops counting an event (it left the window or was released); its value goes with its last event. */
const uncount = (j: Journal, tracker: Tracker, g: Group, e: Fact): void => {
  setField(j, g, 'count', g.count - 1)
  subtractFrom(j, g, e.currency, e.minor)
  if (tracker.distinct !== null && g.values !== null) {
    const v = e.values[tracker.distinct]
    const n = (g.values.get(v) ?? 0) - 1
    if (n > 0) mapSet(j, g.values, v, n)
    else mapDelete(j, g.values, v)
  }
}

/** Moves a group's window to time `t`: expires rolling events, resets an ended calendar period. */
const advance = (j: Journal, tracker: Tracker, g: Group, t: number): void => {
  const w = tracker.window
  if (w.type === 'rolling') {
    const cutoff = t - w.seconds * 1000
    if (cutoff <= g.cutoff) return
    let head = g.head
    const q = g.queue
    while (head < q.length) {
      const e = q[head] as Fact
      if (e.t > cutoff) break
      if (!e.released) uncount(j, tracker, g, e)
      head++
    }
    setField(j, g, 'cutoff', cutoff)
    if (head > 32 && head * 2 >= q.length) {
      setField(j, g, 'queue', q.slice(head))
      head = 0
    }
    if (head !== g.head) setField(j, g, 'head', head)
  } else if (w.type === 'calendar' && t >= g.periodEnd) {
    const p = periodOf(tracker, t)
    setField(j, g, 'count', 0)
    setField(j, g, 'cur', '')
    setField(j, g, 'sum', 0)
    setField(j, g, 'more', null)
    if (tracker.distinct !== null) setField(j, g, 'values', new Map())
    setField(j, g, 'periodStart', p.start)
    setField(j, g, 'periodEnd', p.end)
  }
}

/** The queue of groups that keep none (calendar and lifetime windows): never written. */
const noQueue: Fact[] = []

const newGroup = (tracker: Tracker, t: number): Group => {
  const p =
    tracker.window.type === 'calendar'
      ? periodOf(tracker, t)
      : { start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY }
  return {
    count: 0,
    cur: '',
    sum: 0,
    more: null,
    values: tracker.distinct === null ? null : new Map(),
    queue: tracker.window.type === 'rolling' ? [] : noQueue,
    head: 0,
    cutoff: Number.NEGATIVE_INFINITY,
    periodStart: p.start,
    periodEnd: p.end,
    since: t,
  }
}

/** Whether an event still counts in its group (it has not left the window yet). */
const stillCounted = (tracker: Tracker, g: Group, e: Fact): boolean =>
  e.t < g.since
    ? false
    : tracker.window.type === 'rolling'
      ? e.t > g.cutoff
      : tracker.window.type === 'calendar'
        ? e.t >= g.periodStart
        : true

/** Drops every payout that no window counts any more at time `t`, and the groups left empty. */
const sweep = (j: Journal, store: Store, t: number): void => {
  const timeline = store.timeline
  let head = store.timelineHead
  while (head < timeline.length) {
    const e = timeline[head] as Fact
    if (e.liveUntil > t) break
    if (store.index.get(e.id) === e) mapDelete(j, store.index, e.id)
    for (const tracker of store.trackers) {
      const key = e.keys[tracker.grouping]
      const g = tracker.groups.get(key)
      if (g === undefined) continue
      advance(j, tracker, g, t)
      if (g.count === 0) mapDelete(j, tracker.groups, key)
    }
    head++
  }
  if (head > 32 && head * 2 >= timeline.length) {
    setField(j, store, 'timeline', timeline.slice(head))
    head = 0
  }
  if (head !== store.timelineHead) setField(j, store, 'timelineHead', head)
}

/** Why a payout cannot be recorded, if it cannot. */
export const refuseRecord = (store: Store, fact: Fact): { field: string; message: string } | undefined => {
  if (fact.t < store.clock)
    return {
      field: 'created_at',
      message: `is before the latest payout the ledger holds (${new Date(store.clock).toISOString()}); record payouts in time order`,
    }
  if (store.index.has(fact.id)) return { field: 'id', message: `payout ${fact.id} is already recorded` }
  return undefined
}

/** Records a payout (checked with `refuseRecord` first) into every tracker whose filter it passes. */
export const record = (j: Journal, store: Store, fact: Fact): void => {
  const t = fact.t
  if (t !== store.clock) setField(j, store, 'clock', t)
  sweep(j, store, t)
  let liveUntil = t
  for (const tracker of store.trackers) {
    if (!matches(tracker.filter, fact)) continue
    const key = fact.keys[tracker.grouping]
    let g = tracker.groups.get(key)
    if (g === undefined) {
      g = newGroup(tracker, t)
      mapSet(j, tracker.groups, key, g)
    } else advance(j, tracker, g, t)
    count(j, tracker, g, fact)
    if (tracker.window.type === 'rolling') push(j, g.queue, fact)
    const until = countsUntil(tracker, t)
    if (until > liveUntil) liveUntil = until
  }
  if (liveUntil <= t) return
  fact.liveUntil = liveUntil // the fact is new: nobody else sees it yet
  push(j, store.timeline, fact)
  mapSet(j, store.index, fact.id, fact)
}

/** Gives back the usage of a recorded payout; unknown or already released ids change nothing. */
export const release = (j: Journal, store: Store, payoutId: string): boolean => {
  const e = store.index.get(payoutId)
  if (e === undefined || e.released) return false
  setField(j, e, 'released', true)
  mapDelete(j, store.index, payoutId)
  for (const tracker of store.trackers) {
    if (!matches(tracker.filter, e)) continue
    const g = tracker.groups.get(e.keys[tracker.grouping])
    if (g === undefined || !stillCounted(tracker, g, e)) continue
    uncount(j, tracker, g, e)
  }
  return true
}

// ---------------------------------------------------------------- queries

/** What a group key has used in the window of a payout at `t` (`t` at or after the store's clock). */
export interface Usage {
  readonly count: number
  readonly cur: string
  readonly sum: Amount
  readonly more: ReadonlyMap<string, Amount> | null
  /** Distinct-count trackers: the live values and how many events hold each. */
  readonly values: ReadonlyMap<string, number> | null
}

const noUsage: Usage = { count: 0, cur: '', sum: 0, more: null, values: null }

/** The number of distinct values in a usage once `value` is counted too. */
export const distinctWith = (usage: Usage, value: string): number => {
  const values = usage.values
  if (values === null) return 1
  return values.size + ((values.get(value) ?? 0) > 0 ? 0 : 1)
}

/** Reads a group's usage at `t` without changing anything: expiry past the last write is virtual. */
export const usageAt = (tracker: Tracker, key: string, t: number): Usage => {
  const g = tracker.groups.get(key)
  if (g === undefined) return noUsage
  const w = tracker.window
  if (w.type === 'calendar') return t >= g.periodEnd ? noUsage : g
  if (w.type === 'lifetime') return g
  const cutoff = t - w.seconds * 1000
  const q = g.queue
  let i = g.head
  if (i >= q.length || (q[i] as Fact).t > cutoff) return g
  let count = g.count
  let sum = g.sum
  let more: Map<string, Amount> | null = null
  let values: Map<string, number> | null = null
  for (; i < q.length; i++) {
    const e = q[i] as Fact
    if (e.t > cutoff) break
    if (e.released) continue
    count--
    if (tracker.distinct !== null && g.values !== null) {
      values ??= new Map(g.values)
      const v = e.values[tracker.distinct]
      const n = (values.get(v) ?? 0) - 1
      if (n > 0) values.set(v, n)
      else values.delete(v)
    }
    if (e.currency === g.cur) sum = subtract(sum, e.minor)
    else {
      more ??= new Map(g.more)
      more.set(e.currency, subtract(more.get(e.currency) ?? 0, e.minor))
    }
  }
  return { count, cur: g.cur, sum, more: more ?? g.more, values: values ?? g.values }
}

/** Size figures: tracked group keys and payouts held for release. */
export const storeSize = (store: Store): { readonly trackedKeys: number; readonly payouts: number } => {
  let trackedKeys = 0
  for (const tracker of store.trackers) trackedKeys += tracker.groups.size
  return { trackedKeys, payouts: store.index.size }
}
