/**
 * The payout as velocity rules see it: who sends what to whom, where, and when. Built from a
 * camelCase input or decoded from snake_case JSON; the amount is a decimal string on the way in and
 * exact minor units inside.
 */
import {
  BeneficiaryId,
  Country,
  Currency,
  describeValue,
  EpochMillis,
  formatMoney,
  guardDecoder,
  InstrumentId,
  MerchantId,
  type Money,
  PayoutId,
  parseMoney,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- model

/**
 * A payout, decoded: ids are branded, the amount is exact `Money`, times are epoch milliseconds.
 *
 * @example
 * import { payout, type Payout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '250.00', currency: 'USD', createdAt: 0 })
 * assert.ok(E.isRight(p))
 * const decoded: Payout = p.right
 * assert.equal(decoded.amount.minor, 25000n)
 */
export interface Payout {
  readonly id: PayoutId
  readonly merchantId: MerchantId
  readonly beneficiaryId: BeneficiaryId
  readonly beneficiaryCreatedAt?: EpochMillis
  readonly instrumentId: InstrumentId
  readonly instrumentType: string
  readonly destinationCountry: Country
  readonly amount: Money
  readonly createdAt: EpochMillis
}

/**
 * The camelCase input of `payout`: the amount as a decimal string in its currency.
 *
 * @example
 * import type { PayoutInput } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const input: PayoutInput = { id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '250.00', currency: 'USD', createdAt: 0 }
 * assert.equal(input.amount, '250.00')
 */
export interface PayoutInput {
  readonly id: string
  readonly merchantId: string
  readonly beneficiaryId: string
  readonly beneficiaryCreatedAt?: number
  readonly instrumentId: string
  readonly instrumentType: string
  readonly destinationCountry: string
  readonly amount: string
  readonly currency: string
  readonly createdAt: number
}

// ---------------------------------------------------------------- decoding

type Field =
  | 'id'
  | 'merchantId'
  | 'beneficiaryId'
  | 'beneficiaryCreatedAt'
  | 'instrumentId'
  | 'instrumentType'
  | 'destinationCountry'
  | 'amount'
  | 'currency'
  | 'createdAt'

type Obj = Readonly<Record<string, unknown>>
/** A payout's fields as given, read once each (own properties only) under the wire's names. */
type Raw = Readonly<Record<Field, unknown>>
interface Wire {
  /** The name of each field on this wire, for error paths. */
  readonly names: Readonly<Record<Field, string>>
  /** Reads the fields with constant property names (a fast, monomorphic read per field). */
  readonly read: (o: Obj) => Raw
}

const has = Object.hasOwn

const snake: Wire = {
  names: {
    id: 'id',
    merchantId: 'merchant_id',
    beneficiaryId: 'beneficiary_id',
    beneficiaryCreatedAt: 'beneficiary_created_at',
    instrumentId: 'instrument_id',
    instrumentType: 'instrument_type',
    destinationCountry: 'destination_country',
    amount: 'amount',
    currency: 'currency',
    createdAt: 'created_at',
  },
  read: (o) => ({
    id: has(o, 'id') ? o.id : undefined,
    merchantId: has(o, 'merchant_id') ? o.merchant_id : undefined,
    beneficiaryId: has(o, 'beneficiary_id') ? o.beneficiary_id : undefined,
    beneficiaryCreatedAt: has(o, 'beneficiary_created_at') ? o.beneficiary_created_at : undefined,
    instrumentId: has(o, 'instrument_id') ? o.instrument_id : undefined,
    instrumentType: has(o, 'instrument_type') ? o.instrument_type : undefined,
    destinationCountry: has(o, 'destination_country') ? o.destination_country : undefined,
    amount: has(o, 'amount') ? o.amount : undefined,
    currency: has(o, 'currency') ? o.currency : undefined,
    createdAt: has(o, 'created_at') ? o.created_at : undefined,
  }),
}

const camel: Wire = {
  names: {
    id: 'id',
    merchantId: 'merchantId',
    beneficiaryId: 'beneficiaryId',
    beneficiaryCreatedAt: 'beneficiaryCreatedAt',
    instrumentId: 'instrumentId',
    instrumentType: 'instrumentType',
    destinationCountry: 'destinationCountry',
    amount: 'amount',
    currency: 'currency',
    createdAt: 'createdAt',
  },
  read: (o) => ({
    id: has(o, 'id') ? o.id : undefined,
    merchantId: has(o, 'merchantId') ? o.merchantId : undefined,
    beneficiaryId: has(o, 'beneficiaryId') ? o.beneficiaryId : undefined,
    beneficiaryCreatedAt: has(o, 'beneficiaryCreatedAt') ? o.beneficiaryCreatedAt : undefined,
    instrumentId: has(o, 'instrumentId') ? o.instrumentId : undefined,
    instrumentType: has(o, 'instrumentType') ? o.instrumentType : undefined,
    destinationCountry: has(o, 'destinationCountry') ? o.destinationCountry : undefined,
    amount: has(o, 'amount') ? o.amount : undefined,
    currency: has(o, 'currency') ? o.currency : undefined,
    createdAt: has(o, 'createdAt') ? o.createdAt : undefined,
  }),
}

const instrumentTypePattern = /^[a-z][a-z0-9_]{0,63}$/

const checks: ReadonlyArray<readonly [Field, (u: unknown) => boolean, string]> = [
  ['id', PayoutId.is, 'a payout id pay_…'],
  ['merchantId', MerchantId.is, 'a merchant id ([A-Za-z0-9_-], 1 to 255 characters)'],
  ['beneficiaryId', BeneficiaryId.is, 'a beneficiary id ben_…'],
  ['instrumentId', InstrumentId.is, 'an instrument id ins_…'],
  [
    'instrumentType',
    (u) => typeof u === 'string' && instrumentTypePattern.test(u),
    'an instrument type such as bank_account',
  ],
  ['destinationCountry', Country.is, 'an ISO 3166-1 alpha-2 country code'],
  ['createdAt', EpochMillis.is, 'whole epoch milliseconds'],
]

/** Every problem of a payout's fields, in field order (none: it decodes). */
const problemsOf = (wire: Wire, r: Raw): ValidationProblem[] => {
  const names = wire.names
  const problems: ValidationProblem[] = []
  for (const [field, is, what] of checks) {
    const value = r[field]
    if (!is(value))
      problems.push({ field: names[field], message: `must be ${what}, got ${describeValue(value)}` })
  }
  const createdBeneficiary = r.beneficiaryCreatedAt
  if (createdBeneficiary !== undefined && !EpochMillis.is(createdBeneficiary))
    problems.push({
      field: names.beneficiaryCreatedAt,
      message: `must be whole epoch milliseconds when present, got ${describeValue(createdBeneficiary)}`,
    })
  if (!Currency.is(r.currency))
    problems.push({
      field: names.currency,
      message: `must match ^[A-Z]{3,4}$, got ${describeValue(r.currency)}`,
    })
  else {
    const parsed = parseMoney(r.amount, r.currency)
    if (E.isLeft(parsed))
      for (const p of parsed.left.problems) problems.push({ field: names.amount, message: p.message })
    else if (parsed.right.minor <= 0n)
      problems.push({ field: names.amount, message: 'must be greater than 0' })
  }
  return problems
}

const decodeWithNames = (wire: Wire, u: unknown): E.Either<ValidationError, Payout> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u))
    return E.left({
      _tag: 'ValidationError',
      problems: [{ field: '', message: `must be a payout object, got ${describeValue(u)}` }],
    })
  const r = wire.read(u as Obj)
  // the common case first: every field valid, checked in one pass without building messages
  const created = r.beneficiaryCreatedAt
  if (
    PayoutId.is(r.id) &&
    MerchantId.is(r.merchantId) &&
    BeneficiaryId.is(r.beneficiaryId) &&
    InstrumentId.is(r.instrumentId) &&
    typeof r.instrumentType === 'string' &&
    instrumentTypePattern.test(r.instrumentType) &&
    Country.is(r.destinationCountry) &&
    EpochMillis.is(r.createdAt) &&
    (created === undefined || EpochMillis.is(created)) &&
    Currency.is(r.currency)
  ) {
    const parsed = parseMoney(r.amount, r.currency)
    if (E.isRight(parsed) && parsed.right.minor > 0n)
      return E.right(
        created === undefined
          ? {
              id: r.id,
              merchantId: r.merchantId,
              beneficiaryId: r.beneficiaryId,
              instrumentId: r.instrumentId,
              instrumentType: r.instrumentType,
              destinationCountry: r.destinationCountry,
              amount: parsed.right,
              createdAt: r.createdAt,
            }
          : {
              id: r.id,
              merchantId: r.merchantId,
              beneficiaryId: r.beneficiaryId,
              beneficiaryCreatedAt: created as EpochMillis,
              instrumentId: r.instrumentId,
              instrumentType: r.instrumentType,
              destinationCountry: r.destinationCountry,
              amount: parsed.right,
              createdAt: r.createdAt,
            },
      )
  }
  return E.left({ _tag: 'ValidationError', problems: problemsOf(wire, r) })
}

/**
 * Builds a payout from its camelCase input (`PayoutInput`), or a `ValidationError` naming each bad
 * field. The amount must be positive and carry no more decimals than its currency allows.
 *
 * @example
 * import { payout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const bad = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '10.5', currency: 'JPY', createdAt: 0 })
 * assert.ok(E.isLeft(bad))
 * assert.deepEqual(bad.left.problems, [{ field: 'amount', message: 'has 1 decimals; JPY allows 0' }])
 */
export const payout = /* @__PURE__ */ guardDecoder(
  (input: unknown): E.Either<ValidationError, Payout> => decodeWithNames(camel, input),
)

/**
 * Decodes a payout from snake_case JSON (`merchant_id`, `created_at`, …), naming bad fields by
 * their snake_case names.
 *
 * @example
 * import { parsePayout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const p = parsePayout({ id: 'pay_1', merchant_id: 'mer_1', beneficiary_id: 'ben_1', instrument_id: 'ins_1',
 *   instrument_type: 'card', destination_country: 'MX', amount: '99.99', currency: 'MXN', created_at: 1_700_000_000_000 })
 * assert.ok(E.isRight(p) && p.right.amount.minor === 9999n)
 * const bad = parsePayout({ id: 'pay_1' })
 * assert.ok(E.isLeft(bad) && bad.left.problems.some((x) => x.field === 'merchant_id'))
 */
export const parsePayout = /* @__PURE__ */ guardDecoder(
  (json: unknown): E.Either<ValidationError, Payout> => decodeWithNames(snake, json),
)

/**
 * A payout as snake_case JSON; `parsePayout` reads it back to the same payout.
 *
 * @example
 * import { encodePayout, parsePayout, payout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'card', destinationCountry: 'MX', amount: '5', currency: 'USD', createdAt: 7 })
 * assert.ok(E.isRight(p))
 * assert.equal(encodePayout(p.right).amount, '5.00')
 * assert.deepEqual(parsePayout(encodePayout(p.right)), p)
 */
export const encodePayout = (p: Payout): Record<string, string | number> => ({
  id: p.id,
  merchant_id: p.merchantId,
  beneficiary_id: p.beneficiaryId,
  ...(p.beneficiaryCreatedAt === undefined ? {} : { beneficiary_created_at: p.beneficiaryCreatedAt }),
  instrument_id: p.instrumentId,
  instrument_type: p.instrumentType,
  destination_country: p.destinationCountry,
  amount: formatMoney(p.amount),
  currency: p.amount.currency,
  created_at: p.createdAt,
})
