/**
 * The payout as its evaluation sees it: the payout velocity rules count (who sends what to whom,
 * where, when), the parties sanctions screening looks at (the beneficiary, and the sending
 * counterparty where there is one), and the maker, whom maker-checker keeps from approving it.
 */
import {
  BeneficiaryId,
  Country,
  Currency,
  describeValue,
  EpochMillis,
  guardDecoder,
  InstrumentId,
  MerchantId,
  PayoutId,
  type ValidationError,
  type ValidationProblem,
  withinField,
} from '@payout-kernel/core'
import type { EventId, StartPayoutInput } from '@payout-kernel/payout-machine'
import { decodeParty, type Party } from '@payout-kernel/screening'
import { type Payout, parsePayout } from '@payout-kernel/velocity'
import * as E from '#fp-ts/Either'
import { eventIdOf, isActorId, isObject } from './internal/Checks.js'

// ---------------------------------------------------------------- model

/**
 * A payout to evaluate: the velocity payout (`id`, merchant, beneficiary, instrument, destination,
 * amount, `createdAt`) with the parties to screen and the maker.
 *
 * @example
 * import type { PayoutToEvaluate } from '@payout-kernel/evaluation'
 * import { payout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '250.00', currency: 'USD', createdAt: 0 })
 * assert.ok(E.isRight(p))
 * const toEvaluate: PayoutToEvaluate = { ...p.right, beneficiary: { name: 'Maria Santos' }, makerId: 'alice' }
 * assert.equal(toEvaluate.beneficiary.name, 'Maria Santos')
 */
export interface PayoutToEvaluate extends Payout {
  /** The beneficiary as screened: name, and date of birth and country when known. */
  readonly beneficiary: Party
  /** The sending counterparty (the merchant's customer the payout is sent for), when there is one; screened too. */
  readonly sendingCounterparty?: Party
  /** Who made the payout (the merchant user, the machine's `makerId`), when known; maker-checker needs it. */
  readonly makerId?: string
}

// ---------------------------------------------------------------- checks

const partyProblems = (field: string, u: unknown): ValidationProblem[] => {
  if (!isObject(u))
    return [{ field, message: `must be a party { name, dateOfBirth?, country? }, got ${describeValue(u)}` }]
  const problems: ValidationProblem[] = []
  if (typeof u.name !== 'string' || !/[\p{L}\p{N}]/u.test(u.name) || u.name.length > 1000)
    problems.push({
      field: `${field}.name`,
      message: `must be a name with a letter or digit, at most 1000 characters, got ${describeValue(u.name)}`,
    })
  const dob = u.dateOfBirth
  if (
    dob !== undefined &&
    !(
      isObject(dob) &&
      Number.isSafeInteger(dob.year) &&
      (dob.month === undefined || Number.isSafeInteger(dob.month)) &&
      (dob.day === undefined || Number.isSafeInteger(dob.day)) &&
      (dob.circa === undefined || typeof dob.circa === 'boolean')
    )
  )
    problems.push({
      field: `${field}.dateOfBirth`,
      message: `must be { year, month?, day?, circa? } when present, got ${describeValue(dob)}`,
    })
  if (u.country !== undefined && !Country.is(u.country))
    problems.push({
      field: `${field}.country`,
      message: `must be an ISO 3166-1 alpha-2 code when present, got ${describeValue(u.country)}`,
    })
  return problems
}

/**
 * The problems of a payout to evaluate, each naming its field (none: it is sound). `evaluatePayout`
 * runs it first, so a payout put together by hand (not through `decodePayoutToEvaluate`) is checked too.
 *
 * @example
 * import { payoutToEvaluateProblems } from '@payout-kernel/evaluation'
 * import assert from 'node:assert/strict'
 *
 * const problems = payoutToEvaluateProblems({ id: 'ben_1', beneficiary: { name: '' } })
 * assert.ok(problems.some((p) => p.field === 'id'))
 * assert.ok(problems.some((p) => p.field === 'beneficiary.name'))
 */
export const payoutToEvaluateProblems = (u: unknown): ValidationProblem[] => {
  if (!isObject(u)) return [{ field: '', message: `must be a payout to evaluate, got ${describeValue(u)}` }]
  const problems: ValidationProblem[] = []
  const check = (field: string, ok: boolean, what: string) => {
    if (!ok) problems.push({ field, message: `must be ${what}, got ${describeValue(u[field])}` })
  }
  check('id', PayoutId.is(u.id), 'a payout id pay_…')
  check('merchantId', MerchantId.is(u.merchantId), 'a merchant id')
  check('beneficiaryId', BeneficiaryId.is(u.beneficiaryId), 'a beneficiary id ben_…')
  if (u.beneficiaryCreatedAt !== undefined)
    check('beneficiaryCreatedAt', EpochMillis.is(u.beneficiaryCreatedAt), 'whole epoch milliseconds')
  check('instrumentId', InstrumentId.is(u.instrumentId), 'an instrument id ins_…')
  check(
    'instrumentType',
    typeof u.instrumentType === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(u.instrumentType),
    'an instrument type such as bank_account',
  )
  check('destinationCountry', Country.is(u.destinationCountry), 'an ISO 3166-1 alpha-2 country code')
  const amount = u.amount
  check(
    'amount',
    isObject(amount) && typeof amount.minor === 'bigint' && amount.minor > 0n && Currency.is(amount.currency),
    'money { minor > 0n, currency }',
  )
  check('createdAt', EpochMillis.is(u.createdAt), 'whole epoch milliseconds')
  problems.push(...partyProblems('beneficiary', u.beneficiary))
  if (u.sendingCounterparty !== undefined)
    problems.push(...partyProblems('sendingCounterparty', u.sendingCounterparty))
  if (u.makerId !== undefined)
    check('makerId', isActorId(u.makerId), '1 to 255 printable ASCII characters without spaces when present')
  return problems
}

// ---------------------------------------------------------------- codecs

/**
 * Decodes a payout to evaluate from snake_case JSON: the velocity payout's fields (`merchant_id`,
 * `amount` as a decimal string, `created_at`, …; see `parsePayout`), `beneficiary` and
 * `sending_counterparty` as screening parties (`{ name, date_of_birth?, country? }`; a `null`
 * counterparty means none), and `maker_id`. Every bad field is named; never throws.
 *
 * @example
 * import { decodePayoutToEvaluate } from '@payout-kernel/evaluation'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const decoded = decodePayoutToEvaluate({ id: 'pay_1', merchant_id: 'mer_1', beneficiary_id: 'ben_1',
 *   instrument_id: 'ins_1', instrument_type: 'bank_account', destination_country: 'PH', amount: '250.00',
 *   currency: 'USD', created_at: 1_700_000_000_000, maker_id: 'alice',
 *   beneficiary: { name: 'Maria Santos', country: 'PH' },
 *   sending_counterparty: { name: 'Northwind Traders Ltd' } })
 * assert.ok(E.isRight(decoded))
 * assert.equal(decoded.right.amount.minor, 25000n)
 * assert.equal(decoded.right.sendingCounterparty?.name, 'Northwind Traders Ltd')
 *
 * const bad = decodePayoutToEvaluate({ id: 'pay_1', beneficiary: { name: 'Maria', country: 'Philippines' } })
 * assert.ok(E.isLeft(bad))
 * assert.ok(bad.left.problems.some((p) => p.field === 'merchant_id'))
 * assert.ok(bad.left.problems.some((p) => p.field === 'beneficiary.country'))
 */
export const decodePayoutToEvaluate = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, PayoutToEvaluate> => {
    if (!isObject(u))
      return E.left({
        _tag: 'ValidationError',
        problems: [{ field: '', message: `must be a payout object, got ${describeValue(u)}` }],
      })
    const problems: ValidationProblem[] = []
    const p = parsePayout(u)
    if (E.isLeft(p)) problems.push(...p.left.problems)
    const beneficiary = decodeParty(Object.hasOwn(u, 'beneficiary') ? u.beneficiary : undefined)
    if (E.isLeft(beneficiary)) problems.push(...withinField('beneficiary')(beneficiary.left).problems)
    const rawCounterparty = Object.hasOwn(u, 'sending_counterparty') ? u.sending_counterparty : undefined
    const counterparty =
      rawCounterparty === undefined || rawCounterparty === null
        ? E.right(undefined)
        : decodeParty(rawCounterparty)
    if (E.isLeft(counterparty))
      problems.push(...withinField('sending_counterparty')(counterparty.left).problems)
    const makerId = Object.hasOwn(u, 'maker_id') ? u.maker_id : undefined
    if (makerId !== undefined && makerId !== null && !isActorId(makerId))
      problems.push({
        field: 'maker_id',
        message: `must be 1 to 255 printable ASCII characters without spaces, got ${describeValue(makerId)}`,
      })
    if (problems.length > 0 || E.isLeft(p) || E.isLeft(beneficiary) || E.isLeft(counterparty))
      return E.left({ _tag: 'ValidationError', problems })
    return E.right({
      ...p.right,
      beneficiary: beneficiary.right,
      ...(counterparty.right === undefined ? {} : { sendingCounterparty: counterparty.right }),
      ...(isActorId(makerId) ? { makerId } : {}),
    })
  },
)

// ---------------------------------------------------------------- operations

/**
 * The `startPayout` input that creates this payout in the machine: its id, a creating event id
 * derived from it, `createdAt`, and the maker as the merchant actor (so the machine's maker-checker
 * knows the same maker as the evaluation).
 *
 * @example
 * import { startInputOf, type PayoutToEvaluate } from '@payout-kernel/evaluation'
 * import { startPayout } from '@payout-kernel/payout-machine'
 * import { payout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '250.00', currency: 'USD', createdAt: 0 })
 * assert.ok(E.isRight(p))
 * const toEvaluate: PayoutToEvaluate = { ...p.right, beneficiary: { name: 'Maria Santos' }, makerId: 'alice' }
 * const started = startPayout(startInputOf(toEvaluate))
 * assert.ok(E.isRight(started))
 * assert.equal(started.right.snapshot.context.makerId, 'alice')
 */
export const startInputOf = (payout: PayoutToEvaluate): StartPayoutInput => ({
  payoutId: payout.id,
  eventId: eventIdOf(payout.id, 'CREATED') as EventId,
  occurredAt: payout.createdAt,
  actor: payout.makerId === undefined ? { type: 'merchant' } : { type: 'merchant', id: payout.makerId },
})
