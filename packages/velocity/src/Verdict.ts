/**
 * Evaluating a payout against a rule set and the ledger: the verdict (block > review > allow; an
 * alert never changes it), naming the rule set version and, per applicable rule, what it observed
 * against its limit. A what-if: evaluating changes nothing.
 */
import { formatMoney, money, type Rounding, type ValidationError } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import { type Assessment, actionOf, assess, conversionsOf } from './internal/Assess.js'
import { compileRule, factOf } from './internal/Store.js'
import { storeOf } from './internal/Versions.js'
import type { Ledger } from './Ledger.js'
import type { Payout } from './Payout.js'
import type { DistinctField, RuleAction, RuleKind, RuleSet } from './RuleSet.js'

// ---------------------------------------------------------------- model

/**
 * The outcome of one rule for one payout (snake_case, as the API sends it). Money is a decimal
 * string in the rule's currency, counts are numbers; `observed` includes the payout itself,
 * `remaining` is what the window still allows after it (never below 0); `resets_at` (RFC 3339) is
 * there for calendar windows.
 *
 * @example
 * import type { RuleOutcome } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const o: RuleOutcome = { rule_id: 'daily', kind: 'max_daily_amount', action: 'block', triggered: true,
 *   reason: 'window total 1200.00 USD exceeds the limit 1000.00 USD', observed: '1200.00', limit: '1000.00',
 *   remaining: '0.00', resets_at: '2026-01-02T00:00:00.000Z' }
 * assert.equal(o.triggered, true)
 */
export interface RuleOutcome {
  readonly rule_id: string
  readonly kind: RuleKind
  readonly action: RuleAction
  readonly triggered: boolean
  readonly reason: string
  readonly observed: string | number
  readonly limit: string | number | null
  readonly remaining: string | number | null
  readonly resets_at?: string
}

/**
 * The decision velocity rules reach on a payout.
 *
 * @example
 * import type { VelocityAction } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const a: VelocityAction = 'review'
 * assert.equal(a, 'review')
 */
export type VelocityAction = 'allow' | 'review' | 'block'

/**
 * A velocity verdict: the action, the rule set version used, and one outcome per rule that applies
 * to the payout (enabled, filters passed), ordered by rule id.
 *
 * @example
 * import type { Verdict } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const v: Verdict = { action: 'allow', rule_set_version: 7, triggered_rules: [] }
 * assert.equal(v.rule_set_version, 7)
 */
export interface Verdict {
  readonly action: VelocityAction
  readonly rule_set_version: number
  readonly triggered_rules: ReadonlyArray<RuleOutcome>
}

/**
 * An exchange rate: units of `to` per unit of `from`, a decimal string.
 *
 * @example
 * import type { ExchangeRate } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const r: ExchangeRate = { from: 'EUR', to: 'USD', rate: '1.08' }
 * assert.equal(r.rate, '1.08')
 */
export interface ExchangeRate {
  readonly from: string
  readonly to: string
  readonly rate: string
}

/**
 * Options of `evaluate` and `backtest`: exchange rates that let amounts in other currencies count
 * towards a rule's currency (none by default: other currencies do not count), and the rounding of
 * each conversion (`half-even` by default). Each currency's total is converted once, exactly, then
 * rounded to the rule currency's minor unit.
 *
 * @example
 * import type { EvaluateOptions } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const options: EvaluateOptions = { rates: [{ from: 'EUR', to: 'USD', rate: '1.08' }], rounding: 'half-up' }
 * assert.equal(options.rates?.length, 1)
 */
export interface EvaluateOptions {
  readonly rates?: ReadonlyArray<ExchangeRate>
  readonly rounding?: Rounding
}

/**
 * Why `evaluate` could not decide: bad options or a payout older than the ledger's latest
 * (`ValidationError`), or rules whose windows the ledger does not track (`UntrackedRules`).
 *
 * @example
 * import type { EvaluateError } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const e: EvaluateError = { _tag: 'UntrackedRules', ruleIds: ['daily'] }
 * assert.equal(e._tag, 'UntrackedRules')
 */
export type EvaluateError =
  | ValidationError
  | { readonly _tag: 'UntrackedRules'; readonly ruleIds: ReadonlyArray<string> }

// ---------------------------------------------------------------- wording

const distinctNames: Readonly<Record<DistinctField, string>> = {
  beneficiary: 'beneficiaries',
  instrument: 'instruments',
  destination_country: 'destination countries',
}

const describe = (
  kind: RuleKind,
  a: Assessment,
): Pick<RuleOutcome, 'reason' | 'observed' | 'limit' | 'remaining'> => {
  switch (a.measure) {
    case 'country':
      return {
        reason: a.triggered
          ? `destination country ${a.country} is blocked`
          : `destination country ${a.country} is not blocked`,
        observed: a.country,
        limit: null,
        remaining: null,
      }
    case 'count': {
      const what =
        kind === 'duplicate_detection'
          ? 'payouts of this amount to this beneficiary in the window'
          : 'payouts in the window'
      return {
        reason: a.triggered
          ? `${a.observed} ${what} exceed the limit of ${a.limit}`
          : `${a.observed} ${what}, within the limit of ${a.limit}`,
        observed: a.observed,
        limit: a.limit,
        remaining: Math.max(0, a.limit - a.observed),
      }
    }
    case 'distinct': {
      const what = `distinct ${distinctNames[a.of]} in the window`
      return {
        reason: a.triggered
          ? `${a.observed} ${what} exceed the limit of ${a.limit}`
          : `${a.observed} ${what}, within the limit of ${a.limit}`,
        observed: a.observed,
        limit: a.limit,
        remaining: Math.max(0, a.limit - a.observed),
      }
    }
    case 'amount': {
      const show = (n: bigint) => formatMoney(money(n, a.currency))
      const observed = BigInt(a.observed)
      const what = kind === 'max_amount_per_txn' ? 'payout amount' : 'window total'
      return {
        reason: a.triggered
          ? `${what} ${show(observed)} ${a.currency} exceeds the limit ${show(a.limit)} ${a.currency}`
          : `${what} ${show(observed)} ${a.currency}, within the limit ${show(a.limit)} ${a.currency}`,
        observed: show(observed),
        limit: show(a.limit),
        remaining: show(a.limit > observed ? a.limit - observed : 0n),
      }
    }
  }
}

// ---------------------------------------------------------------- operations

/**
 * The verdict the rule set reaches on a payout given the ledger — a what-if: the ledger is not
 * changed (record the payout with `recordPayout` if it goes ahead). Limits are inclusive: usage plus
 * this payout up to the limit passes.
 *
 * @example
 * import { emptyLedger, evaluate, parseRuleSet, payout, recordPayout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 2, rules: [{ id: 'daily', name: 'Daily cap', kind: 'max_daily_amount',
 *   action: 'block', enabled: true, threshold: '1000.00', currency: 'USD',
 *   window: { type: 'calendar', unit: 'day', time_zone: 'UTC' } }] })
 * const at = (id: string, amount: string, createdAt: number) => payout({ id, merchantId: 'mer_1', beneficiaryId: 'ben_1',
 *   instrumentId: 'ins_1', instrumentType: 'bank_account', destinationCountry: 'PH', amount, currency: 'USD', createdAt })
 * const first = at('pay_1', '600.00', Date.UTC(2026, 0, 1, 9))
 * const second = at('pay_2', '400.01', Date.UTC(2026, 0, 1, 17))
 * assert.ok(E.isRight(rs) && E.isRight(first) && E.isRight(second))
 * const ledger = recordPayout(emptyLedger(rs.right), first.right)
 * assert.ok(E.isRight(ledger))
 * const verdict = evaluate(rs.right, ledger.right, second.right)
 * assert.ok(E.isRight(verdict))
 * assert.equal(verdict.right.action, 'block')
 * assert.equal(verdict.right.rule_set_version, 2)
 * assert.deepEqual(verdict.right.triggered_rules[0], { rule_id: 'daily', kind: 'max_daily_amount', action: 'block',
 *   triggered: true, reason: 'window total 1000.01 USD exceeds the limit 1000.00 USD', observed: '1000.01',
 *   limit: '1000.00', remaining: '0.00', resets_at: '2026-01-02T00:00:00.000Z' })
 */
export const evaluate = (
  ruleSet: RuleSet,
  ledger: Ledger,
  payout: Payout,
  options?: EvaluateOptions,
): E.Either<EvaluateError, Verdict> => {
  const conversions = conversionsOf(options)
  if (E.isLeft(conversions)) return conversions
  const store = storeOf(ledger)
  if (payout.createdAt < store.clock)
    return E.left({
      _tag: 'ValidationError',
      problems: [
        {
          field: 'created_at',
          message: 'is before the latest payout the ledger holds; a what-if looks forward from the ledger',
        },
      ],
    })
  const fact = factOf(payout)
  const outcomes: RuleOutcome[] = []
  const untracked: string[] = []
  for (const rule of ruleSet.rules) {
    const a = assess(compileRule(rule), store, fact, payout, conversions.right)
    if (a === null) continue
    if (a === 'untracked') {
      untracked.push(rule.id)
      continue
    }
    const resetsAt = a.measure === 'country' ? undefined : a.resetsAt
    outcomes.push({
      rule_id: rule.id,
      kind: rule.kind,
      action: rule.action,
      triggered: a.triggered,
      ...describe(rule.kind, a),
      ...(resetsAt === undefined ? {} : { resets_at: new Date(resetsAt).toISOString() }),
    })
  }
  if (untracked.length > 0) return E.left({ _tag: 'UntrackedRules', ruleIds: untracked.sort() })
  outcomes.sort((x, y) => (x.rule_id < y.rule_id ? -1 : x.rule_id > y.rule_id ? 1 : 0))
  return E.right({ action: actionOf(outcomes), rule_set_version: ruleSet.version, triggered_rules: outcomes })
}
