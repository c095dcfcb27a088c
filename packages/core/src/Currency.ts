/**
 * Currency codes and their scales (how many decimals an amount may carry).
 */

import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { describeValue, type ValidationError, validationError } from './Validation.js'

// ---------------------------------------------------------------- model

interface CurrencyBrand {
  readonly Currency: unique symbol
}

/**
 * A currency code, `^[A-Z]{3,4}$` (ISO 4217, plus four-letter codes such as `USDC`).
 *
 * @example
 * import { Currency } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(Currency.decode('USDC')))
 * assert.ok(E.isLeft(Currency.decode('usd')))
 */
export const Currency = /* @__PURE__ */ t.brand(
  t.string,
  (s): s is t.Branded<string, CurrencyBrand> => /^[A-Z]{3,4}$/.test(s),
  'Currency',
)

/**
 * A currency code, `^[A-Z]{3,4}$`; only `Currency.decode` or `currency` makes one.
 *
 * @example
 * import { type Currency, currency } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const eur = currency('EUR')
 * assert.ok(E.isRight(eur))
 * const code: Currency = E.getOrElseW(() => { throw new Error('unreachable') })(eur)
 * assert.equal(code, 'EUR')
 */
export type Currency = t.TypeOf<typeof Currency>

/**
 * How many decimals each currency's amounts carry: ISO 4217 minor units for the fiat currencies
 * (a currency not listed here has 2), and the usual scales of the stablecoins and crypto assets
 * payouts use. Pass your own table where a function takes `scales` to add or override entries.
 *
 * @example
 * import { currencyScales } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(currencyScales.JPY, 0)
 * assert.equal(currencyScales.BHD, 3)
 * assert.equal(currencyScales.USDC, 6)
 * assert.equal(currencyScales.BTC, 8)
 */
export const currencyScales: Readonly<Record<string, number>> = {
  // zero-decimal ISO 4217 currencies
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  // three-decimal ISO 4217 currencies
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  // four-decimal ISO 4217 units of account
  CLF: 4,
  UYW: 4,
  // two-decimal currencies named by the platform documents
  USD: 2,
  EUR: 2,
  GBP: 2,
  CAD: 2,
  AUD: 2,
  CHF: 2,
  MXN: 2,
  BRL: 2,
  INR: 2,
  NGN: 2,
  KES: 2,
  PHP: 2,
  // digital assets
  USDC: 6,
  USDT: 6,
  EURC: 6,
  BTC: 8,
  ETH: 18,
}

/** The scale a currency gets when neither the table nor the caller names it: ISO 4217's usual 2. */
const defaultScale = 2

// ---------------------------------------------------------------- operations

/**
 * Decodes a currency code: `^[A-Z]{3,4}$`, or a `ValidationError` on the field `currency`.
 *
 * @example
 * import { currency } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(currency('JPY'), E.right('JPY'))
 * assert.ok(E.isLeft(currency('YEN!')))
 */
export const currency = (u: unknown): E.Either<ValidationError, Currency> =>
  Currency.is(u)
    ? E.right(u)
    : E.left(validationError('currency', `must match ^[A-Z]{3,4}$, got ${describeValue(u)}`))

/**
 * The number of decimals a currency's amounts carry: the caller's table first, then
 * `currencyScales`, then 2.
 *
 * @example
 * import { scaleOf, type Currency } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(scaleOf('USD' as Currency), 2)
 * assert.equal(scaleOf('BHD' as Currency), 3)
 * assert.equal(scaleOf('XYZ' as Currency, { XYZ: 5 }), 5)
 */
export const scaleOf = (code: Currency, scales?: Readonly<Record<string, number>>): number =>
  scales?.[code] ?? currencyScales[code] ?? defaultScale
