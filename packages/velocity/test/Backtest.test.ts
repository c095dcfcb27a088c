import { fc, test } from '@fast-check/vitest'
import { formatMoney, money } from '@payout-kernel/core'
import { describe, expect, it } from 'vitest'
import * as E from '#fp-ts/Either'
import { backtest, emptyLedger, evaluate, type Payout, recordPayout } from '../src/index.js'
import { arbHistory, arbRuleSet } from '../src/testing/index.js'

/** The payouts' count and amounts per currency, as the report writes them (currencies in order). */
const totalsOf = (ps: ReadonlyArray<Payout>) => {
  const sums = new Map<string, bigint>()
  for (const p of ps) sums.set(p.amount.currency, (sums.get(p.amount.currency) ?? 0n) + p.amount.minor)
  const amounts = [...sums]
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([c, m]) => [c, formatMoney(money(m, c))])
  return { payouts: ps.length, amounts: Object.fromEntries(amounts) }
}

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

describe('backtest', () => {
  test.prop([arbRuleSet(6), arbRuleSet(6), arbHistory(40)], { numRuns: 300 })(
    'matches evaluate-then-record step by step, is deterministic, and counts every differing decision',
    (a, b, history) => {
      const report = right(backtest(history, a, b, { examples: 1000 }))
      expect(backtest(history, a, b, { examples: 1000 })).toEqual(E.right(report))
      const replay = (rs: typeof a) => {
        let ledger = emptyLedger(rs)
        return history.map((p) => {
          const v = right(evaluate(rs, ledger, p))
          if (v.action !== 'block') ledger = right(recordPayout(ledger, p))
          return v
        })
      }
      const va = replay(a)
      const vb = replay(b)
      expect(report.before.totals.blocked.payouts).toBe(va.filter((v) => v.action === 'block').length)
      expect(report.before.totals.review.payouts).toBe(va.filter((v) => v.action === 'review').length)
      expect(report.after?.totals.allowed.payouts).toBe(vb.filter((v) => v.action === 'allow').length)
      const hits = (vs: typeof va, id: string) =>
        vs.filter((v) => v.triggered_rules.some((o) => o.rule_id === id && o.triggered)).length
      for (const r of report.before.rules) expect(r.hits).toBe(hits(va, r.rule_id))
      // amounts, per decision and per rule (a rule's blocked / review: payouts whose final action is its own)
      for (const [report1, vs] of [
        [report.before, va],
        [report.after, vb],
      ] as const) {
        for (const action of ['allow', 'review', 'block'] as const)
          expect(
            report1?.totals[action === 'allow' ? 'allowed' : action === 'block' ? 'blocked' : 'review'],
          ).toEqual(totalsOf(history.filter((_, i) => vs[i]?.action === action)))
        for (const r of report1?.rules ?? []) {
          const by = (action: string) =>
            totalsOf(
              history.filter((_, i) =>
                vs[i]?.triggered_rules.some(
                  (o) =>
                    o.rule_id === r.rule_id && o.triggered && o.action === action && vs[i]?.action === action,
                ),
              ),
            )
          expect(r.blocked).toEqual(by('block'))
          expect(r.review).toEqual(by('review'))
          expect(r.alerts).toBe(r.action === 'alert' ? hits(vs, r.rule_id) : 0)
        }
      }
      const differing = history.filter((_, i) => va[i]?.action !== vb[i]?.action).map((p) => p.id)
      expect(report.differences?.total).toBe(differing.length)
      expect(report.differences?.examples.map((x) => x.payout_id)).toEqual(differing)
      expect(Object.values(report.differences?.by_change ?? {}).reduce((s, n) => s + n, 0)).toBe(
        differing.length,
      )
    },
    60_000,
  )

  test.prop([arbRuleSet(6), arbHistory(30)], { numRuns: 200 })(
    'a rule set against itself differs nowhere',
    (a, history) => {
      const report = right(backtest(history, a, a))
      expect(report.differences?.total).toBe(0)
      expect(report.after).toEqual(report.before)
    },
    60_000,
  )

  test.prop([arbRuleSet(6), arbRuleSet(6), arbHistory(30)], { numRuns: 200 })(
    'an array and any other iterable of the same payouts give the same report',
    (a, b, history) => {
      function* one(): Generator<Payout> {
        yield* history
      }
      expect(backtest(one(), a, b)).toEqual(backtest(history, a, b))
      expect(backtest(new Set(history), a)).toEqual(backtest(history, a))
    },
    60_000,
  )

  it('refuses a history out of time order, naming the entry', () => {
    const h = fc.sample(arbHistory(5), { numRuns: 1, seed: 7 })[0] as ReadonlyArray<Payout>
    const swapped = [...h]
      .reverse()
      .map((p, i) => ({ ...p, createdAt: (h[0]?.createdAt ?? 0) + (h.length - i) * 1000 }))
    const result = backtest(swapped as Payout[], { version: 1, rules: [] })
    expect(E.isLeft(result) && result.left.problems[0]?.field).toBe('history.1.created_at')
  })
})
