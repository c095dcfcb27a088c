/**
 * The party being screened: a payout's beneficiary or its sending counterparty, by name, with a
 * date of birth and a country when known.
 */
import {
  Country,
  describeValue,
  fromDecodeErrors,
  guardDecoder,
  type ValidationError,
  type ValidationProblem,
} from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { type DateOfBirth, dateOfBirth } from './ListEntry.js'

// ---------------------------------------------------------------- model

/**
 * A party to screen: its name, and its date of birth and country (ISO 3166-1 alpha-2) when known.
 *
 * @example
 * import type { Party } from '@payout-kernel/screening'
 * import type { Country } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const party: Party = { name: 'Orrin Vanterpool', dateOfBirth: { year: 1961 }, country: 'IR' as Country }
 * assert.equal(party.dateOfBirth?.year, 1961)
 */
export interface Party {
  /** The name as given (a person's full name or an organisation's name). */
  readonly name: string
  /** The date of birth, as precise as known (persons only). */
  readonly dateOfBirth?: DateOfBirth
  /** The country: nationality, residence or registration. */
  readonly country?: Country
}

const PartyInput = /* @__PURE__ */ t.intersection([
  /* @__PURE__ */ t.type({ name: t.string }),
  /* @__PURE__ */ t.partial({
    date_of_birth: /* @__PURE__ */ t.union([t.string, t.null]),
    country: /* @__PURE__ */ t.union([t.string, t.null]),
  }),
])

// ---------------------------------------------------------------- codecs

/**
 * Decodes a party from its wire form `{ name, date_of_birth?, country? }` (`date_of_birth` as
 * `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; `null` means unknown), or a `ValidationError` naming every bad field.
 *
 * @example
 * import { decodeParty } from '@payout-kernel/screening'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(
 *   decodeParty({ name: 'Orrin Vanterpool', date_of_birth: '1961-02-10', country: 'IR' }),
 *   E.right({ name: 'Orrin Vanterpool', dateOfBirth: { year: 1961, month: 2, day: 10 }, country: 'IR' }),
 * )
 * const bad = decodeParty({ name: '', country: 'Iran' })
 * assert.ok(E.isLeft(bad))
 * assert.deepEqual(E.isLeft(bad) ? bad.left.problems.map((p) => p.field) : [], ['name', 'country'])
 */
export const decodeParty = /* @__PURE__ */ guardDecoder((u: unknown): E.Either<ValidationError, Party> => {
  const decoded = PartyInput.decode(u)
  if (E.isLeft(decoded)) return E.left(fromDecodeErrors(decoded.left))
  const input = decoded.right
  const problems: ValidationProblem[] = []
  if (!/[\p{L}\p{N}]/u.test(input.name))
    problems.push({ field: 'name', message: 'must have a letter or digit' })
  else if (input.name.length > 1000)
    problems.push({ field: 'name', message: 'must be at most 1000 characters' })
  let dob: DateOfBirth | undefined
  if (typeof input.date_of_birth === 'string') {
    const d = dateOfBirth(input.date_of_birth)
    if (E.isLeft(d)) problems.push(...d.left.problems)
    else dob = d.right
  }
  const country = input.country
  if (typeof country === 'string' && !Country.is(country))
    problems.push({
      field: 'country',
      message: `must be an assigned ISO 3166-1 alpha-2 code, got ${describeValue(country)}`,
    })
  if (problems.length > 0) return E.left({ _tag: 'ValidationError', problems })
  return E.right({
    name: input.name,
    ...(dob === undefined ? {} : { dateOfBirth: dob }),
    ...(typeof country === 'string' && Country.is(country) ? { country } : {}),
  })
})
