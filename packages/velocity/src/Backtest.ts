/**
 * Backtesting: replays a time-ordered payout history through one or two rule sets, recording each
 * payout that is not blocked as it goes (a blocked payout releases its usage at once), and reports
 * what each rule would have caught and — with two sets — every decision that differs.
 */
import { formatMoney, money, type ValidationError } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import { type Amount, add, toBigInt } from './internal/Amount.js'
import { type Conversions, conversionsOf } from './internal/Assess.js'
import { Engine } from './internal/Replay.js'
import type { Payout } from './Payout.js'
import type { Rule, RuleAction, RuleKind, RuleSet } from './RuleSet.js'
import type { EvaluateOptions, VelocityAction } from './Verdict.js'

// ---------------------------------------------------------------- model

/**
 * A number of payouts and their amounts, per currency, as decimal strings (currencies in order).
 *
 * @example
 * import type { PayoutTotals } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const t: PayoutTotals = { payouts: 2, amounts: { EUR: '10.00', USD: '25.50' } }
 * assert.equal(t.payouts, 2)
 */
export interface PayoutTotals {
  readonly payouts: number
  readonly amounts: Readonly<Record<string, string>>
}

/**
 * What one rule did over the replay: how often it triggered, the payouts (and amounts) it blocked
 * or sent to review — those whose final decision was its own action — and its alerts.
 *
 * @example
 * import type { RuleReport } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const r: RuleReport = { rule_id: 'daily', kind: 'max_daily_amount', action: 'block', hits: 1,
 *   blocked: { payouts: 1, amounts: { USD: '5.00' } }, review: { payouts: 0, amounts: {} }, alerts: 0 }
 * assert.equal(r.hits, 1)
 */
export interface RuleReport {
  readonly rule_id: string
  readonly kind: RuleKind
  readonly action: RuleAction
  readonly hits: number
  readonly blocked: PayoutTotals
  readonly review: PayoutTotals
  readonly alerts: number
}

/**
 * One rule set's replay: totals by decision and one report per rule (ordered by rule id).
 *
 * @example
 * import type { RuleSetReport } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const none = { payouts: 0, amounts: {} }
 * const r: RuleSetReport = { rule_set_version: 1, totals: { payouts: 0, allowed: none, review: none, blocked: none, alerts: 0 }, rules: [] }
 * assert.equal(r.rule_set_version, 1)
 */
export interface RuleSetReport {
  readonly rule_set_version: number
  readonly totals: {
    readonly payouts: number
    readonly allowed: PayoutTotals
    readonly review: PayoutTotals
    readonly blocked: PayoutTotals
    readonly alerts: number
  }
  readonly rules: ReadonlyArray<RuleReport>
}

/**
 * A payout decided differently by the two rule sets, with the rules that triggered under each.
 *
 * @example
 * import type { DecisionChange } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const c: DecisionChange = { payout_id: 'pay_9', before: 'allow', after: 'block', rules_before: [], rules_after: ['daily'] }
 * assert.equal(c.after, 'block')
 */
export interface DecisionChange {
  readonly payout_id: string
  readonly before: VelocityAction
  readonly after: VelocityAction
  readonly rules_before: ReadonlyArray<string>
  readonly rules_after: ReadonlyArray<string>
}

/**
 * The backtest report. `after` and `differences` are there when a second rule set was given:
 * `by_change` counts differing decisions by `before→after` (e.g. `allow→block`), `examples` lists
 * the first ones in history order.
 *
 * @example
 * import type { BacktestReport } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const none = { payouts: 0, amounts: {} }
 * const report: BacktestReport = { payouts: 0,
 *   before: { rule_set_version: 1, totals: { payouts: 0, allowed: none, review: none, blocked: none, alerts: 0 }, rules: [] } }
 * assert.equal(report.after, undefined)
 */
export interface BacktestReport {
  readonly payouts: number
  readonly before: RuleSetReport
  readonly after?: RuleSetReport
  readonly differences?: {
    readonly total: number
    readonly by_change: Readonly<Record<string, number>>
    readonly examples: ReadonlyArray<DecisionChange>
  }
}

/**
 * Options of `backtest`: those of `evaluate` (exchange rates, rounding) and how many differing
 * decisions to list as examples (20 by default).
 *
 * @example
 * import type { BacktestOptions } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const o: BacktestOptions = { examples: 5 }
 * assert.equal(o.examples, 5)
 */
export interface BacktestOptions extends EvaluateOptions {
  readonly examples?: number
}

// ---------------------------------------------------------------- replay

class Totals {
  payouts = 0
  /** Sums by the replay's currency index (a hole for a currency not met). */
  private readonly sums: Array<Amount | undefined> = []
  add(currency: number, minor: Amount): void {
    this.payouts++
    const sum = this.sums[currency]
    this.sums[currency] = sum === undefined ? minor : add(sum, minor)
  }
  /** The totals, currencies named by `codes` (the replay's index) and in code order. */
  report(codes: ReadonlyArray<string>): PayoutTotals {
    const all: Array<[string, Amount]> = []
    this.sums.forEach((sum, i) => {
      if (sum !== undefined) all.push([codes[i] as string, sum])
    })
    all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const amounts: Record<string, string> = {}
    for (const [c, sum] of all) amounts[c] = formatMoney(money(toBigInt(sum), c))
    return { payouts: this.payouts, amounts }
  }
}

interface RuleTally {
  hits: number
  readonly blocked: Totals
  readonly review: Totals
  alerts: number
}

/** One rule set replaying the history in its own engine, and what it decided. */
class Replay {
  readonly engine: Engine
  readonly tallies: ReadonlyArray<RuleTally>
  readonly allowed = new Totals()
  readonly review = new Totals()
  readonly blocked = new Totals()
  alerts = 0

  constructor(
    readonly ruleSet: RuleSet,
    conversions: Conversions,
  ) {
    this.engine = new Engine(ruleSet, conversions)
    this.tallies = ruleSet.rules.map(() => ({
      hits: 0,
      blocked: new Totals(),
      review: new Totals(),
      alerts: 0,
    }))
  }

  /** Decides a payout, counts it, records it unless blocked; a refusal names the bad field. */
  step(p: Payout): VelocityAction | ValidationError {
    const refused = this.engine.refusal(p)
    if (refused !== undefined) return { _tag: 'ValidationError', problems: [refused] }
    const engine = this.engine
    const action = engine.step(p)
    const currency = engine.currency
    const minor = engine.minor
    const rules = this.ruleSet.rules
    for (const i of this.engine.triggered) {
      const tally = this.tallies[i] as RuleTally
      const ruleAction = (rules[i] as Rule).action
      tally.hits++
      if (ruleAction === 'alert') {
        tally.alerts++
        this.alerts++
      } else if (ruleAction === action)
        (action === 'block' ? tally.blocked : tally.review).add(currency, minor)
    }
    ;(action === 'block' ? this.blocked : action === 'review' ? this.review : this.allowed).add(
      currency,
      minor,
    )
    return action
  }

  triggeredIds(): string[] {
    return this.engine.triggered.map((i) => (this.ruleSet.rules[i] as Rule).id).sort()
  }

  report(payouts: number): RuleSetReport {
    const codes = this.engine.currencies
    const rules = this.ruleSet.rules.map((rule, i) => {
      const tally = this.tallies[i] as RuleTally
      return {
        rule_id: rule.id,
        kind: rule.kind,
        action: rule.action,
        hits: tally.hits,
        blocked: tally.blocked.report(codes),
        review: tally.review.report(codes),
        alerts: tally.alerts,
      }
    })
    rules.sort((x, y) => (x.rule_id < y.rule_id ? -1 : x.rule_id > y.rule_id ? 1 : 0))
    return {
      rule_set_version: this.ruleSet.version,
      totals: {
        payouts,
        allowed: this.allowed.report(codes),
        review: this.review.report(codes),
        blocked: this.blocked.report(codes),
        alerts: this.alerts,
      },
      rules,
    }
  }
}

// ---------------------------------------------------------------- operations

/**
 * Replays a time-ordered history through a rule set (and, to compare, a second one), each with its
 * own ledger that records every payout not blocked. Deterministic: the same input gives the same
 * report. A history out of time order, or repeating the id of a payout a window still counts (for
 * lifetime windows: one recorded in the last 31 days), is refused naming the entry
 * (`history.41.created_at`).
 *
 * @example
 * import { backtest, parseRuleSet, payout, type Payout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rule = { id: 'count', name: 'Daily count', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 2 }
 * const current = parseRuleSet({ version: 1, rules: [rule] })
 * const proposed = parseRuleSet({ version: 2, rules: [{ ...rule, threshold: 1 }] })
 * const history: Payout[] = [1, 2, 3].map((n) => {
 *   const p = payout({ id: `pay_${n}`, merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *     instrumentType: 'bank_account', destinationCountry: 'PH', amount: '10.00', currency: 'USD', createdAt: n * 1000 })
 *   assert.ok(E.isRight(p))
 *   return p.right
 * })
 * assert.ok(E.isRight(current) && E.isRight(proposed))
 * const report = backtest(history, current.right, proposed.right)
 * assert.ok(E.isRight(report))
 * assert.equal(report.right.before.totals.blocked.payouts, 1)
 * assert.equal(report.right.after?.totals.blocked.payouts, 2)
 * assert.deepEqual(report.right.differences?.by_change, { 'allow→block': 1 })
 */
export const backtest = (
  history: Iterable<Payout>,
  ruleSetA: RuleSet,
  ruleSetB?: RuleSet,
  options?: BacktestOptions,
): E.Either<ValidationError, BacktestReport> => {
  const conversions = conversionsOf(options)
  if (E.isLeft(conversions)) return conversions
  const exampleLimit = options?.examples ?? 20
  const a = new Replay(ruleSetA, conversions.right)
  const b = ruleSetB === undefined ? undefined : new Replay(ruleSetB, conversions.right)
  const byChange = new Map<string, number>()
  const examples: DecisionChange[] = []
  let differing = 0
  let n = 0
  let clock = Number.NEGATIVE_INFINITY
  const refuse = (e: ValidationError): E.Either<ValidationError, never> =>
    E.left({
      _tag: 'ValidationError',
      problems: e.problems.map((x) => ({ ...x, field: `history.${n}.${x.field}` })),
    })
  // an array is walked by index: `for…of` over an iterable of either kind made an iterator result per payout
  const list = Array.isArray(history) ? (history as ReadonlyArray<Payout>) : undefined
  const iterator = list === undefined ? history[Symbol.iterator]() : undefined
  for (;;) {
    let p: Payout
    if (list !== undefined) {
      if (n >= list.length) break
      p = list[n] as Payout
    } else {
      const next = (iterator as Iterator<Payout>).next()
      if (next.done === true) break
      p = next.value
    }
    if (p.createdAt < clock)
      return refuse({
        _tag: 'ValidationError',
        problems: [
          {
            field: 'created_at',
            message: 'is before the payout above it; the history must be in time order',
          },
        ],
      })
    clock = p.createdAt
    const before = a.step(p)
    if (typeof before !== 'string') return refuse(before)
    if (b !== undefined) {
      const after = b.step(p)
      if (typeof after !== 'string') return refuse(after)
      if (after !== before) {
        differing++
        const change = `${before}→${after}`
        byChange.set(change, (byChange.get(change) ?? 0) + 1)
        if (examples.length < exampleLimit)
          examples.push({
            payout_id: p.id,
            before,
            after,
            rules_before: a.triggeredIds(),
            rules_after: b.triggeredIds(),
          })
      }
    }
    n++
  }
  const report: BacktestReport = {
    payouts: n,
    before: a.report(n),
    ...(b === undefined
      ? {}
      : {
          after: b.report(n),
          differences: {
            total: differing,
            by_change: Object.fromEntries([...byChange].sort(([x], [y]) => (x < y ? -1 : 1))),
            examples,
          },
        }),
  }
  return E.right(report)
}
