/**
 * Velocity rule sets: merchant-scoped limits decoded from the snake_case JSON the rules API holds,
 * versioned, and managed by pure functions (add, update, remove, enable, disable) that validate
 * and bump the version.
 */
import {
  type Country,
  Country as CountryCodec,
  type Currency,
  Currency as CurrencyCodec,
  describeValue,
  formatMoney,
  guardDecoder,
  type MinorUnits,
  money,
  parseMoney,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import { isTimeZone, type VelocityWindow, type WeekStart } from './VelocityWindow.js'

// ---------------------------------------------------------------- model

/**
 * Every rule kind the platform names.
 *
 * @example
 * import { ruleKinds } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(ruleKinds.length, 10)
 * assert.ok(ruleKinds.includes('duplicate_detection'))
 */
export const ruleKinds = [
  'max_amount_per_txn',
  'max_daily_amount',
  'max_daily_count',
  'max_weekly_amount',
  'max_monthly_amount',
  'max_amount_per_beneficiary',
  'max_count_per_beneficiary',
  'duplicate_detection',
  'new_beneficiary_limit',
  'geo_blocking',
] as const

/**
 * A rule kind: one of `ruleKinds`.
 *
 * @example
 * import type { RuleKind } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const kind: RuleKind = 'max_daily_amount'
 * assert.equal(kind, 'max_daily_amount')
 */
export type RuleKind = (typeof ruleKinds)[number]

/**
 * What a triggered rule does: `block` and `review` decide the verdict, `alert` is only recorded.
 *
 * @example
 * import type { RuleAction } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const a: RuleAction = 'alert'
 * assert.equal(a, 'alert')
 */
export type RuleAction = 'block' | 'review' | 'alert'

/**
 * What a rule groups payouts by before it sums them (always within the payout's merchant).
 *
 * @example
 * import type { GroupBy } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const g: GroupBy = 'destination_country'
 * assert.equal(g, 'destination_country')
 */
export type GroupBy = 'merchant' | 'beneficiary' | 'instrument' | 'destination_country'

/**
 * What a distinct-count measure counts the different values of, among a group's payouts in the
 * window: beneficiaries, instruments or destination countries.
 *
 * @example
 * import type { DistinctField } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const of: DistinctField = 'beneficiary'
 * assert.equal(of, 'beneficiary')
 */
export type DistinctField = 'beneficiary' | 'instrument' | 'destination_country'

/**
 * The fields a distinct-count measure can count (`"measure": { "distinct": … }` in the JSON).
 *
 * @example
 * import { distinctFields } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(distinctFields, ['beneficiary', 'instrument', 'destination_country'])
 */
export const distinctFields: ReadonlyArray<DistinctField> = [
  'beneficiary',
  'instrument',
  'destination_country',
]

/**
 * The rule kinds that accept a distinct-count measure instead of a count of payouts.
 *
 * @example
 * import { distinctKinds } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(distinctKinds.includes('max_daily_count'))
 * assert.ok(!distinctKinds.includes('duplicate_detection'))
 */
export const distinctKinds: ReadonlyArray<RuleKind> = [
  'max_daily_count',
  'max_count_per_beneficiary',
  'new_beneficiary_limit',
]

/**
 * What a rule measures and its inclusive limit: an amount in a currency (exact minor units), a
 * count of payouts, a count of distinct values (beneficiaries, instruments or destination
 * countries) among them, or nothing (geo blocking).
 *
 * @example
 * import type { RuleMeasure } from '@payout-kernel/velocity'
 * import { minorUnits, type Currency } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const m: RuleMeasure = { type: 'amount', limit: minorUnits(100000n), currency: 'USD' as Currency }
 * const d: RuleMeasure = { type: 'distinct', of: 'beneficiary', limit: 20 }
 * assert.equal(m.type, 'amount')
 * assert.equal(d.type, 'distinct')
 */
export type RuleMeasure =
  | { readonly type: 'amount'; readonly limit: MinorUnits; readonly currency: Currency }
  | { readonly type: 'count'; readonly limit: number }
  | { readonly type: 'distinct'; readonly limit: number; readonly of: DistinctField }
  | { readonly type: 'none' }

/**
 * Which payouts a rule looks at: destination countries included / excluded, payout currencies,
 * instrument types. An absent list does not filter.
 *
 * @example
 * import type { RuleFilters } from '@payout-kernel/velocity'
 * import type { Country } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const f: RuleFilters = { excludeCountries: ['US' as Country] }
 * assert.equal(f.excludeCountries?.length, 1)
 */
export interface RuleFilters {
  readonly includeCountries?: ReadonlyArray<Country>
  readonly excludeCountries?: ReadonlyArray<Country>
  readonly currencies?: ReadonlyArray<Currency>
  readonly instrumentTypes?: ReadonlyArray<string>
}

/**
 * One velocity rule, decoded. `maxAgeSeconds` belongs to `new_beneficiary_limit`, `geo` to
 * `geo_blocking`.
 *
 * @example
 * import { parseRuleSet, type Rule } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'txn', name: 'Per payout', kind: 'max_amount_per_txn',
 *   action: 'block', enabled: true, threshold: '5000.00', currency: 'USD' }] })
 * assert.ok(E.isRight(rs))
 * const rule: Rule | undefined = rs.right.rules[0]
 * assert.equal(rule?.window.type, 'per_payout')
 */
export interface Rule {
  readonly id: string
  readonly name: string
  readonly kind: RuleKind
  readonly action: RuleAction
  readonly enabled: boolean
  readonly measure: RuleMeasure
  readonly window: VelocityWindow
  readonly groupBy: GroupBy
  readonly filters: RuleFilters
  readonly maxAgeSeconds?: number
  readonly geo?: { readonly mode: 'deny' | 'allow'; readonly countries: ReadonlyArray<Country> }
}

/**
 * A versioned set of rules with unique ids. Every verdict names the version it used.
 *
 * @example
 * import type { RuleSet } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const empty: RuleSet = { version: 0, rules: [] }
 * assert.equal(empty.rules.length, 0)
 */
export interface RuleSet {
  readonly version: number
  readonly rules: ReadonlyArray<Rule>
}

// ---------------------------------------------------------------- kinds

type Measured = 'amount' | 'count' | 'either' | 'none'
type WindowType = VelocityWindow['type']

interface KindSpec {
  readonly measure: Measured
  readonly windows: ReadonlyArray<WindowType>
  readonly calendarUnit?: 'day' | 'week' | 'month'
  readonly defaultWindow: VelocityWindow
  readonly groupBy?: GroupBy
}

const utcCalendar = (unit: 'day' | 'week' | 'month'): VelocityWindow => ({
  type: 'calendar',
  unit,
  timeZone: 'UTC',
  weekStartsOn: 1,
})

const kindSpecs: Readonly<Record<RuleKind, KindSpec>> = {
  max_amount_per_txn: { measure: 'amount', windows: ['per_payout'], defaultWindow: { type: 'per_payout' } },
  max_daily_amount: {
    measure: 'amount',
    windows: ['calendar', 'rolling'],
    calendarUnit: 'day',
    defaultWindow: /* @__PURE__ */ utcCalendar('day'),
  },
  max_daily_count: {
    measure: 'count',
    windows: ['calendar', 'rolling'],
    calendarUnit: 'day',
    defaultWindow: /* @__PURE__ */ utcCalendar('day'),
  },
  max_weekly_amount: {
    measure: 'amount',
    windows: ['calendar', 'rolling'],
    calendarUnit: 'week',
    defaultWindow: /* @__PURE__ */ utcCalendar('week'),
  },
  max_monthly_amount: {
    measure: 'amount',
    windows: ['calendar', 'rolling'],
    calendarUnit: 'month',
    defaultWindow: /* @__PURE__ */ utcCalendar('month'),
  },
  max_amount_per_beneficiary: {
    measure: 'amount',
    windows: ['rolling', 'calendar', 'lifetime'],
    defaultWindow: { type: 'lifetime' },
    groupBy: 'beneficiary',
  },
  max_count_per_beneficiary: {
    measure: 'count',
    windows: ['rolling', 'calendar', 'lifetime'],
    defaultWindow: { type: 'lifetime' },
    groupBy: 'beneficiary',
  },
  duplicate_detection: {
    measure: 'count',
    windows: ['rolling', 'calendar', 'lifetime'],
    defaultWindow: { type: 'rolling', seconds: 86_400 },
    groupBy: 'beneficiary',
  },
  new_beneficiary_limit: {
    measure: 'either',
    windows: ['rolling', 'calendar', 'lifetime'],
    defaultWindow: { type: 'lifetime' },
    groupBy: 'beneficiary',
  },
  geo_blocking: { measure: 'none', windows: ['per_payout'], defaultWindow: { type: 'per_payout' } },
}

// ---------------------------------------------------------------- decoding

/** The longest rolling window accepted: ten years. */
const maxRollingSeconds = 315_360_000
const ruleIdPattern = /^[A-Za-z0-9_-]{1,64}$/
const instrumentTypePattern = /^[a-z][a-z0-9_]{0,63}$/
const groupBys: ReadonlyArray<GroupBy> = ['merchant', 'beneficiary', 'instrument', 'destination_country']
const actions: ReadonlyArray<RuleAction> = ['block', 'review', 'alert']

type Problems = ValidationProblem[]
type Obj = Readonly<Record<string, unknown>>

const isObject = (u: unknown): u is Obj => typeof u === 'object' && u !== null && !Array.isArray(u)
const own = (o: Obj, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined)
const join = (path: string, key: string | number): string => (path === '' ? `${key}` : `${path}.${key}`)
const isNatural = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0

const oneOf = <A extends string>(
  problems: Problems,
  path: string,
  u: unknown,
  allowed: ReadonlyArray<A>,
): A | undefined => {
  if (typeof u === 'string' && (allowed as ReadonlyArray<string>).includes(u)) return u as A
  problems.push({ field: path, message: `must be one of ${allowed.join(', ')}, got ${describeValue(u)}` })
  return undefined
}

const listOf = <A>(
  problems: Problems,
  path: string,
  u: unknown,
  is: (x: unknown) => x is A,
  what: string,
): ReadonlyArray<A> | undefined => {
  if (u === undefined) return undefined
  if (!Array.isArray(u)) {
    problems.push({ field: path, message: `must be an array of ${what}, got ${describeValue(u)}` })
    return undefined
  }
  const out: A[] = []
  u.forEach((x: unknown, i) => {
    if (is(x)) out.push(x)
    else problems.push({ field: join(path, i), message: `must be ${what}, got ${describeValue(x)}` })
  })
  return out
}

const isInstrumentType = (u: unknown): u is string => typeof u === 'string' && instrumentTypePattern.test(u)

const decodeWindow = (problems: Problems, path: string, u: unknown, spec: KindSpec): VelocityWindow => {
  if (u === undefined) return spec.defaultWindow
  if (!isObject(u)) {
    problems.push({ field: path, message: `must be an object with a type, got ${describeValue(u)}` })
    return spec.defaultWindow
  }
  const type = oneOf(problems, join(path, 'type'), own(u, 'type'), spec.windows)
  switch (type) {
    case undefined:
      return spec.defaultWindow
    case 'per_payout':
    case 'lifetime':
      return { type }
    case 'rolling': {
      const seconds = own(u, 'seconds')
      if (!isNatural(seconds) || seconds < 1 || seconds > maxRollingSeconds) {
        problems.push({
          field: join(path, 'seconds'),
          message: `must be a whole number of seconds from 1 to ${maxRollingSeconds}, got ${describeValue(seconds)}`,
        })
        return spec.defaultWindow
      }
      return { type, seconds }
    }
    case 'calendar': {
      const units = spec.calendarUnit ? [spec.calendarUnit] : (['day', 'week', 'month'] as const)
      const unit = oneOf(problems, join(path, 'unit'), own(u, 'unit'), units)
      const zone = own(u, 'time_zone') ?? 'UTC'
      if (typeof zone !== 'string' || !isTimeZone(zone))
        problems.push({
          field: join(path, 'time_zone'),
          message: `must be an IANA time zone such as Europe/Paris, got ${describeValue(zone)}`,
        })
      const weekStart = own(u, 'week_starts_on') ?? 1
      if (!isNatural(weekStart) || weekStart > 6)
        problems.push({
          field: join(path, 'week_starts_on'),
          message: `must be 0 (Sunday) to 6 (Saturday), got ${describeValue(weekStart)}`,
        })
      if (unit === undefined || typeof zone !== 'string' || !isNatural(weekStart)) return spec.defaultWindow
      return { type, unit, timeZone: zone, weekStartsOn: weekStart as WeekStart }
    }
  }
}

const decodeFilters = (problems: Problems, path: string, u: unknown): RuleFilters => {
  if (u === undefined) return {}
  if (!isObject(u)) {
    problems.push({ field: path, message: `must be an object, got ${describeValue(u)}` })
    return {}
  }
  const filters: {
    includeCountries?: ReadonlyArray<Country>
    excludeCountries?: ReadonlyArray<Country>
    currencies?: ReadonlyArray<Currency>
    instrumentTypes?: ReadonlyArray<string>
  } = {}
  const countries = own(u, 'countries')
  if (countries !== undefined) {
    if (!isObject(countries))
      problems.push({
        field: join(path, 'countries'),
        message: `must be an object { include?, exclude? }, got ${describeValue(countries)}`,
      })
    else {
      const country = 'an ISO 3166-1 alpha-2 country code'
      const include = listOf(
        problems,
        join(path, 'countries.include'),
        own(countries, 'include'),
        CountryCodec.is,
        country,
      )
      const exclude = listOf(
        problems,
        join(path, 'countries.exclude'),
        own(countries, 'exclude'),
        CountryCodec.is,
        country,
      )
      if (include) filters.includeCountries = include
      if (exclude) filters.excludeCountries = exclude
    }
  }
  const currencies = listOf(
    problems,
    join(path, 'currencies'),
    own(u, 'currencies'),
    CurrencyCodec.is,
    'a currency code',
  )
  if (currencies) filters.currencies = currencies
  const types = listOf(
    problems,
    join(path, 'instrument_types'),
    own(u, 'instrument_types'),
    isInstrumentType,
    'an instrument type such as bank_account',
  )
  if (types) filters.instrumentTypes = types
  return filters
}

const decodeDistinct = (
  problems: Problems,
  path: string,
  u: Obj,
  kind: RuleKind,
  declared: unknown,
): RuleMeasure => {
  const measurePath = join(path, 'measure')
  const fallback: RuleMeasure = { type: 'count', limit: 0 }
  if (!distinctKinds.includes(kind)) {
    problems.push({
      field: measurePath,
      message: `${kind} takes no measure; a distinct count fits ${distinctKinds.join(', ')}`,
    })
    return fallback
  }
  if (!isObject(declared) || Object.keys(declared).some((k) => k !== 'distinct')) {
    problems.push({
      field: measurePath,
      message: `must be { "distinct": ${distinctFields.join(' | ')} }, got ${describeValue(declared)}`,
    })
    return fallback
  }
  const of = oneOf(problems, join(measurePath, 'distinct'), own(declared, 'distinct'), distinctFields)
  const group = own(u, 'group_by') ?? kindSpecs[kind].groupBy ?? 'merchant'
  if (of !== undefined && of === group)
    problems.push({
      field: join(measurePath, 'distinct'),
      message: `counts the ${of} the rule groups by, which is always 1; count another field`,
    })
  if (own(u, 'currency') !== undefined)
    problems.push({ field: join(path, 'currency'), message: 'a distinct count takes no currency' })
  const limit = own(u, 'threshold')
  if (!isNatural(limit)) {
    problems.push({
      field: join(path, 'threshold'),
      message: `must be a whole number of distinct values, 0 or more, got ${describeValue(limit)}`,
    })
    return fallback
  }
  return of === undefined ? fallback : { type: 'distinct', limit, of }
}

const decodeMeasure = (
  problems: Problems,
  path: string,
  u: Obj,
  kind: RuleKind,
  spec: KindSpec,
): RuleMeasure => {
  const threshold = own(u, 'threshold')
  const currency = own(u, 'currency')
  const thresholdPath = join(path, 'threshold')
  const currencyPath = join(path, 'currency')
  const declared = own(u, 'measure')
  if (declared !== undefined) return decodeDistinct(problems, path, u, kind, declared)
  const measured: Measured =
    spec.measure === 'either' ? (typeof threshold === 'number' ? 'count' : 'amount') : spec.measure
  switch (measured) {
    case 'none':
      if (threshold !== undefined)
        problems.push({ field: thresholdPath, message: `${kind} takes no threshold` })
      if (currency !== undefined) problems.push({ field: currencyPath, message: `${kind} takes no currency` })
      return { type: 'none' }
    case 'count': {
      if (currency !== undefined)
        problems.push({ field: currencyPath, message: 'a count threshold takes no currency' })
      const limit = threshold === undefined && kind === 'duplicate_detection' ? 1 : threshold
      if (!isNatural(limit)) {
        problems.push({
          field: thresholdPath,
          message: `must be a whole number of payouts, 0 or more, got ${describeValue(threshold)}`,
        })
        return { type: 'count', limit: 0 }
      }
      return { type: 'count', limit }
    }
    default: {
      if (!CurrencyCodec.is(currency)) {
        problems.push({
          field: currencyPath,
          message: `an amount threshold needs its currency (^[A-Z]{3,4}$), got ${describeValue(currency)}`,
        })
        return { type: 'none' }
      }
      const parsed = parseMoney(threshold, currency)
      if (E.isLeft(parsed)) {
        for (const p of parsed.left.problems) problems.push({ field: thresholdPath, message: p.message })
        return { type: 'none' }
      }
      if (parsed.right.minor < 0n) {
        problems.push({ field: thresholdPath, message: 'must not be negative' })
        return { type: 'none' }
      }
      return { type: 'amount', limit: parsed.right.minor, currency }
    }
  }
}

const decodeRuleAt = (problems: Problems, path: string, u: unknown): Rule | undefined => {
  if (!isObject(u)) {
    problems.push({ field: path, message: `must be a rule object, got ${describeValue(u)}` })
    return undefined
  }
  const before = problems.length
  const id = own(u, 'id')
  if (typeof id !== 'string' || !ruleIdPattern.test(id))
    problems.push({
      field: join(path, 'id'),
      message: `must match ^[A-Za-z0-9_-]{1,64}$, got ${describeValue(id)}`,
    })
  const name = own(u, 'name')
  if (typeof name !== 'string' || name.length === 0 || name.length > 255)
    problems.push({
      field: join(path, 'name'),
      message: `must be a string of 1 to 255 characters, got ${describeValue(name)}`,
    })
  const kind = oneOf(problems, join(path, 'kind'), own(u, 'kind'), ruleKinds)
  const action = oneOf(problems, join(path, 'action'), own(u, 'action'), actions)
  const enabled = own(u, 'enabled')
  if (typeof enabled !== 'boolean')
    problems.push({
      field: join(path, 'enabled'),
      message: `must be true or false, got ${describeValue(enabled)}`,
    })
  if (kind === undefined) return undefined
  const spec = kindSpecs[kind]
  const measure = decodeMeasure(problems, path, u, kind, spec)
  const window = decodeWindow(problems, join(path, 'window'), own(u, 'window'), spec)
  const rawGroup = own(u, 'group_by')
  let groupBy: GroupBy = spec.groupBy ?? 'merchant'
  if (rawGroup !== undefined) {
    const g = oneOf(problems, join(path, 'group_by'), rawGroup, groupBys)
    if (g !== undefined && spec.groupBy !== undefined && g !== spec.groupBy)
      problems.push({ field: join(path, 'group_by'), message: `${kind} always groups by ${spec.groupBy}` })
    else if (g !== undefined) groupBy = g
  }
  const filters = decodeFilters(problems, join(path, 'filters'), own(u, 'filters'))
  const params = own(u, 'params') ?? {}
  const paramsPath = join(path, 'params')
  let maxAgeSeconds: number | undefined
  let geo: Rule['geo']
  if (!isObject(params))
    problems.push({ field: paramsPath, message: `must be an object, got ${describeValue(params)}` })
  else if (kind === 'new_beneficiary_limit') {
    const age = own(params, 'max_age_seconds')
    if (!isNatural(age) || age < 1 || age > maxRollingSeconds)
      problems.push({
        field: join(paramsPath, 'max_age_seconds'),
        message: `must be a whole number of seconds from 1 to ${maxRollingSeconds}, got ${describeValue(age)}`,
      })
    else maxAgeSeconds = age
  } else if (kind === 'geo_blocking') {
    const mode = own(params, 'mode') ?? 'deny'
    const m = oneOf(problems, join(paramsPath, 'mode'), mode, ['deny', 'allow'] as const)
    const countriesPath = join(paramsPath, 'countries')
    const countries = listOf(
      problems,
      countriesPath,
      own(params, 'countries'),
      CountryCodec.is,
      'an ISO 3166-1 alpha-2 country code',
    )
    if (countries === undefined)
      problems.push({ field: countriesPath, message: 'geo_blocking needs a list of countries' })
    if (m !== undefined && countries !== undefined) geo = { mode: m, countries }
  }
  if (problems.length > before) return undefined
  return {
    id: id as string,
    name: name as string,
    kind,
    action: action as RuleAction,
    enabled: enabled as boolean,
    measure,
    window,
    groupBy,
    filters,
    ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
    ...(geo === undefined ? {} : { geo }),
  }
}

const fail = (problems: Problems): E.Either<ValidationError, never> =>
  E.left({ _tag: 'ValidationError', problems })

/**
 * Decodes one rule from its snake_case JSON, naming each bad field (`threshold`, `window.time_zone`).
 *
 * @example
 * import { parseRule } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const bad = parseRule({ id: 'd', name: 'Daily', kind: 'max_daily_amount', action: 'block', enabled: true,
 *   threshold: '-1.00', currency: 'USD' })
 * assert.ok(E.isLeft(bad))
 * assert.deepEqual(bad.left.problems, [{ field: 'threshold', message: 'must not be negative' }])
 */
export const parseRule = /* @__PURE__ */ guardDecoder((json: unknown): E.Either<ValidationError, Rule> => {
  const problems: Problems = []
  const rule = decodeRuleAt(problems, '', json)
  return rule === undefined || problems.length > 0 ? fail(problems) : E.right(rule)
})

/**
 * Decodes a rule set from its snake_case JSON `{ version, rules: [...] }`: the rule set, or a
 * `ValidationError` naming every bad field by path (`rules.2.window.time_zone`). Never throws.
 *
 * @example
 * import { parseRuleSet } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const ok = parseRuleSet({ version: 3, rules: [{ id: 'daily', name: 'Daily cap', kind: 'max_daily_amount',
 *   action: 'block', enabled: true, threshold: '10000.00', currency: 'USD',
 *   window: { type: 'calendar', unit: 'day', time_zone: 'America/New_York' } }] })
 * assert.ok(E.isRight(ok) && ok.right.version === 3)
 *
 * const bad = parseRuleSet({ version: 3, rules: [{ id: 'daily', name: 'Daily cap', kind: 'max_daily_amount',
 *   action: 'block', enabled: true, threshold: '10000.005', currency: 'USD',
 *   window: { type: 'calendar', unit: 'day', time_zone: 'Mars/Base' } }] })
 * assert.ok(E.isLeft(bad))
 * assert.deepEqual(bad.left.problems.map((p) => p.field), ['rules.0.threshold', 'rules.0.window.time_zone'])
 */
export const parseRuleSet = /* @__PURE__ */ guardDecoder(
  (json: unknown): E.Either<ValidationError, RuleSet> => {
    if (!isObject(json))
      return fail([
        { field: '', message: `must be a rule set { version, rules }, got ${describeValue(json)}` },
      ])
    const problems: Problems = []
    const version = own(json, 'version')
    if (!isNatural(version))
      problems.push({
        field: 'version',
        message: `must be a whole number, 0 or more, got ${describeValue(version)}`,
      })
    const rawRules = own(json, 'rules')
    const rules: Rule[] = []
    if (!Array.isArray(rawRules))
      problems.push({ field: 'rules', message: `must be an array of rules, got ${describeValue(rawRules)}` })
    else {
      const seen = new Map<string, number>()
      rawRules.forEach((raw: unknown, i) => {
        const rule = decodeRuleAt(problems, `rules.${i}`, raw)
        if (rule === undefined) return
        const first = seen.get(rule.id)
        if (first !== undefined)
          problems.push({ field: `rules.${i}.id`, message: `repeats the id of rules.${first}` })
        else seen.set(rule.id, i)
        rules.push(rule)
      })
    }
    return problems.length > 0 ? fail(problems) : E.right({ version: version as number, rules })
  },
)

// ---------------------------------------------------------------- encoding

const encodeWindow = (w: VelocityWindow): Record<string, unknown> =>
  w.type === 'calendar'
    ? { type: w.type, unit: w.unit, time_zone: w.timeZone, week_starts_on: w.weekStartsOn }
    : { ...w }

/**
 * A rule back to its snake_case JSON (defaults written out); `parseRule` reads it back to the same
 * rule.
 *
 * @example
 * import { encodeRule, parseRule } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rule = parseRule({ id: 'n', name: 'Count', kind: 'max_daily_count', action: 'review', enabled: true, threshold: 5 })
 * assert.ok(E.isRight(rule))
 * assert.deepEqual(parseRule(encodeRule(rule.right)), rule)
 */
export const encodeRule = (rule: Rule): Record<string, unknown> => {
  const filters: Record<string, unknown> = {}
  const f = rule.filters
  if (f.includeCountries || f.excludeCountries)
    filters.countries = {
      ...(f.includeCountries ? { include: [...f.includeCountries] } : {}),
      ...(f.excludeCountries ? { exclude: [...f.excludeCountries] } : {}),
    }
  if (f.currencies) filters.currencies = [...f.currencies]
  if (f.instrumentTypes) filters.instrument_types = [...f.instrumentTypes]
  const m = rule.measure
  return {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    action: rule.action,
    enabled: rule.enabled,
    ...(m.type === 'amount'
      ? { threshold: formatMoney(money(m.limit, m.currency)), currency: m.currency }
      : {}),
    ...(m.type === 'count' ? { threshold: m.limit } : {}),
    ...(m.type === 'distinct' ? { threshold: m.limit, measure: { distinct: m.of } } : {}),
    window: encodeWindow(rule.window),
    group_by: rule.groupBy,
    filters,
    params: {
      ...(rule.maxAgeSeconds === undefined ? {} : { max_age_seconds: rule.maxAgeSeconds }),
      ...(rule.geo === undefined ? {} : { mode: rule.geo.mode, countries: [...rule.geo.countries] }),
    },
  }
}

/**
 * A rule set back to its snake_case JSON; `parseRuleSet` reads it back to the same rule set.
 *
 * @example
 * import { encodeRuleSet, parseRuleSet } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [] })
 * assert.ok(E.isRight(rs))
 * assert.deepEqual(encodeRuleSet(rs.right), { version: 1, rules: [] })
 */
export const encodeRuleSet = (
  ruleSet: RuleSet,
): { version: number; rules: Array<Record<string, unknown>> } => ({
  version: ruleSet.version,
  rules: ruleSet.rules.map(encodeRule),
})

// ---------------------------------------------------------------- management

const bump = (ruleSet: RuleSet, rules: ReadonlyArray<Rule>): RuleSet => ({
  version: ruleSet.version + 1,
  rules,
})

const unknownRule = (ruleId: string): E.Either<ValidationError, never> =>
  fail([{ field: 'rule_id', message: `no rule has the id ${describeValue(ruleId)}` }])

/**
 * Adds a rule (snake_case JSON, validated) and bumps the version; an id already in the set is refused.
 *
 * @example
 * import { addRule, parseRuleSet } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import { pipe } from '#fp-ts/function'
 * import assert from 'node:assert/strict'
 *
 * const next = pipe(parseRuleSet({ version: 1, rules: [] }), E.flatMap((rs) =>
 *   addRule(rs, { id: 'geo', name: 'Sanctioned', kind: 'geo_blocking', action: 'block', enabled: true,
 *     params: { countries: ['KP', 'IR'] } })))
 * assert.ok(E.isRight(next) && next.right.version === 2 && next.right.rules.length === 1)
 */
export const addRule = (ruleSet: RuleSet, ruleJson: unknown): E.Either<ValidationError, RuleSet> => {
  const rule = parseRule(ruleJson)
  if (E.isLeft(rule)) return rule
  if (ruleSet.rules.some((r) => r.id === rule.right.id))
    return fail([
      { field: 'id', message: `a rule with the id ${describeValue(rule.right.id)} already exists` },
    ])
  return E.right(bump(ruleSet, [...ruleSet.rules, rule.right]))
}

/**
 * Replaces the rule with the given id by a new definition (snake_case JSON, validated, same id) and
 * bumps the version.
 *
 * @example
 * import { parseRuleSet, updateRule } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import { pipe } from '#fp-ts/function'
 * import assert from 'node:assert/strict'
 *
 * const rule = { id: 'n', name: 'Daily count', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 5 }
 * const next = pipe(parseRuleSet({ version: 4, rules: [rule] }), E.flatMap((rs) => updateRule(rs, 'n', { ...rule, threshold: 8 })))
 * assert.ok(E.isRight(next))
 * assert.equal(next.right.version, 5)
 * assert.deepEqual(next.right.rules[0]?.measure, { type: 'count', limit: 8 })
 */
export const updateRule = (
  ruleSet: RuleSet,
  ruleId: string,
  ruleJson: unknown,
): E.Either<ValidationError, RuleSet> => {
  const index = ruleSet.rules.findIndex((r) => r.id === ruleId)
  if (index < 0) return unknownRule(ruleId)
  const rule = parseRule(ruleJson)
  if (E.isLeft(rule)) return rule
  if (rule.right.id !== ruleId)
    return fail([
      { field: 'id', message: `must stay ${describeValue(ruleId)}; add a new rule to change the id` },
    ])
  return E.right(
    bump(
      ruleSet,
      ruleSet.rules.map((r, i) => (i === index ? rule.right : r)),
    ),
  )
}

/**
 * Removes the rule with the given id and bumps the version.
 *
 * @example
 * import { parseRuleSet, removeRule } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import { pipe } from '#fp-ts/function'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'n', name: 'Count', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 5 }] })
 * assert.deepEqual(pipe(rs, E.flatMap((r) => removeRule(r, 'n'))), E.right({ version: 2, rules: [] }))
 * assert.ok(E.isLeft(pipe(rs, E.flatMap((r) => removeRule(r, 'nope')))))
 */
export const removeRule = (ruleSet: RuleSet, ruleId: string): E.Either<ValidationError, RuleSet> =>
  ruleSet.rules.some((r) => r.id === ruleId)
    ? E.right(
        bump(
          ruleSet,
          ruleSet.rules.filter((r) => r.id !== ruleId),
        ),
      )
    : unknownRule(ruleId)

const setEnabled =
  (enabled: boolean) =>
  (ruleSet: RuleSet, ruleId: string): E.Either<ValidationError, RuleSet> =>
    ruleSet.rules.some((r) => r.id === ruleId)
      ? E.right(
          bump(
            ruleSet,
            ruleSet.rules.map((r) => (r.id === ruleId ? { ...r, enabled } : r)),
          ),
        )
      : unknownRule(ruleId)

/**
 * Enables the rule with the given id and bumps the version.
 *
 * @example
 * import { disableRule, enableRule, parseRuleSet } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import { pipe } from '#fp-ts/function'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'n', name: 'Count', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 5 }] })
 * const toggled = pipe(rs, E.flatMap((r) => disableRule(r, 'n')), E.flatMap((r) => enableRule(r, 'n')))
 * assert.ok(E.isRight(toggled) && toggled.right.version === 3 && toggled.right.rules[0]?.enabled === true)
 */
export const enableRule: (ruleSet: RuleSet, ruleId: string) => E.Either<ValidationError, RuleSet> =
  /* @__PURE__ */ setEnabled(true)

/**
 * Disables the rule with the given id (it keeps its place and its ledger usage) and bumps the version.
 *
 * @example
 * import { disableRule, parseRuleSet } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import { pipe } from '#fp-ts/function'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'n', name: 'Count', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 5 }] })
 * const off = pipe(rs, E.flatMap((r) => disableRule(r, 'n')))
 * assert.ok(E.isRight(off) && off.right.rules[0]?.enabled === false && off.right.version === 2)
 */
export const disableRule: (ruleSet: RuleSet, ruleId: string) => E.Either<ValidationError, RuleSet> =
  /* @__PURE__ */ setEnabled(false)
