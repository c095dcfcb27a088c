/**
 * Errors as values, and the one shape in which they reach an HTTP layer:
 * `{ "error": { "code", "message", "details"? } }`.
 */
import type { CurrencyMismatch } from './Money.js'
import type { ValidationError, ValidationProblem } from './Validation.js'

// ---------------------------------------------------------------- model

/**
 * Every error the core package returns.
 *
 * @example
 * import { type CoreError, validationError } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const e: CoreError = validationError('amount', 'must be a decimal string')
 * assert.equal(e._tag, 'ValidationError')
 */
export type CoreError = ValidationError | CurrencyMismatch

/**
 * The JSON body of an error response.
 *
 * @example
 * import type { ApiErrorBody } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const body: ApiErrorBody = { error: { code: 'rescore_not_configured', message: 'no engine access' } }
 * assert.equal(body.error.code, 'rescore_not_configured')
 */
export interface ApiErrorBody {
  readonly error: {
    readonly code: string
    readonly message: string
    readonly details?: ReadonlyArray<ValidationProblem>
  }
}

/**
 * An error as an HTTP layer sends it: the status and the JSON body.
 *
 * @example
 * import type { ApiError } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const e: ApiError = { status: 409, body: { error: { code: 'idempotency_conflict', message: 'key reused' } } }
 * assert.equal(e.status, 409)
 */
export interface ApiError {
  readonly status: number
  readonly body: ApiErrorBody
}

// ---------------------------------------------------------------- constructors

/**
 * An API error from a status, a code and a message.
 *
 * @example
 * import { apiError } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(apiError(404, 'engine_beneficiary_not_found', 'no engine profile yet'), {
 *   status: 404,
 *   body: { error: { code: 'engine_beneficiary_not_found', message: 'no engine profile yet' } },
 * })
 */
export const apiError = (status: number, code: string, message: string): ApiError => ({
  status,
  body: { error: { code, message } },
})

// ---------------------------------------------------------------- operations

/**
 * The API form of a core error: a validation error is `422 validation_error` with one detail per
 * field; a currency mismatch is a `422 currency_mismatch`.
 *
 * @example
 * import { toApiError, validationError } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(toApiError(validationError('payout.amount', 'has 3 decimals; USD allows 2')), {
 *   status: 422,
 *   body: {
 *     error: {
 *       code: 'validation_error',
 *       message: 'payout.amount: has 3 decimals; USD allows 2',
 *       details: [{ field: 'payout.amount', message: 'has 3 decimals; USD allows 2' }],
 *     },
 *   },
 * })
 */
export const toApiError = (e: CoreError): ApiError => {
  switch (e._tag) {
    case 'ValidationError': {
      const [first] = e.problems
      const more = e.problems.length > 1 ? ` (and ${e.problems.length - 1} more)` : ''
      const where = first === undefined || first.field === '' ? '' : `${first.field}: `
      return {
        status: 422,
        body: {
          error: {
            code: 'validation_error',
            message: `${where}${first?.message ?? 'invalid input'}${more}`,
            details: e.problems,
          },
        },
      }
    }
    case 'CurrencyMismatch':
      return apiError(422, 'currency_mismatch', `expected an amount in ${e.expected}, got ${e.actual}`)
  }
}
