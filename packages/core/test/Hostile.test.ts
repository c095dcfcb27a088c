// The core decoders against the shared hostile values: as the whole input and in each field, a
// Left naming the field (or a Right where the value is one the field may hold), never a throw.

import * as t from 'io-ts'
import { describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  country,
  currency,
  decodeId,
  decodeWith,
  describeValue,
  epochMillis,
  fromRfc3339,
  guardDecoder,
  MoneyFromWire,
  maxInputDepth,
  PayoutId,
  parseMoney,
  Rfc3339,
  unreadableInput,
  type ValidationError,
} from '../src/index.js'
import { hostileDepth, hostileFieldCases, hostileValues, namesField } from '../src/testing/index.js'

type Decoder = (u: unknown) => E.Either<ValidationError, unknown>

const expectRefusedNaming = (decode: Decoder, field: string, input: unknown, name: string) => {
  const result = decode(input)
  if (E.isLeft(result)) {
    expect(result.left._tag).toBe('ValidationError')
    expect(result.left.problems.length, name).toBeGreaterThan(0)
    for (const p of result.left.problems)
      expect(namesField(p.field, field), `${p.field} for ${name}`).toBe(true)
  }
  return result
}

describe('every core decoder meets every hostile value', () => {
  const single: ReadonlyArray<readonly [string, Decoder, string]> = [
    ['currency', currency, 'currency'],
    ['country', country, 'country'],
    ['decodeId', decodeId(PayoutId, 'id'), 'id'],
    ['fromRfc3339', fromRfc3339, ''],
    ['epochMillis', epochMillis, ''],
    ['Rfc3339', decodeWith(Rfc3339), ''],
    ['parseMoney (amount)', (u) => parseMoney(u, 'USD'), 'amount'],
    ['parseMoney (currency)', (u) => parseMoney('1.00', u), 'currency'],
  ]
  test.each(single)('%s refuses each of them as the input, without throwing', (_, decode, field) => {
    for (const { name, value } of hostileValues) {
      const result = expectRefusedNaming(decode, field, value, name)
      // -0 is a whole number of milliseconds: the one hostile value an instant may be, read as 0
      if (E.isRight(result)) expect([name, Object.is(result.right, 0)]).toEqual(['-0', true])
    }
  })

  test('MoneyFromWire names the field that holds each of them', () => {
    for (const { name, field, input } of hostileFieldCases({ amount: '1.00', currency: 'USD' })) {
      const result = expectRefusedNaming(decodeWith(MoneyFromWire), field, input, name)
      if (E.isRight(result)) expect(result.right).toEqual({ minor: 100n, currency: 'USD' })
    }
  })
})

describe('input that throws when read', () => {
  const Payout = t.type({ payee: t.type({ name: t.string }), amount: t.string })
  const decode = decodeWith(Payout)
  const throwing = new Proxy(
    {},
    {
      get: () => {
        throw new Error('no')
      },
    },
  )

  test('a field whose getter throws is refused naming that field', () => {
    const payee = Object.defineProperty({}, 'name', {
      get: () => {
        throw new Error('no')
      },
      enumerable: true,
    })
    const result = decode({ payee, amount: '1' })
    expect(E.isLeft(result) && result.left.problems).toEqual([
      { field: 'payee.name', message: 'could not be read (Error: no)' },
    ])
  })

  test('a proxy that throws on any read is refused naming the field that holds it', () => {
    const result = decode({ payee: { name: 'Ada' }, amount: throwing })
    expect(E.isLeft(result) && result.left.problems.map((p) => p.field)).toEqual(['amount'])
  })

  test('a decoder that overflows the stack on deep input answers a Left naming the field too deep', () => {
    const walk = (u: unknown): number =>
      typeof u === 'object' && u !== null ? 1 + walk((u as { a: unknown }).a) : 0
    const deepest = hostileValues.find((h) => h.name === `object ${hostileDepth} deep`)?.value
    const guarded = guardDecoder((u) => E.right(walk((u as { tree: unknown }).tree)))
    expect(guarded({ tree: deepest })).toEqual(
      E.left({
        _tag: 'ValidationError',
        problems: [
          {
            field: ['tree', ...Array(maxInputDepth - 1).fill('a')].join('.'),
            message: `is nested more than ${maxInputDepth} levels deep`,
          },
        ],
      }),
    )
    expect(guarded({ tree: { a: { a: {} } } })).toEqual(E.right(3))
  })

  test('a throw the input does not explain is refused as the input itself, naming the error', () => {
    expect(unreadableInput({ a: 1 }, new TypeError('bad'))).toEqual({
      _tag: 'ValidationError',
      problems: [{ field: '', message: 'could not be decoded (TypeError: bad)' }],
    })
  })

  test('guardDecoder maps the refusal into the decoder’s own error type', () => {
    const guarded = guardDecoder<number, string>(
      () => {
        throw new Error('no')
      },
      (e) => e.problems[0]?.message ?? '',
    )
    expect(guarded(1)).toEqual(E.left('could not be decoded (Error: no)'))
  })
})

describe('describing a hostile value in a message', () => {
  test('a 10 MiB string is described by its first characters', () => {
    const text = describeValue('a'.repeat(10 * 1024 * 1024))
    expect(text).toBe(`"${'a'.repeat(56)}...`)
  })
  test('an object too large or deep to describe is described by its type', () => {
    expect(describeValue(hostileValues.find((h) => h.name === `array ${hostileDepth} deep`)?.value)).toBe(
      'object',
    )
    expect(describeValue({ a: [1, 2] })).toBe('{"a":[1,2]}')
  })
  test('a bigint of hundreds of digits is not written out', () => {
    expect(describeValue(10n ** 400n)).toBe('a bigint of over 50 digits')
    expect(describeValue(-12n)).toBe('-12n')
  })
})
