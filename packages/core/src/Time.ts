/**
 * Time as epoch milliseconds (what the domain computes with) and RFC 3339 UTC strings (what the
 * wire carries). The domain never reads a clock: time always comes in as an argument.
 */

import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { describeValue, type ValidationError, validationError } from './Validation.js'

// ---------------------------------------------------------------- model

interface EpochMillisBrand {
  readonly EpochMillis: unique symbol
}

/** The instants the domain handles: years 0000 to 9999 UTC. */
const minMillis = -62_167_219_200_000 // 0000-01-01T00:00:00.000Z
const maxMillis = 253_402_300_799_999 // 9999-12-31T23:59:59.999Z

/**
 * An instant as whole milliseconds since 1970-01-01T00:00:00Z, within years 0000 to 9999.
 *
 * @example
 * import { EpochMillis } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(EpochMillis.decode(1_700_000_000_000)))
 * assert.ok(E.isLeft(EpochMillis.decode(1.5)))
 */
export const EpochMillis = /* @__PURE__ */ t.brand(
  t.number,
  (n): n is t.Branded<number, EpochMillisBrand> =>
    Number.isSafeInteger(n) && n >= minMillis && n <= maxMillis,
  'EpochMillis',
)

/**
 * An instant as whole milliseconds since the Unix epoch.
 *
 * @example
 * import { epochMillis, type EpochMillis } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const t0 = epochMillis(0)
 * assert.ok(E.isRight(t0))
 * const zero: EpochMillis = t0.right
 * assert.equal(zero, 0)
 */
export type EpochMillis = t.TypeOf<typeof EpochMillis>

// ---------------------------------------------------------------- constructors

/**
 * Decodes epoch milliseconds: a whole number within years 0000 to 9999, or a `ValidationError`.
 *
 * @example
 * import { epochMillis } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(epochMillis(86_400_000), E.right(86_400_000))
 * assert.ok(E.isLeft(epochMillis(Number.NaN)))
 */
export const epochMillis = (u: unknown): E.Either<ValidationError, EpochMillis> =>
  EpochMillis.is(u)
    ? // -0 is the instant 0: answered as 0, so it equals (Object.is, toEqual) the same instant read back
      E.right((u + 0) as EpochMillis)
    : E.left(
        validationError(
          '',
          `must be whole epoch milliseconds within years 0000-9999, got ${describeValue(u)}`,
        ),
      )

// ---------------------------------------------------------------- RFC 3339

const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

/**
 * Reads an RFC 3339 timestamp (any offset) into epoch milliseconds. Refuses impossible dates,
 * leap seconds, and digits finer than a millisecond that are not zero (they would be lost).
 *
 * @example
 * import { fromRfc3339 } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(fromRfc3339('2024-02-29T23:30:00-01:00'), E.right(Date.UTC(2024, 2, 1, 0, 30)))
 * assert.ok(E.isLeft(fromRfc3339('2023-02-29T00:00:00Z')))
 */
export const fromRfc3339 = (u: unknown): E.Either<ValidationError, EpochMillis> => {
  const fail = (why: string) => E.left(validationError('', why))
  if (typeof u !== 'string') return fail(`must be an RFC 3339 timestamp string, got ${describeValue(u)}`)
  const m = rfc3339.exec(u)
  if (m === null)
    return fail(`must be an RFC 3339 timestamp such as 2026-01-31T09:30:00Z, got ${describeValue(u)}`)
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const fraction = m[7] ?? ''
  if (/[1-9]/.test(fraction.slice(3))) return fail('has precision finer than a millisecond')
  const offsetSign = m[9] === '-' ? -1 : 1
  const offsetMinutes = m[8] !== undefined ? 0 : offsetSign * (Number(m[10]) * 60 + Number(m[11]))
  if (Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59) return fail('has an impossible UTC offset')
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const maxDay = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31
  if (month < 1 || month > 12 || day < 1 || day > maxDay) return fail('is not a calendar date')
  if (hour > 23 || minute > 59 || second > 59)
    return fail('is not a time of day (leap seconds are not accepted)')
  const local = new Date(0)
  local.setUTCFullYear(year, month - 1, day)
  local.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')))
  return epochMillis(local.getTime() - offsetMinutes * 60_000)
}

/**
 * Writes epoch milliseconds as RFC 3339 UTC with milliseconds: `2026-11-21T05:38:55.000Z`.
 *
 * @example
 * import { toRfc3339, type EpochMillis } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(toRfc3339(0 as EpochMillis), '1970-01-01T00:00:00.000Z')
 */
export const toRfc3339 = (ms: EpochMillis): string => new Date(ms).toISOString()

/**
 * io-ts codec between RFC 3339 strings and epoch milliseconds; decoding accepts any offset,
 * encoding writes UTC.
 *
 * @example
 * import { Rfc3339, decodeWith } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(decodeWith(Rfc3339)('1970-01-01T00:00:01Z'), E.right(1000))
 * assert.equal(Rfc3339.encode(1000 as never), '1970-01-01T00:00:01.000Z')
 */
export const Rfc3339: t.Type<EpochMillis, string, unknown> = /* @__PURE__ */ new t.Type<
  EpochMillis,
  string,
  unknown
>(
  'Rfc3339',
  EpochMillis.is,
  (u, c) =>
    E.match(
      (e: ValidationError) => t.failure<EpochMillis>(u, c, e.problems[0]?.message),
      (ms: EpochMillis) => t.success(ms),
    )(fromRfc3339(u)),
  toRfc3339,
)
