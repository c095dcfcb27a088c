/**
 * fast-check arbitraries for the core values, valid by construction, plus garbage for decoders.
 */
import fc from 'fast-check'
import { countryCodes } from '../Country.js'
import { type Currency, currencyScales } from '../Currency.js'
import { idPrefixes, maxIdLength } from '../Id.js'
import { type Money, money } from '../Money.js'
import type { EpochMillis } from '../Time.js'
import { arbHostile } from './hostile.js'

const alphanumeric = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')

/**
 * Valid ids with a given prefix (`pay_`, `ben_`, …), up to the 255-character limit.
 *
 * @example
 * import { arbId } from '@payout-kernel/core/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * fc.assert(fc.property(arbId('ben_'), (id) => id.startsWith('ben_') && id.length <= 255))
 * assert.ok(true)
 */
export const arbId = <P extends string>(prefix: P, maxLength = 24): fc.Arbitrary<`${P}${string}`> =>
  fc
    .string({ unit: alphanumeric, minLength: 1, maxLength: Math.min(maxLength, maxIdLength - prefix.length) })
    .map((suffix) => `${prefix}${suffix}` as `${P}${string}`)

/**
 * Valid ids of every kind the domain names.
 *
 * @example
 * import { arbAnyId } from '@payout-kernel/core/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbAnyId, (id) => /^[a-z]+_[a-zA-Z0-9]+$/.test(id)))
 */
export const arbAnyId: fc.Arbitrary<string> = fc.oneof(...Object.values(idPrefixes).map((p) => arbId(p)))

/**
 * Currency codes from the scale table (so every scale is exercised).
 *
 * @example
 * import { arbCurrency } from '@payout-kernel/core/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbCurrency, (c) => /^[A-Z]{3,5}$/.test(c)))
 */
export const arbCurrency: fc.Arbitrary<Currency> = fc.constantFrom(
  ...(Object.keys(currencyScales).filter((c) => /^[A-Z]{3,4}$/.test(c)) as Currency[]),
)

/**
 * Assigned ISO 3166-1 alpha-2 country codes.
 *
 * @example
 * import { arbCountry } from '@payout-kernel/core/testing'
 * import { Country } from '@payout-kernel/core'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbCountry, (c) => Country.is(c)))
 */
export const arbCountry = fc.constantFrom(...countryCodes)

/**
 * Money in a currency (any of the table when none is given), within the wire's 12 integer digits.
 *
 * @example
 * import { arbMoney } from '@payout-kernel/core/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbMoney({ currency: 'JPY' }), (m) => m.currency === 'JPY'))
 */
export const arbMoney = (
  options: { readonly currency?: Currency | string; readonly min?: bigint; readonly max?: bigint } = {},
): fc.Arbitrary<Money> =>
  (options.currency === undefined ? arbCurrency : fc.constant(options.currency as Currency)).chain((c) => {
    const scale = currencyScales[c] ?? 2
    const limit = 10n ** BigInt(12 + scale) - 1n
    return fc
      .bigInt({ min: options.min ?? -limit, max: options.max ?? limit })
      .map((minor) => money(minor, c))
  })

/**
 * Decimal amount strings that are valid for a currency (not always canonical: fewer decimals and
 * leading zeros appear too).
 *
 * @example
 * import { arbDecimalAmount } from '@payout-kernel/core/testing'
 * import { parseMoney } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbDecimalAmount('BHD'), (s) => E.isRight(parseMoney(s, 'BHD'))))
 */
export const arbDecimalAmount = (currency: Currency | string): fc.Arbitrary<string> => {
  const scale = currencyScales[currency] ?? 2
  return fc
    .tuple(
      fc.boolean(),
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 12 }),
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: scale }),
    )
    .map(
      ([negative, whole, fraction]) =>
        `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`,
    )
}

/**
 * Instants within years 2000 to 2100, as epoch milliseconds.
 *
 * @example
 * import { arbEpochMillis } from '@payout-kernel/core/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbEpochMillis, (t) => Number.isSafeInteger(t)))
 */
export const arbEpochMillis: fc.Arbitrary<EpochMillis> = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
  .map((n) => n as EpochMillis)

/**
 * Hostile input for decoders: anything at all, near-misses of the domain's formats (floats,
 * exponents, over-precise amounts, lowercase codes, wrong prefixes, huge numbers), and every one of
 * `hostileValues` (polluting keys, 100,000-deep nesting, 10 MiB strings, throwing getters and
 * proxies, sparse and frozen arrays, lone surrogates, NUL, BOM, symbols).
 *
 * @example
 * import { arbGarbage } from '@payout-kernel/core/testing'
 * import { parseMoney } from '@payout-kernel/core'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbGarbage, (u) => { parseMoney(u, 'USD'); return true }))
 */
export const arbGarbage: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.anything({
      withBigInt: true,
      withNullPrototype: true,
      withSparseArray: true,
      withObjectString: true,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0.1,
      1e21,
      2 ** 53 + 1,
      '',
      ' ',
      '1e3',
      '1E3',
      '0x10',
      '1.005',
      '-',
      '.',
      '1.',
      '.5',
      '+1',
      ' 1',
      '1 ',
      '١٢٣',
      '1,000.00',
      '1234567890123.00',
      'usd',
      'US',
      'USDCC',
      'pay_',
      'ben_!',
      'ben_ 1',
      'x'.repeat(300),
      '__proto__',
      'constructor',
      null,
      undefined,
      [],
      {},
      true,
    ),
    weight: 2,
  },
  { arbitrary: fc.double(), weight: 2 },
  { arbitrary: fc.string(), weight: 2 },
  // one draw in nine: each hostile value turns up some five times in 2,000 runs, fifty in 20,000
  { arbitrary: arbHostile, weight: 1 },
)
