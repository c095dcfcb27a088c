// One pinned example per rule kind: a small history and the verdict on the next payout.

import { describe, expect, it } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  emptyLedger,
  evaluate,
  type Payout,
  parseRuleSet,
  payout,
  type RuleOutcome,
  recordPayout,
  releasePayout,
} from '../src/index.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}
const day = Date.UTC(2026, 0, 15)
const p = (n: number, over: Record<string, unknown> = {}): Payout =>
  right(
    payout({
      id: `pay_${n}`,
      merchantId: 'mer_1',
      beneficiaryId: 'ben_1',
      instrumentId: 'ins_1',
      instrumentType: 'bank_account',
      destinationCountry: 'PH',
      amount: '100.00',
      currency: 'USD',
      createdAt: day + n * 3_600_000,
      ...over,
    }),
  )

/** The outcome of the single rule on `next` after recording `history`. */
const outcome = (
  rule: Record<string, unknown>,
  history: Payout[],
  next: Payout,
  releases: string[] = [],
): RuleOutcome | undefined => {
  const rs = right(
    parseRuleSet({ version: 9, rules: [{ id: 'r', name: 'Rule', action: 'block', enabled: true, ...rule }] }),
  )
  let ledger = emptyLedger(rs)
  for (const h of history) ledger = right(recordPayout(ledger, h))
  for (const id of releases) ledger = releasePayout(ledger, id)
  const verdict = right(evaluate(rs, ledger, next))
  expect(verdict.rule_set_version).toBe(9)
  expect(verdict.action).toBe(verdict.triggered_rules[0]?.triggered ? 'block' : 'allow')
  return verdict.triggered_rules[0]
}

describe('each kind, pinned', () => {
  it('max_amount_per_txn', () => {
    const o = outcome(
      { kind: 'max_amount_per_txn', threshold: '100.00', currency: 'USD' },
      [],
      p(1, { amount: '100.01' }),
    )
    expect(o).toMatchObject({ triggered: true, observed: '100.01', limit: '100.00', remaining: '0.00' })
    expect(o?.resets_at).toBeUndefined()
  })
  it('max_daily_amount: inclusive limit, calendar day in a zone, reset time', () => {
    const rule = {
      kind: 'max_daily_amount',
      threshold: '300.00',
      currency: 'USD',
      window: { type: 'calendar', unit: 'day', time_zone: 'Asia/Manila' },
    }
    expect(outcome(rule, [p(1), p(2)], p(3))).toMatchObject({
      triggered: false,
      observed: '300.00',
      remaining: '0.00',
      resets_at: '2026-01-15T16:00:00.000Z',
    })
    expect(outcome(rule, [p(1), p(2)], p(3, { amount: '100.01' }))).toMatchObject({
      triggered: true,
      observed: '300.01',
    })
    // 17:00Z is already the next day in Manila (UTC+8): the earlier payouts no longer count
    expect(outcome(rule, [p(1), p(2)], p(17, { amount: '300.00' }))).toMatchObject({
      triggered: false,
      observed: '300.00',
    })
  })
  it('max_daily_count over a rolling day: an event exactly 24 h old no longer counts', () => {
    const rule = { kind: 'max_daily_count', threshold: 2, window: { type: 'rolling', seconds: 86_400 } }
    expect(outcome(rule, [p(0), p(1)], p(24))).toMatchObject({
      triggered: false,
      observed: 2,
      limit: 2,
      remaining: 0,
    })
    expect(outcome(rule, [p(0), p(1)], p(23))).toMatchObject({ triggered: true, observed: 3 })
  })
  it('max_weekly_amount with a Sunday week start', () => {
    const rule = {
      kind: 'max_weekly_amount',
      threshold: '150.00',
      currency: 'USD',
      window: { type: 'calendar', unit: 'week', week_starts_on: 0 },
    }
    // 2026-01-15 is a Thursday; the Sunday-started week resets on 2026-01-18
    expect(outcome(rule, [p(1)], p(2))).toMatchObject({
      triggered: true,
      observed: '200.00',
      resets_at: '2026-01-18T00:00:00.000Z',
    })
  })
  it('max_monthly_amount counts other currencies only with a rate', () => {
    const rs = right(
      parseRuleSet({
        version: 1,
        rules: [
          {
            id: 'm',
            name: 'Monthly',
            kind: 'max_monthly_amount',
            action: 'review',
            enabled: true,
            threshold: '200.00',
            currency: 'USD',
          },
        ],
      }),
    )
    const ledger = right(recordPayout(emptyLedger(rs), p(1, { amount: '100.00', currency: 'EUR' })))
    const next = p(2)
    expect(right(evaluate(rs, ledger, next)).triggered_rules[0]).toMatchObject({
      observed: '100.00',
      triggered: false,
    })
    const withRate = right(
      evaluate(rs, ledger, next, { rates: [{ from: 'EUR', to: 'USD', rate: '1.08345' }] }),
    )
    expect(withRate.action).toBe('review')
    expect(withRate.triggered_rules[0]).toMatchObject({
      observed: '208.34',
      triggered: true,
      resets_at: '2026-02-01T00:00:00.000Z',
    })
    const up = right(
      evaluate(rs, ledger, next, {
        rates: [{ from: 'EUR', to: 'USD', rate: '1.08345' }],
        rounding: 'half-up',
      }),
    )
    expect(up.triggered_rules[0]?.observed).toBe('208.35')
  })
  it('max_amount_per_beneficiary: lifetime by default, per beneficiary, released payouts stop counting', () => {
    const rule = { kind: 'max_amount_per_beneficiary', threshold: '250.00', currency: 'USD' }
    const history = [p(1), p(2), p(3, { beneficiaryId: 'ben_2' })]
    expect(outcome(rule, history, p(900))).toMatchObject({ triggered: true, observed: '300.00' })
    expect(outcome(rule, history, p(900), ['pay_2'])).toMatchObject({
      triggered: false,
      observed: '200.00',
      remaining: '50.00',
    })
  })
  it('max_count_per_beneficiary', () => {
    const rule = {
      kind: 'max_count_per_beneficiary',
      threshold: 1,
      window: { type: 'rolling', seconds: 3600 },
    }
    expect(outcome(rule, [p(1)], p(1, { id: 'pay_x', createdAt: day + 5_400_000 }))).toMatchObject({
      triggered: true,
      observed: 2,
      limit: 1,
    })
    expect(
      outcome(rule, [p(1)], p(1, { id: 'pay_x', createdAt: day + 5_400_000, beneficiaryId: 'ben_2' })),
    ).toMatchObject({
      triggered: false,
      observed: 1,
    })
  })
  it('duplicate_detection: same beneficiary and amount within the window', () => {
    const rule = { kind: 'duplicate_detection' }
    expect(outcome(rule, [p(1)], p(2))).toMatchObject({ triggered: true, observed: 2, limit: 1 })
    expect(outcome(rule, [p(1)], p(2, { amount: '100.50' }))).toMatchObject({ triggered: false, observed: 1 })
    expect(outcome(rule, [p(1)], p(25))).toMatchObject({ triggered: false, observed: 1 })
  })
  it('new_beneficiary_limit: caps a beneficiary only while it is young', () => {
    const rule = {
      kind: 'new_beneficiary_limit',
      threshold: '150.00',
      currency: 'USD',
      params: { max_age_seconds: 86_400 },
    }
    const young = { beneficiaryCreatedAt: day }
    expect(outcome(rule, [p(1, young)], p(2, young))).toMatchObject({ triggered: true, observed: '200.00' })
    expect(outcome(rule, [p(1, young)], p(24, young))).toBeUndefined()
  })
  it('distinct count: a value leaves the window only with its last occurrence', () => {
    const rule = {
      kind: 'max_daily_count',
      threshold: 2,
      measure: { distinct: 'beneficiary' },
      window: { type: 'rolling', seconds: 3600 },
    }
    const half = 1_800_000
    const ben = (n: number, b: string, ms: number) => p(n, { beneficiaryId: b, createdAt: day + ms })
    const history = [ben(1, 'ben_1', 0), ben(2, 'ben_1', half), ben(3, 'ben_2', half + 1)]
    // at 1 h: the first ben_1 has left, its second payout still holds it
    expect(outcome(rule, history, ben(4, 'ben_3', 2 * half))).toMatchObject({
      triggered: true,
      observed: 3,
      limit: 2,
      remaining: 0,
      reason: '3 distinct beneficiaries in the window exceed the limit of 2',
    })
    // a beneficiary already in the window adds nothing
    expect(outcome(rule, history, ben(4, 'ben_2', 2 * half))).toMatchObject({ triggered: false, observed: 2 })
    // at 1.5 h: both ben_1 payouts have left
    expect(outcome(rule, history, ben(4, 'ben_3', 3 * half))).toMatchObject({ triggered: false, observed: 2 })
    // releasing ben_1's last payout in the window drops ben_1; releasing one of two keeps it
    expect(outcome(rule, history, ben(4, 'ben_3', 2 * half), ['pay_2'])).toMatchObject({ observed: 2 })
    expect(outcome(rule, history, ben(4, 'ben_3', half + 2), ['pay_1'])).toMatchObject({ observed: 3 })
  })
  it('distinct count of instruments per beneficiary, lifetime', () => {
    const rule = { kind: 'max_count_per_beneficiary', threshold: 2, measure: { distinct: 'instrument' } }
    const history = [p(1), p(2, { instrumentId: 'ins_2' }), p(3, { instrumentId: 'ins_2' })]
    expect(outcome(rule, history, p(4, { instrumentId: 'ins_3' }))).toMatchObject({
      triggered: true,
      observed: 3,
      reason: '3 distinct instruments in the window exceed the limit of 2',
    })
    expect(outcome(rule, history, p(4, { instrumentId: 'ins_3', beneficiaryId: 'ben_2' }))).toMatchObject({
      triggered: false,
      observed: 1,
    })
  })
  it('distinct count: refused on amount kinds, on the grouping itself, with a currency', () => {
    const base = { id: 'r', name: 'R', action: 'block', enabled: true }
    const fields = (json: Record<string, unknown>) => {
      const r = parseRuleSet({ version: 1, rules: [{ ...base, ...json }] })
      return E.isLeft(r) ? r.left.problems.map((x) => x.field) : []
    }
    expect(
      fields({
        kind: 'max_daily_amount',
        threshold: '5.00',
        currency: 'USD',
        measure: { distinct: 'beneficiary' },
      }),
    ).toEqual(['rules.0.measure'])
    expect(
      fields({ kind: 'max_count_per_beneficiary', threshold: 2, measure: { distinct: 'beneficiary' } }),
    ).toEqual(['rules.0.measure.distinct'])
    expect(
      fields({ kind: 'max_daily_count', threshold: 2, currency: 'USD', measure: { distinct: 'instrument' } }),
    ).toEqual(['rules.0.currency'])
    expect(fields({ kind: 'max_daily_count', threshold: 2, measure: { distinct: 'merchant' } })).toEqual([
      'rules.0.measure.distinct',
    ])
    expect(fields({ kind: 'max_daily_count', threshold: '2', measure: { distinct: 'instrument' } })).toEqual([
      'rules.0.threshold',
    ])
  })
  it('geo_blocking: a deny list and an allow list', () => {
    expect(
      outcome(
        { kind: 'geo_blocking', params: { countries: ['KP'] } },
        [],
        p(1, { destinationCountry: 'KP' }),
      ),
    ).toMatchObject({ triggered: true, observed: 'KP', limit: null })
    expect(
      outcome(
        { kind: 'geo_blocking', params: { mode: 'allow', countries: ['PH', 'MX'] } },
        [],
        p(1, { destinationCountry: 'NG' }),
      ),
    ).toMatchObject({ triggered: true })
    expect(
      outcome({ kind: 'geo_blocking', params: { mode: 'allow', countries: ['PH', 'MX'] } }, [], p(1)),
    ).toMatchObject({ triggered: false })
  })
  it('alert never changes the action; review and block rank', () => {
    const rs = right(
      parseRuleSet({
        version: 1,
        rules: [
          {
            id: 'a',
            name: 'A',
            kind: 'max_amount_per_txn',
            action: 'alert',
            enabled: true,
            threshold: '1.00',
            currency: 'USD',
          },
          {
            id: 'b',
            name: 'B',
            kind: 'max_amount_per_txn',
            action: 'review',
            enabled: true,
            threshold: '50.00',
            currency: 'USD',
          },
          {
            id: 'c',
            name: 'C',
            kind: 'max_amount_per_txn',
            action: 'block',
            enabled: true,
            threshold: '500.00',
            currency: 'USD',
          },
        ],
      }),
    )
    const actionOn = (amount: string) => right(evaluate(rs, emptyLedger(rs), p(1, { amount }))).action
    expect([actionOn('0.50'), actionOn('10.00'), actionOn('100.00'), actionOn('1000.00')]).toEqual([
      'allow',
      'allow',
      'review',
      'block',
    ])
  })
  it('refuses rules the ledger does not track, and what-ifs in the ledger past', () => {
    const rs = right(
      parseRuleSet({
        version: 1,
        rules: [
          { id: 'd', name: 'D', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 1 },
        ],
      }),
    )
    expect(evaluate(rs, emptyLedger(), p(1))).toEqual(E.left({ _tag: 'UntrackedRules', ruleIds: ['d'] }))
    const ledger = right(recordPayout(emptyLedger(rs), p(5)))
    const past = evaluate(rs, ledger, p(4))
    expect(E.isLeft(past) && past.left._tag === 'ValidationError' && past.left.problems[0]?.field).toBe(
      'created_at',
    )
  })
})
