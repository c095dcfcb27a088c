/**
 * fast-check arbitraries for evaluations, valid by construction: payouts to evaluate with their
 * parties and maker, and contexts for a given payout in which any stage may be missing — sanctions
 * lists that sometimes carry the payout's own parties (hits and possible matches), velocity rules
 * with a ledger or the records of a keyed store built from a history before the payout, an engine
 * answer or none, a checker who is sometimes the maker.
 */
import type { EpochMillis, EvaluationId, Versioned } from '@payout-kernel/core'
import { arbId } from '@payout-kernel/core/testing'
import { arbPayoutConfig } from '@payout-kernel/payout-machine/testing'
import {
  buildSanctionsIndex,
  defaultScreeningConfig,
  type ListId,
  ofacSdnListId,
  openSanctionsListId,
  type SanctionsList,
} from '@payout-kernel/screening'
import {
  arbListEntry,
  arbName,
  arbNearDuplicate,
  arbParty,
  arbSanctionsList,
} from '@payout-kernel/screening/testing'
import type { RawRisk } from '@payout-kernel/trust'
import {
  decideKeyed,
  emptyLedger,
  evaluate,
  type Ledger,
  type Payout,
  type RuleSet,
  recordPayout,
  type VelocityReads,
  type VelocityRecord,
  velocityKeysOf,
} from '@payout-kernel/velocity'
import { arbPayout, arbRuleSet, interestingInstants } from '@payout-kernel/velocity/testing'
import fc from 'fast-check'
import * as E from '#fp-ts/Either'
import type {
  CheckerApproval,
  EngineAnswer,
  PayoutEvaluationContext,
  ScreeningContext,
  VelocityContext,
} from '../EvaluationContext.js'
import type { PayoutToEvaluate } from '../PayoutToEvaluate.js'

/** The merchant users the arbitraries draw makers and checkers from. */
const users = ['alice', 'bob', 'carol', 'dave'] as const

// ---------------------------------------------------------------- payouts

/**
 * Payouts to evaluate: a velocity payout (small pools of merchants, beneficiaries, countries and
 * currencies, near DST changes and month ends), a beneficiary, sometimes a sending counterparty,
 * and a maker most of the time. Its id (`pay_Z…`) never collides with the `pay_<n>` of a history.
 *
 * @example
 * import { arbPayoutToEvaluate } from '@payout-kernel/evaluation/testing'
 * import { payoutToEvaluateProblems } from '@payout-kernel/evaluation'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbPayoutToEvaluate, (p) => payoutToEvaluateProblems(p).length === 0))
 */
export const arbPayoutToEvaluate: fc.Arbitrary<PayoutToEvaluate> = fc
  .record({
    id: arbId('pay_', 12).map((id) => `pay_Z${id.slice(4)}`),
    at: fc.tuple(fc.constantFrom(...interestingInstants), fc.integer({ min: 0, max: 3 * 86_400_000 })),
    beneficiary: arbParty(),
    sendingCounterparty: fc.option(arbParty(), { nil: undefined, freq: 2 }),
    makerId: fc.option(fc.constantFrom(...users), { nil: undefined, freq: 6 }),
  })
  .chain(({ id, at: [anchor, offset], beneficiary, sendingCounterparty, makerId }) =>
    arbPayout(id, anchor + offset).map(
      (p): PayoutToEvaluate => ({
        ...p,
        beneficiary,
        ...(sendingCounterparty === undefined ? {} : { sendingCounterparty }),
        ...(makerId === undefined ? {} : { makerId }),
      }),
    ),
  )

// ---------------------------------------------------------------- velocity

/** Payouts before `createdAt`, in time order, ids `pay_0`, `pay_1`, … */
const arbHistoryBefore = (createdAt: number, maxLength: number): fc.Arbitrary<ReadonlyArray<Payout>> =>
  fc
    .array(fc.oneof(fc.constantFrom(0, 1, 60_000, 3_600_000), fc.integer({ min: 0, max: 6 * 3_600_000 })), {
      maxLength,
    })
    .chain((gaps) => {
      let t = createdAt
      const times = gaps.map((g) => {
        t -= g
        return t
      })
      times.reverse()
      return times.length === 0
        ? fc.constant<Payout[]>([])
        : fc.tuple(...times.map((time, i) => arbPayout(`pay_${i}`, time)))
    })

/** A ledger holding the history as it happened: each payout evaluated, and recorded unless blocked. */
const ledgerOf = (ruleSet: RuleSet, history: ReadonlyArray<Payout>): Ledger => {
  let ledger = emptyLedger(ruleSet)
  for (const p of history) {
    const verdict = evaluate(ruleSet, ledger, p)
    if (E.isRight(verdict) && verdict.right.action === 'block') continue
    const recorded = recordPayout(ledger, p)
    if (E.isRight(recorded)) ledger = recorded.right
  }
  return ledger
}

/** What a keyed store holds after the same history (each decision's writes applied), read under the payout's keys. */
const readsOf = (ruleSet: RuleSet, history: ReadonlyArray<Payout>, payout: Payout): VelocityReads => {
  const records = new Map<string, Versioned<VelocityRecord>>()
  const read = (p: Payout): VelocityReads =>
    new Map(velocityKeysOf(ruleSet, p).map((k) => [k.id, records.get(k.id) ?? null]))
  for (const p of history) {
    const decided = decideKeyed(ruleSet, read(p), p)
    if (E.isLeft(decided)) continue
    for (const w of decided.right.writes) {
      if (w.value === null) records.delete(w.key)
      else records.set(w.key, { version: (records.get(w.key)?.version ?? 0) + 1, value: w.value })
    }
  }
  return read(payout)
}

/**
 * The velocity part of a context two ways from one history before the payout (a random rule set;
 * each earlier payout evaluated and recorded unless blocked): on a ledger, and as the records a
 * keyed store holding the same history reads under the payout's keys. Both give the same verdict.
 *
 * @example
 * import { arbPayoutToEvaluate, arbVelocityContexts } from '@payout-kernel/evaluation/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * const [p] = fc.sample(arbPayoutToEvaluate, 1)
 * assert.ok(p !== undefined)
 * for (const { ledger, keyed } of fc.sample(arbVelocityContexts(p), 3)) {
 *   assert.ok(ledger.ledger !== undefined && ledger.reads === undefined)
 *   assert.ok(keyed.reads !== undefined && keyed.ledger === undefined)
 *   assert.equal(ledger.ruleSet, keyed.ruleSet)
 * }
 */
export const arbVelocityContexts = (
  payout: PayoutToEvaluate,
  maxHistory = 12,
): fc.Arbitrary<{ readonly ledger: VelocityContext; readonly keyed: VelocityContext }> =>
  fc
    .record({ ruleSet: arbRuleSet(4), history: arbHistoryBefore(payout.createdAt, maxHistory) })
    .map(({ ruleSet, history }) => ({
      ledger: { ruleSet, ledger: ledgerOf(ruleSet, history) },
      keyed: { ruleSet, reads: readsOf(ruleSet, history, payout) },
    }))

// ---------------------------------------------------------------- contexts

/**
 * How the contexts are generated: how often each stage has what it needs, from 0 (never) to 1
 * (always), and how long the velocity history before the payout is at most.
 *
 * @example
 * import { arbPayoutEvaluationInput, type ContextOptions } from '@payout-kernel/evaluation/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * const complete: ContextOptions = { present: 1, maxHistory: 4 }
 * for (const { context } of fc.sample(arbPayoutEvaluationInput(complete), 5)) assert.ok(context.engine !== undefined)
 */
export interface ContextOptions {
  /** The chance that each stage has what it needs (default 0.85); a missing stage is missing in one of its ways. */
  readonly present?: number
  /** The longest velocity history before the payout (default 12). */
  readonly maxHistory?: number
}

const maybe = <A, B>(
  present: number,
  full: fc.Arbitrary<A>,
  missing: fc.Arbitrary<B>,
): fc.Arbitrary<A | B> => {
  const weight = Math.round(present * 100)
  return weight >= 100
    ? full
    : weight <= 0
      ? missing
      : fc.oneof({ weight, arbitrary: full }, { weight: 100 - weight, arbitrary: missing })
}

/**
 * Contexts for one payout, valid by construction, any stage possibly missing:
 * - screening: lists whose entries are random names or near-duplicates of the payout's parties
 *   (typos, reordering, honorifics: hits, possible matches and clears), sometimes a stricter
 *   configuration; or missing (no screening part, no index, an index with no entry);
 * - velocity: a random rule set with a ledger, or with the records a keyed store read, both after
 *   a history before the payout; or missing (nothing, no rule set, no ledger);
 * - engine: a raw risk (often high) or unreachable, or no answer;
 * - approval: a checker (sometimes the maker) approving up to an hour after `evaluatedAt`, or none;
 * - any policy (`arbPayoutConfig`: every review tier, maker-checker on or off, random bands).
 *
 * @example
 * import { arbPayoutEvaluationContext, arbPayoutToEvaluate } from '@payout-kernel/evaluation/testing'
 * import { evaluatePayout } from '@payout-kernel/evaluation'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(
 *   fc.property(
 *     arbPayoutToEvaluate.chain((p) => arbPayoutEvaluationContext(p).map((c) => [p, c] as const)),
 *     ([p, c]) => E.isRight(evaluatePayout(p, c)),
 *   ),
 *   { numRuns: 20 },
 * )
 */
export const arbPayoutEvaluationContext = (
  payout: PayoutToEvaluate,
  options: ContextOptions = {},
): fc.Arbitrary<PayoutEvaluationContext> => {
  const present = options.present ?? 0.85
  const partyNames = [
    payout.beneficiary.name,
    ...(payout.sendingCounterparty ? [payout.sendingCounterparty.name] : []),
  ]
  const nearParty = fc.oneof(...partyNames.map((n) => arbNearDuplicate(n)))
  // one entry for sure (an empty index is generated among the missing cases), named like one of
  // the payout's parties on a quarter of the lists, the others random names (which, as measured,
  // practically never match a random party)
  const listOf = (id: ListId, first: fc.Arbitrary<string>): fc.Arbitrary<SanctionsList> =>
    fc
      .tuple(arbListEntry(id, first), arbSanctionsList(id, 5))
      .map(([entry, list]) => ({ id, entries: [entry, ...list.entries.filter((e) => e.id !== entry.id)] }))
  const screening: fc.Arbitrary<ScreeningContext | undefined> = maybe(
    present,
    fc
      .record({
        first: fc.oneof({ weight: 3, arbitrary: arbName }, { weight: 1, arbitrary: nearParty }),
        second: fc.boolean(),
        config: fc.option(
          fc.constantFrom({ ...defaultScreeningConfig, hitThreshold: 0.97, possibleThreshold: 0.8 }),
          { nil: undefined, freq: 4 },
        ),
      })
      .chain(({ first, second, config }) =>
        (second
          ? fc.tuple(listOf(ofacSdnListId, fc.constant(first)), listOf(openSanctionsListId, arbName))
          : fc.tuple(listOf(ofacSdnListId, fc.constant(first)))
        ).map((lists): ScreeningContext => {
          const index = buildSanctionsIndex(lists)
          return config === undefined ? { index } : { index, config }
        }),
      ),
    fc.constantFrom<ScreeningContext | undefined>(undefined, {}, { index: buildSanctionsIndex([]) }),
  )
  const velocity: fc.Arbitrary<VelocityContext | undefined> = maybe(
    present,
    fc
      .tuple(arbVelocityContexts(payout, options.maxHistory ?? 12), fc.boolean())
      .map(([both, keyed]) => (keyed ? both.keyed : both.ledger)),
    fc.oneof(
      fc.constant<VelocityContext | undefined>(undefined),
      fc.constant<VelocityContext>({}),
      arbRuleSet(2).map((ruleSet): VelocityContext => ({ ruleSet })),
      arbRuleSet(2).map((ruleSet): VelocityContext => ({ ledger: emptyLedger(ruleSet) })),
    ),
  )
  const engine: fc.Arbitrary<EngineAnswer | undefined> = maybe(
    present,
    fc
      .record({
        rawScore: fc.oneof(
          fc.integer({ min: 0, max: 1000 }),
          fc.constantFrom(0, 299, 300, 423, 599, 600, 720, 849, 850, 1000),
        ),
        evaluationId: arbId('eval_', 12),
      })
      .map(
        ({ rawScore, evaluationId }): EngineAnswer => ({
          outcome: 'scored',
          rawScore: rawScore as RawRisk,
          evaluationId: evaluationId as EvaluationId,
        }),
      ),
    fc.constantFrom<EngineAnswer | undefined>(
      undefined,
      { outcome: 'unreachable' },
      { outcome: 'unreachable', reason: 'timeout' },
    ),
  )
  return fc
    .record({
      delay: fc.integer({ min: 0, max: 60_000 }),
      config: arbPayoutConfig,
      screening,
      velocity,
      engine,
      approval: maybe(
        present,
        fc.record({ checkerId: fc.constantFrom(...users), after: fc.integer({ min: 0, max: 3_600_000 }) }),
        fc.constant(undefined),
      ),
    })
    .map(({ delay, config, screening, velocity, engine, approval }) => {
      const evaluatedAt = (payout.createdAt + delay) as EpochMillis
      const checker: CheckerApproval | undefined =
        approval === undefined
          ? undefined
          : { checkerId: approval.checkerId, approvedAt: (evaluatedAt + approval.after) as EpochMillis }
      return {
        evaluatedAt,
        config,
        ...(screening === undefined ? {} : { screening }),
        ...(velocity === undefined ? {} : { velocity }),
        ...(engine === undefined ? {} : { engine }),
        ...(checker === undefined ? {} : { approval: checker }),
      }
    })
}

/**
 * A payout to evaluate with a context for it (`arbPayoutToEvaluate`, `arbPayoutEvaluationContext`).
 *
 * @example
 * import { arbPayoutEvaluationInput } from '@payout-kernel/evaluation/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * for (const { payout, context } of fc.sample(arbPayoutEvaluationInput(), 5)) assert.ok(context.evaluatedAt >= payout.createdAt)
 */
export const arbPayoutEvaluationInput = (
  options: ContextOptions = {},
): fc.Arbitrary<{ readonly payout: PayoutToEvaluate; readonly context: PayoutEvaluationContext }> =>
  arbPayoutToEvaluate.chain((payout) =>
    arbPayoutEvaluationContext(payout, options).map((context) => ({ payout, context })),
  )
