/**
 * fast-check arbitraries for velocity rules, rule sets, payouts and histories, valid by
 * construction. Values are drawn from small pools (a few merchants, beneficiaries, countries) and
 * times cluster around DST changes, month ends and leap days, so windows and groups really collide.
 */
import fc from 'fast-check'
import * as E from '#fp-ts/Either'
import { type Payout, payout } from '../Payout.js'
import {
  type DistinctField,
  distinctFields,
  distinctKinds,
  parseRuleSet,
  type RuleKind,
  type RuleSet,
  ruleKinds,
} from '../RuleSet.js'

const pick = <A>(xs: ReadonlyArray<A>): fc.Arbitrary<A> => fc.constantFrom(...xs)

/**
 * The time zones the arbitraries use: UTC, zones with DST on either hemisphere, a DST change at
 * midnight (Santiago), half- and three-quarter-hour offsets (Kolkata, Chatham).
 *
 * @example
 * import { arbTimeZone } from '@payout-kernel/velocity/testing'
 * import { isTimeZone } from '@payout-kernel/velocity'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbTimeZone, (z) => isTimeZone(z)))
 */
export const arbTimeZone: fc.Arbitrary<string> = pick([
  'UTC',
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'America/Santiago',
  'Asia/Kolkata',
  'Pacific/Chatham',
])

const currencies = ['USD', 'EUR', 'JPY'] as const
const countries = ['PH', 'MX', 'NG', 'US', 'KP'] as const
const instrumentTypes = ['bank_account', 'card', 'wallet'] as const

const arbAmountString = (currency: string, maxUnits: number): fc.Arbitrary<string> =>
  currency === 'JPY'
    ? fc.integer({ min: 0, max: maxUnits * 100 }).map(String)
    : fc
        .integer({ min: 0, max: maxUnits * 100 })
        .map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`)

const arbWindowJson = (kind: RuleKind): fc.Arbitrary<Record<string, unknown>> => {
  const rolling = fc
    .oneof(pick([60, 3600, 86_400, 604_800]), fc.integer({ min: 1, max: 3 * 86_400 }))
    .map((seconds) => ({ type: 'rolling', seconds }))
  const calendar = (unit: 'day' | 'week' | 'month') =>
    fc
      .record({ zone: arbTimeZone, start: fc.integer({ min: 0, max: 6 }) })
      .map(({ zone, start }) => ({ type: 'calendar', unit, time_zone: zone, week_starts_on: start }))
  const anyCalendar = pick(['day', 'week', 'month'] as const).chain(calendar)
  switch (kind) {
    case 'max_amount_per_txn':
    case 'geo_blocking':
      return fc.constant({ type: 'per_payout' })
    case 'max_daily_amount':
    case 'max_daily_count':
      return fc.oneof(calendar('day'), rolling)
    case 'max_weekly_amount':
      return fc.oneof(calendar('week'), rolling)
    case 'max_monthly_amount':
      return fc.oneof(calendar('month'), rolling)
    default:
      return fc.oneof(rolling, anyCalendar, fc.constant({ type: 'lifetime' }))
  }
}

const arbFilters: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    countries: fc.record(
      { include: fc.subarray([...countries], { minLength: 1 }), exclude: fc.subarray([...countries]) },
      { requiredKeys: [] },
    ),
    currencies: fc.subarray([...currencies], { minLength: 1 }),
    instrument_types: fc.subarray([...instrumentTypes], { minLength: 1 }),
  },
  { requiredKeys: [] },
)

/** A distinct count of the very field a rule groups by is refused: count the next field instead. */
const otherThanGroup = (m: Record<string, unknown>, groupBy: string): Record<string, unknown> => {
  const declared = m.measure as { distinct?: DistinctField } | undefined
  if (declared?.distinct !== groupBy) return m
  const i = distinctFields.indexOf(declared.distinct)
  return { ...m, measure: { distinct: distinctFields[(i + 1) % distinctFields.length] } }
}

const amountKinds: ReadonlyArray<RuleKind> = [
  'max_amount_per_txn',
  'max_daily_amount',
  'max_weekly_amount',
  'max_monthly_amount',
  'max_amount_per_beneficiary',
]

/**
 * The snake_case JSON of a valid rule of the given kind (any kind when none is given), with small
 * limits so rules trigger often on the payouts of `arbPayout`.
 *
 * @example
 * import { arbRuleJson } from '@payout-kernel/velocity/testing'
 * import { parseRule } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRuleJson(), (json) => E.isRight(parseRule(json))))
 */
export const arbRuleJson = (kind?: RuleKind, id?: string): fc.Arbitrary<Record<string, unknown>> =>
  (kind === undefined ? pick(ruleKinds) : fc.constant(kind)).chain((k) => {
    const amount = pick(currencies).chain((currency) =>
      arbAmountString(currency, 120).map((threshold) => ({ threshold, currency })),
    )
    const count = fc.integer({ min: 0, max: 4 }).map((threshold) => ({ threshold }))
    const distinct = fc
      .record({ threshold: fc.integer({ min: 0, max: 4 }), of: pick(distinctFields) })
      .map(({ threshold, of }) => ({ threshold, measure: { distinct: of } }))
    const counted = distinctKinds.includes(k) ? fc.oneof(count, distinct) : count
    const measure: fc.Arbitrary<Record<string, unknown>> = amountKinds.includes(k)
      ? amount
      : k === 'geo_blocking'
        ? fc.constant({})
        : k === 'new_beneficiary_limit'
          ? fc.oneof(amount, counted)
          : counted
    const params: fc.Arbitrary<Record<string, unknown>> =
      k === 'new_beneficiary_limit'
        ? fc.integer({ min: 1, max: 5 * 86_400 }).map((s) => ({ max_age_seconds: s }))
        : k === 'geo_blocking'
          ? fc.record({
              mode: pick(['deny', 'allow']),
              countries: fc.subarray([...countries], { minLength: 1 }),
            })
          : fc.constant({})
    const groupBy = [
      'max_amount_per_beneficiary',
      'max_count_per_beneficiary',
      'duplicate_detection',
      'new_beneficiary_limit',
    ].includes(k)
      ? fc.constant('beneficiary')
      : pick(['merchant', 'beneficiary', 'instrument', 'destination_country'])
    return fc
      .record({
        id:
          id === undefined
            ? fc.string({ unit: pick([...'abcdefgh']), minLength: 1, maxLength: 6 })
            : fc.constant(id),
        action: pick(['block', 'review', 'alert']),
        enabled: fc.boolean(),
        measure,
        window: arbWindowJson(k),
        group_by: groupBy,
        filters: fc.oneof(fc.constant({}), arbFilters),
        params,
      })
      .map(({ measure: m, ...rest }) => ({
        ...rest,
        name: `${k} rule`,
        kind: k,
        ...otherThanGroup(m, rest.group_by),
      }))
  })

/**
 * The snake_case JSON of a valid rule set: up to `maxRules` rules (8 by default) with unique ids.
 *
 * @example
 * import { arbRuleSetJson } from '@payout-kernel/velocity/testing'
 * import { parseRuleSet } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRuleSetJson(), (json) => E.isRight(parseRuleSet(json))))
 */
export const arbRuleSetJson = (maxRules = 8): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      version: fc.nat({ max: 1000 }),
      rules: fc
        .array(fc.tuple(pick(ruleKinds), fc.boolean()), { maxLength: maxRules, size: 'max' })
        .chain((specs) =>
          specs.length === 0
            ? fc.constant<Array<Record<string, unknown>>>([])
            : fc.tuple(
                ...specs.map(([k, enabled], i) =>
                  arbRuleJson(k, `r${i}`).map((r) => ({ ...r, enabled: enabled || i % 2 === 0 })),
                ),
              ),
        ),
    })
    .map(({ version, rules }) => ({ version, rules }))

/**
 * Valid rule sets (decoded `arbRuleSetJson`).
 *
 * @example
 * import { arbRuleSet } from '@payout-kernel/velocity/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRuleSet(), (rs) => new Set(rs.rules.map((r) => r.id)).size === rs.rules.length))
 */
export const arbRuleSet = (maxRules = 8): fc.Arbitrary<RuleSet> =>
  arbRuleSetJson(maxRules).map((json) => {
    const rs = parseRuleSet(json)
    if (E.isLeft(rs)) throw new Error(`arbRuleSetJson built an invalid rule set: ${JSON.stringify(rs.left)}`)
    return rs.right
  })

/**
 * Instants worth testing windows at: DST changes (New York, London, Sydney, Santiago at midnight),
 * month and year ends, a leap day, as epoch milliseconds.
 *
 * @example
 * import { interestingInstants } from '@payout-kernel/velocity/testing'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(interestingInstants.includes(Date.UTC(2024, 1, 29, 12)))
 */
export const interestingInstants: ReadonlyArray<number> = [
  Date.UTC(2024, 2, 10, 6), // New York springs forward
  Date.UTC(2024, 10, 3, 5), // New York falls back
  Date.UTC(2024, 2, 31, 0, 30), // London springs forward
  Date.UTC(2024, 3, 6, 15), // Sydney falls back
  Date.UTC(2024, 8, 8, 3), // Santiago springs forward at midnight
  Date.UTC(2024, 1, 29, 12), // leap day
  Date.UTC(2024, 0, 31, 22), // month end
  Date.UTC(2023, 11, 31, 23), // year end
]

/**
 * Valid payouts at a given time from small pools of merchants, beneficiaries, instruments,
 * countries and currencies (USD, EUR, JPY), with small amounts.
 *
 * @example
 * import { arbPayout } from '@payout-kernel/velocity/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbPayout('pay_1', 0), (p) => p.id === 'pay_1' && p.amount.minor > 0n))
 */
export const arbPayout = (id: string, createdAt: number): fc.Arbitrary<Payout> =>
  fc
    .record({
      merchantId: pick(['mer_a', 'mer_b']),
      beneficiary: fc.integer({ min: 1, max: 4 }),
      beneficiaryAge: fc.option(fc.integer({ min: 0, max: 10 * 86_400_000 }), { nil: undefined }),
      instrumentId: pick(['ins_1', 'ins_2', 'ins_3']),
      instrumentType: pick(instrumentTypes),
      destinationCountry: pick(countries),
      currency: pick(currencies),
      units: fc.oneof(fc.integer({ min: 1, max: 60 }), pick([10, 20, 50])),
    })
    .map((r) => {
      const p = payout({
        id,
        merchantId: r.merchantId,
        beneficiaryId: `ben_${r.beneficiary}`,
        ...(r.beneficiaryAge === undefined ? {} : { beneficiaryCreatedAt: createdAt - r.beneficiaryAge }),
        instrumentId: r.instrumentId,
        instrumentType: r.instrumentType,
        destinationCountry: r.destinationCountry,
        amount: String(r.units),
        currency: r.currency,
        createdAt,
      })
      if (E.isLeft(p)) throw new Error(`arbPayout built an invalid payout: ${JSON.stringify(p.left)}`)
      return p.right
    })

/**
 * Time-ordered payout histories with unique ids, starting near one of `interestingInstants`; gaps
 * are often exactly a minute, an hour or a day (window edges) or zero (same instant).
 *
 * @example
 * import { arbHistory } from '@payout-kernel/velocity/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbHistory(), (h) => h.every((p, i) => i === 0 || (h[i - 1]?.createdAt ?? 0) <= p.createdAt)))
 */
export const arbHistory = (maxLength = 40): fc.Arbitrary<ReadonlyArray<Payout>> =>
  fc
    .record({
      start: fc.tuple(pick(interestingInstants), fc.integer({ min: -2 * 86_400_000, max: 86_400_000 })),
      gaps: fc.array(
        fc.oneof(pick([0, 1, 60_000, 3_600_000, 86_400_000]), fc.integer({ min: 0, max: 8 * 3_600_000 })),
        { minLength: Math.min(8, maxLength), maxLength, size: 'max' },
      ),
    })
    .chain(({ start: [anchor, offset], gaps }) => {
      let t = anchor + offset
      const times = gaps.map((g) => {
        t += g
        return t
      })
      return times.length === 0
        ? fc.constant<Payout[]>([])
        : fc.tuple(...times.map((time, i) => arbPayout(`pay_${i}`, time)))
    })
