import { fc, test } from '@fast-check/vitest'
import { arbGarbage } from '@payout-kernel/core/testing'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  compileRules,
  parseRules,
  type RuleSet,
  rescoreTransaction,
  type ScoringResult,
  scoreTransaction,
} from '../src/index.js'
import {
  arbFeatures,
  arbRuleSet,
  arbRuleSetWire,
  arbTransaction,
  type RuleSetWire,
} from '../src/testing/index.js'
import { referenceScore } from './reference.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}
const parse = (doc: unknown): RuleSet => right(parseRules(doc))
const score = (set: RuleSet, txn: unknown, features?: unknown): ScoringResult =>
  right(scoreTransaction(compileRules(set), txn, features))
const ids = (refs: ReadonlyArray<{ id: string }>) => refs.map((r) => r.id)

const arbCase = fc.tuple(arbRuleSetWire, arbTransaction, arbFeatures)

describe('differential', () => {
  test.prop([arbRuleSet, arbTransaction, arbFeatures], { numRuns: 5000 })(
    'the compiled evaluator gives exactly the result of the tree-walking reference',
    (set, txn, features) => {
      expect(score(set, txn, features)).toEqual(referenceScore(set, txn, features))
    },
  )
})

describe('invariants', () => {
  test.prop([arbRuleSet, arbTransaction, arbFeatures], { numRuns: 2000 })(
    'the score is a whole number within 0..1000, and every active rule is matched or unmatched exactly once',
    (set, txn, features) => {
      const result = score(set, txn, features)
      expect(Number.isInteger(result.score)).toBe(true)
      expect(result.score).toBeGreaterThanOrEqual(0)
      expect(result.score).toBeLessThanOrEqual(1000)
      const active = set.rules.filter((r) => r.status === 'ACTIVE').map((r) => r.id)
      expect([...ids(result.matched_rules), ...ids(result.unmatched_rules)].sort()).toEqual(
        [...active].sort(),
      )
      expect(result.rule_cnt).toBe(active.length)
    },
  )

  test.prop([arbRuleSetWire, arbTransaction, arbFeatures], { numRuns: 2000 })(
    'dry-run rules never change score or action, whatever they match',
    (doc, txn, features) => {
      const withoutDry: RuleSetWire = { ...doc, rules: doc.rules.filter((r) => !r.dry_run) }
      const a = score(parse(doc), txn, features)
      const b = score(parse(withoutDry), txn, features)
      expect(a.score).toBe(b.score)
      expect(a.action).toBe(b.action)
      expect(a.tag_scores).toEqual(b.tag_scores)
    },
  )

  test.prop([arbRuleSetWire, arbTransaction, arbFeatures, fc.nat()], { numRuns: 2000 })(
    'deactivating a rule never adds a match, and the deactivated rule is no longer listed',
    (doc, txn, features, pick) => {
      fc.pre(doc.rules.length > 0)
      const i = pick % doc.rules.length
      const target = doc.rules[i]?.id
      const off: RuleSetWire = {
        ...doc,
        rules: doc.rules.map((r, j) => (j === i ? { ...r, status: 'INACTIVE' as const } : r)),
      }
      const before = score(parse(doc), txn, features)
      const after = score(parse(off), txn, features)
      const matchedBefore = new Set(ids(before.matched_rules))
      for (const id of ids(after.matched_rules)) expect(matchedBefore.has(id)).toBe(true)
      expect([...ids(after.matched_rules), ...ids(after.unmatched_rules)]).not.toContain(target)
    },
  )

  test.prop([arbCase, fc.integer()], { numRuns: 1000 })(
    'the result does not depend on the order of the rules (the derived version neither)',
    ([doc, txn, features], seed) => {
      const { version: _, ...unversioned } = doc
      const shuffled = [...doc.rules]
        .map((r, i) => ({ r, k: Math.imul(i + 1, seed | 1) ^ (seed >>> 3) }))
        .sort((a, b) => a.k - b.k)
        .map(({ r }) => r)
      expect(score(parse({ ...unversioned, rules: shuffled }), txn, features)).toEqual(
        score(parse(unversioned), txn, features),
      )
    },
  )

  test.prop([arbRuleSet, arbTransaction, arbFeatures], { numRuns: 1000 })(
    'tag scores add up the matched live rules carrying each tag',
    (set, txn, features) => {
      const result = score(set, txn, features)
      const byId = new Map(set.rules.map((r) => [r.id, r]))
      for (const { tag, score: tagScore } of result.tag_scores) {
        const sum = result.matched_rules
          .filter((r) => !r.dry_run && (byId.get(r.id)?.tags ?? []).includes(tag))
          .reduce((s, r) => s + r.score, 0)
        expect(tagScore).toBe(sum)
      }
    },
  )

  test.prop([arbRuleSet, arbTransaction, arbFeatures], { numRuns: 1000 })(
    'rescoring with unchanged rules and data gives an identical result and reports no change',
    (set, txn, features) => {
      const compiled = compileRules(set)
      const first = right(scoreTransaction(compiled, txn, features))
      const again = right(rescoreTransaction(compiled, { transaction: txn, features, result: first }))
      expect(again.current).toEqual(again.previous)
      expect(again.started_matching).toEqual([])
      expect(again.stopped_matching).toEqual([])
      expect(again.score_change.delta).toBe(0)
      expect(again.action_change.changed).toBe(false)
    },
  )

  test.prop([arbRuleSet, arbRuleSet, arbTransaction, arbFeatures], { numRuns: 1000 })(
    'rescoring under other rules reports exactly the rules that started and stopped matching',
    (v1, v2, txn, features) => {
      const first = score(v1, txn, features)
      const again = right(rescoreTransaction(compileRules(v2), { transaction: txn, features, result: first }))
      const before = new Set(ids(first.matched_rules))
      const after = new Set(ids(again.current.matched_rules))
      expect(ids(again.started_matching)).toEqual(
        ids(again.current.matched_rules).filter((id) => !before.has(id)),
      )
      expect(ids(again.stopped_matching)).toEqual(ids(first.matched_rules).filter((id) => !after.has(id)))
      expect(again.score_change.delta).toBe(again.current.score - first.score)
    },
  )
})

describe('hostile input', () => {
  test.prop([arbGarbage], { numRuns: 10_000 })(
    'garbage rule documents are refused with a field path, never thrown',
    (u) => {
      const result = parseRules(u)
      if (E.isLeft(result)) expect(result.left.problems.length).toBeGreaterThan(0)
      else expect(result.right.version.length).toBeGreaterThan(0)
    },
  )

  const arbHostileRules = fc.tuple(
    arbRuleSetWire,
    fc.nat(),
    fc.constantFrom('condition', 'op', 'value', 'field', 'score', 'all', 'rule'),
    arbGarbage,
  )
  test.prop([arbHostileRules], { numRuns: 10_000 })(
    'valid rules with garbage spliced in are refused with a path under the rule, or still valid; never thrown',
    ([doc, pick, where, garbage]) => {
      fc.pre(doc.rules.length > 0)
      const i = pick % doc.rules.length
      const rules: unknown[] = doc.rules.map((r, j) => {
        if (j !== i) return r
        switch (where) {
          case 'rule':
            return garbage
          case 'condition':
          case 'score':
            return { ...r, [where]: garbage }
          case 'all':
            return { ...r, condition: { all: [r.condition, garbage] } }
          default:
            return { ...r, condition: { all: [{ ...(r.condition as object), [where]: garbage }] } }
        }
      })
      const result = parseRules({ ...doc, rules })
      if (E.isLeft(result))
        for (const p of result.left.problems) expect(p.field.startsWith(`rules.${i}`)).toBe(true)
    },
  )

  test.prop([arbRuleSet, arbGarbage, fc.option(arbGarbage, { nil: undefined })], { numRuns: 10_000 })(
    'garbage transactions and features are refused with a field path or scored, never thrown',
    (set, txn, features) => {
      const result = scoreTransaction(compileRules(set), txn, features)
      if (E.isLeft(result))
        for (const p of result.left.problems) expect(p.field).toMatch(/^(transaction|features)(\.|$)/)
      else expect(result.right.score).toBeGreaterThanOrEqual(0)
    },
  )

  test.prop([arbRuleSet, arbGarbage], { numRuns: 10_000 })(
    'garbage stored transactions are refused or rescored, never thrown',
    (set, stored) => {
      const result = rescoreTransaction(compileRules(set), stored)
      expect(E.isLeft(result) || E.isRight(result)).toBe(true)
      if (E.isLeft(result)) expect(result.left.problems.length).toBeGreaterThan(0)
    },
  )

  test.prop([arbRuleSet, fc.dictionary(fc.string(), arbGarbage)], { numRuns: 10_000 })(
    'objects with garbage field values are refused naming the field, or scored',
    (set, txn) => {
      const result = scoreTransaction(compileRules(set), txn)
      if (E.isLeft(result)) expect(result.left.problems[0]?.field.startsWith('transaction.')).toBe(true)
    },
  )
})

// ---------------------------------------------------------------- values that are not JSON, at any depth

type Planted = {
  readonly name: string
  readonly make: (ancestor: object) => unknown
  readonly onlyInList?: true
}
const notJson: ReadonlyArray<Planted> = [
  { name: 'Infinity', make: () => Number.POSITIVE_INFINITY },
  { name: '-Infinity', make: () => Number.NEGATIVE_INFINITY },
  { name: 'NaN', make: () => Number.NaN },
  { name: 'a function', make: () => () => 1 },
  { name: 'a symbol', make: () => Symbol('s') },
  { name: 'a bigint', make: () => 10n },
  { name: 'a Date', make: () => new Date(0) },
  { name: 'a Map', make: () => new Map([[1, 2]]) },
  { name: 'a cycle', make: (ancestor) => ancestor },
  { name: 'undefined in a list', make: () => undefined, onlyInList: true },
]

/** Walks down `steps` into lists and objects, plants the value there and says at which path. */
const plant = (root: Record<string, unknown>, steps: ReadonlyArray<number>, bad: Planted, stepUp: number) => {
  const chain: object[] = [root]
  let node: Record<string, unknown> | unknown[] = root
  let path = 'transaction'
  for (const step of steps) {
    const here: Record<string, unknown> = node as Record<string, unknown>
    const inner = Object.keys(here).filter((k) => typeof here[k] === 'object' && here[k] !== null)
    const key = inner[step % Math.max(1, inner.length)]
    if (key === undefined) break
    node = here[key] as Record<string, unknown> | unknown[]
    chain.push(node)
    path = `${path}.${key}`
  }
  const value = bad.make(chain[Math.max(0, chain.length - 1 - (stepUp % chain.length))] as object)
  if (Array.isArray(node)) {
    node.push(value)
    return { path: `${path}.${node.length - 1}`, undo: () => node.pop() }
  }
  const target = node
  if (bad.onlyInList) {
    target.planted = [1, value]
    return { path: `${path}.planted.1`, undo: () => delete target.planted }
  }
  target.planted = value
  return { path: `${path}.planted`, undo: () => delete target.planted }
}

const arbTree = fc.dictionary(
  fc.constantFrom('referenceId', 'amount', 'nested', 'list', 'meta', 'x'),
  fc.jsonValue({ maxDepth: 4 }),
  { minKeys: 1 },
) as fc.Arbitrary<Record<string, unknown>>

describe('values that are not JSON, at any depth', () => {
  const nestedRules = parse([
    {
      id: 'nx',
      name: 'Nested x',
      status: 'ACTIVE',
      score: 10,
      dry_run: false,
      condition: { field: 'nested.x', op: 'gt', value: 5 },
    },
  ])

  test('the reported inputs are refused with their paths', () => {
    const compiled = compileRules(nestedRules)
    const infinite = scoreTransaction(compiled, {
      referenceId: 'r1',
      nested: { x: Number.POSITIVE_INFINITY },
    })
    expect(E.isLeft(infinite) && infinite.left.problems).toEqual([
      { field: 'transaction.nested.x', message: 'must be a finite number, got Infinity' },
    ])
    const nan = scoreTransaction(compiled, { referenceId: 'r1', list: [1, Number.NaN] })
    expect(E.isLeft(nan) && nan.left.problems).toEqual([
      { field: 'transaction.list.1', message: 'must be a finite number, got NaN' },
    ])
    expect(score(nestedRules, { referenceId: 'r1', nested: { x: 6 } }).score).toBe(10)
  })

  test.prop(
    [
      arbRuleSet,
      arbTree,
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.constantFrom(...notJson),
      fc.nat(),
      fc.boolean(),
    ],
    { numRuns: 3000 },
  )(
    'one value that is not JSON planted at a random path is refused naming that exact path, in scoring and rescoring; without it the transaction scores as before',
    (set, tree, steps, bad, stepUp, asFeatures) => {
      const compiled = compileRules(set)
      const pristine = structuredClone(tree)
      const before = scoreTransaction(compiled, pristine)
      expect(E.isRight(before)).toBe(true)
      const { path, undo } = plant(tree, steps, bad, stepUp)
      const planted = asFeatures ? scoreTransaction(compiled, {}, tree) : scoreTransaction(compiled, tree)
      const field = asFeatures ? path.replace(/^transaction/, 'features') : path
      expect(E.isLeft(planted) && planted.left.problems.map((p) => p.field), bad.name).toEqual([field])
      if (E.isRight(before)) {
        const stored = rescoreTransaction(compiled, { transaction: tree, result: before.right })
        expect(E.isLeft(stored) && stored.left.problems.map((p) => p.field)).toEqual([path])
      }
      undo()
      expect(scoreTransaction(compiled, tree)).toEqual(before)
    },
  )

  test('getters that throw, holes in lists and proxies are refused by path, not thrown', () => {
    const compiled = compileRules(nestedRules)
    const getter = Object.defineProperty({ ok: 1 }, 'boom', {
      enumerable: true,
      get() {
        throw new Error('boom')
      },
    })
    const fieldsOf = (txn: unknown) => {
      const r = scoreTransaction(compiled, txn)
      return E.isLeft(r) ? r.left.problems.map((p) => p.field) : []
    }
    expect(fieldsOf({ nested: getter })).toEqual(['transaction.nested.boom'])
    const holey: unknown[] = [1]
    holey[2] = 3
    expect(fieldsOf({ list: holey })).toEqual(['transaction.list.1'])
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys')
        },
      },
    )
    expect(fieldsOf({ nested: hostile })).toEqual(['transaction.nested'])
    expect(E.isLeft(scoreTransaction(compiled, hostile))).toBe(true)
  })

  test('a shared value that is not a cycle is JSON; 100,000 levels of nesting are walked without recursion', () => {
    const shared = { x: 6 }
    expect(score(nestedRules, { nested: shared, again: shared }).score).toBe(10)
    let deep: Record<string, unknown> = { v: 1 }
    for (let i = 0; i < 100_000; i++) deep = { n: deep }
    expect(E.isRight(scoreTransaction(compileRules(nestedRules), { deep }))).toBe(true)
    let bottom: Record<string, unknown> = deep
    while (typeof bottom.n === 'object') bottom = bottom.n as Record<string, unknown>
    bottom.v = Number.NaN
    const refused = scoreTransaction(compileRules(nestedRules), { deep })
    expect(E.isLeft(refused) && refused.left.problems.map((p) => p.field)).toEqual([
      `transaction.deep${'.n'.repeat(100_000)}.v`,
    ])
  })

  test('a list of a million NaNs is refused with the first 100 problems, not a million', () => {
    const refused = scoreTransaction(compileRules(nestedRules), {
      list: new Array(1_000_000).fill(Number.NaN),
    })
    expect(E.isLeft(refused) && refused.left.problems.length).toBe(100)
    expect(E.isLeft(refused) && refused.left.problems[99]?.field).toBe('transaction.list.99')
  })
})
