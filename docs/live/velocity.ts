// Live example (docs/velocity.md): a what-if over a small history. The page lets you change the
// next payout's amount and time; `whatIf` evaluates it against the ledger of the history without
// recording it. The page calls it; docs/live.test.ts runs it too.
import { emptyLedger, evaluate, parseRuleSet, payout, recordPayout } from '@payout-kernel/velocity'
import * as E from '#fp-ts/Either'

/** The rule set of the example: a daily cap in Manila's calendar day, and a duplicate check. */
export const ruleSetInput = {
  version: 3,
  rules: [
    {
      id: 'daily',
      name: 'Daily cap',
      kind: 'max_daily_amount',
      action: 'block',
      enabled: true,
      threshold: '1000.00',
      currency: 'USD',
      window: { type: 'calendar', unit: 'day', time_zone: 'Asia/Manila' },
    },
    {
      id: 'dupes',
      name: 'Same amount twice in 10 minutes',
      kind: 'duplicate_detection',
      action: 'review',
      enabled: true,
      threshold: 1,
      window: { type: 'rolling', seconds: 600 },
    },
  ],
} as const

/** The history already recorded: id, amount (USD) and time. */
export const history: ReadonlyArray<{ readonly id: string; readonly amount: string; readonly at: string }> = [
  { id: 'pay_h1', amount: '400.00', at: '2026-03-02T01:00:00Z' },
  { id: 'pay_h2', amount: '250.00', at: '2026-03-02T03:30:00Z' },
  { id: 'pay_h3', amount: '120.00', at: '2026-03-02T05:55:00Z' },
]

const payoutOf = (id: string, amount: string, at: string) =>
  payout({
    id,
    merchantId: 'mer_acme',
    beneficiaryId: 'ben_1',
    instrumentId: 'ins_1',
    instrumentType: 'bank_account',
    destinationCountry: 'PH',
    amount,
    currency: 'USD',
    createdAt: Date.parse(at),
  })

/** One rule's line in the page's verdict table. */
export interface RuleLine {
  readonly rule: string
  readonly triggered: boolean
  readonly reason: string
}

/** The verdict the page shows, or the error naming the field. */
export type WhatIfView =
  | { readonly ok: true; readonly action: string; readonly rules: ReadonlyArray<RuleLine> }
  | { readonly ok: false; readonly message: string }

/** Evaluates a payout of `amount` USD at `at` (ISO 8601) against the history; records nothing. */
export const whatIf = (amount: string, at: string): WhatIfView => {
  const rs = parseRuleSet(ruleSetInput)
  if (E.isLeft(rs)) return { ok: false, message: rs.left.problems.map((p) => p.message).join('; ') }
  let ledger = emptyLedger(rs.right)
  for (const h of history) {
    const p = payoutOf(h.id, h.amount, h.at)
    const next = E.isRight(p) ? recordPayout(ledger, p.right) : p
    if (E.isLeft(next)) return { ok: false, message: next.left.problems.map((x) => x.message).join('; ') }
    ledger = next.right
  }
  const candidate = payoutOf('pay_next', amount, at)
  if (E.isLeft(candidate))
    return { ok: false, message: candidate.left.problems.map((p) => `${p.field}: ${p.message}`).join('; ') }
  const verdict = evaluate(rs.right, ledger, candidate.right)
  if (E.isLeft(verdict)) {
    const e = verdict.left
    return {
      ok: false,
      message:
        e._tag === 'UntrackedRules'
          ? `rules not tracked by the ledger: ${e.ruleIds.join(', ')}`
          : e.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
    }
  }
  return {
    ok: true,
    action: verdict.right.action,
    rules: verdict.right.triggered_rules.map((r) => ({
      rule: r.rule_id,
      triggered: r.triggered,
      reason: r.reason,
    })),
  }
}
