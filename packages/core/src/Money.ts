/**
 * Money: exact integers of minor units (bigint) with their currency. Amounts cross the boundary as
 * decimal strings (`"1250.00"`), never floats; an amount with more decimals than its currency
 * allows is refused, never rounded.
 */

import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { pipe } from '#fp-ts/function'
import { Currency, currency as decodeCurrency, scaleOf } from './Currency.js'
import { describeValue, type ValidationError, validationError } from './Validation.js'

// ---------------------------------------------------------------- model

/**
 * An exact amount in a currency's minor units (cents for USD, yen for JPY, satoshi for BTC).
 *
 * @example
 * import { minorUnits, type MinorUnits } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const cents: MinorUnits = minorUnits(125000n)
 * assert.equal(cents, 125000n)
 */
export type MinorUnits = bigint & { readonly MinorUnits: unique symbol }

/**
 * An exact amount of one currency.
 *
 * @example
 * import { money, formatMoney, type Money } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const m: Money = money(125000n, 'USD')
 * assert.equal(formatMoney(m), '1250.00')
 */
export interface Money {
  readonly minor: MinorUnits
  readonly currency: Currency
}

/**
 * Two amounts of different currencies met where one currency was required.
 *
 * @example
 * import { addMoney, money } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const result = addMoney(money(100n, 'USD'), money(100n, 'EUR'))
 * assert.ok(E.isLeft(result) && result.left._tag === 'CurrencyMismatch')
 */
export interface CurrencyMismatch {
  readonly _tag: 'CurrencyMismatch'
  readonly expected: Currency
  readonly actual: Currency
}

/**
 * The decimal amount pattern of the wire: an optional minus, 1 to 12 integer digits, decimals.
 *
 * @example
 * import { decimalAmountPattern } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(decimalAmountPattern.test('1250.00'))
 * assert.ok(!decimalAmountPattern.test('1e3'))
 */
export const decimalAmountPattern = /^-?\d{1,12}(\.\d+)?$/

// ---------------------------------------------------------------- constructors

/**
 * Marks an integer as minor units.
 *
 * @example
 * import { minorUnits } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(minorUnits(5n) + minorUnits(7n), 12n)
 */
export const minorUnits = (n: bigint): MinorUnits => n as MinorUnits

/**
 * Money from an integer of minor units. The currency is taken as given: decode it first where it
 * comes from outside.
 *
 * @example
 * import { money } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(money(1n, 'BTC'), { minor: 1n, currency: 'BTC' })
 */
export const money = (minor: bigint, currency: string): Money => ({
  minor: minorUnits(minor),
  currency: currency as Currency,
})

/**
 * Reads a decimal amount string in a currency into exact minor units. Refuses (naming the field
 * `amount`) numbers, exponents, more than 12 integer digits and more decimals than the currency's
 * scale; never rounds.
 *
 * @example
 * import { parseMoney } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(parseMoney('1250.5', 'USD'), E.right({ minor: 125050n, currency: 'USD' }))
 * assert.deepEqual(parseMoney('0.001', 'BHD'), E.right({ minor: 1n, currency: 'BHD' }))
 * const tooPrecise = parseMoney('10.005', 'USD')
 * assert.ok(E.isLeft(tooPrecise))
 * assert.equal(tooPrecise.left.problems[0]?.message, 'has 3 decimals; USD allows 2')
 */
export const parseMoney = (
  amount: unknown,
  currency: unknown,
  scales?: Readonly<Record<string, number>>,
): E.Either<ValidationError, Money> => {
  const c = decodeCurrency(currency)
  if (E.isLeft(c)) return c
  if (typeof amount === 'string') {
    const minor = plainMinorUnits(amount, scaleOf(c.right, scales))
    if (minor !== undefined) return E.right({ minor, currency: c.right })
  }
  return pipe(
    parseMinorUnits(amount, c.right, scales),
    E.map((minor): Money => ({ minor, currency: c.right })),
    E.mapLeft((message) => validationError('amount', message)),
  )
}

/**
 * The common case of `parseMinorUnits` without a regular expression or string building: a valid
 * amount whose minor units are exact in a float (at most 15 digits in all). Anything else —
 * invalid, or too long for that — is `undefined` and goes the way that explains itself.
 */
const plainMinorUnits = (s: string, scale: number): MinorUnits | undefined => {
  const n = s.length
  let i = s.charCodeAt(0) === 45 ? 1 : 0
  const negative = i === 1
  let whole = 0
  const wholeStart = i
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    whole = whole * 10 + d
  }
  const wholeDigits = i - wholeStart
  if (wholeDigits === 0 || wholeDigits > 12) return undefined
  let fraction = 0
  let decimals = 0
  if (i < n) {
    if (s.charCodeAt(i) !== 46) return undefined
    for (i++; i < n; i++) {
      const d = s.charCodeAt(i) - 48
      if (d < 0 || d > 9) return undefined
      fraction = fraction * 10 + d
      decimals++
    }
    if (decimals === 0 || decimals > scale) return undefined
  }
  if (wholeDigits + scale > 15) return undefined
  const minor = whole * 10 ** scale + fraction * 10 ** (scale - decimals)
  return minorUnits(BigInt(negative ? -minor : minor))
}

/** The reason a decimal string is not an amount of the currency, or its exact minor units. */
const parseMinorUnits = (
  amount: unknown,
  currency: Currency,
  scales?: Readonly<Record<string, number>>,
): E.Either<string, MinorUnits> => {
  if (typeof amount === 'number' || typeof amount === 'bigint')
    return E.left(`must be a decimal string such as "1250.00", not a ${typeof amount}`)
  if (typeof amount !== 'string') return E.left(`must be a decimal string, got ${describeValue(amount)}`)
  if (/[eE]/.test(amount)) return E.left('must not use exponent notation')
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount)
  if (match === null)
    return E.left(`must be a decimal string such as "1250.00", got ${describeValue(amount)}`)
  const [, sign = '', whole = '', fraction = ''] = match
  if (whole.length > 12) return E.left(`has ${whole.length} integer digits; at most 12 are allowed`)
  const scale = scaleOf(currency, scales)
  if (fraction.length > scale) return E.left(`has ${fraction.length} decimals; ${currency} allows ${scale}`)
  const minor = BigInt(whole + fraction.padEnd(scale, '0'))
  return E.right(minorUnits(sign === '-' ? -minor : minor))
}

// ---------------------------------------------------------------- codecs

/**
 * The wire shape of money: `{ amount: "1250.00", currency: "USD" }`.
 *
 * @example
 * import type { MoneyWire } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const wire: MoneyWire = { amount: '1250.00', currency: 'USD' }
 * assert.equal(wire.amount, '1250.00')
 */
export interface MoneyWire {
  readonly amount: string
  readonly currency: string
}

/**
 * io-ts codec between the wire shape `{ amount, currency }` and `Money`; failures name `amount`
 * or `currency` under the path where the codec is used.
 *
 * @example
 * import { MoneyFromWire, decodeWith } from '@payout-kernel/core'
 * import * as t from 'io-ts'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const decode = decodeWith(t.type({ total: MoneyFromWire }))
 * assert.deepEqual(decode({ total: { amount: '1', currency: 'JPY' } }), E.right({ total: { minor: 1n, currency: 'JPY' } }))
 * const bad = decode({ total: { amount: '1.5', currency: 'JPY' } })
 * assert.ok(E.isLeft(bad))
 * assert.deepEqual(bad.left.problems, [{ field: 'total.amount', message: 'has 1 decimals; JPY allows 0' }])
 * assert.deepEqual(MoneyFromWire.encode({ minor: 150n, currency: 'USD' } as never), { amount: '1.50', currency: 'USD' })
 */
export const MoneyFromWire: t.Type<Money, MoneyWire, unknown> = /* @__PURE__ */ new t.Type<
  Money,
  MoneyWire,
  unknown
>(
  'Money',
  (u): u is Money =>
    typeof u === 'object' &&
    u !== null &&
    typeof (u as { minor?: unknown }).minor === 'bigint' &&
    Currency.is((u as { currency?: unknown }).currency),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return t.failure(u, c, `must be an object { amount, currency }, got ${describeValue(u)}`)
    const { amount, currency } = u as { amount?: unknown; currency?: unknown }
    if (!Currency.is(currency))
      return t.failure(
        currency,
        t.appendContext(c, 'currency', Currency, currency),
        `must match ^[A-Z]{3,4}$, got ${describeValue(currency)}`,
      )
    return E.match(
      (message: string) => t.failure<Money>(amount, t.appendContext(c, 'amount', t.string, amount), message),
      (minor: MinorUnits) => t.success<Money>({ minor, currency }),
    )(parseMinorUnits(amount, currency))
  },
  (m) => ({ amount: formatMoney(m), currency: m.currency }),
)

/**
 * io-ts codec for a decimal amount string in a currency known beforehand (a rule's threshold, say),
 * decoding to minor units.
 *
 * @example
 * import { decimalAmount, decodeWith } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(decodeWith(decimalAmount('USD'))('10.25'), E.right(1025n))
 * assert.ok(E.isLeft(decodeWith(decimalAmount('USD'))(10.25)))
 */
export const decimalAmount = (
  currency: string,
  scales?: Readonly<Record<string, number>>,
): t.Type<MinorUnits, string, unknown> =>
  new t.Type<MinorUnits, string, unknown>(
    `DecimalAmount<${currency}>`,
    (u): u is MinorUnits => typeof u === 'bigint',
    (u, c) =>
      E.match(
        (message: string) => t.failure<MinorUnits>(u, c, message),
        (minor: MinorUnits) => t.success(minor),
      )(parseMinorUnits(u, currency as Currency, scales)),
    (minor) => formatMoney(money(minor, currency), scales),
  )

// ---------------------------------------------------------------- operations

/**
 * The canonical decimal string of an amount: exactly the currency's scale in decimals.
 *
 * @example
 * import { formatMoney, money } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(formatMoney(money(-5n, 'USD')), '-0.05')
 * assert.equal(formatMoney(money(1250n, 'JPY')), '1250')
 * assert.equal(formatMoney(money(1n, 'USDC')), '0.000001')
 */
export const formatMoney = (m: Money, scales?: Readonly<Record<string, number>>): string => {
  const scale = scaleOf(m.currency, scales)
  const negative = m.minor < 0n
  const digits = (negative ? -m.minor : m.minor).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''
  return `${negative ? '-' : ''}${whole}${fraction}`
}

const sameCurrency = (a: Money, b: Money): E.Either<CurrencyMismatch, Currency> =>
  a.currency === b.currency
    ? E.right(a.currency)
    : E.left({ _tag: 'CurrencyMismatch', expected: a.currency, actual: b.currency })

/**
 * Adds two amounts of one currency exactly (no limit on size); different currencies are refused.
 *
 * @example
 * import { addMoney, money, formatMoney } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import { pipe } from '#fp-ts/function'
 * import assert from 'node:assert/strict'
 *
 * const big = money(2n ** 60n, 'USD')
 * assert.deepEqual(pipe(addMoney(big, money(1n, 'USD')), E.map(formatMoney)), E.right('11529215046068469.77'))
 */
export const addMoney = (a: Money, b: Money): E.Either<CurrencyMismatch, Money> =>
  E.map((currency: Currency) => ({ minor: minorUnits(a.minor + b.minor), currency }))(sameCurrency(a, b))

/**
 * Subtracts one amount from another of the same currency, exactly.
 *
 * @example
 * import { subtractMoney, money } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(subtractMoney(money(100n, 'EUR'), money(250n, 'EUR')), E.right(money(-150n, 'EUR')))
 */
export const subtractMoney = (a: Money, b: Money): E.Either<CurrencyMismatch, Money> =>
  E.map((currency: Currency) => ({ minor: minorUnits(a.minor - b.minor), currency }))(sameCurrency(a, b))

/**
 * Orders two amounts of one currency: -1, 0 or 1; different currencies are refused.
 *
 * @example
 * import { compareMoney, money } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(compareMoney(money(1n, 'USD'), money(2n, 'USD')), E.right(-1))
 * assert.ok(E.isLeft(compareMoney(money(1n, 'USD'), money(1n, 'GBP'))))
 */
export const compareMoney = (a: Money, b: Money): E.Either<CurrencyMismatch, -1 | 0 | 1> =>
  E.map(() => (a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0) as -1 | 0 | 1)(sameCurrency(a, b))

/**
 * Sums amounts of one currency exactly; the empty sum is zero in that currency.
 *
 * @example
 * import { sumMoney, money } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(sumMoney('USD', [money(1n, 'USD'), money(2n, 'USD')]), E.right(money(3n, 'USD')))
 * assert.deepEqual(sumMoney('USD', []), E.right(money(0n, 'USD')))
 */
export const sumMoney = (
  currency: string,
  amounts: ReadonlyArray<Money>,
): E.Either<CurrencyMismatch, Money> => {
  let total = 0n
  for (const m of amounts) {
    if (m.currency !== currency)
      return E.left({ _tag: 'CurrencyMismatch', expected: currency as Currency, actual: m.currency })
    total += m.minor
  }
  return E.right(money(total, currency))
}

// ---------------------------------------------------------------- conversion

/**
 * How an exact conversion rounds to the target currency's minor unit.
 * `half-even` (banker's rounding) is the default.
 *
 * @example
 * import type { Rounding } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const r: Rounding = 'half-even'
 * assert.equal(r, 'half-even')
 */
export type Rounding = 'half-even' | 'half-up' | 'down' | 'floor' | 'ceil'

/** Divides exactly, then rounds the quotient to an integer by the given mode. */
const divideRounded = (numerator: bigint, denominator: bigint, rounding: Rounding): bigint => {
  const n = denominator < 0n ? -numerator : numerator
  const d = denominator < 0n ? -denominator : denominator
  const q = n / d // truncates toward zero
  const r = n % d
  if (r === 0n) return q
  const away = n < 0n ? q - 1n : q + 1n
  const twice = 2n * (r < 0n ? -r : r)
  switch (rounding) {
    case 'down':
      return q
    case 'floor':
      return n < 0n ? q - 1n : q
    case 'ceil':
      return n < 0n ? q : q + 1n
    case 'half-up':
      return twice >= d ? away : q
    case 'half-even':
      return twice > d ? away : twice < d ? q : q % 2n === 0n ? q : away
  }
}

/**
 * Converts an amount into another currency at a decimal exchange rate (units of `to` per unit of
 * the amount's currency), exactly, rounding only once at the end by the stated mode.
 *
 * @example
 * import { convertMoney, money, formatMoney } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import { pipe } from '#fp-ts/function'
 * import assert from 'node:assert/strict'
 *
 * // 100.00 EUR at 1.08345 USD/EUR is 108.345 USD: half-even gives 108.34, half-up 108.35.
 * const eur = money(10000n, 'EUR')
 * assert.deepEqual(pipe(convertMoney(eur, { to: 'USD', rate: '1.08345' }), E.map(formatMoney)), E.right('108.34'))
 * assert.deepEqual(pipe(convertMoney(eur, { to: 'USD', rate: '1.08345', rounding: 'half-up' }), E.map(formatMoney)), E.right('108.35'))
 */
export const convertMoney = (
  m: Money,
  conversion: {
    readonly to: string
    readonly rate: string
    readonly rounding?: Rounding
    readonly scales?: Readonly<Record<string, number>>
  },
): E.Either<ValidationError, Money> => {
  if (!Currency.is(conversion.to))
    return E.left(validationError('to', `must match ^[A-Z]{3,4}$, got ${describeValue(conversion.to)}`))
  const rate = /^(\d{1,12})(?:\.(\d{1,18}))?$/.exec(conversion.rate)
  if (rate === null)
    return E.left(
      validationError('rate', `must be a positive decimal string, got ${describeValue(conversion.rate)}`),
    )
  const [, rateWhole = '', rateFraction = ''] = rate
  const rateNumerator = BigInt(rateWhole + rateFraction)
  if (rateNumerator === 0n) return E.left(validationError('rate', 'must be greater than 0'))
  const fromScale = scaleOf(m.currency, conversion.scales)
  const toScale = scaleOf(conversion.to, conversion.scales)
  // minor_to = minor_from × rate × 10^(toScale − fromScale), with rate = rateNumerator / 10^len(fraction)
  const numerator = m.minor * rateNumerator * 10n ** BigInt(Math.max(0, toScale - fromScale))
  const denominator = 10n ** BigInt(rateFraction.length + Math.max(0, fromScale - toScale))
  return E.right(
    money(divideRounded(numerator, denominator, conversion.rounding ?? 'half-even'), conversion.to),
  )
}
