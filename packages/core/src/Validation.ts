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
  if (typeof u === 'bigint') return `${u}n`
  if (typeof u === 'number' && !Number.isFinite(u)) return String(u)
  let text: string
  try {
    text = JSON.stringify(u) ?? typeof u
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

/**
 * Decodes an unknown input with a codec: the value, or a `ValidationError` naming every bad field.
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
export const decodeWith =
  <A, O>(codec: t.Type<A, O, unknown>) =>
  (u: unknown): E.Either<ValidationError, A> =>
    pipe(codec.decode(u), E.mapLeft(fromDecodeErrors))
