/**
 * Decoding external input: every boundary decodes with io-ts and, on failure, gets a
 * `ValidationError` that names each bad field by its dotted path. Never an exception, never a
 * partial result.
 */

import type * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { pipe } from '#fp-ts/function'

// ---------------------------------------------------------------- model

/**
 * One thing wrong with an input: the dotted path of the field (`""` for the input itself) and
 * what is wrong with it.
 *
 * @example
 * import type { ValidationProblem } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const problem: ValidationProblem = { field: 'amount', message: 'has 3 decimals; USD allows 2' }
 * assert.equal(problem.field, 'amount')
 */
export interface ValidationProblem {
  readonly field: string
  readonly message: string
}

/**
 * An input that could not be decoded, with every problem found (at least one).
 *
 * @example
 * import { validationError } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const e = validationError('amount', 'must be a decimal string')
 * assert.equal(e._tag, 'ValidationError')
 * assert.deepEqual(e.problems, [{ field: 'amount', message: 'must be a decimal string' }])
 */
export interface ValidationError {
  readonly _tag: 'ValidationError'
  readonly problems: ReadonlyArray<ValidationProblem>
}

// ---------------------------------------------------------------- constructors

/**
 * A `ValidationError` with a single problem.
 *
 * @example
 * import { validationError } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(validationError('currency', 'unknown currency').problems.length, 1)
 */
export const validationError = (field: string, message: string): ValidationError => ({
  _tag: 'ValidationError',
  problems: [{ field, message }],
})

/**
 * Moves every problem of an error under a parent field: `amount` under `payout` is `payout.amount`.
 *
 * @example
 * import { validationError, withinField } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const e = withinField('payout')(validationError('amount', 'too many decimals'))
 * assert.equal(e.problems[0]?.field, 'payout.amount')
 */
export const withinField =
  (parent: string) =>
  (e: ValidationError): ValidationError => ({
    _tag: 'ValidationError',
    problems: e.problems.map((p) => ({ ...p, field: joinPath(parent, p.field) })),
  })

// ---------------------------------------------------------------- io-ts reporting

const joinPath = (parent: string, child: string): string =>
  parent === '' ? child : child === '' ? parent : `${parent}.${child}`

/**
 * Types whose children are members, not fields: a union or an intersection appends its member's
 * index (`0`, `1`) to the context, which is no part of a field path. Wrappers such as `t.readonly`,
 * `t.exact` or a refinement add no key of their own, so their children's keys are kept.
 */
const transparent = /* @__PURE__ */ new Set(['UnionType', 'IntersectionType'])

const pathOf = (context: t.Context): string => {
  const keys: string[] = []
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]?.type as { readonly _tag?: string } | undefined
    const key = context[i]?.key ?? ''
    if (key === '' || (parent?._tag !== undefined && transparent.has(parent._tag))) continue
    keys.push(key)
  }
  return keys.join('.')
}

/**
 * A short, safe rendering of any value for an error message (never throws, at most 60 characters).
 *
 * @example
 * import { describeValue } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(describeValue('USD'), '"USD"')
 * assert.equal(describeValue(undefined), 'nothing')
 * assert.equal(describeValue(Number.NaN), 'NaN')
 */
export const describeValue = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  if (typeof u === 'bigint')
    return u >= -(10n ** 50n) && u <= 10n ** 50n ? `${u}n` : 'a bigint of over 50 digits'
  if (typeof u === 'number' && !Number.isFinite(u)) return String(u)
  let text: string
  try {
    // A long string is cut before it is quoted, so a 10 MiB input costs no 10 MiB copy per message;
    // an object is given up on (rendered as its type) after 64 values, however deep or wide it is.
    let values = 0
    const bounded = (_key: string, value: unknown): unknown => {
      values += 1
      if (values > 64) throw new RangeError('too large to describe')
      return typeof value === 'string' && value.length > 60 ? value.slice(0, 60) : value
    }
    text = JSON.stringify(u, bounded) ?? typeof u
  } catch {
    text = typeof u
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/**
 * Turns io-ts errors into a `ValidationError` with one problem per distinct field path, each
 * naming the dotted path and what was expected.
 *
 * @example
 * import { fromDecodeErrors } from '@payout-kernel/core'
 * import * as t from 'io-ts'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const Payout = t.type({ beneficiary: t.type({ id: t.string }) })
 * const result = Payout.decode({ beneficiary: { id: 7 } })
 * assert.ok(E.isLeft(result))
 * assert.equal(fromDecodeErrors(result.left).problems[0]?.field, 'beneficiary.id')
 */
export const fromDecodeErrors = (errors: t.Errors): ValidationError => {
  const byField = new Map<string, string>()
  for (const error of errors) {
    const field = pathOf(error.context)
    if (byField.has(field)) continue
    const expected = error.context[error.context.length - 1]?.type.name ?? 'a valid value'
    byField.set(field, error.message ?? `expected ${expected}, got ${describeValue(error.value)}`)
  }
  const problems = [...byField].map(([field, message]) => ({ field, message }))
  return {
    _tag: 'ValidationError',
    problems: problems.length > 0 ? problems : [{ field: '', message: 'invalid' }],
  }
}

// ---------------------------------------------------------------- input that throws when read

/**
 * How deep {@link unreadableInput} looks, and how many keys of a path a refusal names: a field
 * nested deeper than this, in an input that made a decoder throw, is named as too deep.
 *
 * @example
 * import { maxInputDepth, unreadableInput } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * let deep: unknown = {}
 * for (let i = 0; i < 1000; i++) deep = { a: deep }
 * const e = unreadableInput(deep, new RangeError('Maximum call stack size exceeded'))
 * assert.equal(e.problems[0]?.field.split('.').length, maxInputDepth)
 */
export const maxInputDepth = 64

/** How many values {@link unreadableInput} looks at before it gives up and names the input itself. */
const maxInputNodes = 100_000

const thrownName = (thrown: unknown): string => {
  try {
    return thrown instanceof Error
      ? `${thrown.name}: ${describeValue(thrown.message).slice(1, -1)}`
      : typeof thrown
  } catch {
    return typeof thrown
  }
}

/**
 * Why a decoder threw on an input, as a `ValidationError` naming the field: the first field (in
 * document order) whose reading throws (a getter, a proxy, a revoked proxy), or that nests deeper
 * than {@link maxInputDepth} levels; the input itself (`""`) when neither is found. It reads the
 * input without recursion, each read guarded, and looks at no more than 100,000 values.
 *
 * @example
 * import { unreadableInput } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const payout = { amount: { get value(): string { throw new Error('no') } } }
 * const e = unreadableInput(payout, new Error('no'))
 * assert.equal(e.problems[0]?.field, 'amount.value')
 */
export const unreadableInput = (u: unknown, thrown: unknown): ValidationError => {
  const stack: Array<readonly [unknown, string, number]> = [[u, '', 0]]
  let seen = 0
  while (stack.length > 0 && seen < maxInputNodes) {
    const [value, path, depth] = stack.pop() as readonly [unknown, string, number]
    seen += 1
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) continue
    if (depth >= maxInputDepth)
      return validationError(path, `is nested more than ${maxInputDepth} levels deep`)
    const children: Array<readonly [unknown, string, number]> = []
    let reading = path
    try {
      Array.isArray(value)
      Object.getPrototypeOf(value)
      // a getter or proxy that throws on any name throws here too
      void (value as Record<string, unknown>)['\u0000probe']
      for (const key of Reflect.ownKeys(value)) {
        if (typeof key !== 'string' || (Array.isArray(value) && key === 'length')) continue
        reading = joinPath(path, key)
        children.push([(value as Record<string, unknown>)[key], reading, depth + 1])
      }
    } catch (inner) {
      return validationError(reading, `could not be read (${thrownName(inner)})`)
    }
    for (let i = children.length - 1; i >= 0; i--)
      stack.push(children[i] as readonly [unknown, string, number])
  }
  return validationError('', `could not be decoded (${thrownName(thrown)})`)
}

/** A field path as a linked list, so a path 100,000 keys deep costs no copying. */
interface PathNode {
  readonly parent: PathNode | undefined
  readonly key: string
  readonly depth: number
}

const pathText = (node: PathNode | undefined): string => {
  const keys: string[] = []
  for (let n = node; n !== undefined; n = n.parent) keys.push(n.key)
  return keys.reverse().slice(0, maxInputDepth).join('.')
}

const sameThrow = (a: unknown, b: unknown): boolean => {
  try {
    return (
      a === b || (a instanceof Error && b instanceof Error && a.name === b.name && a.message === b.message)
    )
  } catch {
    return false
  }
}

/**
 * Runs the decoder again on a view of the input that notes the path of every read, and answers the
 * path of the last read before it throws: the field that threw. `undefined` when the second run
 * does not throw the same error (the view itself can throw where the input would not: a `Map`'s
 * methods refuse a proxy), so the caller falls back to {@link unreadableInput}.
 */
const lastReadBeforeThrow = <I>(
  decode: (u: I) => unknown,
  u: I,
  thrown: unknown,
): ValidationError | undefined => {
  let last: PathNode | undefined
  const view = (value: unknown, at: PathNode | undefined): unknown => {
    if (value === null || typeof value !== 'object') return value
    const child = (key: string | symbol): PathNode | undefined =>
      typeof key === 'string' ? { parent: at, key, depth: (at?.depth ?? 0) + 1 } : at
    const handler: ProxyHandler<object> = {
      get: (target, key) => {
        last = child(key)
        const v: unknown = Reflect.get(target, key, target)
        const d = Reflect.getOwnPropertyDescriptor(target, key)
        // a proxy must answer a frozen field as it is
        return d !== undefined && d.configurable === false && d.writable === false ? v : view(v, child(key))
      },
      has: (target, key) => {
        last = at
        return Reflect.has(target, key)
      },
      ownKeys: (target) => {
        last = at
        return Reflect.ownKeys(target)
      },
      getOwnPropertyDescriptor: (target, key) => {
        last = child(key)
        return Reflect.getOwnPropertyDescriptor(target, key)
      },
      getPrototypeOf: (target) => {
        last = at
        return Reflect.getPrototypeOf(target)
      },
    }
    // a view for each place a value is read from (one value may sit in two fields)
    last = at
    return new Proxy(value, handler)
  }
  try {
    decode(view(u, undefined) as I)
    return undefined
  } catch (again) {
    if (last === undefined || !sameThrow(again, thrown)) return undefined
    const field = pathText(last)
    return (last?.depth ?? 0) >= maxInputDepth ||
      (thrown instanceof RangeError && /call stack/i.test(thrown.message))
      ? validationError(field, `is nested more than ${maxInputDepth} levels deep`)
      : validationError(field, `could not be read (${thrownName(thrown)})`)
  }
}

/**
 * Runs a decoder so that an input which throws when read, or nests so deep that reading it
 * overflows the stack, answers a Left naming the field, never a throw. The field is the one the
 * decoder was reading when it threw (found by running it once more on a view of the input that
 * notes each read), else the first one {@link unreadableInput} finds. Every public decoder runs
 * through it; an ordinary input costs one `try`.
 *
 * @example
 * import { guardDecoder, validationError } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const decodeName = guardDecoder((u: unknown) => {
 *   const name = (u as { payee: { name: unknown } }).payee.name
 *   return typeof name === 'string' ? E.right(name) : E.left(validationError('payee.name', 'must be text'))
 * })
 * const hostile = new Proxy({}, { get: () => { throw new Error('no') } })
 * const result = decodeName({ other: [hostile], payee: hostile })
 * assert.ok(E.isLeft(result))
 * assert.equal(result.left.problems[0]?.field, 'payee.name')
 * assert.deepEqual(decodeName({ payee: { name: 'Ada' } }), E.right('Ada'))
 */
export const guardDecoder =
  <A, L = ValidationError, I = unknown>(
    decode: (u: I) => E.Either<L, A>,
    refusal: (e: ValidationError) => L = (e) => e as unknown as L,
  ) =>
  (u: I): E.Either<L, A> => {
    try {
      return decode(u)
    } catch (thrown) {
      return E.left(refusal(lastReadBeforeThrow(decode, u, thrown) ?? unreadableInput(u, thrown)))
    }
  }

/**
 * Decodes an unknown input with a codec: the value, or a `ValidationError` naming every bad field.
 * An input that throws when read (a getter, a proxy) is a `ValidationError` too ({@link guardDecoder}).
 *
 * @example
 * import { decodeWith } from '@payout-kernel/core'
 * import * as t from 'io-ts'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const decodeAge = decodeWith(t.type({ age: t.number }))
 * assert.deepEqual(decodeAge({ age: 3 }), E.right({ age: 3 }))
 * assert.ok(E.isLeft(decodeAge({ age: 'three' })))
 */
export const decodeWith = <A, O>(
  codec: t.Type<A, O, unknown>,
): ((u: unknown) => E.Either<ValidationError, A>) =>
  guardDecoder((u: unknown) => pipe(codec.decode(u), E.mapLeft(fromDecodeErrors)))
