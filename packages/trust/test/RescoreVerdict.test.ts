import { fc, test } from '@fast-check/vitest'
import { arbGarbage } from '@payout-kernel/core/testing'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  decodeRescoreVerdict,
  encodeRescoreVerdict,
  type RescoreVerdictInput,
  rescoreVerdict,
  tierOf,
  trustOf,
} from '../src/index.js'
import { arbRescoreVerdict, arbRescoreVerdictInput } from '../src/testing/index.js'

describe('the verdict on the wire', () => {
  test('the seed worked example: raw 423 → 0.577 MEDIUM, prior raw 720 → 0.28 HIGH, in the documented field order', () => {
    const verdict = rescoreVerdict({
      beneficiaryId: 'ben_8f2kQ1',
      current: { evaluationId: 'eval_7Hd2', rawScore: 423 },
      previous: { evaluationId: 'eval_1Aa9', rawScore: 720 },
    })
    expect(E.isRight(verdict)).toBe(true)
    if (E.isLeft(verdict)) return
    expect(JSON.stringify(encodeRescoreVerdict(verdict.right))).toBe(
      '{"pillar":"payee","resource_id":"ben_8f2kQ1","new_evaluation_id":"eval_7Hd2","new_trust_score":0.577,' +
        '"new_tier":"MEDIUM","new_score":423,"previous_evaluation_id":"eval_1Aa9","previous_trust_score":0.28,' +
        '"previous_tier":"HIGH","previous_score":720}',
    )
  })

  test('without a prior, the previous id, trust and tier are omitted and previous_score is null', () => {
    const verdict = rescoreVerdict({
      beneficiaryId: 'ben_1',
      current: { evaluationId: 'eval_1', rawScore: 0 },
    })
    if (E.isLeft(verdict)) throw new Error('expected a verdict')
    const wire = encodeRescoreVerdict(verdict.right)
    expect(Object.keys(wire)).toEqual([
      'pillar',
      'resource_id',
      'new_evaluation_id',
      'new_trust_score',
      'new_tier',
      'new_score',
      'previous_score',
    ])
    expect(wire.previous_score).toBeNull()
  })

  test('a real prior of 0 differs from no prior', () => {
    const withZero = rescoreVerdict({
      beneficiaryId: 'ben_1',
      current: { evaluationId: 'eval_2', rawScore: 10 },
      previous: { evaluationId: 'eval_1', rawScore: 0 },
    })
    if (E.isLeft(withZero)) throw new Error('expected a verdict')
    const wire = encodeRescoreVerdict(withZero.right)
    expect(wire.previous_score).toBe(0)
    expect(wire.previous_trust_score).toBe(1)
    expect(wire.previous_tier).toBe('LOW')
  })

  test.prop([arbRescoreVerdictInput], { numRuns: 2000 })(
    'trust and tier in the verdict agree with the raw scores and bands',
    (input) => {
      const verdict = rescoreVerdict(input)
      expect(E.isRight(verdict)).toBe(true)
      if (E.isLeft(verdict)) return
      const wire = encodeRescoreVerdict(verdict.right)
      expect(wire.pillar).toBe('payee')
      expect(wire.new_trust_score).toBe(trustOf(input.current.rawScore as never))
      expect(wire.new_tier).toBe(tierOf(input.current.rawScore as never, input.bands))
      expect(wire.previous_score).toBe(input.previous?.rawScore ?? null)
      expect('previous_tier' in wire).toBe(input.previous !== undefined && input.previous !== null)
    },
  )

  test.prop([arbRescoreVerdict], { numRuns: 2000 })(
    'encode, JSON and decode round-trip to the same verdict',
    (verdict) => {
      const wire = JSON.parse(JSON.stringify(encodeRescoreVerdict(verdict))) as unknown
      expect(decodeRescoreVerdict(wire)).toEqual(E.right(verdict))
    },
  )

  test.prop([arbRescoreVerdict])('decoding accepts trust scores sent as decimal strings', (verdict) => {
    const wire = { ...encodeRescoreVerdict(verdict), new_trust_score: verdict.current.trustScore.toFixed(3) }
    expect(decodeRescoreVerdict(wire)).toEqual(E.right(verdict))
  })

  test('decoding refuses inconsistent or half-present priors, naming the field', () => {
    const base = {
      pillar: 'payee',
      resource_id: 'ben_1',
      new_evaluation_id: 'eval_2',
      new_trust_score: 0.577,
      new_tier: 'MEDIUM',
      new_score: 423,
    }
    const fields = (u: unknown) => {
      const r = decodeRescoreVerdict(u)
      return E.isLeft(r) ? r.left.problems.map((p) => p.field) : []
    }
    expect(fields({ ...base, previous_score: null, previous_tier: 'LOW' })).toEqual(['previous_tier'])
    expect(fields({ ...base })).toEqual(['previous_score'])
    expect(fields({ ...base, new_trust_score: 0.578, previous_score: null })).toEqual(['new_trust_score'])
    expect(fields({ ...base, previous_score: 5 })).toEqual([
      'previous_evaluation_id',
      'previous_tier',
      'previous_trust_score',
    ])
    expect(fields({ ...base, pillar: 'payer', previous_score: null })).toEqual(['pillar'])
  })
})

describe('garbage', () => {
  test.prop([arbGarbage], { numRuns: 10_000 })('decodeRescoreVerdict refuses garbage, never throws', (u) => {
    expect(E.isLeft(decodeRescoreVerdict(u))).toBe(true)
  })

  const arbGarbageInput = fc.record({
    beneficiaryId: fc.oneof(arbGarbage, fc.constant('ben_1')),
    current: fc.oneof(arbGarbage, fc.record({ evaluationId: arbGarbage, rawScore: arbGarbage })),
    previous: fc.oneof(arbGarbage, fc.record({ evaluationId: arbGarbage, rawScore: arbGarbage })),
  })
  test.prop([arbGarbageInput], { numRuns: 10_000 })(
    'rescoreVerdict refuses garbage with field paths, never throws',
    (input) => {
      const result = rescoreVerdict(input as unknown as RescoreVerdictInput)
      if (E.isLeft(result))
        for (const p of result.left.problems)
          expect(p.field).toMatch(/^(beneficiaryId|(current|previous)(\.(evaluationId|rawScore))?)$/)
    },
  )
})
