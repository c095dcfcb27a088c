// The payout decoder and the checks of evaluatePayout's arguments: round trips, named fields, and
// garbage anywhere — never a throw, never a partial result.
import { fc, test } from '@fast-check/vitest'
import { arbGarbage } from '@payout-kernel/core/testing'
import type { DateOfBirth, Party } from '@payout-kernel/screening'
import { encodePayout } from '@payout-kernel/velocity'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  decodePayoutToEvaluate,
  evaluatePayout,
  type PayoutEvaluationContext,
  type PayoutToEvaluate,
  payoutToEvaluateProblems,
} from '../src/index.js'
import { arbPayoutEvaluationInput, arbPayoutToEvaluate } from '../src/testing/index.js'
import { drive } from './Drive.js'

const pad = (n: number, width: number) => String(n).padStart(width, '0')
const dobWire = (d: DateOfBirth): string =>
  [
    pad(d.year, 4),
    ...(d.month === undefined ? [] : [pad(d.month, 2)]),
    ...(d.day === undefined ? [] : [pad(d.day, 2)]),
  ].join('-')
const partyWire = (p: Party) => ({
  name: p.name,
  ...(p.dateOfBirth === undefined ? {} : { date_of_birth: dobWire(p.dateOfBirth) }),
  ...(p.country === undefined ? {} : { country: p.country }),
})
/** The wire form of a payout to evaluate (a `circa` date of birth has no wire form: it is left out of the generated ones). */
const wire = (p: PayoutToEvaluate): Record<string, unknown> => ({
  ...encodePayout(p),
  beneficiary: partyWire(p.beneficiary),
  ...(p.sendingCounterparty === undefined ? {} : { sending_counterparty: partyWire(p.sendingCounterparty) }),
  ...(p.makerId === undefined ? {} : { maker_id: p.makerId }),
})
const withoutCirca = (p: Party): Party => {
  const { dateOfBirth, ...rest } = p
  return dateOfBirth === undefined || dateOfBirth.circa === true ? rest : { ...rest, dateOfBirth }
}
const arbPlain = arbPayoutToEvaluate.map(
  (p): PayoutToEvaluate => ({
    ...p,
    beneficiary: withoutCirca(p.beneficiary),
    ...(p.sendingCounterparty === undefined
      ? {}
      : { sendingCounterparty: withoutCirca(p.sendingCounterparty) }),
  }),
)

describe('decodePayoutToEvaluate', () => {
  test.prop([arbPlain], { numRuns: 1000 })('reads back the wire form of every generated payout', (p) => {
    expect(decodePayoutToEvaluate(wire(p))).toEqual(E.right(p))
  })

  test('names every bad field by its wire name; a null counterparty is none', () => {
    const [p] = fc.sample(arbPlain, { numRuns: 1, seed: 7 })
    if (p === undefined) throw new Error('no sample')
    const bad = decodePayoutToEvaluate({
      ...wire(p),
      amount: '1.005',
      currency: 'USD',
      beneficiary: { name: 'x', date_of_birth: '1961-13-01' },
      sending_counterparty: { country: 'XX' },
      maker_id: 'a b',
    })
    expect(E.isLeft(bad) && bad.left.problems.map((x) => x.field)).toEqual([
      'amount',
      'beneficiary.date_of_birth',
      'sending_counterparty.name',
      'maker_id',
    ])
    const none = decodePayoutToEvaluate({ ...wire(p), sending_counterparty: null })
    expect(E.isRight(none) && none.right.sendingCounterparty).toBeUndefined()
  })

  test.prop([arbGarbage], { numRuns: 10_000 })('refuses garbage without throwing', (u) => {
    const r = decodePayoutToEvaluate(u)
    if (E.isLeft(r)) expect(r.left.problems.length).toBeGreaterThan(0)
    else expect(payoutToEvaluateProblems(r.right)).toEqual([])
  })

  const wireFields = [
    'id',
    'merchant_id',
    'beneficiary_id',
    'instrument_id',
    'instrument_type',
    'destination_country',
    'amount',
    'currency',
    'created_at',
    'beneficiary',
    'sending_counterparty',
    'maker_id',
  ] as const
  test.prop([arbPlain, fc.constantFrom(...wireFields), arbGarbage], { numRuns: 10_000 })(
    'garbage in any one field is refused naming that field (or accepted when it happens to be valid)',
    (p, field, garbage) => {
      const r = decodePayoutToEvaluate({ ...wire(p), [field]: garbage })
      if (E.isLeft(r))
        for (const problem of r.left.problems)
          expect(
            problem.field === field ||
              problem.field.startsWith(`${field}.`) ||
              (field === 'currency' && problem.field === 'amount'),
          ).toBe(true)
      else expect(payoutToEvaluateProblems(r.right)).toEqual([])
    },
  )
})

describe('evaluatePayout with garbage arguments', () => {
  // the valid inputs are not what these properties vary: 60 of them, drawn once, keep 10,000 runs fast
  const valid = fc.constantFrom(...fc.sample(arbPayoutEvaluationInput(), { numRuns: 60, seed: 11 }))
  test.prop([valid, arbGarbage], { numRuns: 10_000 })(
    'a garbage context or payout is a ValidationError under context or payout, never a throw',
    ({ payout, context }, garbage) => {
      const c = evaluatePayout(payout, garbage as PayoutEvaluationContext)
      if (E.isLeft(c)) for (const p of c.left.problems) expect(p.field.startsWith('context')).toBe(true)
      const p = evaluatePayout(garbage as PayoutToEvaluate, context)
      expect(E.isLeft(p) && p.left.problems.every((x) => x.field.startsWith('payout'))).toBe(true)
    },
  )

  const contextFields = ['evaluatedAt', 'config', 'screening', 'velocity', 'engine', 'approval'] as const
  test.prop([valid, fc.constantFrom(...contextFields), arbGarbage], { numRuns: 10_000 })(
    'garbage in any one part of the context is refused naming that part; if it happens to be valid, the machine agrees',
    ({ payout, context }, field, garbage) => {
      const lacking = { ...context, [field]: garbage } as PayoutEvaluationContext
      const r = evaluatePayout(payout, lacking)
      if (E.isLeft(r)) {
        expect(r.left.problems.length).toBeGreaterThan(0)
        for (const p of r.left.problems)
          expect(
            p.field.startsWith(`context.${field}`) ||
              (field === 'evaluatedAt' && p.field === 'context.approval.approvedAt'),
          ).toBe(true)
      } else {
        const driven = drive(payout, r.right.events, lacking.config)
        expect(driven.refused).toEqual([])
        expect(driven.final.status).toBe(r.right.status)
      }
    },
  )
})
