/**
 * Scoring a transaction: every active rule of a compiled rule set is evaluated against the
 * transaction's fields and the caller's features; matched live rules add their scores (clamped to
 * 0..1000), matched dry-run rules are reported apart, and the thresholds turn the score into an
 * action.
 */
import { describeValue, guardDecoder, type ValidationError, validationError } from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { compileCondition, type Fields, type Probe, unknownTruth } from './internal/Evaluate.js'
import type { Rule, RuleSet } from './Rule.js'
import { actionOf, ScoringAction, type Thresholds } from './Thresholds.js'

// ---------------------------------------------------------------- model

/**
 * A rule as a result lists it: `{ id, name, score, dry_run }`.
 *
 * @example
 * import { RuleRefCodec } from '@payout-kernel/scoring'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(RuleRefCodec.is({ id: 'r1', name: 'Large amount', score: 50, dry_run: false }))
 */
export const RuleRefCodec = /* @__PURE__ */ t.readonly(
  /* @__PURE__ */ t.type({ id: t.string, name: t.string, score: t.number, dry_run: t.boolean }),
  'RuleRef',
)

/** A rule as a result lists it. */
export type RuleRef = t.TypeOf<typeof RuleRefCodec>

/**
 * A rule whose outcome depended on data the transaction lacked: with the missing fields present,
 * it could have gone either way.
 *
 * @example
 * import { MissingDataRuleCodec } from '@payout-kernel/scoring'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(MissingDataRuleCodec.is({ id: 'r1', name: 'Unknown device', missing_fields: ['deviceId'] }))
 */
export const MissingDataRuleCodec = /* @__PURE__ */ t.readonly(
  /* @__PURE__ */ t.type({
    id: t.string,
    name: t.string,
    missing_fields: /* @__PURE__ */ t.readonlyArray(t.string),
  }),
  'MissingDataRule',
)

/** A rule that could not be evaluated for lack of data, with the fields it missed. */
export type MissingDataRule = t.TypeOf<typeof MissingDataRuleCodec>

/**
 * io-ts codec of a scoring result (wire JSON, snake_case), for results read back from storage.
 *
 * @example
 * import { ScoringResultCodec } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const stored = {
 *   rule_set_version: 'v1', score: 0, dry_score: 0, action: 'approve',
 *   matched_rules: [], unmatched_rules: [], missing_data_rules: [],
 *   rule_cnt: 0, dry_run_rule_cnt: 0, tag_scores: [],
 * }
 * assert.ok(E.isRight(ScoringResultCodec.decode(stored)))
 * assert.ok(E.isLeft(ScoringResultCodec.decode({ ...stored, action: 'score' })))
 */
export const ScoringResultCodec = /* @__PURE__ */ t.readonly(
  /* @__PURE__ */ t.type({
    rule_set_version: t.string,
    score: t.number,
    dry_score: t.number,
    action: ScoringAction,
    matched_rules: /* @__PURE__ */ t.readonlyArray(RuleRefCodec),
    unmatched_rules: /* @__PURE__ */ t.readonlyArray(RuleRefCodec),
    missing_data_rules: /* @__PURE__ */ t.readonlyArray(MissingDataRuleCodec),
    rule_cnt: t.number,
    dry_run_rule_cnt: t.number,
    tag_scores: /* @__PURE__ */ t.readonlyArray(
      /* @__PURE__ */ t.readonly(/* @__PURE__ */ t.type({ tag: t.string, score: t.number })),
    ),
  }),
  'ScoringResult',
)

/**
 * The outcome of scoring one transaction.
 * - `score`: the sum of matched active live (non-dry-run) rules, clamped to 0..1000;
 * - `dry_score`: the sum the matched dry-run rules would add (never part of `score`);
 * - `matched_rules` / `unmatched_rules`: every active rule, in id order, in exactly one of them;
 * - `missing_data_rules`: rules whose outcome depended on missing fields;
 * - `rule_cnt`: active rules evaluated; `dry_run_rule_cnt`: how many of them are dry runs;
 * - `tag_scores`: per tag, the sum of matched live rules carrying it, in tag order;
 * - `rule_set_version`: the version of the rules used.
 */
export type ScoringResult = t.TypeOf<typeof ScoringResultCodec>

interface CompiledRule {
  readonly ref: RuleRef
  readonly tags: ReadonlyArray<string>
  readonly condition: ReturnType<typeof compileCondition>
}

interface CompiledRulesBrand {
  readonly CompiledRules: unique symbol
}

/** A rule set ready to score: the active rules compiled, in id order, with the thresholds. */
export type CompiledRules = {
  readonly version: string
  readonly thresholds: Thresholds
  /** The rules the set was compiled from (inactive ones included). */
  readonly rules: ReadonlyArray<Rule>
  readonly active: ReadonlyArray<CompiledRule>
} & CompiledRulesBrand

// ---------------------------------------------------------------- constructors

/**
 * Compiles a decoded rule set for scoring: inactive rules are dropped, each condition becomes a
 * closure over its pre-decoded operands (exact decimals, sets, patterns). Total: every problem was
 * caught by `parseRules`.
 *
 * @example
 * import { compileRules, parseRules } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import { pipe } from '#fp-ts/function'
 * import assert from 'node:assert/strict'
 *
 * const compiled = pipe(
 *   parseRules([
 *     { id: 'a', name: 'A', status: 'ACTIVE', score: 10, dry_run: false, condition: { field: 'x', op: 'exists' } },
 *     { id: 'b', name: 'B', status: 'INACTIVE', score: 10, dry_run: false, condition: { field: 'x', op: 'exists' } },
 *   ]),
 *   E.map(compileRules),
 * )
 * assert.ok(E.isRight(compiled))
 * assert.equal(compiled.right.active.length, 1)
 */
export const compileRules = (rules: RuleSet): CompiledRules =>
  ({
    version: rules.version,
    thresholds: rules.thresholds,
    rules: rules.rules,
    active: rules.rules
      .filter((r) => r.status === 'ACTIVE')
      .map((r) => ({
        ref: { id: r.id, name: r.name, score: r.score, dry_run: r.dry_run },
        tags: r.tags ?? [],
        condition: compileCondition(r.condition),
      })),
  }) as unknown as CompiledRules

// ---------------------------------------------------------------- decoding fields

const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false
  const proto: unknown = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

type Problems = Array<{ field: string; message: string }>

/** The most problems one decode reports (a list of a million NaNs is refused without a million lines). */
const maxProblems = 100

/** A problem of a primitive value, or `undefined` when it is JSON (or a list or plain object, walked apart). */
const scalarProblem = (v: unknown, inList: boolean): string | undefined => {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return undefined
    case 'undefined':
      // An absent field reads as undefined, as JSON.stringify drops it; a list cannot hold one.
      return inList ? 'must be a JSON value, got undefined (a list cannot hold one)' : undefined
    case 'number':
      return Number.isFinite(v) ? undefined : `must be a finite number, got ${describeValue(v)}`
    case 'object':
      return v === null || Array.isArray(v) || isPlainObject(v)
        ? undefined
        : `must be a JSON value, got ${describeValue(v)}`
    default:
      return `must be a JSON value, got a ${typeof v}`
  }
}

interface Frame {
  readonly node: object
  /** This node's key in the one that holds it (the first frame's is unused). */
  readonly key: string
  /** An object's own enumerable keys, or `null` for a list (whose keys are its indices). */
  readonly keys: ReadonlyArray<string> | null
  readonly length: number
  next: number
}

/** Below this depth the frames are searched for a cycle; past it a Set of them is kept. */
const shallow = 32

const framed = (node: object, key: string): Frame => {
  if (Array.isArray(node)) return { node, key, keys: null, length: node.length, next: 0 }
  const keys = Object.keys(node)
  return { node, key, keys, length: keys.length, next: 0 }
}

/**
 * Walks a record of fields and every list and plain object inside it (without recursion, so any
 * depth is safe) and records each value that is not JSON, by its dotted path: a non-finite
 * number, a function, a symbol, a bigint, undefined in a list, a hole in a list, an object that
 * is not plain, a value that holds itself (a cycle), a getter or proxy that throws. Paths are
 * spelled only for problems, so a clean walk makes no strings. Stops at `maxProblems`.
 */
const walkJson = (root: object, rootPath: string, problems: Problems): void => {
  const stack: Frame[] = []
  let onPath: Set<object> | undefined
  const pathTo = (key: string): string => {
    let path = rootPath
    for (let i = 1; i < stack.length; i++) path += `.${(stack[i] as Frame).key}`
    return `${path}.${key}`
  }
  try {
    stack.push(framed(root, ''))
  } catch {
    problems.push({ field: rootPath, message: 'must be a JSON value, got one that could not be read' })
    return
  }
  while (stack.length > 0 && problems.length < maxProblems) {
    const top = stack[stack.length - 1] as Frame
    if (top.next >= top.length) {
      onPath?.delete(top.node)
      stack.pop()
      continue
    }
    const index = top.next++
    const { keys } = top
    const list = keys === null
    const key = keys === null ? String(index) : (keys[index] as string)
    try {
      if (list && !Object.hasOwn(top.node, key)) {
        problems.push({ field: pathTo(key), message: 'must be a JSON value, got a hole in a list' })
        continue
      }
      const value: unknown = (top.node as Record<string, unknown>)[key]
      const problem = scalarProblem(value, list)
      if (problem !== undefined) problems.push({ field: pathTo(key), message: problem })
      else if (typeof value === 'object' && value !== null) {
        if (onPath ? onPath.has(value) : stack.some((f) => f.node === value))
          problems.push({
            field: pathTo(key),
            message: 'must be a JSON value, got a value that holds itself (a cycle)',
          })
        else {
          stack.push(framed(value, key))
          if (onPath !== undefined) onPath.add(value)
          else if (stack.length > shallow) onPath = new Set(stack.map((f) => f.node))
        }
      }
    } catch {
      problems.push({ field: pathTo(key), message: 'must be a JSON value, got one that could not be read' })
    }
  }
}

/**
 * Decodes a record of fields (a transaction, or features): a plain object whose values are JSON
 * values at any depth (strings, finite numbers, booleans, null, lists, plain objects). Any field is
 * allowed.
 */
const decodeFields = (u: unknown, field: string): E.Either<ValidationError, Fields> => {
  let plain: boolean
  try {
    plain = isPlainObject(u)
  } catch {
    plain = false
  }
  if (!plain) return E.left(validationError(field, `must be an object of fields, got ${describeValue(u)}`))
  const problems: Problems = []
  walkJson(u as object, field, problems)
  return problems.length > 0 ? E.left({ _tag: 'ValidationError', problems }) : E.right(u as Fields)
}

// ---------------------------------------------------------------- operations

const noFeatures: Fields = /* @__PURE__ */ Object.freeze(
  /* @__PURE__ */ Object.create(null) as Record<string, unknown>,
)

/** Scores decoded fields: the engine room of `scoreTransaction`. */
const scoreFields = (compiled: CompiledRules, txn: Fields, features: Fields): ScoringResult => {
  const matched: RuleRef[] = []
  const unmatched: RuleRef[] = []
  const missingData: MissingDataRule[] = []
  const tags = new Map<string, number>()
  const probe: Probe = { missing: false }
  let live = 0
  let dry = 0
  let dryRuns = 0
  for (const rule of compiled.active) {
    probe.missing = false
    const hit = rule.condition.test(txn, features, probe)
    const ref = rule.ref
    if (ref.dry_run) dryRuns += 1
    if (hit) {
      matched.push(ref)
      if (ref.dry_run) dry += ref.score
      else {
        live += ref.score
        for (const tag of rule.tags) tags.set(tag, (tags.get(tag) ?? 0) + ref.score)
      }
    } else unmatched.push(ref)
    if (probe.missing && rule.condition.truth(txn, features) === unknownTruth) {
      const fields = new Set<string>()
      rule.condition.missing(txn, features, fields)
      missingData.push({ id: ref.id, name: ref.name, missing_fields: [...fields].sort() })
    }
  }
  const score = Math.min(1000, Math.max(0, live))
  return {
    rule_set_version: compiled.version,
    score,
    dry_score: dry,
    action: actionOf(score, compiled.thresholds),
    matched_rules: matched,
    unmatched_rules: unmatched,
    missing_data_rules: missingData,
    rule_cnt: compiled.active.length,
    dry_run_rule_cnt: dryRuns,
    tag_scores: [...tags]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([tag, tagScore]) => ({ tag, score: tagScore })),
  }
}

/**
 * Scores a transaction (its flat fields, any extra fields allowed) with optional features
 * (aggregates the caller computed, read by rules as `features.<name>`). A transaction or features
 * that are not an object of JSON values (at any depth) are refused with the field path of each
 * bad value (`transaction.nested.x`, `transaction.list.1`); nothing is thrown.
 *
 * @example
 * import { compileRules, parseRules, scoreTransaction } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import { pipe } from '#fp-ts/function'
 * import assert from 'node:assert/strict'
 *
 * const rules = pipe(
 *   parseRules([
 *     { id: 'big', name: 'Large amount', status: 'ACTIVE', score: 400, dry_run: false,
 *       condition: { field: 'amount', op: 'gte', value: '1000.00' } },
 *     { id: 'busy', name: 'Busy day', status: 'ACTIVE', score: 300, dry_run: false,
 *       condition: { field: 'features.count_24h', op: 'gt', value: 10 } },
 *   ]),
 *   E.map(compileRules),
 * )
 * assert.ok(E.isRight(rules))
 * const result = scoreTransaction(rules.right, { amount: '1250.00', currency: 'USD' }, { count_24h: 12 })
 * assert.ok(E.isRight(result))
 * assert.equal(result.right.score, 700)
 * assert.equal(result.right.action, 'review')
 * assert.deepEqual(result.right.matched_rules.map((r) => r.id), ['big', 'busy'])
 * assert.ok(E.isLeft(scoreTransaction(rules.right, 'not a transaction')))
 */
export const scoreTransaction = (
  compiled: CompiledRules,
  transaction: unknown,
  features?: unknown,
): E.Either<ValidationError, ScoringResult> =>
  // fields that throw when read (a getter, a proxy) are refused naming the field
  guardDecoder((input: { readonly transaction: unknown; readonly features?: unknown }) =>
    scoreUnguarded(compiled, input.transaction, input.features),
  )(features === undefined ? { transaction } : { transaction, features })

const scoreUnguarded = (
  compiled: CompiledRules,
  transaction: unknown,
  features?: unknown,
): E.Either<ValidationError, ScoringResult> => {
  const txn = decodeFields(transaction, 'transaction')
  if (E.isLeft(txn)) return txn
  if (features === undefined) return E.right(scoreFields(compiled, txn.right, noFeatures))
  const feats = decodeFields(features, 'features')
  if (E.isLeft(feats)) return feats
  return E.right(scoreFields(compiled, txn.right, feats.right))
}
