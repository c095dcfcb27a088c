import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  emptyLedger,
  evaluate,
  type Ledger,
  type Payout,
  type RuleSet,
  recordPayout,
  releasePayout,
  type Verdict,
} from '../src/index.js'
import { storeOf } from '../src/internal/Versions.js'
import { arbHistory, arbRuleSet } from '../src/testing/index.js'
import { comparable, naiveAssess, naiveEvaluate, type Rates, type Recorded } from './naive.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

/** A script over a history: for each payout, whether to record it and which earlier one to release. */
const arbScript = fc.tuple(
  arbRuleSet(6),
  arbHistory(40),
  fc.array(fc.record({ record: fc.nat({ max: 9 }), release: fc.option(fc.nat(), { nil: undefined }) }), {
    minLength: 40,
    maxLength: 40,
  }),
  fc.constantFrom<Rates>(
    [],
    [
      { from: 'EUR', to: 'USD', rate: '1.0835' },
      { from: 'JPY', to: 'USD', rate: '0.0067' },
      { from: 'USD', to: 'EUR', rate: '0.92' },
    ],
  ),
)

const snapshot = (ledger: Ledger): string => {
  const store = storeOf(ledger)
  return JSON.stringify(
    {
      clock: store.clock,
      index: [...store.index.keys()].sort(),
      trackers: store.trackers.map((t) => [
        t.signature,
        [...t.groups].map(([k, g]) => [
          k,
          g.count,
          [g.cur, g.sum, [...(g.more ?? [])]],
          g.queue.slice(g.head).map((e) => [e.id, e.released]),
          g.periodStart,
          g.periodEnd,
        ]),
      ]),
    },
    (_k, v) => (typeof v === 'bigint' ? `${v}n` : v),
  )
}

describe('evaluate against a linear scan of the history', () => {
  test.prop([arbScript], { numRuns: 1500 })(
    'the incremental ledger agrees with the naive scan on every payout, with records and releases',
    ([ruleSet, history, script, rates]) => {
      let ledger = emptyLedger(ruleSet)
      const recorded: Recorded[] = []
      const versions: Array<{ ledger: Ledger; payout: Payout; verdict: Verdict }> = []
      history.forEach((p, i) => {
        const step = script[i] ?? { record: 0, release: undefined }
        const verdict = right(evaluate(ruleSet, ledger, p, { rates }))
        expect(comparable(verdict)).toEqual(naiveEvaluate(ruleSet, recorded, p, rates))
        versions.push({ ledger, payout: p, verdict })
        if (step.record < 8) {
          ledger = right(recordPayout(ledger, p))
          recorded.push({ payout: p, released: false })
        }
        if (step.release !== undefined && recorded.length > 0) {
          const victim = recorded[step.release % recorded.length] as Recorded
          ledger = releasePayout(ledger, victim.payout.id)
          victim.released = true
        }
      })
      // every older version still answers exactly as it did (persistence)
      for (const v of versions
        .slice()
        .reverse()
        .filter((_, i) => i % 3 === 0))
        expect(right(evaluate(ruleSet, v.ledger, v.payout, { rates }))).toEqual(v.verdict)
    },
    60_000,
  )
})

describe('properties', () => {
  test.prop([arbRuleSet(6), arbHistory(40)], { numRuns: 300 })(
    'no payout the evaluator allows takes a group over a block limit',
    (ruleSet, history) => {
      let ledger = emptyLedger(ruleSet)
      const recorded: Recorded[] = []
      for (const p of history) {
        const verdict = right(evaluate(ruleSet, ledger, p))
        if (verdict.action === 'block') continue
        for (const rule of ruleSet.rules.filter((r) => r.action === 'block')) {
          const o = naiveAssess(rule, recorded, p)
          if (o === null || o.limit === null) continue
          expect(o.triggered).toBe(false)
        }
        ledger = right(recordPayout(ledger, p))
        recorded.push({ payout: p, released: false })
      }
    },
    60_000,
  )

  test.prop([arbScript], { numRuns: 300 })(
    'usage is never negative, whatever is recorded and released',
    ([ruleSet, history, script]) => {
      let ledger = emptyLedger(ruleSet)
      history.forEach((p, i) => {
        ledger = right(recordPayout(ledger, p))
        const release = script[i]?.release
        if (release !== undefined) ledger = releasePayout(ledger, history[release % (i + 1)]?.id ?? '')
        if (release !== undefined) ledger = releasePayout(ledger, history[release % (i + 1)]?.id ?? '') // twice: no-op
        for (const tracker of storeOf(ledger).trackers)
          for (const g of tracker.groups.values()) {
            expect(g.count).toBeGreaterThanOrEqual(0)
            for (const sum of [g.sum, ...(g.more?.values() ?? [])]) expect(sum >= 0).toBe(true)
          }
      })
    },
    60_000,
  )

  test.prop([arbRuleSet(6), arbHistory(30)], { numRuns: 300 })(
    'evaluate never changes the ledger',
    (ruleSet, history) => {
      let ledger = emptyLedger(ruleSet)
      for (const p of history) {
        const before = snapshot(ledger)
        const first = evaluate(ruleSet, ledger, p)
        expect(snapshot(ledger)).toBe(before)
        expect(evaluate(ruleSet, ledger, p)).toEqual(first)
        ledger = right(recordPayout(ledger, p))
      }
    },
    60_000,
  )

  test.prop([arbRuleSet(6), arbHistory(30), fc.context()], { numRuns: 300 })(
    'the verdict does not depend on the order of the rules',
    (ruleSet, history, _ctx) => {
      const reversed: RuleSet = { ...ruleSet, rules: [...ruleSet.rules].reverse() }
      const rotated: RuleSet = {
        ...ruleSet,
        rules: [...ruleSet.rules.slice(1), ...ruleSet.rules.slice(0, 1)],
      }
      let ledger = emptyLedger(ruleSet)
      for (const p of history) {
        const verdict = evaluate(ruleSet, ledger, p)
        expect(evaluate(reversed, ledger, p)).toEqual(verdict)
        expect(evaluate(rotated, ledger, p)).toEqual(verdict)
        ledger = right(recordPayout(ledger, p))
      }
    },
    60_000,
  )

  test.prop([arbRuleSet(6), arbHistory(20)], { numRuns: 200 })(
    'every verdict names the rule set version',
    (ruleSet, history) => {
      const ledger = emptyLedger(ruleSet)
      for (const p of history.slice(0, 1))
        expect(right(evaluate(ruleSet, ledger, p)).rule_set_version).toBe(ruleSet.version)
    },
    60_000,
  )
})
