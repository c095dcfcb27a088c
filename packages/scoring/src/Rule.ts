/**
 * Scoring rules: JSON documents decoded with io-ts. A rule names a condition over a transaction's
 * fields (and caller-supplied features) and the score it adds when the condition holds. Every
 * problem (unknown operator, wrong operand type, unbounded pattern, duplicate id) is found when
 * the rules are loaded, and named by its field path (`rules.3.condition.all.0.op`).
 */
import {
  decodeWith,
  describeValue,
  guardDecoder,
  type ValidationError,
  validationError,
} from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { pipe } from '#fp-ts/function'
import { decimalOfNumber, decimalOfString, maxDecimalLength, significantDigits } from './internal/Decimal.js'
import { patternRefusal } from './internal/Pattern.js'
import { defaultThresholds, type Thresholds, ThresholdsCodec } from './Thresholds.js'

// ---------------------------------------------------------------- model

/**
 * The comparison operators a condition may use.
 *
 * @example
 * import { operators } from '@payout-kernel/scoring'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(operators.length, 11)
 * assert.ok(operators.includes('matches'))
 */
export const operators = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'not_in',
  'contains',
  'exists',
  'matches',
] as const

/** A comparison operator: `eq, ne, gt, gte, lt, lte, in, not_in, contains, exists, matches`. */
export type Operator = (typeof operators)[number]

interface FieldPathBrand {
  readonly FieldPath: unique symbol
}

/**
 * A dotted path to a value: `amount`, `applicant.address.country` (into the transaction) or
 * `features.count_24h` (into the caller-supplied features).
 */
export type FieldPath = string & FieldPathBrand

/** A scalar operand: a string, a number (read as its exact decimal) or a boolean. */
export type Scalar = string | number | boolean

/** A comparison of the value at a field path with an operand; the operand's type depends on the operator. */
export type Comparison =
  | { readonly field: FieldPath; readonly op: 'eq' | 'ne' | 'contains'; readonly value: Scalar }
  | { readonly field: FieldPath; readonly op: 'gt' | 'gte' | 'lt' | 'lte'; readonly value: number | string }
  | {
      readonly field: FieldPath
      readonly op: 'in' | 'not_in'
      readonly value: ReadonlyArray<string | number>
    }
  | { readonly field: FieldPath; readonly op: 'exists' }
  | { readonly field: FieldPath; readonly op: 'matches'; readonly value: string }

/** A condition: all of, any of, not, or a comparison. */
export type Condition =
  | { readonly all: ReadonlyArray<Condition> }
  | { readonly any: ReadonlyArray<Condition> }
  | { readonly not: Condition }
  | Comparison

/** Whether a rule runs: inactive rules are neither evaluated nor listed. */
export type RuleStatus = 'ACTIVE' | 'INACTIVE'

/** A scoring rule, as decoded. */
export interface Rule {
  readonly id: string
  readonly name: string
  readonly description?: string | null
  readonly status: RuleStatus
  /** What the rule adds to the score when it matches (a whole number, −1000..1000). */
  readonly score: number
  /** A dry-run rule is evaluated and reported (`dry_score`) but never changes `score` or `action`. */
  readonly dry_run: boolean
  readonly condition: Condition
  readonly tags?: ReadonlyArray<string>
}

interface RuleSetBrand {
  readonly RuleSet: unique symbol
}

/** A decoded, validated rule set: only `parseRules` makes one. */
export type RuleSet = {
  /** The version every result names: given in the document, or derived from its content. */
  readonly version: string
  /** The rules, ordered by id. */
  readonly rules: ReadonlyArray<Rule>
  readonly thresholds: Thresholds
} & RuleSetBrand

// ---------------------------------------------------------------- limits

/**
 * The limits `parseRules` enforces on a rule set document.
 *
 * @example
 * import { ruleLimits } from '@payout-kernel/scoring'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(ruleLimits.conditionDepth, 16)
 */
export const ruleLimits = {
  /** Rules in one set. */
  rules: 10_000,
  /** Levels of nested `all`/`any`/`not`. */
  conditionDepth: 16,
  /** Children of one `all`/`any`. */
  children: 100,
  /** Members of an `in`/`not_in` list. */
  listMembers: 10_000,
  /** Segments of a field path. */
  pathSegments: 8,
  /** Characters of an id, a name, a field path or a version. */
  text: 255,
  /** Significant digits of a JSON-number operand (beyond this, write it as a decimal string). */
  numberDigits: 15,
} as const

// ---------------------------------------------------------------- codecs

type Fail = (key: string | undefined, value: unknown, message: string) => void

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

const own = (o: Record<string, unknown>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined)

const segment = /^[A-Za-z0-9_-]+$/

const fieldPathProblem = (u: unknown): string | undefined => {
  if (typeof u !== 'string') return `must be a field path such as "amount", got ${describeValue(u)}`
  if (u.length === 0 || u.length > ruleLimits.text)
    return `must be 1 to ${ruleLimits.text} characters, got ${u.length}`
  const parts = u.split('.')
  if (parts.length > ruleLimits.pathSegments)
    return `must have at most ${ruleLimits.pathSegments} segments, got ${parts.length}`
  if (!parts.every((p) => segment.test(p)))
    return `must be dot-separated segments of letters, digits, "_" or "-", got ${describeValue(u)}`
  if (u === 'features') return 'must name a feature: "features.<name>"'
  return undefined
}

const numberProblem = (n: number): string | undefined => {
  const d = decimalOfNumber(n)
  if (d === undefined) return `must be a finite number, got ${describeValue(n)}`
  if (significantDigits(d) > ruleLimits.numberDigits)
    return `has more than ${ruleLimits.numberDigits} significant digits as a JSON number; write it as a decimal string`
  return undefined
}

const scalarProblem = (u: unknown): string | undefined => {
  if (typeof u === 'string' || typeof u === 'boolean') return undefined
  if (typeof u === 'number') return numberProblem(u)
  return `must be a string, a number or a boolean, got ${describeValue(u)}`
}

const decimalProblem = (u: unknown): string | undefined => {
  if (typeof u === 'number') return numberProblem(u)
  if (typeof u === 'string')
    return decimalOfString(u) === undefined
      ? `must be a decimal string such as "1250.00" (at most ${maxDecimalLength} characters), got ${describeValue(u)}`
      : undefined
  return `must be a number or a decimal string, got ${describeValue(u)}`
}

const listProblem = (u: unknown, fail: Fail): void => {
  if (!Array.isArray(u) || u.length === 0 || u.length > ruleLimits.listMembers) {
    fail(
      'value',
      u,
      `must be a list of 1 to ${ruleLimits.listMembers} strings or numbers, got ${describeValue(u)}`,
    )
    return
  }
  u.forEach((m: unknown, i) => {
    const problem =
      typeof m === 'string'
        ? undefined
        : typeof m === 'number'
          ? numberProblem(m)
          : `must be a string or a number, got ${describeValue(m)}`
    if (problem !== undefined) fail(`value.${i}`, m, problem)
  })
}

const decodeComparison = (o: Record<string, unknown>, fail: Fail): void => {
  for (const key of Object.keys(o))
    if (key !== 'field' && key !== 'op' && key !== 'value')
      fail(key, o[key], 'is not a known field of a comparison (field, op, value)')
  const fieldProblem = fieldPathProblem(own(o, 'field'))
  if (fieldProblem !== undefined) fail('field', own(o, 'field'), fieldProblem)
  const op = own(o, 'op')
  const hasValue = Object.hasOwn(o, 'value')
  const value = own(o, 'value')
  const check = (problem: string | undefined) => {
    if (problem !== undefined) fail('value', value, problem)
  }
  const required = () => {
    if (!hasValue) fail('value', value, `is required with "${String(op)}"`)
    return hasValue
  }
  switch (op) {
    case 'eq':
    case 'ne':
    case 'contains':
      if (required()) check(scalarProblem(value))
      return
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (required()) check(decimalProblem(value))
      return
    case 'in':
    case 'not_in':
      if (required()) listProblem(value, fail)
      return
    case 'exists':
      if (hasValue) fail('value', value, 'must be absent with "exists" (use "not" for absence)')
      return
    case 'matches':
      if (required())
        check(
          typeof value === 'string'
            ? patternRefusal(value)
            : `must be a pattern string, got ${describeValue(value)}`,
        )
      return
    default:
      fail('op', op, `must be one of ${operators.join(', ')}, got ${describeValue(op)}`)
  }
}

const decodeCondition = (u: unknown, fail: Fail, at: (key: string) => Fail, depth: number): void => {
  if (!isRecord(u)) {
    fail(
      undefined,
      u,
      `must be a condition ({ all }, { any }, { not } or { field, op, value }), got ${describeValue(u)}`,
    )
    return
  }
  const keys = Object.keys(u)
  const group = keys.find((k) => k === 'all' || k === 'any' || k === 'not')
  if (group === undefined) {
    decodeComparison(u, fail)
    return
  }
  if (keys.length !== 1) {
    for (const key of keys) if (key !== group) fail(key, u[key], `must not sit beside "${group}"`)
    return
  }
  if (depth >= ruleLimits.conditionDepth) {
    fail(group, u[group], `nests deeper than ${ruleLimits.conditionDepth} levels`)
    return
  }
  const child = u[group]
  if (group === 'not') {
    decodeCondition(child, at('not'), (k) => at(`not.${k}`), depth + 1)
    return
  }
  if (!Array.isArray(child) || child.length === 0 || child.length > ruleLimits.children) {
    fail(
      group,
      child,
      `must be a list of 1 to ${ruleLimits.children} conditions, got ${describeValue(child)}`,
    )
    return
  }
  child.forEach((c: unknown, i) => {
    decodeCondition(c, at(`${group}.${i}`), (k) => at(`${group}.${i}.${k}`), depth + 1)
  })
}

/** Appends a dotted key (`all.0.op`) to an io-ts context, one entry per segment. */
const contextAt = (c: t.Context, dotted: string, value: unknown): t.Context =>
  dotted.split('.').reduce((ctx, key) => t.appendContext(ctx, key, t.unknown, value), c)

/**
 * io-ts codec of a condition tree; every problem is named by its path under the condition.
 *
 * @example
 * import { ConditionCodec } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(ConditionCodec.decode({ all: [{ field: 'amount', op: 'gte', value: '1000.00' }] })))
 * assert.ok(E.isLeft(ConditionCodec.decode({ all: [{ field: 'amount', op: 'approx', value: 1 }] })))
 */
export const ConditionCodec: t.Type<Condition, Condition, unknown> = /* @__PURE__ */ new t.Type<
  Condition,
  Condition,
  unknown
>(
  'Condition',
  (u): u is Condition => E.isRight(ConditionCodec.validate(u, [])),
  (u, c) => {
    const errors: t.ValidationError[] = []
    const at =
      (prefix: string): Fail =>
      (key, value, message) => {
        const path = key === undefined ? prefix : prefix === '' ? key : `${prefix}.${key}`
        errors.push({ value, context: path === '' ? c : contextAt(c, path, value), message })
      }
    decodeCondition(u, at(''), at, 0)
    return errors.length > 0 ? t.failures(errors) : t.success(u as Condition)
  },
  t.identity,
)

const boundedText = (name: string, max: number) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && u.length > 0 && u.length <= max,
    (u, c) =>
      typeof u === 'string' && u.length > 0 && u.length <= max
        ? t.success(u)
        : t.failure(u, c, `must be a string of 1 to ${max} characters, got ${describeValue(u)}`),
    t.identity,
  )

const RuleScore = /* @__PURE__ */ new t.Type<number, number, unknown>(
  'RuleScore',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && Math.abs(u) <= 1000,
  (u, c) =>
    typeof u === 'number' && Number.isInteger(u) && Math.abs(u) <= 1000
      ? t.success(u)
      : t.failure(u, c, `must be a whole number from -1000 to 1000, got ${describeValue(u)}`),
  t.identity,
)

const Tags = /* @__PURE__ */ new t.Type<ReadonlyArray<string>, ReadonlyArray<string>, unknown>(
  'Tags',
  (u): u is ReadonlyArray<string> => Array.isArray(u) && u.every((x) => typeof x === 'string'),
  (u, c) => {
    if (!Array.isArray(u) || u.length > 100)
      return t.failure(u, c, `must be a list of at most 100 tags, got ${describeValue(u)}`)
    const errors: t.ValidationError[] = []
    const seen = new Set<string>()
    u.forEach((tag: unknown, i) => {
      const context = t.appendContext(c, String(i), t.string, tag)
      if (typeof tag !== 'string' || tag.length === 0 || tag.length > 64)
        errors.push({
          value: tag,
          context,
          message: `must be a tag of 1 to 64 characters, got ${describeValue(tag)}`,
        })
      else if (seen.has(tag)) errors.push({ value: tag, context, message: `repeats the tag "${tag}"` })
      else seen.add(tag)
    })
    return errors.length > 0 ? t.failures(errors) : t.success(u as string[])
  },
  t.identity,
)

const ruleProps = {
  required: {
    id: /* @__PURE__ */ boundedText('RuleId', ruleLimits.text),
    name: /* @__PURE__ */ boundedText('RuleName', ruleLimits.text),
    status: /* @__PURE__ */ t.keyof({ ACTIVE: null, INACTIVE: null }, 'RuleStatus'),
    score: RuleScore,
    dry_run: t.boolean,
    condition: ConditionCodec,
  },
  optional: {
    description: /* @__PURE__ */ t.union([t.string, t.null]),
    tags: Tags,
  },
}

/** An object codec that refuses unknown keys, naming each. */
const strictObject = <A>(name: string, known: ReadonlyArray<string>, inner: t.Type<A, unknown, unknown>) =>
  new t.Type<A, unknown, unknown>(
    name,
    inner.is,
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, `must be an object, got ${describeValue(u)}`)
      const extra: t.ValidationError[] = Object.keys(u)
        .filter((k) => !known.includes(k))
        .map((k) => ({
          value: u[k],
          context: t.appendContext(c, k, t.unknown, u[k]),
          message: `is not a known field (expected ${known.join(', ')})`,
        }))
      // An empty key keeps the path unchanged and lets the inner codec's members stay transparent.
      const decoded = inner.validate(u, t.appendContext(c, '', inner, u))
      if (E.isLeft(decoded)) return t.failures([...extra, ...decoded.left])
      return extra.length > 0 ? t.failures(extra) : decoded
    },
    inner.encode,
  )

/**
 * io-ts codec of one rule: `id, name, description?, status, score, dry_run, condition, tags?`;
 * unknown fields are refused.
 *
 * @example
 * import { RuleCodec } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const rule = {
 *   id: 'r1', name: 'Large amount', status: 'ACTIVE', score: 50, dry_run: false,
 *   condition: { field: 'amount', op: 'gt', value: 500 },
 * }
 * assert.ok(E.isRight(RuleCodec.decode(rule)))
 * assert.ok(E.isLeft(RuleCodec.decode({ ...rule, score: 12.5 })))
 */
export const RuleCodec: t.Type<Rule, unknown, unknown> = /* @__PURE__ */ strictObject(
  'Rule',
  [.../* @__PURE__ */ Object.keys(ruleProps.required), .../* @__PURE__ */ Object.keys(ruleProps.optional)],
  /* @__PURE__ */ t.intersection([
    /* @__PURE__ */ t.type(ruleProps.required),
    /* @__PURE__ */ t.partial(ruleProps.optional),
  ]) as t.Type<Rule, unknown, unknown>,
)

const RuleSetDocument = /* @__PURE__ */ strictObject(
  'RuleSetDocument',
  ['version', 'rules', 'thresholds'],
  /* @__PURE__ */ t.intersection([
    /* @__PURE__ */ t.type({ rules: /* @__PURE__ */ t.array(RuleCodec) }),
    /* @__PURE__ */ t.partial({
      version: /* @__PURE__ */ new t.Type<string, string, unknown>(
        'RuleSetVersion',
        (u): u is string => typeof u === 'string',
        (u, c) =>
          typeof u === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(u)
            ? t.success(u)
            : t.failure(u, c, `must be 1 to 64 letters, digits or ._:- characters, got ${describeValue(u)}`),
        t.identity,
      ),
      thresholds: ThresholdsCodec,
    }),
  ]) as t.Type<{ rules: Rule[]; version?: string; thresholds?: Thresholds }, unknown, unknown>,
)

// ---------------------------------------------------------------- version

/** JSON with object keys sorted, so equal content gives equal text. */
const stableJson = (u: unknown): string => {
  if (Array.isArray(u)) return `[${u.map(stableJson).join(',')}]`
  if (isRecord(u))
    return `{${Object.keys(u)
      .filter((k) => u[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(u[k])}`)
      .join(',')}}`
  return JSON.stringify(u) ?? 'null'
}

/** Two independent 32-bit FNV-1a hashes: 16 hex digits, a content fingerprint (not a security hash). */
const fingerprint = (text: string): string => {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15)
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')
}

// ---------------------------------------------------------------- constructors

/**
 * Decodes a rule set: a JSON text or an already-parsed value, either a list of rules or
 * `{ version?, rules, thresholds? }`. Rules are ordered by id; ids must be unique. Without a
 * `version`, the version is `rs_` + a fingerprint of the content (the same for any rule order).
 * Every problem comes back at once, each named by its field path; nothing is thrown.
 *
 * @example
 * import { parseRules } from '@payout-kernel/scoring'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const parsed = parseRules(`{
 *   "version": "2025-07-01",
 *   "rules": [{
 *     "id": "r1", "name": "Large amount", "status": "ACTIVE", "score": 50, "dry_run": false,
 *     "condition": { "field": "amount", "op": "gte", "value": "1000.00" }
 *   }]
 * }`)
 * assert.ok(E.isRight(parsed))
 * assert.equal(parsed.right.version, '2025-07-01')
 *
 * const bad = parseRules([{
 *   id: 'r1', name: 'Odd', status: 'ACTIVE', score: 10, dry_run: false,
 *   condition: { any: [{ field: 'name', op: 'matches', value: '(a+)+$' }] },
 * }])
 * assert.ok(E.isLeft(bad))
 * assert.equal(bad.left.problems[0]?.field, 'rules.0.condition.any.0.value')
 */
export const parseRules = /* @__PURE__ */ guardDecoder(
  (json: unknown): E.Either<ValidationError, RuleSet> => {
    let input: unknown = json
    if (typeof json === 'string') {
      try {
        input = JSON.parse(json)
      } catch {
        return E.left(validationError('', 'is not valid JSON'))
      }
    }
    const document = Array.isArray(input) ? { rules: input } : input
    if (isRecord(document) && Array.isArray(document.rules) && document.rules.length > ruleLimits.rules)
      return E.left(
        validationError('rules', `must hold at most ${ruleLimits.rules} rules, got ${document.rules.length}`),
      )
    return pipe(
      document,
      decodeWith(RuleSetDocument),
      E.flatMap((doc) => {
        const firstAt = new Map<string, number>()
        const problems: Array<{ field: string; message: string }> = []
        doc.rules.forEach((rule, i) => {
          const first = firstAt.get(rule.id)
          if (first === undefined) firstAt.set(rule.id, i)
          else
            problems.push({
              field: `rules.${i}.id`,
              message: `repeats the id of rules.${first}: "${rule.id}"`,
            })
        })
        if (problems.length > 0)
          return E.left<ValidationError, RuleSet>({ _tag: 'ValidationError', problems })
        const rules = [...doc.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        const th = doc.thresholds ?? defaultThresholds
        const version =
          doc.version ??
          `rs_${fingerprint(stableJson({ rules, thresholds: { review: th.review, reject: th.reject } }))}`
        return E.right({ version, rules, thresholds: th } as unknown as RuleSet)
      }),
    )
  },
)
