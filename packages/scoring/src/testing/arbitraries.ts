/**
 * fast-check arbitraries for scoring: conditions, rules and rule sets valid by construction, and
 * transactions and features over the same small vocabulary of fields and values, so that
 * generated rules match generated transactions often.
 */
import fc from 'fast-check'
import * as E from '#fp-ts/Either'
import { type Condition, parseRules, type RuleSet } from '../Rule.js'

// ---------------------------------------------------------------- vocabulary

/**
 * The field paths generated rules read: transaction fields (one nested) and two features.
 *
 * @example
 * import { scoringFieldPaths } from '@payout-kernel/scoring/testing'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(scoringFieldPaths.includes('features.count_24h'))
 */
export const scoringFieldPaths = [
  'amount',
  'currency',
  'country',
  'channel',
  'merchantId',
  'recognizedDevice',
  'transactionSubType',
  'labels',
  'applicant.address.country',
  'features.count_24h',
  'features.amount_24h',
] as const

const decimalStrings = [
  '0',
  '0.1',
  '0.10',
  '50',
  '50.00',
  '800',
  '800.5',
  '1000',
  '1250.00',
  '-1',
  '123456789012.123456',
]
const operandNumbers = [0, 0.1, 50, 800, 800.5, 1000, 1250, -1, 0.3, 123456789012.123]
const words = ['US', 'GB', 'NG', '0', '1', 'web', 'mobile', 'Name Surname', '', 'USD', 'EUR']
const patterns = [
  '^US$',
  '^[A-Z]{2}$',
  '\\d+',
  '^Name',
  'mob',
  '^(?:web|mobile)$',
  '^(?:ab)+$',
  '^\\d{1,3}(?:\\.\\d+)?$',
]

/** Decimal text with at most 15 significant digits, whose number reads back as the same decimal. */
const arbShortDecimalText = fc
  .tuple(
    fc.boolean(),
    fc.integer({ min: 0, max: 999_999_999 }),
    fc.integer({ min: 0, max: 999_999 }),
    fc.nat(6),
  )
  .map(([negative, whole, fraction, digits]) => {
    const frac = digits === 0 ? '' : `.${String(fraction).padStart(6, '0').slice(0, digits)}`
    return `${negative ? '-' : ''}${whole}${frac}`
  })

const arbDecimalText = fc.oneof(fc.constantFrom(...decimalStrings), arbShortDecimalText)
// An operand as a rule document carries it: "-0" reads as -0, which JSON text writes as 0 (the same
// operand: both read as the decimal 0), so a generated rule would not survive its own JSON text.
const arbOperandNumber = fc.oneof(
  fc.constantFrom(...operandNumbers),
  arbShortDecimalText.map((text) => Number(text) + 0),
)
const arbWord = fc.constantFrom(...words)
const arbScalar = fc.oneof(arbWord, arbOperandNumber, fc.boolean())
const arbPath = fc.constantFrom(...scoringFieldPaths)

// ---------------------------------------------------------------- conditions

const arbComparison: fc.Arbitrary<Condition> = arbPath.chain((field) =>
  fc.oneof(
    fc.record({ field: fc.constant(field), op: fc.constantFrom('eq', 'ne', 'contains'), value: arbScalar }),
    fc.record({
      field: fc.constant(field),
      op: fc.constantFrom('gt', 'gte', 'lt', 'lte'),
      value: fc.oneof(arbDecimalText, arbOperandNumber),
    }),
    fc.record({
      field: fc.constant(field),
      op: fc.constantFrom('in', 'not_in'),
      value: fc.array(fc.oneof(arbWord, arbOperandNumber, arbDecimalText), { minLength: 1, maxLength: 5 }),
    }),
    fc.record({ field: fc.constant(field), op: fc.constant('exists') }),
    fc.record({ field: fc.constant(field), op: fc.constant('matches'), value: fc.constantFrom(...patterns) }),
  ),
) as fc.Arbitrary<Condition>

/**
 * Valid conditions (up to 3 levels of `all`/`any`/`not`) over `scoringFieldPaths`.
 *
 * @example
 * import { arbCondition } from '@payout-kernel/scoring/testing'
 * import { ConditionCodec } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbCondition, (c) => E.isRight(ConditionCodec.decode(c))))
 */
export const arbCondition: fc.Arbitrary<Condition> = fc.letrec<{ condition: Condition }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    arbComparison,
    fc.record({ all: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('condition') }),
  ),
})).condition

// ---------------------------------------------------------------- rules

/** The JSON shape of one rule, as `parseRules` reads it. */
export interface RuleWire {
  readonly id: string
  readonly name: string
  readonly description?: string | null
  readonly status: 'ACTIVE' | 'INACTIVE'
  readonly score: number
  readonly dry_run: boolean
  readonly condition: Condition
  readonly tags?: ReadonlyArray<string>
}

/**
 * Valid rules in their JSON shape (ids `r0`…`r99`), mostly active, scores mostly 0..1000 with a
 * few negative ones.
 *
 * @example
 * import { arbRuleWire } from '@payout-kernel/scoring/testing'
 * import { RuleCodec } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRuleWire, (r) => E.isRight(RuleCodec.decode(r))))
 */
export const arbRuleWire: fc.Arbitrary<RuleWire> = fc.record(
  {
    id: fc.integer({ min: 0, max: 99 }).map((n) => `r${n}`),
    name: fc.constantFrom(
      'Large amount',
      'New device',
      '[73] Same merchant',
      'Sanctioned country',
      'PEP check',
    ),
    description: fc.option(fc.constant('A rule'), { nil: null }),
    status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'INACTIVE'),
    score: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(0, 50, 100, 150, 400, 700, 1000) },
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 1000 }) },
      { weight: 1, arbitrary: fc.integer({ min: -1000, max: -1 }) },
    ),
    dry_run: fc.boolean(),
    condition: arbCondition,
    tags: fc.uniqueArray(fc.constantFrom('aml', 'velocity', 'device', 'amount'), { maxLength: 3 }),
  },
  { requiredKeys: ['id', 'name', 'status', 'score', 'dry_run', 'condition'] },
)

/** The JSON shape of a rule set, as `parseRules` reads it. */
export interface RuleSetWire {
  readonly version?: string
  readonly rules: ReadonlyArray<RuleWire>
  readonly thresholds?: { readonly review: number; readonly reject: number }
}

/**
 * Valid thresholds `{ review, reject }` with `review ≤ reject`.
 *
 * @example
 * import { arbThresholdsWire } from '@payout-kernel/scoring/testing'
 * import { thresholds } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbThresholdsWire, (th) => E.isRight(thresholds(th))))
 */
export const arbThresholdsWire: fc.Arbitrary<{ readonly review: number; readonly reject: number }> = fc
  .tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }))
  .map(([a, b]) => ({ review: Math.min(a, b), reject: Math.max(a, b) }))

/**
 * Valid rule set documents: 0 to 12 rules with distinct ids, with or without a version and
 * thresholds.
 *
 * @example
 * import { arbRuleSetWire } from '@payout-kernel/scoring/testing'
 * import { parseRules } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRuleSetWire, (doc) => E.isRight(parseRules(doc))))
 */
export const arbRuleSetWire: fc.Arbitrary<RuleSetWire> = fc.record(
  {
    version: fc.constantFrom('v1', '2025-07-01', 'rules.7'),
    rules: fc.uniqueArray(arbRuleWire, { maxLength: 12, selector: (r) => r.id }),
    thresholds: arbThresholdsWire,
  },
  { requiredKeys: ['rules'] },
)

/**
 * Decoded rule sets, built through `parseRules`.
 *
 * @example
 * import { arbRuleSet } from '@payout-kernel/scoring/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRuleSet, (set) => set.version.length > 0))
 */
export const arbRuleSet: fc.Arbitrary<RuleSet> = arbRuleSetWire.map((doc) => {
  const parsed = parseRules(doc)
  if (E.isLeft(parsed)) throw new Error('arbRuleSetWire built an invalid rule set') // cannot happen
  return parsed.right
})

// ---------------------------------------------------------------- transactions

const arbNumberValue = fc.oneof(
  fc.constantFrom(...operandNumbers, 0.30000000000000004, 1e21, 5e-324, -0),
  arbShortDecimalText.map(Number),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)
const arbDecimalValue = fc.oneof(
  arbDecimalText,
  fc.constantFrom('1e3', '00800.50', '-0.00', '12.', '+1', ' 1'),
)
const arbFieldValue: fc.Arbitrary<unknown> = fc.oneof(
  arbWord,
  arbNumberValue,
  arbDecimalValue,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(arbWord, arbNumberValue, fc.boolean()), { maxLength: 4 }),
)

/**
 * Transactions as flat records over the fields generated rules read (each present or not, with
 * numbers, decimal strings, words, booleans, null and lists), plus extra fields.
 *
 * @example
 * import { arbTransaction } from '@payout-kernel/scoring/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbTransaction, (txn) => typeof txn === 'object' && !Array.isArray(txn)))
 */
export const arbTransaction: fc.Arbitrary<Readonly<Record<string, unknown>>> = fc
  .record(
    {
      amount: fc.oneof(arbDecimalValue, arbNumberValue, arbFieldValue),
      currency: fc.oneof(arbWord, arbFieldValue),
      country: fc.oneof(arbWord, arbFieldValue),
      channel: fc.oneof(fc.constantFrom('web', 'mobile'), arbFieldValue),
      merchantId: arbFieldValue,
      recognizedDevice: fc.oneof(fc.constantFrom('0', '1'), arbFieldValue),
      transactionSubType: arbFieldValue,
      labels: fc.oneof(fc.array(arbScalar, { maxLength: 4 }), arbFieldValue),
      applicant: fc.oneof(
        fc.record({
          address: fc.record({ country: fc.oneof(arbWord, arbFieldValue) }, { requiredKeys: [] }),
        }),
        arbFieldValue,
      ),
      referenceId: fc.uuid(),
    },
    { requiredKeys: [] },
  )
  .map((txn) => txn as Readonly<Record<string, unknown>>)

/**
 * Features a caller might compute (velocity aggregates): `count_24h`, `amount_24h`, each present
 * or not.
 *
 * @example
 * import { arbFeatures } from '@payout-kernel/scoring/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbFeatures, (f) => typeof f === 'object'))
 */
export const arbFeatures: fc.Arbitrary<Readonly<Record<string, unknown>>> = fc.record(
  {
    count_24h: fc.oneof(fc.integer({ min: 0, max: 100 }), arbNumberValue, arbFieldValue),
    amount_24h: fc.oneof(arbDecimalValue, arbFieldValue),
  },
  { requiredKeys: [] },
)
