// What a caller reads when trust refuses an input: each refusal's field and message, as documented
// (the messages are what a merchant or an operator sees), and the edges of every accepted range.

import { describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  decodeRescoreVerdict,
  decodeTrustScore,
  type RawRisk,
  type RescoreVerdictInput,
  rawRisk,
  rescoreVerdict,
  type TierBands,
  tierBands,
  tierOf,
  trustFromRisk,
} from '../src/index.js'

const problemsOf = (r: E.Either<{ readonly problems: ReadonlyArray<unknown> }, unknown>) =>
  E.isLeft(r) ? r.left.problems : 'accepted'

const band = (tier: string, min: unknown, max: unknown) => ({ tier, min, max })
const valid = [
  band('LOW', 0, 299),
  band('MEDIUM', 300, 599),
  band('HIGH', 600, 849),
  band('CRITICAL', 850, 1000),
]
const withBand = (i: number, b: unknown) => valid.map((x, j) => (j === i ? b : x))

describe('tier bands', () => {
  test.each<[string, unknown, unknown]>([
    ['not a list', 'x', [{ field: 'bands', message: 'must be a list of { tier, min, max }, got "x"' }]],
    [
      'three bands',
      valid.slice(0, 3),
      // the count is refused first; how the three cover 0..1000 is not looked at
      [{ field: 'bands', message: 'must have exactly 4 bands, got 3' }],
    ],
    [
      'a band that is no object',
      withBand(1, 7),
      [{ field: 'bands.1', message: 'must be { tier, min, max }, got 7' }],
    ],
    [
      'a band that is null',
      withBand(1, null),
      [{ field: 'bands.1', message: 'must be { tier, min, max }, got null' }],
    ],
    [
      'a bad bound beside a good one (no comparison of the two)',
      withBand(1, band('MEDIUM', 1001, 5)),
      [{ field: 'bands.1.min', message: 'must be a whole number from 0 to 1000, got 1001' }],
    ],
    [
      'a bound sent as a string',
      withBand(1, band('MEDIUM', '300', 599)),
      [{ field: 'bands.1.min', message: 'must be a whole number from 0 to 1000, got "300"' }],
    ],
    [
      'an unknown tier',
      withBand(0, band('NONE', 0, 299)),
      [{ field: 'bands.0.tier', message: 'must be one of LOW, MEDIUM, HIGH, CRITICAL, got "NONE"' }],
    ],
    [
      'tiers out of order',
      withBand(1, band('HIGH', 300, 599)),
      [{ field: 'bands.1.tier', message: 'must be MEDIUM (tiers run LOW to CRITICAL), got HIGH' }],
    ],
    [
      'a fifth band',
      [...valid, band('CRITICAL', 1000, 1000)],
      [
        { field: 'bands', message: 'must have exactly 4 bands, got 5' },
        { field: 'bands.4.tier', message: 'must be absent (tiers run LOW to CRITICAL), got CRITICAL' },
      ],
    ],
    [
      'bounds that are not whole numbers 0..1000',
      withBand(2, band('HIGH', 599.5, 1001)),
      [
        { field: 'bands.2.min', message: 'must be a whole number from 0 to 1000, got 599.5' },
        { field: 'bands.2.max', message: 'must be a whole number from 0 to 1000, got 1001' },
      ],
    ],
    [
      'a negative bound',
      withBand(0, band('LOW', -1, 299)),
      [{ field: 'bands.0.min', message: 'must be a whole number from 0 to 1000, got -1' }],
    ],
    [
      'a band ending before it starts',
      withBand(1, band('MEDIUM', 300, 299)),
      [{ field: 'bands.1.max', message: 'must not be below min 300, got 299' }],
    ],
    [
      'a first band not at 0',
      withBand(0, band('LOW', 1, 299)),
      [{ field: 'bands.0.min', message: 'must be 0: bands cover 0..1000' }],
    ],
    [
      'a gap',
      withBand(2, band('HIGH', 601, 849)),
      [{ field: 'bands.2.min', message: 'must be 600, right after MEDIUM ends at 599' }],
    ],
    [
      'an overlap',
      withBand(3, band('CRITICAL', 849, 1000)),
      [{ field: 'bands.3.min', message: 'must be 850, right after HIGH ends at 849' }],
    ],
    [
      'a last band short of 1000',
      withBand(3, band('CRITICAL', 850, 999)),
      [{ field: 'bands.3.max', message: 'must be 1000: bands cover 0..1000' }],
    ],
  ])('%s is refused naming the band', (_, input, problems) => {
    const result = tierBands(input)
    expect(E.isLeft(result) && result.left._tag).toBe('InvalidBands')
    expect(problemsOf(result)).toEqual(problems)
  })

  test('a band that throws when read is refused naming it under bands, as InvalidBands', () => {
    const throwing = Object.defineProperty({ min: 0, max: 299 }, 'tier', {
      enumerable: true,
      get: () => {
        throw new Error('no')
      },
    })
    expect(tierBands(withBand(0, throwing))).toEqual(
      E.left({
        _tag: 'InvalidBands',
        problems: [{ field: 'bands.0.tier', message: 'could not be read (Error: no)' }],
      }),
    )
  })

  test('the narrowest bands there are (one value each, the rest to CRITICAL) are accepted and used', () => {
    const narrow = tierBands([
      band('LOW', 0, 0),
      band('MEDIUM', 1, 1),
      band('HIGH', 2, 2),
      band('CRITICAL', 3, 1000),
    ])
    expect(E.isRight(narrow)).toBe(true)
    if (E.isRight(narrow))
      expect([0, 1, 2, 3, 1000].map((r) => tierOf(r as RawRisk, narrow.right))).toEqual([
        'LOW',
        'MEDIUM',
        'HIGH',
        'CRITICAL',
        'CRITICAL',
      ])
  })
})

describe('raw risk and trust scores', () => {
  test('raw risk runs 0..1000 inclusive, whole numbers only, and names the field it is given', () => {
    expect([0, 1000].map((r) => E.isRight(rawRisk(r)))).toEqual([true, true])
    expect(problemsOf(rawRisk(1001, 'score'))).toEqual([
      { field: 'score', message: 'must be a whole number from 0 to 1000, got 1001' },
    ])
    expect(problemsOf(rawRisk(-1))).toEqual([
      { field: 'raw', message: 'must be a whole number from 0 to 1000, got -1' },
    ])
    expect(problemsOf(trustFromRisk(0.5))).toEqual([
      { field: 'raw', message: 'must be a whole number from 0 to 1000, got 0.5' },
    ])
  })

  test('a trust score runs 0..1 inclusive with at most 3 decimals, as a number or a decimal string', () => {
    const accepted = [0, 1, 0.001, 0.999, '0', '1', '1.000', '0.5', '0.577']
    expect(accepted.map((u) => decodeTrustScore(u))).toEqual(
      [0, 1, 0.001, 0.999, 0, 1, 1, 0.5, 0.577].map((n) => E.right(n)),
    )
    for (const u of [1.001, -0.001, 0.0005, '1.5', '1.001', '0.5775', '.5', '01', Number.NaN])
      expect(problemsOf(decodeTrustScore(u, 'previous_trust_score')), String(u)).toEqual([
        {
          field: 'previous_trust_score',
          message: expect.stringMatching(
            /^must be a number or decimal string from 0 to 1 with at most 3 decimals, got /,
          ),
        },
      ])
    expect(problemsOf(decodeTrustScore('2'))).toEqual([
      {
        field: 'trust_score',
        message: 'must be a number or decimal string from 0 to 1 with at most 3 decimals, got "2"',
      },
    ])
  })
})

describe('a rescore verdict from raw scores', () => {
  const current = { evaluationId: 'eval_1', rawScore: 423 }
  test.each<[string, unknown, unknown]>([
    ['not an object', 5, [{ field: '', message: 'must be an object, got 5' }]],
    ['null', null, [{ field: '', message: 'must be an object, got null' }]],
    [
      'a current evaluation that is null',
      { beneficiaryId: 'ben_1', current: null },
      [{ field: 'current', message: 'must be { evaluationId, rawScore }, got null' }],
    ],
    [
      'a beneficiary that is no ben_ id',
      { beneficiaryId: 'pay_1', current },
      [{ field: 'beneficiaryId', message: 'must be a ben_ id, got "pay_1"' }],
    ],
    [
      'a current evaluation that is no object',
      { beneficiaryId: 'ben_1', current: 'eval_1' },
      [{ field: 'current', message: 'must be { evaluationId, rawScore }, got "eval_1"' }],
    ],
    [
      'a bad evaluation id and raw score',
      { beneficiaryId: 'ben_1', current: { evaluationId: 'evl_1', rawScore: 1001 } },
      [
        { field: 'current.evaluationId', message: 'must be an eval_ id, got "evl_1"' },
        { field: 'current.rawScore', message: 'must be a whole number from 0 to 1000, got 1001' },
      ],
    ],
    [
      'a bad prior',
      { beneficiaryId: 'ben_1', current, previous: { evaluationId: 'eval_0', rawScore: -5 } },
      [{ field: 'previous.rawScore', message: 'must be a whole number from 0 to 1000, got -5' }],
    ],
  ])('%s is refused naming the field', (_, input, problems) => {
    const result = rescoreVerdict(input as RescoreVerdictInput)
    expect(E.isLeft(result) && result.left._tag).toBe('ValidationError')
    expect(problemsOf(result)).toEqual(problems)
  })

  test('a null prior is no prior; the tier follows the bands given', () => {
    const bands = tierBands([
      band('LOW', 0, 99),
      band('MEDIUM', 100, 199),
      band('HIGH', 200, 299),
      band('CRITICAL', 300, 1000),
    ])
    if (E.isLeft(bands)) throw new Error('bands')
    const v = rescoreVerdict({
      beneficiaryId: 'ben_1',
      current,
      previous: null,
      bands: bands.right as TierBands,
    })
    expect(v).toEqual(
      E.right({
        pillar: 'payee',
        beneficiaryId: 'ben_1',
        current: { evaluationId: 'eval_1', rawScore: 423, trustScore: 0.577, tier: 'CRITICAL' },
        previous: null,
      }),
    )
  })
})

describe('a rescore verdict from the wire', () => {
  const wire = {
    pillar: 'payee',
    resource_id: 'ben_1',
    new_evaluation_id: 'eval_2',
    new_score: 423,
    new_trust_score: '0.577',
    new_tier: 'MEDIUM',
    previous_evaluation_id: 'eval_1',
    previous_score: 720,
    previous_trust_score: 0.28,
    previous_tier: 'HIGH',
  }
  test.each<[string, unknown, unknown]>([
    ['a list', [], [{ field: '', message: 'must be a verdict object, got []' }]],
    ['null', null, [{ field: '', message: 'must be a verdict object, got null' }]],
    ['a number', 5, [{ field: '', message: 'must be a verdict object, got 5' }]],
    [
      'a trust score that is no trust score',
      { ...wire, new_trust_score: '2' },
      [
        {
          field: 'new_trust_score',
          message: 'must be a number or decimal string from 0 to 1 with at most 3 decimals, got "2"',
        },
      ],
    ],
    [
      'another pillar',
      { ...wire, pillar: 'payout' },
      [{ field: 'pillar', message: 'must be "payee", got "payout"' }],
    ],
    [
      'a resource that is no ben_ id',
      { ...wire, resource_id: 'pay_1' },
      [{ field: 'resource_id', message: 'must be a ben_ id, got "pay_1"' }],
    ],
    [
      'a bad new evaluation id',
      { ...wire, new_evaluation_id: 'x' },
      [{ field: 'new_evaluation_id', message: 'must be an eval_ id, got "x"' }],
    ],
    [
      'a bad new score',
      { ...wire, new_score: '423' },
      [{ field: 'new_score', message: 'must be a whole number from 0 to 1000, got "423"' }],
    ],
    [
      'a bad tier',
      { ...wire, previous_tier: 'high' },
      [{ field: 'previous_tier', message: 'must be LOW, MEDIUM, HIGH or CRITICAL, got "high"' }],
    ],
    [
      'a trust score that disagrees with its raw score',
      { ...wire, new_trust_score: 0.578 },
      [{ field: 'new_trust_score', message: 'must be (1000 - new_score) / 1000 = 0.577, got 0.578' }],
    ],
    [
      'no previous_score',
      Object.fromEntries(Object.entries(wire).filter(([k]) => k !== 'previous_score')),
      [{ field: 'previous_score', message: 'must be present: a number, or null without a prior' }],
    ],
    [
      'a null previous_score beside other previous fields',
      { ...wire, previous_score: null },
      ['previous_evaluation_id', 'previous_trust_score', 'previous_tier'].map((field) => ({
        field,
        message: 'must be omitted when previous_score is null (no prior evaluation)',
      })),
    ],
  ])('%s is refused naming the field', (_, input, problems) => {
    const result = decodeRescoreVerdict(input)
    expect(E.isLeft(result) && result.left._tag).toBe('ValidationError')
    expect(problemsOf(result)).toEqual(problems)
  })

  test('the documented wire form decodes, trust scores as strings or numbers', () => {
    expect(decodeRescoreVerdict(wire)).toEqual(
      E.right({
        pillar: 'payee',
        beneficiaryId: 'ben_1',
        current: { evaluationId: 'eval_2', rawScore: 423, trustScore: 0.577, tier: 'MEDIUM' },
        previous: { evaluationId: 'eval_1', rawScore: 720, trustScore: 0.28, tier: 'HIGH' },
      }),
    )
  })
})
