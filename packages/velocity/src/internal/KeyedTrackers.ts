// The trackers of a rule set as keyed velocity sees them (grouping, window and filters, as the
// ledger groups its rules), the record keys of a payout in them, and the reading of those records
// back into a one-payout store, so that the keyed verdict comes from the very evaluator the ledger
// uses (same assessment, same wording).
import { deriveId, type ValidationProblem, type Versioned } from '@payout-kernel/core'
import type { Payout } from '../Payout.js'
import type { DistinctField, RuleSet } from '../RuleSet.js'
import { type CalendarPeriod, calendarPeriod } from '../VelocityWindow.js'
import { type Amount, fromBigInt } from './Amount.js'
import type { AnyRecord, Sums, Values } from './KeyedRecords.js'
import {
  compileRule,
  type Fact,
  type Filter,
  type Group,
  type Grouping,
  matches,
  newStore,
  type Store,
  type TrackedWindow,
  track,
} from './Store.js'

// ---------------------------------------------------------------- trackers

export interface TrackerSpec {
  readonly signature: string
  /** A short, stable name of the signature for record keys: `t` and 32 hex digits of its SHA-256. */
  readonly name: string
  readonly window: TrackedWindow
  readonly grouping: Grouping
  readonly distinct: DistinctField | null
  readonly filter: Filter
  /** The rules (enabled or not) that share this tracker. */
  readonly ruleIds: ReadonlyArray<string>
}

const names = /* @__PURE__ */ new Map<string, string>()
const nameOf = (signature: string): string => {
  let name = names.get(signature)
  if (name === undefined) {
    name = deriveId('t', [signature])
    names.set(signature, name)
  }
  return name
}

const specs = /* @__PURE__ */ new WeakMap<RuleSet, ReadonlyArray<TrackerSpec>>()

/** One tracker per distinct signature of the rule set's windowed rules, in first-seen order. */
export const trackersOf = (ruleSet: RuleSet): ReadonlyArray<TrackerSpec> => {
  const known = specs.get(ruleSet)
  if (known) return known
  const bySignature = new Map<string, { spec: Omit<TrackerSpec, 'ruleIds'>; ruleIds: string[] }>()
  for (const rule of ruleSet.rules) {
    const c = compileRule(rule)
    if (c.signature === null) continue
    const seen = bySignature.get(c.signature)
    if (seen) seen.ruleIds.push(rule.id)
    else
      bySignature.set(c.signature, {
        spec: {
          signature: c.signature,
          name: nameOf(c.signature),
          window: rule.window as TrackedWindow,
          grouping: c.grouping,
          distinct: c.distinct,
          filter: c.filter,
        },
        ruleIds: [rule.id],
      })
  }
  const out = [...bySignature.values()].map(({ spec, ruleIds }) => ({ ...spec, ruleIds }))
  specs.set(ruleSet, out)
  return out
}

// ---------------------------------------------------------------- keys

/** The group key of a payout in the form a record key spells it (`/`-separated; ids hold no `/`). */
const groupOf = (grouping: Grouping, p: Payout): string => {
  const m = p.merchantId
  switch (grouping) {
    case 'merchant':
      return m
    case 'beneficiary':
      return `${m}/${p.beneficiaryId}`
    case 'instrument':
      return `${m}/${p.instrumentId}`
    case 'destination_country':
      return `${m}/${p.destinationCountry}`
    case 'duplicate':
      return `${m}/${p.beneficiaryId}/${p.amount.currency}/${p.amount.minor}`
  }
}

/** Where one payout counts in one tracker: the record key and, for a calendar window, its period. */
export interface Slot {
  readonly spec: TrackerSpec
  readonly key: string
  readonly group: string
  readonly period: CalendarPeriod | null
}

export const payoutKey = (payoutId: string): string => `p/${payoutId}`

/** The trackers of the rule set whose filters the payout passes, with the key of its record in each. */
export const slotsOf = (ruleSet: RuleSet, payout: Payout, fact: Fact): ReadonlyArray<Slot> => {
  const out: Slot[] = []
  for (const spec of trackersOf(ruleSet)) {
    if (!matches(spec.filter, fact)) continue
    const group = groupOf(spec.grouping, payout)
    const period = spec.window.type === 'calendar' ? calendarPeriod(spec.window, payout.createdAt) : null
    const key = `u/${spec.name}/${group}${period === null ? '' : `/${period.start}`}`
    out.push({ spec, key, group, period })
  }
  return out
}

// ---------------------------------------------------------------- reads

export type Reads = ReadonlyMap<string, Versioned<AnyRecord> | null>

/** Records that cannot belong under the key they were read from (a corrupt or foreign store). */
export const misplaced = (slots: ReadonlyArray<Slot>, reads: Reads, ownKey: string): ValidationProblem[] => {
  const problems: ValidationProblem[] = []
  for (const slot of slots) {
    const read = reads.get(slot.key)
    if (read === undefined || read === null) continue
    const r = read.value
    const want = slot.spec.window.type
    if (r.kind !== want)
      problems.push({ field: `${slot.key}.kind`, message: `must be ${want} for this key, got ${r.kind}` })
    else if (r.kind === 'calendar' && (r.start !== slot.period?.start || r.end !== slot.period?.end))
      problems.push({
        field: `${slot.key}.start`,
        message: `must be the period of this key (${slot.period?.start} to ${slot.period?.end})`,
      })
  }
  const own = reads.get(ownKey)
  if (own !== undefined && own !== null && own.value.kind !== 'payout')
    problems.push({ field: `${ownKey}.kind`, message: `must be payout for this key, got ${own.value.kind}` })
  return problems
}

const sumsInto = (g: Group, sums: ReadonlyMap<string, bigint>): void => {
  let more: Map<string, Amount> | null = null
  for (const [currency, total] of sums) {
    if (g.cur === '') {
      g.cur = currency
      g.sum = fromBigInt(total)
    } else {
      more ??= new Map()
      more.set(currency, fromBigInt(total))
    }
  }
  g.more = more
}

const bigSums = (sums: Sums): Map<string, bigint> =>
  new Map(Object.entries(sums).map(([c, minor]) => [c, BigInt(minor)]))

const valueMap = (values: Values): Map<string, number> => new Map(Object.entries(values))

/**
 * The time a rolling row takes a payout created at `t` at: the later of `t` and the row's latest
 * event, so a row's time never goes back (as a rescore quota log's). Any other row: `t`.
 */
export const rowTime = (r: AnyRecord | null | undefined, t: number): number =>
  r?.kind === 'rolling' && r.latest > t ? r.latest : t

/**
 * The group a usage record stands for, as the ledger's evaluator reads it for a payout at `t`: a
 * rolling row's events in the window ending at its `rowTime`.
 */
const groupFrom = (slot: Slot, r: AnyRecord, t: number): Group => {
  const g: Group = {
    count: 0,
    cur: '',
    sum: 0,
    more: null,
    values: slot.spec.distinct === null ? null : new Map(),
    queue: [],
    head: 0,
    cutoff: Number.NEGATIVE_INFINITY,
    periodStart: Number.NEGATIVE_INFINITY,
    periodEnd: Number.POSITIVE_INFINITY,
    since: Number.NEGATIVE_INFINITY,
  }
  if (r.kind === 'calendar' || r.kind === 'lifetime') {
    g.count = r.count
    sumsInto(g, bigSums(r.sums))
    if (g.values !== null) g.values = valueMap(r.values)
    if (r.kind === 'calendar') {
      g.periodStart = r.start
      g.periodEnd = r.end
    }
  } else if (r.kind === 'rolling' && slot.spec.window.type === 'rolling') {
    const cutoff = rowTime(r, t) - slot.spec.window.seconds * 1000
    const sums = new Map<string, bigint>()
    for (const e of r.events) {
      if (e.t <= cutoff) continue
      g.count++
      sums.set(e.currency, (sums.get(e.currency) ?? 0n) + BigInt(e.minor))
      if (g.values !== null && e.value !== null) g.values.set(e.value, (g.values.get(e.value) ?? 0) + 1)
    }
    sumsInto(g, sums)
  }
  return g
}

/**
 * A ledger store holding exactly what the reads say about this payout's groups: every tracker of
 * the rule set, each with the payout's group from its record (none when the record is absent); a
 * tracker whose record was not read at all is left out, so its rules come back as untracked.
 */
export const storeFrom = (ruleSet: RuleSet, slots: ReadonlyArray<Slot>, reads: Reads, fact: Fact): Store => {
  const store = newStore()
  track(null, store, ruleSet)
  for (const slot of slots) {
    const read = reads.get(slot.key)
    const tracker = store.bySignature.get(slot.spec.signature)
    if (tracker === undefined) continue
    if (read === undefined) store.bySignature.delete(slot.spec.signature)
    else if (read !== null)
      tracker.groups.set(fact.keys[slot.spec.grouping], groupFrom(slot, read.value, fact.t))
  }
  return store
}
