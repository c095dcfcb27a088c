/**
 * Keyed velocity: the ledger's decisions as reads and writes of a few named records, so that many
 * service instances share one truth through a store (a PostgreSQL table, or the in-memory store
 * here). A live payout reads, per tracker of the rule set it passes the filters of (rules with the
 * same grouping, window and filters share one), the usage record of its group key in the window
 * bucket it falls in, plus its own record; the decision returns the verdict and, unless it blocks,
 * the writes that record it, each conditional on the version read. Same answers as `evaluate`,
 * `recordPayout` and `releasePayout` on a ledger holding the same history.
 *
 * Records are plain JSON (money as integer minor units in decimal strings) and stay bounded:
 * - a calendar window has one row per group key and period (key ends in the period's start), which
 *   expires at the period's end;
 * - a rolling window has one row per group key holding only its events still inside the window as
 *   of its latest event (older ones are dropped at each write); it expires `w` after that event,
 *   and stays until then even when releases empty it (its time must not go back);
 * - a lifetime window has one row of totals per group key, deleted when releases empty it;
 * - a payout's own record (what it counted where, for release) expires when no window counts it.
 *
 * A rolling row's time never goes back (as a rescore quota log's): a payout created before the
 * row's latest event is evaluated and recorded in that row at the row's latest time, never refused
 * for its order — with many instances, payouts stamped a few milliseconds apart commit in any
 * order. Each rolling row records the time it used (its event's `t`; the payout's own record keeps
 * it when later than `created_at`, so a release takes back exactly that event). On streams in time
 * order this is the ledger's answer exactly. Calendar and lifetime rows take payouts in any order,
 * at `created_at`. `prune` must be given a time no payout still to be decided is older than.
 */
import {
  type ConditionalWrite,
  decodeWith,
  type ValidationError,
  type ValidationProblem,
  type Versioned,
  versionRead,
  withinField,
} from '@payout-kernel/core'
import type * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import {
  type AnyRecord,
  addSum,
  addValue,
  type CalendarUsage,
  type Counted,
  type LifetimeUsage,
  type PayoutCounted,
  RecordCodec,
  type RollingUsage,
} from './internal/KeyedRecords.js'
import { misplaced, payoutKey, rowTime, type Slot, slotsOf, storeFrom } from './internal/KeyedTrackers.js'
import { type Fact, factOf } from './internal/Store.js'
import { handle } from './internal/Versions.js'
import type { Payout } from './Payout.js'
import type { RuleSet } from './RuleSet.js'
import type { CalendarPeriod } from './VelocityWindow.js'
import { type EvaluateError, type EvaluateOptions, evaluate, type Verdict } from './Verdict.js'

// ---------------------------------------------------------------- model

/**
 * The key of one velocity record. `id` is its stable string form (a database primary key: ASCII,
 * `/`-separated, `p/…` for a payout's own record and `u/…` for usage, so sorting ids gives one
 * fixed lock order). A usage key names the tracker (`t` and 32 hex digits of its signature's
 * SHA-256), the payout's group key within its merchant and, for a calendar window, the period.
 *
 * @example
 * import type { VelocityKey } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const own: VelocityKey = { kind: 'payout', id: 'p/pay_1', payoutId: 'pay_1' }
 * assert.equal(own.id, 'p/pay_1')
 */
export type VelocityKey =
  | {
      readonly kind: 'usage'
      readonly id: string
      readonly window: 'rolling' | 'calendar' | 'lifetime'
      readonly tracker: string
      readonly group: string
      readonly period: CalendarPeriod | null
    }
  | { readonly kind: 'payout'; readonly id: string; readonly payoutId: string }

/**
 * A velocity record, as JSON: a calendar period's usage (`count`, `sums` per currency, distinct
 * `values`), a lifetime's usage, a rolling window's live `events`, or a payout's own record (where
 * it `counted`, for release; a rolling row's entry has `at`, the time the row recorded it at, when
 * that is later than the record's `t` — entries without it, as every record written before it
 * existed, mean `t`). Money is integer minor units in decimal strings.
 *
 * @example
 * import type { VelocityRecord } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const r: VelocityRecord = { kind: 'lifetime', born: '0/pay_1', count: 1, sums: { USD: '25000' }, values: {} }
 * assert.equal(r.kind, 'lifetime')
 */
export type VelocityRecord = AnyRecord

/**
 * What a decision read: every key it asked for, `null` when the store holds no record under it.
 *
 * @example
 * import type { VelocityReads } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const reads: VelocityReads = new Map([['p/pay_1', null]])
 * assert.equal(reads.get('p/pay_1'), null)
 */
export type VelocityReads = ReadonlyMap<string, Versioned<VelocityRecord> | null>

/**
 * One write of a keyed velocity decision: the record under `key` becomes `value` (`null` deletes
 * it), only if it is still at the version read (`expected`, `null` when it read none).
 *
 * @example
 * import type { VelocityWrite } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const w: VelocityWrite = { key: 'p/pay_1', expected: 4, value: null }
 * assert.equal(w.value, null)
 */
export interface VelocityWrite extends ConditionalWrite<VelocityRecord> {
  readonly key: string
}

/**
 * The outcome of evaluate-and-record: the verdict, and the writes that record the payout (none
 * when the verdict blocks: a blocked payout never counts).
 *
 * @example
 * import type { KeyedDecision } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const d: KeyedDecision = { verdict: { action: 'block', rule_set_version: 1, triggered_rules: [] }, writes: [] }
 * assert.equal(d.writes.length, 0)
 */
export interface KeyedDecision {
  readonly verdict: Verdict
  readonly writes: ReadonlyArray<VelocityWrite>
}

/**
 * A keyed decision as plain data for a store to run in one transaction: `Read` names keys and
 * continues with everything read so far; `Done` gives the result and the writes; `Refused` an
 * error (nothing is written). A store may run a step again from the start (it is pure).
 *
 * @example
 * import type { VelocityStep } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const step: VelocityStep<never, number> = { _tag: 'Read', keys: ['p/pay_1'],
 *   next: (reads) => ({ _tag: 'Done', result: reads.size, writes: [] }) }
 * assert.equal(step._tag, 'Read')
 */
export type VelocityStep<Err, A> =
  | {
      readonly _tag: 'Read'
      readonly keys: ReadonlyArray<string>
      /** The rest of the decision, given the records read. */
      readonly next: (reads: VelocityReads) => VelocityStep<Err, A>
    }
  | { readonly _tag: 'Done'; readonly result: A; readonly writes: ReadonlyArray<VelocityWrite> }
  | { readonly _tag: 'Refused'; readonly error: Err }

/**
 * Why a store could not run a decision: it is unreachable, timed out, or kept losing races past
 * its retries (`VelocityStoreUnavailable`; nothing was written), or a record it holds does not
 * decode (`ValidationError` naming the key and field). Never an allow.
 *
 * @example
 * import type { VelocityStoreError } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const e: VelocityStoreError = { _tag: 'VelocityStoreUnavailable', reason: 'timeout', message: 'lock wait', attempts: 1 }
 * assert.equal(e._tag, 'VelocityStoreUnavailable')
 */
export type VelocityStoreError =
  | {
      readonly _tag: 'VelocityStoreUnavailable'
      readonly reason: 'unreachable' | 'timeout' | 'contention' | 'failure'
      readonly message: string
      readonly attempts: number
    }
  | ValidationError

/**
 * A store of velocity records: `run` makes one decision one atomic unit (it reads the keys the
 * step names, applies every write of `Done` if each record is still at the version read, or
 * nothing), `prune` deletes the records expired at `now` and resolves to how many.
 *
 * @example
 * import { inMemoryVelocityStore, type VelocityRecordStore } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store: VelocityRecordStore = inMemoryVelocityStore()
 * assert.deepEqual(await store.prune(0), E.right(0))
 */
export interface VelocityRecordStore {
  /** Runs one decision as one atomic unit: its reads, then all of its writes or none. */
  readonly run: <Err, A>(step: VelocityStep<Err, A>) => Promise<E.Either<Err | VelocityStoreError, A>>
  /** Deletes the records expired at `now`; resolves to how many. */
  readonly prune: (now: number) => Promise<E.Either<VelocityStoreError, number>>
}

/**
 * The in-memory store: a `VelocityRecordStore` over a Map (records kept as JSON, decoded on every
 * read, as a database would), plus `records` to look inside.
 *
 * @example
 * import { inMemoryVelocityStore, type InMemoryVelocityStore } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const store: InMemoryVelocityStore = inMemoryVelocityStore()
 * assert.equal(store.records().size, 0)
 */
export interface InMemoryVelocityStore extends VelocityRecordStore {
  /** The records as stored (their JSON and version), by key. */
  readonly records: () => ReadonlyMap<string, Versioned<unknown>>
}

// ---------------------------------------------------------------- codecs

/**
 * The io-ts codec of velocity records: decodes what a store read back, naming the bad field
 * (`events.0.minor`); encodes to the same JSON.
 *
 * @example
 * import { VelocityRecord } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(VelocityRecord.decode({ kind: 'lifetime', born: '0/pay_1', count: 1, sums: { USD: '5' }, values: {} })))
 * assert.ok(E.isLeft(VelocityRecord.decode({ kind: 'lifetime', born: '0/pay_1', count: 1, sums: { USD: 5 }, values: {} })))
 */
export const VelocityRecord: t.Type<VelocityRecord, VelocityRecord, unknown> = RecordCodec

/**
 * Decodes a stored velocity record: the record, or a `ValidationError` naming each bad field.
 *
 * @example
 * import { decodeVelocityRecord } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const bad = decodeVelocityRecord({ kind: 'rolling', latest: 10, until: 70, events: [{ id: 'pay_1', t: 10, currency: 'USD', minor: 1.5, value: null }] })
 * assert.ok(E.isLeft(bad))
 * assert.equal(bad.left.problems[0]?.field, 'events.0.minor')
 */
export const decodeVelocityRecord: (u: unknown) => E.Either<ValidationError, VelocityRecord> =
  /* @__PURE__ */ decodeWith(RecordCodec)

// ---------------------------------------------------------------- keys

/**
 * The key of a payout's own record (what it counted where; read to release it).
 *
 * @example
 * import { velocityPayoutKey } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(velocityPayoutKey('pay_1'), { kind: 'payout', id: 'p/pay_1', payoutId: 'pay_1' })
 */
export const velocityPayoutKey = (payoutId: string): VelocityKey => ({
  kind: 'payout',
  id: payoutKey(payoutId),
  payoutId,
})

const keyOf = (slot: Slot): VelocityKey => ({
  kind: 'usage',
  id: slot.key,
  window: slot.spec.window.type,
  tracker: slot.spec.name,
  group: slot.group,
  period: slot.period,
})

/**
 * The keys evaluating and recording a live payout reads: its own record, and its usage record in
 * each tracker of the rule set whose filters it passes (enabled rules or not: a disabled rule keeps
 * its usage), sorted by `id` (the order a store locks them in).
 *
 * @example
 * import { parseRuleSet, payout, velocityKeysOf } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'daily', name: 'Daily', kind: 'max_daily_amount',
 *   action: 'block', enabled: true, threshold: '1000.00', currency: 'USD' }] })
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '250.00', currency: 'USD', createdAt: Date.UTC(2026, 0, 1, 9) })
 * assert.ok(E.isRight(rs) && E.isRight(p))
 * const keys = velocityKeysOf(rs.right, p.right)
 * assert.deepEqual(keys.map((k) => k.kind), ['payout', 'usage'])
 * const day = keys[1]
 * assert.ok(day?.kind === 'usage' && day.group === 'mer_1' && day.period?.start === Date.UTC(2026, 0, 1))
 * assert.ok(day.id.endsWith(`/mer_1/${Date.UTC(2026, 0, 1)}`))
 */
export const velocityKeysOf = (ruleSet: RuleSet, payout: Payout): ReadonlyArray<VelocityKey> =>
  [velocityPayoutKey(payout.id), ...slotsOf(ruleSet, payout, factOf(payout)).map(keyOf)].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  )

/**
 * The usage keys a payout's own record counted it in: what releasing it reads next.
 *
 * @example
 * import { countedKeysOf } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(countedKeysOf({ kind: 'payout', id: 'pay_1', t: 0, liveUntil: null, currency: 'USD', minor: '5',
 *   counted: [{ key: 'u/tx/mer_1', born: '0/pay_1', value: null }] }), ['u/tx/mer_1'])
 * assert.deepEqual(countedKeysOf({ kind: 'lifetime', born: '0/pay_1', count: 1, sums: {}, values: {} }), [])
 */
export const countedKeysOf = (record: VelocityRecord): ReadonlyArray<string> =>
  record.kind === 'payout' ? record.counted.map((c) => c.key) : []

/**
 * Until when (epoch ms, exclusive) a record matters; after that a store may delete it. `null`:
 * never (a lifetime window's totals, or a payout a lifetime window counts).
 *
 * @example
 * import { velocityRecordExpiry } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(velocityRecordExpiry({ kind: 'rolling', latest: 1000, until: 61_000, events: [] }), 61_000)
 * assert.equal(velocityRecordExpiry({ kind: 'lifetime', born: '0/pay_1', count: 1, sums: {}, values: {} }), null)
 */
export const velocityRecordExpiry = (record: VelocityRecord): number | null => {
  switch (record.kind) {
    case 'calendar':
      return record.end
    case 'rolling':
      return record.until
    case 'lifetime':
      return null
    case 'payout':
      return record.liveUntil
  }
}

// ---------------------------------------------------------------- decisions

const invalid = (problems: ReadonlyArray<ValidationProblem>): E.Either<ValidationError, never> =>
  E.left({ _tag: 'ValidationError', problems })

const notRead = (key: string): ValidationProblem => ({
  field: key,
  message: 'was not read: give the decision every key it names (null when absent)',
})

/** Checks the reads fit their keys; `undefined` when they do. */
const refuseReads = (
  slots: ReadonlyArray<Slot>,
  reads: VelocityReads,
  payout: Payout,
): E.Either<ValidationError, never> | undefined => {
  const problems = misplaced(slots, reads, payoutKey(payout.id))
  return problems.length > 0 ? invalid(problems) : undefined
}

/**
 * The verdict on a payout from the records it reads (keys from `velocityKeysOf`): the same
 * `Either` as `evaluate` on a ledger holding the same history. A what-if: it writes nothing. A
 * tracker whose key was not read leaves its rules `UntrackedRules`; a record that cannot belong
 * under its key is a `ValidationError`.
 *
 * Time: a rolling rule is assessed at its row's time — the later of `created_at` and the row's
 * latest event — so `observed` and `remaining` count the row's events in the window ending then,
 * plus the payout. Each rolling row has its own time; rolling outcomes carry no `resets_at`.
 * Calendar rules (their period and `resets_at`), lifetime rules, per-payout rules and a
 * `new_beneficiary_limit` rule's age test use `created_at`, whatever the order.
 *
 * @example
 * import { evaluateKeyed, parseRuleSet, payout, velocityKeysOf } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'count', name: 'Daily count', kind: 'max_daily_count',
 *   action: 'block', enabled: true, threshold: 1, window: { type: 'calendar', unit: 'day', time_zone: 'UTC' } }] })
 * const p = payout({ id: 'pay_2', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '10.00', currency: 'USD', createdAt: Date.UTC(2026, 0, 1, 12) })
 * assert.ok(E.isRight(rs) && E.isRight(p))
 * const day = velocityKeysOf(rs.right, p.right).find((k) => k.kind === 'usage')
 * assert.ok(day?.kind === 'usage' && day.period !== null)
 * const usage = { kind: 'calendar', born: `${Date.UTC(2026, 0, 1, 9)}/pay_1`, start: day.period.start, end: day.period.end,
 *   count: 1, sums: { USD: '500' }, values: {} } as const
 * const verdict = evaluateKeyed(rs.right, new Map([[day.id, { version: 3, value: usage }]]), p.right)
 * assert.ok(E.isRight(verdict))
 * assert.equal(verdict.right.action, 'block') // 2 payouts today, over the limit of 1
 * assert.equal(evaluateKeyed(rs.right, new Map(), p.right)._tag, 'Left') // the day's record was not read
 */
export const evaluateKeyed = (
  ruleSet: RuleSet,
  reads: VelocityReads,
  payout: Payout,
  options?: EvaluateOptions,
): E.Either<EvaluateError, Verdict> => {
  const fact = factOf(payout)
  return verdictOf(ruleSet, reads, payout, fact, slotsOf(ruleSet, payout, fact), options)
}

const verdictOf = (
  ruleSet: RuleSet,
  reads: VelocityReads,
  payout: Payout,
  fact: Fact,
  slots: ReadonlyArray<Slot>,
  options: EvaluateOptions | undefined,
): E.Either<EvaluateError, Verdict> => {
  const refused = refuseReads(slots, reads, payout)
  if (refused !== undefined) return refused
  const store = storeFrom(ruleSet, slots, reads, fact)
  return evaluate(ruleSet, handle({ v: { kind: 'tip', store } }), payout, options)
}

const sumsOf = (currency: string, minor: bigint) => ({ [currency]: minor.toString() })

/**
 * The usage record of a slot with the payout counted in, how its own record finds it again, and
 * until when (exclusive; `null`: always) the slot counts it.
 */
const counting = (
  slot: Slot,
  read: VelocityRecord | null,
  payout: Payout,
  value: string | null,
): { readonly next: VelocityRecord; readonly counted: Counted; readonly until: number | null } => {
  const t = payout.createdAt
  const { currency, minor } = payout.amount
  const w = slot.spec.window
  const born = `${t}/${payout.id}`
  const values = value === null ? {} : { [value]: 1 }
  switch (w.type) {
    case 'rolling': {
      const prior = read?.kind === 'rolling' ? read.events : []
      // the row's time never goes back: a payout older than its latest event counts at that latest
      const at = rowTime(read, t)
      const until = at + w.seconds * 1000
      const next: RollingUsage = {
        kind: 'rolling',
        latest: at,
        until,
        events: [
          ...prior.filter((e) => e.t > at - w.seconds * 1000),
          { id: payout.id, t: at, currency, minor: minor.toString(), value },
        ],
      }
      return { next, counted: { key: slot.key, born: null, value, ...(at === t ? {} : { at }) }, until }
    }
    case 'calendar': {
      const period = slot.period ?? { start: t, end: t + 1 }
      const next: CalendarUsage =
        read?.kind === 'calendar'
          ? {
              ...read,
              count: read.count + 1,
              sums: addSum(read.sums, currency, minor),
              values: addValue(read.values, value, 1),
            }
          : {
              kind: 'calendar',
              born,
              start: period.start,
              end: period.end,
              count: 1,
              sums: sumsOf(currency, minor),
              values,
            }
      return { next, counted: { key: slot.key, born: next.born, value }, until: period.end }
    }
    case 'lifetime': {
      const next: LifetimeUsage =
        read?.kind === 'lifetime'
          ? {
              ...read,
              count: read.count + 1,
              sums: addSum(read.sums, currency, minor),
              values: addValue(read.values, value, 1),
            }
          : { kind: 'lifetime', born, count: 1, sums: sumsOf(currency, minor), values }
      return { next, counted: { key: slot.key, born: next.born, value }, until: null }
    }
  }
}

const byKey = (a: VelocityWrite, b: VelocityWrite): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

/**
 * Evaluate-and-record: the verdict from the reads, as `evaluateKeyed`, and unless it blocks (allow
 * and review count: the payout holds money) the writes that record the payout, each conditional
 * on the version read — its usage in every tracker it falls in, and its own record. Refused like
 * `recordPayout`: an id whose own record still counts somewhere is already recorded. Never refused
 * for its order: in a rolling row it is recorded at the time it was assessed at (the later of
 * `created_at` and the row's latest event; see `evaluateKeyed`), its own record noting that time
 * (`counted[i].at`) when it is not `created_at`, and the record lives until the last window that
 * counts it ends.
 *
 * @example
 * import { decideKeyed, evaluateKeyed, parseRuleSet, payout, velocityKeysOf } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'count', name: 'Daily count', kind: 'max_daily_count',
 *   action: 'block', enabled: true, threshold: 1 }] })
 * const at = (id: string, hour: number) => payout({ id, merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '10.00', currency: 'USD', createdAt: Date.UTC(2026, 0, 1, hour) })
 * const [first, second] = [at('pay_1', 9), at('pay_2', 10)]
 * assert.ok(E.isRight(rs) && E.isRight(first) && E.isRight(second))
 * // an empty store: every key reads null
 * const records = new Map(velocityKeysOf(rs.right, first.right).map((k) => [k.id, null]))
 * const decision = decideKeyed(rs.right, records, first.right)
 * assert.ok(E.isRight(decision))
 * assert.equal(decision.right.verdict.action, 'allow')
 * assert.deepEqual(decision.right.writes.map((w) => w.expected), [null, null]) // its own record and the day's
 * // the second payout reads what the first wrote
 * const written = new Map(decision.right.writes.map((w) => [w.key, w.value === null ? null : { version: 1, value: w.value }]))
 * const reads = new Map(velocityKeysOf(rs.right, second.right).map((k) => [k.id, written.get(k.id) ?? null]))
 * const next = evaluateKeyed(rs.right, reads, second.right)
 * assert.ok(E.isRight(next) && next.right.action === 'block')
 *
 * @example
 * import { decodeVelocityRecord, evaluateAndRecordStep, inMemoryVelocityStore, parseRuleSet, payout, releaseStep,
 *   velocityKeysOf } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'hour', name: 'Hourly count', kind: 'max_daily_count',
 *   action: 'block', enabled: true, threshold: 2, window: { type: 'rolling', seconds: 3600 } }] })
 * const nine = Date.UTC(2026, 0, 1, 9)
 * const at = (id: string, ms: number) => payout({ id, merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '10.00', currency: 'USD', createdAt: nine + ms })
 * // two instances stamp pay_2 5 ms before pay_1, but pay_1 commits first
 * const [first, late] = [at('pay_1', 10), at('pay_2', 5)]
 * assert.ok(E.isRight(rs) && E.isRight(first) && E.isRight(late))
 * const store = inMemoryVelocityStore()
 * await store.run(evaluateAndRecordStep(rs.right, first.right))
 * const verdict = await store.run(evaluateAndRecordStep(rs.right, late.right))
 * assert.ok(E.isRight(verdict) && verdict.right.action === 'allow') // never refused for its order
 * const hour = velocityKeysOf(rs.right, late.right).find((k) => k.kind === 'usage')?.id ?? ''
 * const row = decodeVelocityRecord(store.records().get(hour)?.value)
 * assert.ok(E.isRight(row) && row.right.kind === 'rolling')
 * assert.deepEqual(row.right.events.map((e) => [e.id, e.t - nine]), [['pay_1', 10], ['pay_2', 10]]) // at the row's time
 * const own = decodeVelocityRecord(store.records().get('p/pay_2')?.value)
 * assert.ok(E.isRight(own) && own.right.kind === 'payout')
 * assert.deepEqual([own.right.t - nine, own.right.counted[0]?.at], [5, nine + 10])
 * assert.deepEqual(await store.run(releaseStep('pay_2')), E.right(true)) // takes back exactly that event
 * const after = decodeVelocityRecord(store.records().get(hour)?.value)
 * assert.ok(E.isRight(after) && after.right.kind === 'rolling')
 * assert.deepEqual(after.right.events.map((e) => e.id), ['pay_1'])
 */
export const decideKeyed = (
  ruleSet: RuleSet,
  reads: VelocityReads,
  payout: Payout,
  options?: EvaluateOptions,
): E.Either<EvaluateError, KeyedDecision> => {
  const fact = factOf(payout)
  const slots = slotsOf(ruleSet, payout, fact)
  const verdict = verdictOf(ruleSet, reads, payout, fact, slots, options)
  if (E.isLeft(verdict)) return verdict
  if (verdict.right.action === 'block') return E.right({ verdict: verdict.right, writes: [] })
  const ownKey = payoutKey(payout.id)
  const own = reads.get(ownKey)
  if (own === undefined) return invalid([notRead(ownKey)])
  const t = payout.createdAt
  if (
    own !== null &&
    own.value.kind === 'payout' &&
    (own.value.liveUntil === null || own.value.liveUntil > t)
  )
    return invalid([{ field: 'id', message: `payout ${payout.id} is already recorded` }])
  const untracked = slots.filter((s) => reads.get(s.key) === undefined).flatMap((s) => s.spec.ruleIds)
  if (untracked.length > 0) return E.left({ _tag: 'UntrackedRules', ruleIds: [...new Set(untracked)].sort() })
  const writes: VelocityWrite[] = []
  const counted: Counted[] = []
  let liveUntil: number | null = t
  for (const slot of slots) {
    const read = reads.get(slot.key) ?? null
    const value = slot.spec.distinct === null ? null : fact.values[slot.spec.distinct]
    const c = counting(slot, read?.value ?? null, payout, value)
    writes.push({ key: slot.key, expected: versionRead(read), value: c.next })
    counted.push(c.counted)
    if (liveUntil !== null && (c.until === null || c.until > liveUntil)) liveUntil = c.until
  }
  if (counted.length > 0) {
    const record: PayoutCounted = {
      kind: 'payout',
      id: payout.id,
      t,
      liveUntil,
      currency: payout.amount.currency,
      minor: payout.amount.minor.toString(),
      counted,
    }
    writes.push({ key: ownKey, expected: versionRead(own), value: record })
  }
  return E.right({ verdict: verdict.right, writes: writes.sort(byKey) })
}

/**
 * A usage record without one counted payout; `null` when nothing is left (the row is deleted). A
 * rolling row is kept even when emptied, until it expires: its time must not go back, or a payout
 * older than its latest would count in a window whose events the row already dropped.
 */
const uncounting = (
  r: VelocityRecord,
  own: PayoutCounted,
  c: Counted,
): { readonly next: VelocityRecord | null } | undefined => {
  const minor = BigInt(own.minor)
  switch (r.kind) {
    case 'rolling': {
      const at = c.at ?? own.t
      const i = r.events.findIndex((e) => e.id === own.id && e.t === at)
      if (i < 0) return undefined
      return { next: { ...r, events: r.events.filter((_, j) => j !== i) } }
    }
    case 'calendar':
    case 'lifetime': {
      if (r.born !== c.born) return undefined
      if (r.count <= 1) return { next: null }
      return {
        next: {
          ...r,
          count: r.count - 1,
          sums: addSum(r.sums, own.currency, -minor),
          values: addValue(r.values, c.value, -1),
        },
      }
    }
    case 'payout':
      return undefined
  }
}

/**
 * Releasing a payout (it ended cancelled, failed, returned, screening_failed or velocity_blocked):
 * given its own record and the usage records it counted in (`countedKeysOf`), the writes that
 * give its usage back and delete its own record. Like `releasePayout`, an unknown or already
 * released id gives no writes; so does usage that no longer holds the payout (its window moved on).
 * A rolling row loses exactly the event it recorded (the payout's id at the time that row used:
 * `counted[i].at`, else the record's `t`) and keeps its time (`latest`, `until`), even with no
 * event left: it is deleted when it expires, so its time never goes back.
 *
 * @example
 * import { releaseKeyed } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const own = { kind: 'payout', id: 'pay_1', t: 0, liveUntil: null, currency: 'USD', minor: '500',
 *   counted: [{ key: 'u/tx/mer_1', born: '0/pay_1', value: null }] } as const
 * const usage = { kind: 'lifetime', born: '0/pay_1', count: 2, sums: { USD: '800' }, values: {} } as const
 * const writes = releaseKeyed('pay_1', new Map([['p/pay_1', { version: 1, value: own }], ['u/tx/mer_1', { version: 2, value: usage }]]))
 * assert.deepEqual(writes, E.right([
 *   { key: 'p/pay_1', expected: 1, value: null },
 *   { key: 'u/tx/mer_1', expected: 2, value: { ...usage, count: 1, sums: { USD: '300' } } },
 * ]))
 * assert.deepEqual(releaseKeyed('pay_9', new Map([['p/pay_9', null]])), E.right([]))
 */
export const releaseKeyed = (
  payoutId: string,
  reads: VelocityReads,
): E.Either<ValidationError, ReadonlyArray<VelocityWrite>> => {
  const ownKey = payoutKey(payoutId)
  const own = reads.get(ownKey)
  if (own === undefined) return invalid([notRead(ownKey)])
  if (own === null) return E.right([])
  const record = own.value
  if (record.kind !== 'payout' || record.id !== payoutId)
    return invalid([{ field: `${ownKey}.kind`, message: `must be the payout record of ${payoutId}` }])
  const missing = record.counted.filter((c) => reads.get(c.key) === undefined)
  if (missing.length > 0) return invalid(missing.map((c) => notRead(c.key)))
  const writes: VelocityWrite[] = [{ key: ownKey, expected: own.version, value: null }]
  for (const c of record.counted) {
    const read = reads.get(c.key)
    if (read === undefined || read === null) continue
    const change = uncounting(read.value, record, c)
    if (change !== undefined) writes.push({ key: c.key, expected: read.version, value: change.next })
  }
  return E.right(writes.sort(byKey))
}

// ---------------------------------------------------------------- steps

/**
 * Evaluate-and-record as a step for a store: read the payout's keys, decide with `decideKeyed`,
 * write. Resolves (through `store.run`) to the verdict.
 *
 * @example
 * import { evaluateAndRecordStep, inMemoryVelocityStore, parseRuleSet, payout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'count', name: 'Daily count', kind: 'max_daily_count',
 *   action: 'block', enabled: true, threshold: 1 }] })
 * const at = (id: string) => payout({ id, merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '10.00', currency: 'USD', createdAt: Date.UTC(2026, 0, 1, 9) })
 * const [first, second] = [at('pay_1'), at('pay_2')]
 * assert.ok(E.isRight(rs) && E.isRight(first) && E.isRight(second))
 * const store = inMemoryVelocityStore()
 * const v1 = await store.run(evaluateAndRecordStep(rs.right, first.right))
 * const v2 = await store.run(evaluateAndRecordStep(rs.right, second.right))
 * assert.ok(E.isRight(v1) && E.isRight(v2))
 * assert.deepEqual([v1.right.action, v2.right.action], ['allow', 'block'])
 */
export const evaluateAndRecordStep = (
  ruleSet: RuleSet,
  payout: Payout,
  options?: EvaluateOptions,
): VelocityStep<EvaluateError, Verdict> => ({
  _tag: 'Read',
  keys: velocityKeysOf(ruleSet, payout).map((k) => k.id),
  next: (reads) => {
    const d = decideKeyed(ruleSet, reads, payout, options)
    return E.isLeft(d)
      ? { _tag: 'Refused', error: d.left }
      : { _tag: 'Done', result: d.right.verdict, writes: d.right.writes }
  },
})

/**
 * Releasing a payout as a step for a store: read its own record, then the usage it counted in,
 * write what `releaseKeyed` says. Resolves to whether anything was given back.
 *
 * @example
 * import { evaluateAndRecordStep, inMemoryVelocityStore, parseRuleSet, payout, releaseStep } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'count', name: 'Daily count', kind: 'max_daily_count',
 *   action: 'block', enabled: true, threshold: 1 }] })
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '10.00', currency: 'USD', createdAt: 0 })
 * assert.ok(E.isRight(rs) && E.isRight(p))
 * const store = inMemoryVelocityStore()
 * await store.run(evaluateAndRecordStep(rs.right, p.right))
 * assert.deepEqual(await store.run(releaseStep('pay_1')), E.right(true))
 * assert.deepEqual(await store.run(releaseStep('pay_1')), E.right(false)) // released already
 * assert.equal(store.records().size, 0)
 */
export const releaseStep = (payoutId: string): VelocityStep<ValidationError, boolean> => {
  const ownKey = payoutKey(payoutId)
  return {
    _tag: 'Read',
    keys: [ownKey],
    next: (first) => {
      const own = first.get(ownKey)
      if (own === undefined || own === null) return { _tag: 'Done', result: false, writes: [] }
      return {
        _tag: 'Read',
        keys: countedKeysOf(own.value),
        next: (reads) => {
          const writes = releaseKeyed(payoutId, reads)
          return E.isLeft(writes)
            ? { _tag: 'Refused', error: writes.left }
            : { _tag: 'Done', result: writes.right.length > 0, writes: writes.right }
        },
      }
    },
  }
}

/**
 * Walks a step for a store: asks `read` for the keys each `Read` names that were not read yet
 * (sorted, so a locking store locks in one order) and resolves to the result with its writes, or
 * the step's refusal, or the store's error. The store then applies the writes in the same
 * transaction.
 *
 * @example
 * import { runStep, releaseStep } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const asked: string[][] = []
 * const done = await runStep(releaseStep('pay_1'), async (keys) => {
 *   asked.push([...keys])
 *   return E.right(new Map())
 * })
 * assert.deepEqual(done, E.right({ result: false, writes: [] }))
 * assert.deepEqual(asked, [['p/pay_1']])
 */
export const runStep = async <Err, A>(
  step: VelocityStep<Err, A>,
  read: (keys: ReadonlyArray<string>) => Promise<E.Either<VelocityStoreError, VelocityReads>>,
): Promise<
  E.Either<Err | VelocityStoreError, { readonly result: A; readonly writes: ReadonlyArray<VelocityWrite> }>
> => {
  const reads = new Map<string, Versioned<VelocityRecord> | null>()
  let at = step
  while (at._tag === 'Read') {
    const fresh = [...new Set(at.keys)].filter((k) => !reads.has(k)).sort()
    if (fresh.length > 0) {
      const got = await read(fresh)
      if (E.isLeft(got)) return got
      for (const k of fresh) reads.set(k, got.right.get(k) ?? null)
    }
    at = at.next(reads)
  }
  return at._tag === 'Refused' ? E.left(at.error) : E.right({ result: at.result, writes: at.writes })
}

// ---------------------------------------------------------------- in-memory store

interface Held {
  readonly version: number
  readonly value: unknown
  readonly expiresAt: number | null
}

const expiryOfJson = (value: unknown): number | null => {
  const r = decodeVelocityRecord(value)
  return E.isRight(r) ? velocityRecordExpiry(r.right) : null
}

/**
 * A `VelocityRecordStore` in memory, for tests and a single instance: decisions run one at a time,
 * records are kept as JSON (copied in and out) and decoded on every read, versions come from one
 * counter. `initial` plants records as a store would hold them (say, corrupt ones, to test).
 *
 * @example
 * import { inMemoryVelocityStore, releaseStep } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryVelocityStore([['p/pay_1', { version: 1, value: { kind: 'payout', id: 'pay_1', t: 'soon' } }]])
 * const result = await store.run(releaseStep('pay_1'))
 * assert.ok(E.isLeft(result) && result.left._tag === 'ValidationError')
 * assert.equal(result.left.problems[0]?.field, 'p/pay_1.t')
 */
export const inMemoryVelocityStore = (
  initial: Iterable<readonly [string, Versioned<unknown>]> = [],
): InMemoryVelocityStore => {
  const records = new Map<string, Held>()
  let counter = 0
  for (const [key, { version, value }] of initial) {
    records.set(key, { version, value, expiresAt: expiryOfJson(value) })
    counter = Math.max(counter, version)
  }
  let queue: Promise<unknown> = Promise.resolve()
  const serially = <A>(body: () => Promise<A>): Promise<A> => {
    const result = queue.then(body)
    queue = result.catch(() => undefined)
    return result
  }
  const read = async (keys: ReadonlyArray<string>): Promise<E.Either<VelocityStoreError, VelocityReads>> => {
    const out = new Map<string, Versioned<VelocityRecord> | null>()
    const problems: ValidationProblem[] = []
    for (const key of keys) {
      const held = records.get(key)
      if (held === undefined) {
        out.set(key, null)
        continue
      }
      const decoded = decodeVelocityRecord(JSON.parse(JSON.stringify(held.value)))
      if (E.isLeft(decoded)) problems.push(...withinField(key)(decoded.left).problems)
      else out.set(key, { version: held.version, value: decoded.right })
    }
    return problems.length > 0 ? invalid(problems) : E.right(out)
  }
  return {
    run: (step) =>
      serially(async () => {
        const walked = await runStep(step, read)
        if (E.isLeft(walked)) return walked
        const writes = walked.right.writes
        const stale = writes.find((w) => (records.get(w.key)?.version ?? null) !== w.expected)
        if (stale !== undefined)
          return E.left({
            _tag: 'VelocityStoreUnavailable',
            reason: 'contention',
            message: `${stale.key} moved since it was read`,
            attempts: 1,
          })
        for (const w of writes)
          if (w.value === null) records.delete(w.key)
          else
            records.set(w.key, {
              version: ++counter,
              value: JSON.parse(JSON.stringify(w.value)),
              expiresAt: velocityRecordExpiry(w.value),
            })
        return E.right(walked.right.result)
      }),
    prune: (now) =>
      serially(async () => {
        let pruned = 0
        for (const [key, held] of records)
          if (held.expiresAt !== null && held.expiresAt <= now) {
            records.delete(key)
            pruned++
          }
        return E.right(pruned)
      }),
    records: () => new Map([...records].map(([k, h]) => [k, { version: h.version, value: h.value }])),
  }
}
