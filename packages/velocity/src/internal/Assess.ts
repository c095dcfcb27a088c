// One rule against one payout, given the ledger: whether the rule applies, what it observes, and
// whether it triggers. Shared by `evaluate` (which words it as a verdict) and `backtest` (which
// only counts), so both decide exactly alike.
import {
  Currency,
  convertMoney,
  describeValue,
  money,
  type Rounding,
  scaleOf,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import type { Payout } from '../Payout.js'
import type { DistinctField } from '../RuleSet.js'
import { type Amount, add, fromBigInt, toBigInt } from './Amount.js'
import {
  type CompiledRule,
  distinctWith,
  type Fact,
  matches,
  periodOf,
  type Store,
  usageAt,
} from './Store.js'

/** Exchange rates by `FROM>TO`, already validated, and the rounding of every conversion. */
export interface Conversions {
  readonly rates: ReadonlyMap<string, string>
  readonly rounding: Rounding
}

export const noConversions: Conversions = { rates: /* @__PURE__ */ new Map(), rounding: 'half-even' }

/** A rate ready for arithmetic: result = amount × num / den, in the target's minor units. */
export interface ParsedRate {
  readonly num: number
  readonly den: number
  readonly from: string
  readonly to: string
  readonly rate: string
}

/** Parsed rates by source then target currency, one table per `Conversions` value. */
const parsedRates = /* @__PURE__ */ new WeakMap<Conversions, Map<string, Map<string, ParsedRate | null>>>()

const parseRate = (from: string, to: string, rate: string): ParsedRate | null => {
  const m = /^(\d{1,12})(?:\.(\d{1,18}))?$/.exec(rate)
  if (m === null) return null
  const fraction = m[2] ?? ''
  const fromScale = scaleOf(from as Currency)
  const toScale = scaleOf(to as Currency)
  const num = Number(`${m[1] ?? ''}${fraction}`) * 10 ** Math.max(0, toScale - fromScale)
  const den = 10 ** (fraction.length + Math.max(0, fromScale - toScale))
  // Only rates whose parts are exact small integers take the number path; others use convertMoney.
  return Number.isSafeInteger(num) && den <= 2 ** 31
    ? { num, den, from, to, rate }
    : { num: Number.NaN, den, from, to, rate }
}

/** The rate from one currency to another, parsed once per `Conversions`; `null` when none was given. */
export const rateOf = (conversions: Conversions, from: string, to: string): ParsedRate | null => {
  let byFrom = parsedRates.get(conversions)
  if (byFrom === undefined) {
    byFrom = new Map()
    parsedRates.set(conversions, byFrom)
  }
  let byTo = byFrom.get(from)
  if (byTo === undefined) {
    byTo = new Map()
    byFrom.set(from, byTo)
  }
  let parsed = byTo.get(to)
  if (parsed === undefined) {
    const rate = conversions.rates.get(`${from}>${to}`)
    parsed = rate === undefined ? null : parseRate(from, to, rate)
    byTo.set(to, parsed)
  }
  return parsed
}

/** q = n / d rounded by the mode, for safe integers n and 0 < d ≤ 2^31; the same rule as core's convertMoney. */
const divideRounded = (n: number, d: number, rounding: Rounding): number => {
  // Float division can be one off: step q so that r is the exact remainder, with the sign of n.
  let q = Math.trunc(n / d)
  const step =
    n >= 0 ? (n - q * d < 0 ? -1 : n - q * d >= d ? 1 : 0) : n - q * d > 0 ? 1 : n - q * d <= -d ? -1 : 0
  q += step
  const r = n - q * d
  if (r === 0) return q
  const away = n < 0 ? q - 1 : q + 1
  const twice = 2 * Math.abs(r)
  switch (rounding) {
    case 'down':
      return q
    case 'floor':
      return n < 0 ? q - 1 : q
    case 'ceil':
      return n < 0 ? q : q + 1
    case 'half-up':
      return twice >= d ? away : q
    case 'half-even':
      return twice > d ? away : twice < d ? q : q % 2 === 0 ? q : away
  }
}

/** An amount converted exactly and rounded once; `undefined` when no rate was given. */
export const convert = (
  a: Amount,
  from: string,
  to: string,
  conversions: Conversions,
): Amount | undefined => {
  if (from === to) return a
  const rate = rateOf(conversions, from, to)
  return rate === null ? undefined : applyRate(a, rate, conversions.rounding)
}

/** An amount converted at a parsed rate, exactly and rounded once (a number path when that is exact). */
export const applyRate = (a: Amount, rate: ParsedRate, rounding: Rounding): Amount | undefined => {
  if (typeof a === 'number') {
    const n = a * rate.num
    if (Number.isSafeInteger(n) && Math.abs(n) <= 2 ** 52) return divideRounded(n, rate.den, rounding)
  }
  const converted = convertMoney(money(toBigInt(a), rate.from), {
    to: rate.to,
    rate: rate.rate,
    rounding,
  })
  return E.isRight(converted) ? fromBigInt(converted.right.minor) : undefined
}

export type Assessment =
  | {
      readonly measure: 'amount'
      readonly triggered: boolean
      readonly observed: Amount
      readonly limit: bigint
      readonly currency: string
      readonly resetsAt: number | undefined
    }
  | {
      readonly measure: 'count'
      readonly triggered: boolean
      readonly observed: number
      readonly limit: number
      readonly resetsAt: number | undefined
    }
  | {
      readonly measure: 'distinct'
      readonly of: DistinctField
      readonly triggered: boolean
      readonly observed: number
      readonly limit: number
      readonly resetsAt: number | undefined
    }
  | { readonly measure: 'country'; readonly triggered: boolean; readonly country: string }

/** `null`: the rule does not apply to this payout; `'untracked'`: the ledger has no tracker for it. */
export const assess = (
  c: CompiledRule,
  store: Store,
  fact: Fact,
  payout: Payout,
  conversions: Conversions,
): Assessment | null | 'untracked' => {
  const rule = c.rule
  if (!rule.enabled || !matches(c.filter, fact)) return null
  const t = fact.t
  if (rule.kind === 'new_beneficiary_limit' && payout.beneficiaryCreatedAt !== undefined) {
    if (t - payout.beneficiaryCreatedAt >= (rule.maxAgeSeconds ?? 0) * 1000) return null
  }
  const m = rule.measure
  if (m.type === 'none') {
    const geo = rule.geo
    if (geo === undefined) return null
    const listed = geo.countries.includes(fact.country as never)
    return { measure: 'country', triggered: geo.mode === 'deny' ? listed : !listed, country: fact.country }
  }
  let own: Amount = 1
  if (m.type === 'amount') {
    const converted = convert(fact.minor, fact.currency, m.currency, conversions)
    if (converted === undefined) return null
    own = converted
  }
  if (c.signature === null) {
    // per payout: only the amount rule has a per-payout window
    return m.type === 'amount'
      ? {
          measure: 'amount',
          triggered: own > m.limit,
          observed: own,
          limit: m.limit,
          currency: m.currency,
          resetsAt: undefined,
        }
      : m.type === 'count'
        ? { measure: 'count', triggered: 1 > m.limit, observed: 1, limit: m.limit, resetsAt: undefined }
        : {
            measure: 'distinct',
            of: m.of,
            triggered: 1 > m.limit,
            observed: 1,
            limit: m.limit,
            resetsAt: undefined,
          }
  }
  const tracker = store.bySignature.get(c.signature)
  if (tracker === undefined) return 'untracked'
  const usage = usageAt(tracker, fact.keys[c.grouping], t)
  const resetsAt = tracker.window.type === 'calendar' ? periodOf(tracker, t).end : undefined
  if (m.type === 'count') {
    const observed = usage.count + 1
    return { measure: 'count', triggered: observed > m.limit, observed, limit: m.limit, resetsAt }
  }
  if (m.type === 'distinct') {
    const observed = distinctWith(usage, fact.values[m.of])
    return {
      measure: 'distinct',
      of: m.of,
      triggered: observed > m.limit,
      observed,
      limit: m.limit,
      resetsAt,
    }
  }
  let observed = own
  if (usage.cur !== '') {
    const converted =
      usage.cur === m.currency ? usage.sum : convert(usage.sum, usage.cur, m.currency, conversions)
    if (converted !== undefined) observed = add(observed, converted)
  }
  if (usage.more !== null)
    for (const [currency, sum] of usage.more) {
      const converted = convert(sum, currency, m.currency, conversions)
      if (converted !== undefined) observed = add(observed, converted)
    }
  return {
    measure: 'amount',
    triggered: observed > m.limit,
    observed,
    limit: m.limit,
    currency: m.currency,
    resetsAt,
  }
}

// ---------------------------------------------------------------- options

const roundings: ReadonlyArray<Rounding> = ['half-even', 'half-up', 'down', 'floor', 'ceil']

/** Validates the options into conversions (internal; shared with the backtest). */
export const conversionsOf = (
  options: { readonly rates?: ReadonlyArray<unknown>; readonly rounding?: Rounding } | undefined,
): E.Either<ValidationError, Conversions> => {
  const problems: ValidationProblem[] = []
  const rates = new Map<string, string>()
  const rounding = options?.rounding ?? 'half-even'
  if (!roundings.includes(rounding))
    problems.push({
      field: 'rounding',
      message: `must be one of ${roundings.join(', ')}, got ${describeValue(rounding)}`,
    })
  const given: unknown = options?.rates ?? []
  if (!Array.isArray(given))
    problems.push({ field: 'rates', message: `must be an array, got ${describeValue(given)}` })
  else
    given.forEach((r: unknown, i) => {
      const at = `rates.${i}`
      if (typeof r !== 'object' || r === null) {
        problems.push({ field: at, message: `must be { from, to, rate }, got ${describeValue(r)}` })
        return
      }
      const { from, to, rate } = r as { from?: unknown; to?: unknown; rate?: unknown }
      if (!Currency.is(from))
        problems.push({ field: `${at}.from`, message: `must be a currency code, got ${describeValue(from)}` })
      if (!Currency.is(to))
        problems.push({ field: `${at}.to`, message: `must be a currency code, got ${describeValue(to)}` })
      const probe =
        typeof rate === 'string' && Currency.is(to) ? convertMoney(money(1n, 'USD'), { to, rate }) : undefined
      if (probe === undefined || E.isLeft(probe))
        problems.push({
          field: `${at}.rate`,
          message: `must be a positive decimal string such as "1.08", got ${describeValue(rate)}`,
        })
      if (!Currency.is(from) || !Currency.is(to) || typeof rate !== 'string') return
      if (from === to) problems.push({ field: at, message: 'converts a currency into itself' })
      else if (rates.has(`${from}>${to}`))
        problems.push({ field: at, message: `repeats the rate ${from}>${to}` })
      else rates.set(`${from}>${to}`, rate)
    })
  return problems.length > 0 ? E.left({ _tag: 'ValidationError', problems }) : E.right({ rates, rounding })
}

type VelocityAction = 'allow' | 'review' | 'block'
const severity: Readonly<Record<VelocityAction, number>> = { allow: 0, review: 1, block: 2 }

/** The verdict action of a set of outcomes: the most severe triggered block or review, else allow. */
export const actionOf = (
  outcomes: ReadonlyArray<{ readonly triggered: boolean; readonly action: 'block' | 'review' | 'alert' }>,
): VelocityAction => {
  let action: VelocityAction = 'allow'
  for (const o of outcomes)
    if (o.triggered && o.action !== 'alert' && severity[o.action] > severity[action]) action = o.action
  return action
}
