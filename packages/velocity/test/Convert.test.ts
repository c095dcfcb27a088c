import { fc, test } from '@fast-check/vitest'
import { convertMoney, currencyScales, money, type Rounding } from '@payout-kernel/core'
import { expect } from 'vitest'
import * as E from '#fp-ts/Either'
import { conversionsOf, convert } from '../src/internal/Assess.js'

const currencies = Object.keys(currencyScales).filter((c) => /^[A-Z]{3,4}$/.test(c))
const arbRate = fc
  .tuple(
    fc.integer({ min: 0, max: 100_000 }),
    fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 9 }),
  )
  .filter(([w, f]) => w > 0 || /[1-9]/.test(f))
  .map(([w, f]) => (f === '' ? String(w) : `${w}.${f}`))
const arbAmount = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
)

test.prop(
  [
    arbAmount,
    fc.constantFrom(...currencies),
    fc.constantFrom(...currencies),
    arbRate,
    fc.constantFrom<Rounding>('half-even', 'half-up', 'down', 'floor', 'ceil'),
  ],
  { numRuns: 10_000 },
)('the cached number path converts exactly as core convertMoney does', (a, from, to, rate, rounding) => {
  fc.pre(from !== to)
  const conversions = conversionsOf({ rates: [{ from, to, rate }], rounding })
  expect(E.isRight(conversions)).toBe(true)
  if (E.isLeft(conversions)) return
  const expected = convertMoney(money(BigInt(a), from), { to, rate, rounding })
  expect(E.isRight(expected)).toBe(true)
  if (E.isLeft(expected)) return
  const got = convert(a, from, to, conversions.right)
  expect(got === undefined ? undefined : BigInt(got)).toBe(expected.right.minor)
  // asked twice (the second answer comes from the cache) it says the same
  expect(convert(a, from, to, conversions.right)).toEqual(got)
})
