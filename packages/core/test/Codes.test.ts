import { fc, test } from '@fast-check/vitest'
import * as t from 'io-ts'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  BeneficiaryId,
  country,
  countryCodes,
  currency,
  decodeId,
  decodeWith,
  EvaluationId,
  fromDecodeErrors,
  InstrumentId,
  MerchantId,
  MoneyFromWire,
  PayoutEventId,
  PayoutId,
  RfiId,
  toApiError,
  WebhookEventId,
} from '../src/index.js'
import { arbAnyId, arbCountry, arbCurrency, arbGarbage, arbId } from '../src/testing/index.js'

const idCodecs: ReadonlyArray<readonly [string, { readonly name: string; is: (u: unknown) => u is string }]> =
  [
    ['pay_', PayoutId],
    ['ben_', BeneficiaryId],
    ['ins_', InstrumentId],
    ['evt_', WebhookEventId],
    ['rfi_', RfiId],
    ['eval_', EvaluationId],
    ['pev_', PayoutEventId],
  ]

describe('ids', () => {
  for (const [prefix, codec] of idCodecs) {
    test.prop([arbId(prefix, 251)])(`${codec.name} accepts ${prefix} ids up to 255 characters`, (id) => {
      expect(codec.is(id)).toBe(true)
    })
    test.prop([arbAnyId.filter((id) => !id.startsWith(prefix))])(
      `${codec.name} refuses other prefixes`,
      (id) => {
        expect(codec.is(id)).toBe(false)
      },
    )
  }
  test('length limit is 255 in all, and the suffix must be non-empty alphanumerics', () => {
    expect(BeneficiaryId.is(`ben_${'a'.repeat(251)}`)).toBe(true)
    expect(BeneficiaryId.is(`ben_${'a'.repeat(252)}`)).toBe(false)
    expect(BeneficiaryId.is('ben_')).toBe(false)
    expect(BeneficiaryId.is('ben_a-b')).toBe(false)
    expect(BeneficiaryId.is('BEN_a')).toBe(false)
  })
  // The decoders read ids with character loops; these are the patterns they stand for.
  const arbIdLike = (prefix: string) =>
    fc.oneof(
      fc
        .string({ unit: fc.constantFrom(...'abAZ09_-é ', '\u0000', '\n'), maxLength: 8 })
        .map((s) => prefix + s),
      fc.integer({ min: 0, max: 4 }).map((extra) => prefix + 'a'.repeat(251 - prefix.length + extra + 4)),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 12 }).map((s) => prefix.slice(0, 3) + s),
    )
  for (const [prefix, codec] of idCodecs) {
    const pattern = new RegExp(`^${prefix}[a-zA-Z0-9]+$`)
    test.prop([arbIdLike(prefix)], { numRuns: 2000 })(
      `${codec.name} answers as ^${prefix}[a-zA-Z0-9]+$ up to 255`,
      (s) => {
        expect(codec.is(s)).toBe(s.length <= 255 && pattern.test(s))
      },
    )
  }
  test.prop([fc.oneof(arbIdLike('mer_'), arbIdLike(''))], { numRuns: 5000 })(
    'MerchantId answers as ^[A-Za-z0-9_-]{1,255}$',
    (s) => {
      expect(MerchantId.is(s)).toBe(/^[A-Za-z0-9_-]{1,255}$/.test(s))
    },
  )
  test.prop([arbGarbage], { numRuns: 10_000 })('every id decoder refuses garbage without throwing', (u) => {
    for (const [, codec] of idCodecs) {
      const result = decodeId(codec, 'id')(u)
      if (E.isLeft(result)) expect(result.left.problems[0]?.field).toBe('id')
      else expect(typeof u).toBe('string')
    }
    if (MerchantId.is(u)) expect(typeof u).toBe('string')
  })
})

describe('currencies and countries', () => {
  test.prop([arbCurrency])('known currencies decode', (c) => {
    expect(currency(c)).toEqual(E.right(c))
  })
  test.prop([arbCountry])('assigned countries decode', (c) => {
    expect(country(c)).toEqual(E.right(c))
  })
  test('unassigned or malformed codes are refused', () => {
    for (const c of ['UK', 'EU', 'gb', 'GBR', '', 'XX']) expect(E.isLeft(country(c)), c).toBe(true)
    for (const c of ['usd', 'US', 'USDCC', 'US1', '']) expect(E.isLeft(currency(c)), c).toBe(true)
    expect(new Set(countryCodes).size).toBe(249)
  })
  test.prop([arbGarbage], { numRuns: 10_000 })('garbage is refused, never thrown', (u) => {
    const results: ReadonlyArray<E.Either<unknown, string>> = [currency(u), country(u)]
    for (const r of results) if (E.isRight(r)) expect(typeof u).toBe('string')
  })
})

describe('validation errors', () => {
  const Payout = t.type({
    beneficiary: t.type({ id: BeneficiaryId }),
    lines: t.array(t.type({ total: MoneyFromWire })),
    note: t.union([t.string, t.null]),
  })

  test('field paths are dotted, through arrays, and skip union members', () => {
    const result = decodeWith(Payout)({
      beneficiary: { id: 'pay_1' },
      lines: [
        { total: { amount: '1.00', currency: 'USD' } },
        { total: { amount: '1.001', currency: 'USD' } },
      ],
      note: 5,
    })
    expect(E.isLeft(result)).toBe(true)
    if (E.isLeft(result))
      expect(result.left.problems.map((p) => p.field)).toEqual([
        'beneficiary.id',
        'lines.1.total.amount',
        'note',
      ])
  })

  test('field names survive readonly, exact and branded wrappers', () => {
    const Wrapped = t.readonly(t.exact(t.type({ config: t.readonly(t.type({ lease_ms: t.number })) })))
    const result = decodeWith(Wrapped)({ config: { lease_ms: 'soon' } })
    expect(E.isLeft(result) ? result.left.problems.map((p) => p.field) : []).toEqual(['config.lease_ms'])
  })

  test('the API form is 422 validation_error with one detail per field', () => {
    const e = fromDecodeErrors(
      (Payout.decode({ beneficiary: {}, lines: 'x', note: null }) as E.Left<t.Errors>).left,
    )
    const api = toApiError(e)
    expect(api.status).toBe(422)
    expect(api.body.error.code).toBe('validation_error')
    expect(api.body.error.details?.map((d) => d.field)).toEqual(['beneficiary.id', 'lines'])
    expect(api.body.error.message).toMatch(/^beneficiary\.id: .* \(and 1 more\)$/)
  })

  test.prop([fc.anything()], { numRuns: 10_000 })(
    'decoding garbage never throws and always names fields',
    (u) => {
      const result = decodeWith(Payout)(u)
      if (E.isLeft(result)) expect(result.left.problems.length).toBeGreaterThan(0)
    },
  )
})
