// The backtest's engine against the naive scan of the history and against the ledger, with sweeps
// and log compaction forced on every step so dropping keys and reusing their slots is exercised.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  backtest,
  calendarPeriod,
  emptyLedger,
  evaluate,
  type Payout,
  parseRuleSet,
  payout,
  type RuleSet,
  recordPayout,
} from '../src/index.js'
import { conversionsOf } from '../src/internal/Assess.js'
import { Engine, type Tuning } from '../src/internal/Replay.js'
import { arbHistory, arbRuleSet } from '../src/testing/index.js'
import { naiveEvaluate, type Rates, type Recorded } from './naive.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

const arbRates = fc.constantFrom<Rates>(
  [],
  [
    { from: 'EUR', to: 'USD', rate: '1.0835' },
    { from: 'JPY', to: 'USD', rate: '0.0067' },
    { from: 'USD', to: 'EUR', rate: '0.92' },
  ],
)

const arbTuning = fc.record({
  sweep: fc.integer({ min: 1, max: 4 }),
  compact: fc.integer({ min: 1, max: 4 }),
  proportional: fc.constant(false),
  // 0: every payout counted and taken out through the log; 1–3: key rows hold the first ones
  entries: fc.integer({ min: 0, max: 3 }),
})

/** Sweeps and compaction on every step, and `entries` payouts held per key row. */
const everyStep = (entries: number): Tuning => ({ sweep: 1, compact: 1, proportional: false, entries })

const engineOf = (ruleSet: RuleSet, rates: Rates, tuning?: Tuning) =>
  new Engine(ruleSet, right(conversionsOf({ rates })), tuning)

/** Payouts of one merchant from steps of a gap (ms), a beneficiary and an amount, from 2026-01-01 on. */
const payoutsOf = (steps: ReadonlyArray<{ gap: number; ben: string; amount: string }>): Payout[] => {
  let t = Date.UTC(2026, 0, 1)
  return steps.map(({ gap, ben, amount }, i) => {
    t += gap
    return right(
      payout({
        id: `pay_${i}`,
        merchantId: 'mer_1',
        beneficiaryId: ben,
        instrumentId: 'ins_1',
        instrumentType: 'card',
        destinationCountry: 'PH',
        amount,
        currency: 'USD',
        createdAt: t,
      }),
    )
  })
}

const triggeredIds = (ruleSet: RuleSet, engine: Engine): string[] =>
  engine.triggered.map((i) => ruleSet.rules[i]?.id ?? '').sort()

/**
 * Steps an engine through `payouts` (ids all different), checking each action and the rules it
 * triggered against the naive scan; returns the actions and the last triggered rules.
 */
const replayAgainstNaive = (
  ruleSet: RuleSet,
  payouts: ReadonlyArray<Payout>,
  tuning: Tuning,
  rates: Rates = [],
): { actions: string[]; lastTriggered: string[]; engine: Engine } => {
  const engine = engineOf(ruleSet, rates, tuning)
  const recorded: Recorded[] = []
  const actions = payouts.map((p) => {
    const naive = naiveEvaluate(ruleSet, recorded, p, rates)
    expect(engine.refusal(p)).toBeUndefined()
    const action = engine.step(p)
    expect(action).toBe(naive.action)
    expect(triggeredIds(ruleSet, engine)).toEqual(
      naive.triggered_rules
        .filter((o) => o.triggered)
        .map((o) => o.rule_id)
        .sort(),
    )
    if (action !== 'block') recorded.push({ payout: p, released: false })
    return action
  })
  return { actions, lastTriggered: triggeredIds(ruleSet, engine), engine }
}

describe('the backtest engine', () => {
  test.prop([arbRuleSet(6), arbHistory(40), arbRates, arbTuning], { numRuns: 1500 })(
    'decides every payout as the naive scan of the recorded history does, with the same triggered rules',
    (ruleSet, history, rates, tuning) => {
      replayAgainstNaive(ruleSet, history, tuning, rates)
    },
    120_000,
  )

  test.prop([arbRuleSet(8), arbHistory(200), arbRates, arbTuning], { numRuns: 60 })(
    'agrees with evaluate-then-record on the ledger over longer histories',
    (ruleSet, history, rates, tuning) => {
      const engine = engineOf(ruleSet, rates, tuning)
      let ledger = emptyLedger(ruleSet)
      for (const p of history) {
        const verdict = right(evaluate(ruleSet, ledger, p, { rates }))
        expect(engine.step(p)).toBe(verdict.action)
        expect(triggeredIds(ruleSet, engine)).toEqual(
          verdict.triggered_rules.filter((o) => o.triggered).map((o) => o.rule_id),
        )
        if (verdict.action !== 'block') ledger = right(recordPayout(ledger, p))
      }
    },
    120_000,
  )
})

/** A rule as the rules API holds it, sent to review, over a rolling window of `seconds`. */
const rollingRule = (
  id: string,
  kind: string,
  threshold: string | number,
  seconds: number,
  more: Readonly<Record<string, unknown>> = {},
) => ({
  id,
  name: id,
  kind,
  action: 'review',
  enabled: true,
  threshold,
  window: { type: 'rolling', seconds },
  ...more,
})

describe('keys over several pages of their pools, swept and made again', () => {
  // Payouts every 2 s to 12,000 beneficiaries and 10,000 instruments at random: their windows hold
  // about 2,500 beneficiary keys and 1,700 instrument keys at a time, over several pages of 1,024
  // slots, and some keys are paid again within their window. Keys leave their windows and are swept
  // all the time, their slots are given out again in order, and later payouts to the same ids make
  // new keys on reused slots across the pages.
  const rules = right(
    parseRuleSet({
      version: 1,
      rules: [
        rollingRule('ben_amount', 'max_amount_per_beneficiary', '25.00', 5_400, {
          currency: 'USD',
          group_by: 'beneficiary',
        }),
        rollingRule('ins_count', 'max_daily_count', 1, 3_600, { group_by: 'instrument' }),
        rollingRule('merchant_count', 'max_daily_count', 1_800, 3_600),
      ],
    }),
  )
  const start = Date.UTC(2026, 2, 1)
  /** One of `n` ids for payout `i`, at random (MurmurHash3's finaliser of `i` and a salt). */
  const pick = (i: number, salt: number, n: number): number => {
    let h = Math.imul(i ^ salt, 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    h ^= h >>> 16
    return (h >>> 0) % n
  }
  const history = Array.from({ length: 12_000 }, (_, i) =>
    right(
      payout({
        id: `pay_${i}`,
        merchantId: 'mer_1',
        beneficiaryId: `ben_${pick(i, 0, 12_000)}`,
        instrumentId: `ins_${pick(i, 77, 10_000)}`,
        instrumentType: 'card',
        destinationCountry: 'PH',
        amount: `${10 + (i % 5)}.00`,
        currency: 'USD',
        createdAt: start + i * 2_000,
      }),
    ),
  )

  it.each([0, 2])(
    'decides as the naive scan does (%i payouts held per key row)',
    (entries) => {
      const { actions, engine } = replayAgainstNaive(rules, history, {
        sweep: 256,
        compact: 64,
        proportional: true,
        entries,
      })
      // the rules do catch payouts here, and let most through
      expect(actions.filter((a) => a === 'review').length).toBeGreaterThan(100)
      expect(actions.filter((a) => a === 'allow').length).toBeGreaterThan(2_000)
      // freed slots are made use of again: fewer slots than beneficiaries and instruments
      const [, beneficiaries, instruments] = engine.slotsMade
      expect(beneficiaries).toBeLessThan(new Set(history.map((p) => p.beneficiaryId)).size)
      expect(instruments).toBeLessThan(new Set(history.map((p) => p.instrumentId)).size)
    },
    120_000,
  )
})

describe('duplicate keys around the window edge', () => {
  // Random histories rarely repeat one beneficiary and amount, so freeing a duplicate key a little
  // early went unnoticed: here every payout repeats one of two amounts to one of two beneficiaries,
  // with gaps close to the window's length, and keys are swept on every step.
  const windowSeconds = 600
  const dupes = right(
    parseRuleSet({
      version: 1,
      rules: [
        {
          id: 'dupes',
          name: 'Same amount to the same beneficiary',
          kind: 'duplicate_detection',
          action: 'review',
          enabled: true,
          threshold: 1,
          window: { type: 'rolling', seconds: windowSeconds },
        },
        {
          id: 'dupes_block',
          name: 'Third same amount',
          kind: 'duplicate_detection',
          action: 'block',
          enabled: true,
          threshold: 2,
          window: { type: 'rolling', seconds: 2 * windowSeconds },
        },
      ],
    }),
  )
  const step = fc.record({
    gap: fc.oneof(
      fc.integer({ min: 0, max: 5_000 }),
      fc.integer({ min: (windowSeconds - 90) * 1000, max: (windowSeconds + 90) * 1000 }),
      fc.constantFrom(windowSeconds * 1000 - 1, windowSeconds * 1000, windowSeconds * 1000 + 1),
    ),
    ben: fc.constantFrom('ben_a', 'ben_b'),
    amount: fc.constantFrom('10.00', '20.00'),
  })
  test.prop([fc.array(step, { minLength: 2, maxLength: 40 }), arbTuning], { numRuns: 1000 })(
    'the engine decides as the naive scan does',
    (steps, tuning) => {
      const engine = engineOf(dupes, [], tuning)
      const recorded: Recorded[] = []
      for (const p of payoutsOf(steps)) {
        const naive = naiveEvaluate(dupes, recorded, p, [])
        const action = engine.step(p)
        expect(action).toBe(naive.action)
        if (action !== 'block') recorded.push({ payout: p, released: false })
      }
    },
    120_000,
  )
})

describe('duplicate groups a beneficiary row holds, beside a merchant window', () => {
  // A beneficiary's row holds its first payouts for its duplicate groups' rolling windows; a full row
  // sends the next one to a duplicate key. A merchant window that counts its payouts through the log
  // logs held ones too: the log must not take those out of the duplicate key (they never counted in
  // it). Gaps are chosen around the windows so rows fill, free up and keys outlive them.
  const rules = right(
    parseRuleSet({
      version: 1,
      rules: [
        ['dupes', 'duplicate_detection', 1, 600],
        ['dupes_twice', 'duplicate_detection', 2, 1200],
        ['merchant', 'max_daily_count', 100, 1200],
      ].map(([id, kind, threshold, seconds]) =>
        rollingRule(id as string, kind as string, threshold as number, seconds as number),
      ),
    }),
  )
  const step = fc.record({
    gap: fc.constantFrom(1, 200_000, 400_000, 600_000, 1_000_000),
    ben: fc.constantFrom('ben_a', 'ben_b'),
    amount: fc.constantFrom('10.00', '20.00'),
  })
  const replay = (
    steps: ReadonlyArray<{ gap: number; ben: string; amount: string }>,
    entries: number,
  ): void => {
    replayAgainstNaive(rules, payoutsOf(steps), everyStep(entries))
  }
  test.prop([fc.array(step, { minLength: 2, maxLength: 30 }), fc.integer({ min: 1, max: 3 })], {
    numRuns: 2000,
  })('the engine decides as the naive scan does', (steps, entries) => replay(steps, entries), 120_000)

  it('does not take a held payout out of a duplicate key (found by the property above)', () => {
    const a = (gap: number) => ({ gap, ben: 'ben_a', amount: '10.00' })
    replay(
      [
        { gap: 1, ben: 'ben_b', amount: '10.00' },
        a(600_000),
        a(400_000),
        a(400_000),
        a(400_000),
        a(600_000),
        a(1),
      ],
      1,
    )
  })
})

describe("calendar windows a key's row holds, at the edges of their periods", () => {
  // A key's row holds its first payouts for its calendar windows too: a held payout counts while its
  // time is in the current period, and its entry is free once no period or rolling window holds it.
  // Payouts here land on period starts in two zones (the instant before, at, and after), across a
  // DST change in New York and a week start, so held payouts sit exactly on the edges.
  const calendar = (unit: 'day' | 'week', timeZone: string) => ({
    type: 'calendar',
    unit,
    time_zone: timeZone,
  })
  const rules = right(
    parseRuleSet({
      version: 1,
      rules: [
        { id: 'ben_day', kind: 'max_count_per_beneficiary', threshold: 2, window: calendar('day', 'UTC') },
        {
          id: 'ben_ny_amount',
          kind: 'max_amount_per_beneficiary',
          threshold: '25.00',
          currency: 'USD',
          window: calendar('day', 'America/New_York'),
        },
        {
          id: 'ins_week',
          kind: 'max_weekly_amount',
          group_by: 'instrument',
          threshold: '35.00',
          currency: 'USD',
          window: calendar('week', 'UTC'),
        },
        { id: 'dupes_day', kind: 'duplicate_detection', threshold: 1, window: calendar('day', 'UTC') },
        {
          id: 'ben_rolling',
          kind: 'max_count_per_beneficiary',
          threshold: 3,
          window: { type: 'rolling', seconds: 3600 },
        },
      ].map((r) => ({ ...r, name: r.id, action: 'review', enabled: true })),
    }),
  )
  const dayUtc = { type: 'calendar', unit: 'day', timeZone: 'UTC', weekStartsOn: 1 } as const
  const dayNy = { ...dayUtc, timeZone: 'America/New_York' } as const
  // period starts from 2026-03-06 (a Friday) to 2026-03-10, New York springing forward on the 8th
  const edges = [
    ...new Set(
      Array.from({ length: 5 }, (_, d) => Date.UTC(2026, 2, 6 + d, 12)).flatMap((noon) =>
        [calendarPeriod(dayUtc, noon).start, calendarPeriod(dayNy, noon).start].flatMap((start) => [
          start - 1,
          start,
          start + 1,
        ]),
      ),
    ),
  ].sort((a, b) => a - b)
  const arbSteps = fc.array(
    fc.record({
      at: fc.integer({ min: 0, max: edges.length - 1 }),
      ben: fc.constantFrom('ben_a', 'ben_b'),
      amount: fc.constantFrom('10.00', '20.00'),
    }),
    { minLength: 2, maxLength: 30 },
  )
  // payouts at the chosen edges, in time order (as gaps from the start `payoutsOf` counts from)
  const atEdges = (steps: ReadonlyArray<{ at: number; ben: string; amount: string }>): Payout[] => {
    const times = steps.map((s) => edges[s.at] as number).sort((a, b) => a - b)
    return payoutsOf(
      steps.map(({ ben, amount }, i) => ({
        gap: (times[i] as number) - (i === 0 ? Date.UTC(2026, 0, 1) : (times[i - 1] as number)),
        ben,
        amount,
      })),
    )
  }
  test.prop([arbSteps, fc.integer({ min: 0, max: 3 })], { numRuns: 2000 })(
    'the engine decides as the naive scan does',
    (steps, entries) => {
      replayAgainstNaive(rules, atEdges(steps), everyStep(entries))
    },
    120_000,
  )

  it('counts a held payout made at the very start of the period', () => {
    // midnight UTC, then two more that day: the third is the beneficiary's third of the day
    const midnight = edges.indexOf(Date.UTC(2026, 2, 7))
    const steps = [midnight, midnight + 1, midnight + 3].map((at, i) => ({
      at,
      ben: 'ben_a',
      amount: `${i + 1}.00`,
    }))
    const { actions, lastTriggered } = replayAgainstNaive(rules, atEdges(steps), everyStep(2))
    expect(actions).toEqual(['allow', 'allow', 'review'])
    expect(lastTriggered).toEqual(['ben_day'])
  })
})

describe('backtest refuses a repeated payout id while the first one still counts', () => {
  const rs = right(
    parseRuleSet({
      version: 1,
      rules: [
        {
          id: 'hourly',
          name: 'Hourly count',
          kind: 'max_daily_count',
          action: 'block',
          enabled: true,
          threshold: 5,
          window: { type: 'rolling', seconds: 3600 },
        },
      ],
    }),
  )
  const at = (createdAt: number): Payout =>
    right(
      payout({
        id: 'pay_1',
        merchantId: 'mer_1',
        beneficiaryId: 'ben_1',
        instrumentId: 'ins_1',
        instrumentType: 'card',
        destinationCountry: 'PH',
        amount: '10.00',
        currency: 'USD',
        createdAt,
      }),
    )
  it('names the entry within the window, accepts it once the window has passed', () => {
    const refused = backtest([at(0), at(3_599_999)], rs)
    expect(E.isLeft(refused) && refused.left.problems[0]?.field).toBe('history.1.id')
    expect(E.isRight(backtest([at(0), at(3_600_000)], rs))).toBe(true)
  })
  it('remembers an id counted only by lifetime windows for 31 days, not for ever', () => {
    const lifetime = right(
      parseRuleSet({
        version: 1,
        rules: [
          {
            id: 'lifetime',
            name: 'Lifetime amount per beneficiary',
            kind: 'max_amount_per_beneficiary',
            action: 'block',
            enabled: true,
            threshold: '1000.00',
            currency: 'USD',
          },
        ],
      }),
    )
    const horizon = 31 * 86_400_000
    const refused = backtest([at(0), at(horizon - 1)], lifetime)
    expect(E.isLeft(refused) && refused.left.problems[0]?.field).toBe('history.1.id')
    const later = backtest([at(0), at(horizon)], lifetime)
    expect(E.isRight(later) && later.right.before.totals.allowed.payouts).toBe(2)
  })
})
