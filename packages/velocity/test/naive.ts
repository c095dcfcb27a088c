// The obviously correct reference: a velocity verdict computed by scanning the whole history of
// recorded payouts, with no ledger, no trackers and no expiry.
import { convertMoney, formatMoney, money, type Rounding } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import type { Payout, Rule, RuleSet } from '../src/index.js'
import { calendarPeriod, inWindow } from '../src/index.js'

export interface Recorded {
  readonly payout: Payout
  released: boolean
}

export interface NaiveOutcome {
  readonly rule_id: string
  readonly triggered: boolean
  readonly observed: string | number
  readonly limit: string | number | null
  readonly remaining: string | number | null
  readonly resets_at?: string
}

export interface NaiveVerdict {
  readonly action: 'allow' | 'review' | 'block'
  readonly rule_set_version: number
  readonly triggered_rules: ReadonlyArray<NaiveOutcome>
}

export type Rates = ReadonlyArray<{ from: string; to: string; rate: string }>

const passes = (rule: Rule, p: Payout): boolean => {
  const f = rule.filters
  return (
    (f.includeCountries === undefined || f.includeCountries.includes(p.destinationCountry)) &&
    (f.excludeCountries === undefined || !f.excludeCountries.includes(p.destinationCountry)) &&
    (f.currencies === undefined || f.currencies.includes(p.amount.currency)) &&
    (f.instrumentTypes === undefined || f.instrumentTypes.includes(p.instrumentType))
  )
}

const sameGroup = (rule: Rule, a: Payout, b: Payout): boolean => {
  if (a.merchantId !== b.merchantId) return false
  if (rule.kind === 'duplicate_detection')
    return (
      a.beneficiaryId === b.beneficiaryId &&
      a.amount.currency === b.amount.currency &&
      a.amount.minor === b.amount.minor
    )
  switch (rule.groupBy) {
    case 'merchant':
      return true
    case 'beneficiary':
      return a.beneficiaryId === b.beneficiaryId
    case 'instrument':
      return a.instrumentId === b.instrumentId
    case 'destination_country':
      return a.destinationCountry === b.destinationCountry
  }
}

const convert = (
  minor: bigint,
  from: string,
  to: string,
  rates: Rates,
  rounding: Rounding,
): bigint | undefined => {
  if (from === to) return minor
  const rate = rates.find((r) => r.from === from && r.to === to)
  if (rate === undefined) return undefined
  const c = convertMoney(money(minor, from), { to, rate: rate.rate, rounding })
  return E.isRight(c) ? c.right.minor : undefined
}

export const naiveAssess = (
  rule: Rule,
  history: ReadonlyArray<Recorded>,
  p: Payout,
  rates: Rates = [],
  rounding: Rounding = 'half-even',
): NaiveOutcome | null => {
  if (!rule.enabled || !passes(rule, p)) return null
  const t = p.createdAt
  if (
    rule.kind === 'new_beneficiary_limit' &&
    p.beneficiaryCreatedAt !== undefined &&
    t - p.beneficiaryCreatedAt >= (rule.maxAgeSeconds ?? 0) * 1000
  )
    return null
  const m = rule.measure
  if (m.type === 'none') {
    const listed = rule.geo?.countries.includes(p.destinationCountry) ?? false
    const triggered = rule.geo?.mode === 'deny' ? listed : !listed
    return { rule_id: rule.id, triggered, observed: p.destinationCountry, limit: null, remaining: null }
  }
  const counted = history.filter(
    (r) =>
      !r.released &&
      passes(rule, r.payout) &&
      sameGroup(rule, r.payout, p) &&
      inWindow(rule.window, t, r.payout.createdAt),
  )
  const resets =
    rule.window.type === 'calendar'
      ? { resets_at: new Date(calendarPeriod(rule.window, t).end).toISOString() }
      : {}
  if (m.type === 'distinct') {
    // the values of the counted payouts and of this one, each counted once
    const counts = (x: Payout): string =>
      m.of === 'beneficiary' ? x.beneficiaryId : m.of === 'instrument' ? x.instrumentId : x.destinationCountry
    const observed = new Set([...counted.map((r) => counts(r.payout)), counts(p)]).size
    return {
      rule_id: rule.id,
      triggered: observed > m.limit,
      observed,
      limit: m.limit,
      remaining: Math.max(0, m.limit - observed),
      ...resets,
    }
  }
  if (m.type === 'count') {
    const observed = counted.length + 1
    return {
      rule_id: rule.id,
      triggered: observed > m.limit,
      observed,
      limit: m.limit,
      remaining: Math.max(0, m.limit - observed),
      ...resets,
    }
  }
  const own = convert(p.amount.minor, p.amount.currency, m.currency, rates, rounding)
  if (own === undefined) return null
  // each currency's total is converted once, then rounded
  const byCurrency = new Map<string, bigint>()
  for (const r of counted)
    byCurrency.set(
      r.payout.amount.currency,
      (byCurrency.get(r.payout.amount.currency) ?? 0n) + r.payout.amount.minor,
    )
  let observed = own
  for (const [currency, sum] of byCurrency)
    observed += convert(sum, currency, m.currency, rates, rounding) ?? 0n
  const show = (n: bigint) => formatMoney(money(n, m.currency))
  return {
    rule_id: rule.id,
    triggered: observed > m.limit,
    observed: show(observed),
    limit: show(m.limit),
    remaining: show(m.limit > observed ? m.limit - observed : 0n),
    ...resets,
  }
}

export const naiveEvaluate = (
  ruleSet: RuleSet,
  history: ReadonlyArray<Recorded>,
  p: Payout,
  rates: Rates = [],
): NaiveVerdict => {
  const outcomes = ruleSet.rules
    .map((rule) => ({ rule, outcome: naiveAssess(rule, history, p, rates) }))
    .filter((x): x is { rule: Rule; outcome: NaiveOutcome } => x.outcome !== null)
  const triggered = outcomes.filter((x) => x.outcome.triggered).map((x) => x.rule.action)
  const action = triggered.includes('block') ? 'block' : triggered.includes('review') ? 'review' : 'allow'
  return {
    action,
    rule_set_version: ruleSet.version,
    triggered_rules: outcomes.map((x) => x.outcome).sort((a, b) => (a.rule_id < b.rule_id ? -1 : 1)),
  }
}

/** The comparable part of a real verdict (the reason wording is not part of the comparison). */
export const comparable = (v: {
  readonly action: string
  readonly rule_set_version: number
  readonly triggered_rules: ReadonlyArray<
    NaiveOutcome & { readonly reason?: string; readonly kind?: string; readonly action?: string }
  >
}): NaiveVerdict => ({
  action: v.action as NaiveVerdict['action'],
  rule_set_version: v.rule_set_version,
  triggered_rules: v.triggered_rules.map(({ rule_id, triggered, observed, limit, remaining, resets_at }) => ({
    rule_id,
    triggered,
    observed,
    limit,
    remaining,
    ...(resets_at === undefined ? {} : { resets_at }),
  })),
})
