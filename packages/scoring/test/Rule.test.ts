import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import { compileRules, parseRules, type RuleSet, scoreTransaction, thresholds } from '../src/index.js'
import { arbCondition } from '../src/testing/index.js'

const rule = (condition: unknown, extra: Record<string, unknown> = {}) => ({
  id: 'r1',
  name: 'Rule',
  status: 'ACTIVE',
  score: 100,
  dry_run: false,
  condition,
  ...extra,
})
const problems = (doc: unknown) => {
  const result = parseRules(doc)
  return E.isLeft(result) ? result.left.problems : []
}
const fieldsOf = (doc: unknown) => problems(doc).map((p) => p.field)
const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}
const matches = (set: RuleSet, txn: Record<string, unknown>, features?: Record<string, unknown>) =>
  right(scoreTransaction(compileRules(set), txn, features)).matched_rules.length === 1
const single = (condition: unknown) => right(parseRules([rule(condition)]))

describe('load-time refusals name the field path', () => {
  test('unknown operators', () => {
    expect(problems([rule({ all: [{ field: 'amount', op: 'between', value: 1 }] })])).toEqual([
      {
        field: 'rules.0.condition.all.0.op',
        message:
          'must be one of eq, ne, gt, gte, lt, lte, in, not_in, contains, exists, matches, got "between"',
      },
    ])
  })

  test('wrong operand types, for each operator family', () => {
    const cases: Array<[unknown, string]> = [
      [{ field: 'amount', op: 'gt', value: 'lots' }, 'rules.0.condition.value'],
      [{ field: 'amount', op: 'gte', value: '1e3' }, 'rules.0.condition.value'],
      [{ field: 'amount', op: 'lt', value: true }, 'rules.0.condition.value'],
      [{ field: 'amount', op: 'lte' }, 'rules.0.condition.value'],
      [{ field: 'amount', op: 'eq', value: { x: 1 } }, 'rules.0.condition.value'],
      [{ field: 'amount', op: 'eq', value: null }, 'rules.0.condition.value'],
      [{ field: 'amount', op: 'eq', value: Number.NaN }, 'rules.0.condition.value'],
      [{ field: 'amount', op: 'eq', value: 0.30000000000000004 }, 'rules.0.condition.value'],
      [{ field: 'country', op: 'in', value: 'US' }, 'rules.0.condition.value'],
      [{ field: 'country', op: 'in', value: [] }, 'rules.0.condition.value'],
      [{ field: 'country', op: 'not_in', value: ['US', { x: 1 }] }, 'rules.0.condition.value.1'],
      [{ field: 'labels', op: 'contains', value: ['a'] }, 'rules.0.condition.value'],
      [{ field: 'deviceId', op: 'exists', value: true }, 'rules.0.condition.value'],
      [{ field: 'name', op: 'matches', value: 42 }, 'rules.0.condition.value'],
      [{ field: '', op: 'exists' }, 'rules.0.condition.field'],
      [{ field: 'a..b', op: 'exists' }, 'rules.0.condition.field'],
      [{ field: 'features', op: 'exists' }, 'rules.0.condition.field'],
      [{ field: 'amount', op: 'gt', value: 1, fact: 'x' }, 'rules.0.condition.fact'],
      [{ all: [] }, 'rules.0.condition.all'],
      [{ any: [{ field: 'a', op: 'exists' }], all: [] }, 'rules.0.condition.all'],
      [{ not: 'x' }, 'rules.0.condition.not'],
      ['amount > 5', 'rules.0.condition'],
    ]
    for (const [condition, field] of cases) expect(fieldsOf([rule(condition)])).toEqual([field])
  })

  test('rule fields, duplicate ids, thresholds, versions and JSON text', () => {
    expect(fieldsOf([rule({ field: 'a', op: 'exists' }, { score: 12.5 })])).toEqual(['rules.0.score'])
    expect(fieldsOf([rule({ field: 'a', op: 'exists' }, { score: 1001 })])).toEqual(['rules.0.score'])
    expect(fieldsOf([rule({ field: 'a', op: 'exists' }, { status: 'active' })])).toEqual(['rules.0.status'])
    expect(fieldsOf([rule({ field: 'a', op: 'exists' }, { dry_run: 'no' })])).toEqual(['rules.0.dry_run'])
    expect(fieldsOf([rule({ field: 'a', op: 'exists' }, { tags: ['aml', 'aml'] })])).toEqual([
      'rules.0.tags.1',
    ])
    expect(fieldsOf([rule({ field: 'a', op: 'exists' }, { revision: 1 })])).toEqual(['rules.0.revision'])
    expect(fieldsOf([rule({ field: 'a', op: 'exists' }), rule({ field: 'b', op: 'exists' })])).toEqual([
      'rules.1.id',
    ])
    expect(fieldsOf({ rules: [], thresholds: { review: 900, reject: 100 } })).toEqual(['thresholds.review'])
    expect(fieldsOf({ rules: [], version: 'has spaces' })).toEqual(['version'])
    expect(fieldsOf('{"rules": [')).toEqual([''])
    expect(E.isRight(parseRules('{"rules": []}'))).toBe(true)
  })

  test('every problem is reported at once', () => {
    const doc = [
      rule({
        any: [
          { field: 'a', op: 'nope' },
          { field: 'b', op: 'gt', value: 'x' },
        ],
      }),
      rule({ field: 'c', op: 'exists' }, { id: 'r2', score: 'high' }),
    ]
    expect(fieldsOf(doc)).toEqual([
      'rules.0.condition.any.0.op',
      'rules.0.condition.any.1.value',
      'rules.1.score',
    ])
  })

  test('conditions nested deeper than the limit are refused, not recursed into', () => {
    let deep: unknown = { field: 'a', op: 'exists' }
    for (let i = 0; i < 10_000; i++) deep = { not: deep }
    expect(fieldsOf([rule(deep)])).toEqual([`rules.0.condition${'.not'.repeat(17)}`])
  })
})

describe('bounded patterns', () => {
  const refused = [
    '(a+)+$',
    '(a*)*',
    '(a|aa)*',
    '(\\w+\\s?)*$',
    '^(([a-z])+.)+[A-Z]([a-z])+$',
    '(x\\d*){2,}',
    '(a)\\1',
    '(?<x>a)\\k<x>',
    '(?=a)b',
    '(?!a)b',
    '(?<=a)b',
    'a{1001}',
    'x'.repeat(257),
    '[',
    'a{2',
  ]
  const accepted = [
    '^US$',
    '^[A-Z]{2}$',
    '(?:ab)+',
    '(a+)?',
    '^\\d{4}-\\d{2}$',
    '^(?:web|mobile)$',
    '\\p{Lu}+',
    'a{1000}',
  ]
  test('catastrophic-backtracking shapes, backreferences, lookaround and oversized patterns are refused', () => {
    for (const p of refused)
      expect(fieldsOf([rule({ field: 'name', op: 'matches', value: p })]), p).toEqual([
        'rules.0.condition.value',
      ])
  })
  test('linear patterns are accepted and match', () => {
    for (const p of accepted)
      expect(fieldsOf([rule({ field: 'name', op: 'matches', value: p })]), p).toEqual([])
    expect(
      matches(single({ field: 'name', op: 'matches', value: '^(?:web|mobile)$' }), { name: 'mobile' }),
    ).toBe(true)
    expect(matches(single({ field: 'name', op: 'matches', value: '\\p{Lu}+' }), { name: 'abc' })).toBe(false)
  })
  test('a value longer than 10,000 characters does not match', () => {
    const set = single({ field: 'name', op: 'matches', value: 'a' })
    expect(matches(set, { name: 'a'.repeat(10_000) })).toBe(true)
    expect(matches(set, { name: 'a'.repeat(10_001) })).toBe(false)
  })
})

describe('exact decimal comparisons', () => {
  test('decimal strings and JSON numbers compare exactly, never through float rounding', () => {
    const gt = (value: unknown) => single({ field: 'amount', op: 'gt', value })
    const eq = (value: unknown) => single({ field: 'amount', op: 'eq', value })
    expect(matches(eq(800), { amount: '800.00' })).toBe(true)
    expect(matches(eq(0.1), { amount: '0.10' })).toBe(true)
    expect(matches(eq(0.3), { amount: 0.1 + 0.2 })).toBe(false) // 0.30000000000000004 is not 0.3
    expect(matches(gt('0.3'), { amount: 0.1 + 0.2 })).toBe(true)
    // beyond double precision: 18 significant digits
    expect(matches(gt('123456789012.123456'), { amount: '123456789012.123457' })).toBe(true)
    expect(matches(gt('123456789012.123456'), { amount: '123456789012.123456' })).toBe(false)
    expect(matches(gt('123456789012.123456'), { amount: 123456789012.12346 })).toBe(true)
    expect(matches(gt(999999999999.99), { amount: '999999999999.990000001' })).toBe(true)
    // not numbers: exponent, plus sign, spaces, words
    for (const amount of ['1e3', '+1000', ' 1000', 'lots', true, [1000]])
      expect(matches(gt(1), { amount })).toBe(false)
    // a JSON number in the rule means its decimal literal
    expect(matches(single({ field: 'amount', op: 'lte', value: 1250.5 }), { amount: '1250.50' })).toBe(true)
    expect(matches(single({ field: 'amount', op: 'in', value: [800, 'x'] }), { amount: '800.000' })).toBe(
      true,
    )
  })

  const text = (n: bigint, scale: number) => {
    const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, '0')
    const whole = digits.slice(0, digits.length - scale)
    return `${n < 0n ? '-' : ''}${whole}${scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''}`
  }
  const arbUnits = fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n })

  test.prop([arbUnits, arbUnits, fc.nat(8), fc.nat(8)], { numRuns: 3000 })(
    'ordering decimal strings agrees with exact integer arithmetic, at any precision',
    (a, b, sa, sb) => {
      const x = a * 10n ** BigInt(8 - sa)
      const y = b * 10n ** BigInt(8 - sb)
      const set = single({ field: 'amount', op: 'gt', value: text(b, sb) })
      expect(matches(set, { amount: text(a, sa) })).toBe(x > y)
    },
  )

  test.prop([arbUnits, fc.bigInt({ min: -(10n ** 13n) + 1n, max: 10n ** 13n - 1n }), fc.nat(8)], {
    numRuns: 3000,
  })(
    'a JSON-number operand (15 significant digits at most) equals exactly the decimal strings of its value',
    (a, b, sa) => {
      const set = single({ field: 'amount', op: 'eq', value: Number(text(b, 2)) })
      expect(matches(set, { amount: text(a, sa) })).toBe(a * 10n ** BigInt(8 - sa) === b * 10n ** 6n)
      expect(matches(set, { amount: text(b * 10n, 3) })).toBe(true)
    },
  )
})

describe('semantics', () => {
  test('missing or null fields make a comparison false and the rule is reported as lacking data', () => {
    const set = right(
      parseRules([
        rule({ field: 'deviceId', op: 'eq', value: 'd1' }, { id: 'a' }),
        rule({ not: { field: 'deviceId', op: 'eq', value: 'd1' } }, { id: 'b' }),
        rule(
          {
            any: [
              { field: 'deviceId', op: 'eq', value: 'd1' },
              { field: 'amount', op: 'gt', value: 0 },
            ],
          },
          { id: 'c' },
        ),
        rule({ not: { field: 'deviceId', op: 'exists' } }, { id: 'd' }),
      ]),
    )
    const result = right(scoreTransaction(compileRules(set), { amount: 5, deviceId: null }))
    expect(result.matched_rules.map((r) => r.id)).toEqual(['b', 'c', 'd'])
    // `c` matched through `amount` whatever the device; `d` asks about presence itself
    expect(result.missing_data_rules).toEqual([
      { id: 'a', name: 'Rule', missing_fields: ['deviceId'] },
      { id: 'b', name: 'Rule', missing_fields: ['deviceId'] },
    ])
  })

  test('features are read under features.<name>; nested transaction fields by dotted path', () => {
    expect(matches(single({ field: 'features.count_24h', op: 'gte', value: 5 }), {}, { count_24h: 5 })).toBe(
      true,
    )
    expect(matches(single({ field: 'features.count_24h', op: 'gte', value: 5 }), { count_24h: 5 })).toBe(
      false,
    )
    expect(
      matches(single({ field: 'applicant.address.country', op: 'eq', value: 'CAN' }), {
        applicant: { address: { country: 'CAN' } },
      }),
    ).toBe(true)
    expect(matches(single({ field: 'toString', op: 'exists' }), {})).toBe(false)
  })

  test('contains reads substrings of strings and members of lists', () => {
    expect(matches(single({ field: 'name', op: 'contains', value: 'Sur' }), { name: 'Name Surname' })).toBe(
      true,
    )
    expect(matches(single({ field: 'labels', op: 'contains', value: 5 }), { labels: ['5.0'] })).toBe(true)
    expect(matches(single({ field: 'labels', op: 'contains', value: 5 }), { labels: '5' })).toBe(false)
  })

  test('thresholds are validated', () => {
    expect(E.isRight(thresholds({ review: 0, reject: 0 }))).toBe(true)
    expect(E.isLeft(thresholds({ review: -1, reject: 10 }))).toBe(true)
    expect(E.isLeft(thresholds({ review: 1, reject: 10, block: 20 }))).toBe(true)
  })

  test('a -0 operand, which JSON text writes as 0, matches exactly as 0 does', () => {
    for (const op of ['eq', 'ne', 'gte', 'lt'])
      for (const amount of [0, -0, '0.00', '-0', 1, -1, 'x', null])
        expect(matches(single({ field: 'amount', op, value: -0 }), { amount })).toBe(
          matches(single({ field: 'amount', op, value: 0 }), { amount }),
        )
  })

  test.prop([arbCondition], { numRuns: 500 })('a generated condition round-trips through JSON text', (c) => {
    expect(right(parseRules(JSON.stringify([rule(c)]))).rules[0]?.condition).toEqual(c)
  })
})
