import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  addMoney,
  compareMoney,
  convertMoney,
  currencyScales,
  decimalAmount,
  decodeWith,
  formatMoney,
  MoneyFromWire,
  money,
  parseMoney,
  type Rounding,
  sumMoney,
} from '../src/index.js'
import { arbCurrency, arbDecimalAmount, arbGarbage, arbMoney } from '../src/testing/index.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}
const problemsOf = (e: E.Either<{ problems: ReadonlyArray<{ field: string; message: string }> }, unknown>) =>
  E.isLeft(e) ? e.left.problems : []

describe('parse and format', () => {
  test.prop([arbMoney()], { numRuns: 2000 })(
    'format then parse gives the same money, for every scale',
    (m) => {
      expect(right(parseMoney(formatMoney(m), m.currency))).toEqual(m)
    },
  )

  test.prop([arbCurrency.chain((c) => fc.tuple(fc.constant(c), arbDecimalAmount(c)))], { numRuns: 2000 })(
    'a valid decimal string parses, and its canonical form parses to the same amount',
    ([c, s]) => {
      const m = right(parseMoney(s, c))
      const canonical = formatMoney(m)
      expect(right(parseMoney(canonical, c))).toEqual(m)
      // canonical form has exactly the scale in decimals and no leading zeros
      const scale = currencyScales[c] ?? 2
      expect(canonical).toMatch(
        scale === 0 ? /^-?(0|[1-9]\d*)$/ : new RegExp(`^-?(0|[1-9]\\d*)\\.\\d{${scale}}$`),
      )
    },
  )

  // The reference: the whole rule as one regular expression over the string, exactly as written in
  // the contract; parseMoney's digit loop must agree with it on every string, valid or not.
  const referenceMinor = (amount: string, scale: number): bigint | string => {
    if (/[eE]/.test(amount)) return 'exponent'
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount)
    if (m === null) return 'shape'
    const [, sign = '', whole = '', fraction = ''] = m
    if (whole.length > 12) return 'integer digits'
    if (fraction.length > scale) return 'decimals'
    const minor = BigInt(whole + fraction.padEnd(scale, '0'))
    return sign === '-' ? -minor : minor
  }
  // lengths at the edges: 11 to 14 integer digits, 0 to 19 decimals
  const edgeAmount = fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(/^\d{11,14}$/),
      fc.option(fc.stringMatching(/^\d{0,19}$/), { nil: undefined }),
    )
    .map(
      ([neg, whole, fraction]) => `${neg ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`,
    )
  const amountLike = fc.oneof(
    edgeAmount,
    fc.stringMatching(/^-?\d{0,16}(\.\d{0,20})?$/),
    fc.string({ unit: fc.constantFrom('0', '1', '9', '.', '-', 'e', '+', ' ', '٣', 'x'), maxLength: 24 }),
    fc.string(),
  )
  test.prop([arbCurrency, amountLike], { numRuns: 10_000 })(
    'the fast digit loop agrees with the regular-expression reference on any string',
    (c, amount) => {
      const expected = referenceMinor(amount, currencyScales[c] ?? 2)
      const got = parseMoney(amount, c)
      if (typeof expected === 'bigint') expect(got).toEqual(E.right(money(expected, c)))
      else {
        expect(E.isLeft(got)).toBe(true)
        expect(problemsOf(got).map((p) => p.field)).toEqual(['amount'])
      }
    },
  )

  test('pinned examples of each scale', () => {
    expect(right(parseMoney('1250.00', 'USD')).minor).toBe(125000n)
    expect(right(parseMoney('1250', 'JPY')).minor).toBe(1250n)
    expect(right(parseMoney('1.234', 'BHD')).minor).toBe(1234n)
    expect(right(parseMoney('0.000001', 'USDC')).minor).toBe(1n)
    expect(right(parseMoney('21000000.00000001', 'BTC')).minor).toBe(2100000000000001n)
    expect(formatMoney(money(-1n, 'BHD'))).toBe('-0.001')
    expect(formatMoney(money(0n, 'EUR'))).toBe('0.00')
    expect(right(parseMoney('-0', 'USD')).minor).toBe(0n)
  })

  test.prop([arbCurrency, fc.integer({ min: 1, max: 6 })])(
    'more decimals than the scale are refused, never rounded',
    (c, extra) => {
      const scale = currencyScales[c] ?? 2
      const amount = `1.${'5'.repeat(scale + extra)}`
      const problems = problemsOf(parseMoney(amount, c))
      expect(problems).toEqual([
        { field: 'amount', message: `has ${scale + extra} decimals; ${c} allows ${scale}` },
      ])
    },
  )

  test('floats, exponents and more than 12 integer digits are refused with a reason', () => {
    expect(problemsOf(parseMoney(12.5, 'USD'))[0]?.message).toMatch(/not a number/)
    expect(problemsOf(parseMoney('1e3', 'USD'))[0]?.message).toMatch(/exponent/)
    expect(problemsOf(parseMoney('1234567890123', 'USD'))[0]?.message).toMatch(/13 integer digits/)
    expect(problemsOf(parseMoney('1,000.00', 'USD'))[0]?.field).toBe('amount')
    expect(problemsOf(parseMoney('10', 'usd'))[0]?.field).toBe('currency')
  })

  test.prop([arbGarbage, arbGarbage], { numRuns: 10_000 })(
    'garbage is refused or parsed, never thrown',
    (a, c) => {
      const result = parseMoney(a, c)
      if (E.isRight(result)) expect(typeof a).toBe('string')
      else expect(result.left.problems.length).toBeGreaterThan(0)
    },
  )

  test.prop([arbGarbage], { numRuns: 10_000 })('MoneyFromWire refuses garbage with a field path', (u) => {
    const result = decodeWith(MoneyFromWire)(u)
    if (E.isLeft(result))
      for (const p of result.left.problems) expect(['', 'amount', 'currency']).toContain(p.field)
    else expect(typeof (u as { amount: unknown }).amount).toBe('string')
  })

  test.prop([arbMoney()])('MoneyFromWire round-trips', (m) => {
    expect(right(decodeWith(MoneyFromWire)(MoneyFromWire.encode(m)))).toEqual(m)
  })

  test('decimalAmount decodes against a fixed currency', () => {
    expect(right(decodeWith(decimalAmount('JPY'))('500'))).toBe(500n)
    expect(problemsOf(decodeWith(decimalAmount('JPY'))('500.5'))[0]?.message).toBe(
      'has 1 decimals; JPY allows 0',
    )
  })
})

describe('arithmetic', () => {
  const arbSameCurrencyList = arbCurrency.chain((c) =>
    fc.array(arbMoney({ currency: c }), { maxLength: 50 }).map((ms) => [c, ms] as const),
  )

  test.prop([arbSameCurrencyList])('sums are exact beyond 2^53', ([c, ms]) => {
    const expected = ms.reduce((s, m) => s + m.minor, 0n)
    expect(right(sumMoney(c, ms)).minor).toBe(expected)
  })

  test('a sum that floats would get wrong is exact', () => {
    const big = money(2n ** 53n, 'USD')
    const sum = right(addMoney(big, money(1n, 'USD')))
    expect(sum.minor).toBe(2n ** 53n + 1n)
    expect(2 ** 53 + 1).toBe(2 ** 53) // what a float would have said
    expect(formatMoney(sum)).toBe('90071992547409.93')
  })

  test.prop([arbMoney({ currency: 'EUR' }), arbMoney({ currency: 'EUR' })])(
    'compare agrees with subtraction',
    (a, b) => {
      const c = right(compareMoney(a, b))
      expect(c).toBe(a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0)
    },
  )

  test('different currencies never mix', () => {
    expect(addMoney(money(1n, 'USD'), money(1n, 'EUR'))).toEqual(
      E.left({ _tag: 'CurrencyMismatch', expected: 'USD', actual: 'EUR' }),
    )
    expect(E.isLeft(sumMoney('USD', [money(1n, 'USD'), money(1n, 'JPY')]))).toBe(true)
  })
})

describe('conversion', () => {
  const modes: Rounding[] = ['half-even', 'half-up', 'down', 'floor', 'ceil']
  const arbRate = fc
    .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 999_999 }))
    .filter(([w, f]) => w + f > 0)
    .map(([w, f]) => `${w}.${String(f).padStart(6, '0')}`)

  test.prop([arbMoney(), arbCurrency, arbRate, fc.constantFrom(...modes)], { numRuns: 2000 })(
    'the result is within one minor unit of the exact value, on the side the rounding mode says',
    (m, to, rate, rounding) => {
      const result = right(convertMoney(m, { to, rate, rounding }))
      // exact = m.minor × rate × 10^(toScale − fromScale), as a fraction num/den
      const fromScale = currencyScales[m.currency] ?? 2
      const toScale = currencyScales[to] ?? 2
      const [w = '', f = ''] = rate.split('.')
      let num = m.minor * BigInt(w + f)
      let den = 10n ** BigInt(f.length)
      if (toScale >= fromScale) num *= 10n ** BigInt(toScale - fromScale)
      else den *= 10n ** BigInt(fromScale - toScale)
      const diff = result.minor * den - num // (result − exact) × den
      const abs = diff < 0n ? -diff : diff
      expect(abs < den).toBe(true)
      if (rounding === 'floor') expect(diff <= 0n).toBe(true)
      if (rounding === 'ceil') expect(diff >= 0n).toBe(true)
      if (rounding === 'down') expect(abs === 0n || diff < 0n === num > 0n).toBe(true)
      if (rounding === 'half-even' || rounding === 'half-up') expect(2n * abs <= den).toBe(true)
    },
  )

  test('ties: half-even goes to the even neighbour, half-up away from zero', () => {
    const eur = money(5n, 'EUR') // 0.05 EUR at 0.5 → 0.025 USD
    expect(right(convertMoney(eur, { to: 'USD', rate: '0.5' })).minor).toBe(2n)
    expect(right(convertMoney(eur, { to: 'USD', rate: '0.5', rounding: 'half-up' })).minor).toBe(3n)
    expect(
      right(convertMoney(money(-5n, 'EUR'), { to: 'USD', rate: '0.5', rounding: 'half-up' })).minor,
    ).toBe(-3n)
  })

  test('bad rates are refused with the field named', () => {
    expect(problemsOf(convertMoney(money(1n, 'USD'), { to: 'EUR', rate: '0' }))[0]?.field).toBe('rate')
    expect(problemsOf(convertMoney(money(1n, 'USD'), { to: 'EUR', rate: '-1.2' }))[0]?.field).toBe('rate')
    expect(problemsOf(convertMoney(money(1n, 'USD'), { to: 'eur', rate: '1' }))[0]?.field).toBe('to')
  })
})
