/**
 * The compiled evaluator: each condition becomes closures over its pre-decoded operands (exact
 * decimals, sets, compiled patterns), run against a transaction's fields and the features.
 * Semantics are in docs/scoring.md; `test/reference.ts` is the tree-walking interpreter it must
 * agree with.
 */
import * as E from '#fp-ts/Either'
import type { Comparison, Condition } from '../Rule.js'
import {
  canonicalText,
  compareDecimals,
  type Decimal,
  decimalOfNumber,
  decimalOfString,
  exactDouble,
} from './Decimal.js'
import { compilePattern } from './Pattern.js'

// ---------------------------------------------------------------- model

/** A flat record of fields (a transaction, or the features). */
export type Fields = Readonly<Record<string, unknown>>

/** Set when a comparison reads a field that is absent (or null). */
export interface Probe {
  missing: boolean
}

/** Three-valued truth for the lack-of-data report: false, true, unknown. */
export type Truth = 0 | 1 | 2
const F: Truth = 0
const T: Truth = 1
const U: Truth = 2

export interface CompiledCondition {
  /** Two-valued: a comparison on a missing field is false. Sets `probe.missing` when one was read. */
  readonly test: (txn: Fields, features: Fields, probe: Probe) => boolean
  /** Three-valued (Kleene): a comparison on a missing field is unknown. */
  readonly truth: (txn: Fields, features: Fields) => Truth
  /** The field paths read by comparisons (other than `exists`) that are missing here. */
  readonly missing: (txn: Fields, features: Fields, into: Set<string>) => void
}

// ---------------------------------------------------------------- field access

type Getter = (txn: Fields, features: Fields) => unknown

const step = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined

/** Reads a field path: `features.<…>` from the features, anything else from the transaction. */
export const compileGetter = (path: string): Getter => {
  const parts = path.split('.')
  const fromFeatures = parts[0] === 'features'
  const keys = fromFeatures ? parts.slice(1) : parts
  const [first = '', second] = keys
  if (keys.length === 1)
    return fromFeatures
      ? (_t, f) => (Object.hasOwn(f, first) ? f[first] : undefined)
      : (t) => (Object.hasOwn(t, first) ? t[first] : undefined)
  if (keys.length === 2 && second !== undefined)
    return fromFeatures ? (_t, f) => step(step(f, first), second) : (t) => step(step(t, first), second)
  return (t, f) => {
    let value: unknown = fromFeatures ? f : t
    for (const key of keys) value = step(value, key)
    return value
  }
}

// ---------------------------------------------------------------- value tests

type ValueTest = (value: unknown) => boolean

/** The order of a field value against a decimal operand: -1, 0, 1, or undefined when not a number. */
const numericOrder = (operand: Decimal): ((value: unknown) => number | undefined) => {
  const approx = exactDouble(operand)
  return (value) => {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return undefined
      if (approx !== undefined) return value < approx ? -1 : value > approx ? 1 : 0
      const d = decimalOfNumber(value)
      return d === undefined ? undefined : compareDecimals(d, operand)
    }
    if (typeof value === 'string') {
      if (approx !== undefined && value.length <= 17 && shortDecimal.test(value)) {
        const digits = value.length - (value.charCodeAt(0) === 45 ? 1 : 0) - (value.includes('.') ? 1 : 0)
        if (digits <= 15) {
          const n = Number(value)
          return n < approx ? -1 : n > approx ? 1 : 0
        }
      }
      const d = decimalOfString(value)
      return d === undefined ? undefined : compareDecimals(d, operand)
    }
    return undefined
  }
}

const shortDecimal = /^-?\d+(?:\.\d+)?$/

const decimalOperand = (value: number | string): Decimal =>
  (typeof value === 'number' ? decimalOfNumber(value) : decimalOfString(value)) ?? { coef: 0n, scale: 0 }

/** The canonical decimal text of a field value, or undefined when it is not a number. */
const numericKey = (value: unknown): string | undefined => {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return String(value)
    const d = decimalOfNumber(value)
    return d === undefined ? undefined : canonicalText(d)
  }
  if (typeof value === 'string') {
    const d = decimalOfString(value)
    return d === undefined ? undefined : canonicalText(d)
  }
  return undefined
}

/** Equality with a scalar operand: strings and booleans exactly, numbers as exact decimals. */
const equalTo = (operand: string | number | boolean): ValueTest => {
  if (typeof operand !== 'number') return (value) => value === operand
  const order = numericOrder(decimalOperand(operand))
  return (value) => order(value) === 0
}

const memberOf = (list: ReadonlyArray<string | number>): ValueTest => {
  const strings = new Set<string>()
  const numbers = new Set<string>()
  for (const m of list) {
    if (typeof m === 'string') strings.add(m)
    else {
      const d = decimalOfNumber(m)
      if (d !== undefined) numbers.add(canonicalText(d))
    }
  }
  if (numbers.size === 0) return (value) => typeof value === 'string' && strings.has(value)
  return (value) => {
    if (typeof value === 'string' && strings.has(value)) return true
    const key = numericKey(value)
    return key !== undefined && numbers.has(key)
  }
}

const valueTest = (c: Exclude<Comparison, { op: 'exists' }>): ValueTest => {
  switch (c.op) {
    case 'eq':
      return equalTo(c.value)
    case 'ne': {
      const eq = equalTo(c.value)
      return (value) => !eq(value)
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const order = numericOrder(decimalOperand(c.value))
      switch (c.op) {
        case 'gt':
          return (value) => order(value) === 1
        case 'gte':
          return (value) => {
            const o = order(value)
            return o === 1 || o === 0
          }
        case 'lt':
          return (value) => order(value) === -1
        default:
          return (value) => {
            const o = order(value)
            return o === -1 || o === 0
          }
      }
    }
    case 'in':
      return memberOf(c.value)
    case 'not_in': {
      const member = memberOf(c.value)
      return (value) => !member(value)
    }
    case 'contains': {
      const operand = c.value
      const eq = equalTo(operand)
      return (value) =>
        typeof value === 'string'
          ? typeof operand === 'string' && value.includes(operand)
          : Array.isArray(value) && value.some(eq)
    }
    case 'matches': {
      // Refused by parseRules when it does not compile; never reached for a decoded rule set.
      const pattern = compilePattern(c.value)
      if (E.isLeft(pattern)) return () => false
      const { test } = pattern.right
      return (value) => typeof value === 'string' && test(value)
    }
  }
}

// ---------------------------------------------------------------- compile

const compileComparison = (c: Comparison): CompiledCondition => {
  const get = compileGetter(c.field)
  if (c.op === 'exists') {
    const present = (t: Fields, f: Fields) => {
      const v = get(t, f)
      return v !== undefined && v !== null
    }
    return {
      test: present,
      truth: (t, f) => (present(t, f) ? T : F),
      missing: () => undefined,
    }
  }
  const check = valueTest(c)
  const field = c.field
  return {
    test: (t, f, probe) => {
      const v = get(t, f)
      if (v === undefined || v === null) {
        probe.missing = true
        return false
      }
      return check(v)
    },
    truth: (t, f) => {
      const v = get(t, f)
      return v === undefined || v === null ? U : check(v) ? T : F
    },
    missing: (t, f, into) => {
      const v = get(t, f)
      if (v === undefined || v === null) into.add(field)
    },
  }
}

/** Compiles a decoded condition into its evaluators. */
export const compileCondition = (c: Condition): CompiledCondition => {
  if ('all' in c) {
    const parts = c.all.map(compileCondition)
    const tests = parts.map((p) => p.test)
    return {
      test: (t, f, probe) => {
        for (const test of tests) if (!test(t, f, probe)) return false
        return true
      },
      truth: (t, f) => {
        let result: Truth = T
        for (const p of parts) {
          const v = p.truth(t, f)
          if (v === F) return F
          if (v === U) result = U
        }
        return result
      },
      missing: (t, f, into) => {
        for (const p of parts) p.missing(t, f, into)
      },
    }
  }
  if ('any' in c) {
    const parts = c.any.map(compileCondition)
    const tests = parts.map((p) => p.test)
    return {
      test: (t, f, probe) => {
        for (const test of tests) if (test(t, f, probe)) return true
        return false
      },
      truth: (t, f) => {
        let result: Truth = F
        for (const p of parts) {
          const v = p.truth(t, f)
          if (v === T) return T
          if (v === U) result = U
        }
        return result
      },
      missing: (t, f, into) => {
        for (const p of parts) p.missing(t, f, into)
      },
    }
  }
  if ('not' in c) {
    const inner = compileCondition(c.not)
    return {
      test: (t, f, probe) => !inner.test(t, f, probe),
      truth: (t, f) => {
        const v = inner.truth(t, f)
        return v === U ? U : v === T ? F : T
      },
      missing: inner.missing,
    }
  }
  return compileComparison(c)
}

export { U as unknownTruth }
