/**
 * Sanctions list entries: who or what a list names (a person, an organisation, a vessel, an
 * aircraft), under which names, with which dates of birth and countries. One model for every list
 * format; the loaders map OFAC SDN rows and OpenSanctions entities into it.
 */
import { type Country, describeValue, type ValidationError, validationError } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import { daysIn, isBirthYear } from './internal/calendar.js'

// ---------------------------------------------------------------- model

interface ListIdBrand {
  readonly ListId: unique symbol
}

/**
 * The id of a sanctions list (`ofac_sdn`, `opensanctions`): lowercase letters, digits and `_`, 1–64 characters.
 *
 * @example
 * import { type ListId, listId } from '@payout-kernel/screening'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const id = listId('eu_fsf')
 * assert.ok(E.isRight(id))
 * const list: ListId | undefined = E.isRight(id) ? id.right : undefined
 * assert.equal(list, 'eu_fsf')
 */
export type ListId = string & ListIdBrand

const listIdPattern = /^[a-z0-9_]{1,64}$/

/**
 * Decodes a list id, or a `ValidationError` on the field `list`.
 *
 * @example
 * import { listId } from '@payout-kernel/screening'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(listId('ofac_sdn'), E.right('ofac_sdn'))
 * assert.ok(E.isLeft(listId('OFAC SDN')))
 */
export const listId = (u: unknown): E.Either<ValidationError, ListId> =>
  typeof u === 'string' && listIdPattern.test(u)
    ? E.right(u as ListId)
    : E.left(validationError('list', `must be 1-64 of a-z, 0-9 and _, got ${describeValue(u)}`))

/**
 * The list id the OFAC SDN loader uses by default.
 *
 * @example
 * import { ofacSdnListId } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(ofacSdnListId, 'ofac_sdn')
 */
export const ofacSdnListId = 'ofac_sdn' as ListId

/**
 * The list id the OpenSanctions loader uses by default.
 *
 * @example
 * import { openSanctionsListId } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(openSanctionsListId, 'opensanctions')
 */
export const openSanctionsListId = 'opensanctions' as ListId

/**
 * What a list entry is.
 *
 * @example
 * import type { EntityType } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const type: EntityType = 'vessel'
 * assert.equal(type, 'vessel')
 */
export type EntityType = 'individual' | 'entity' | 'vessel' | 'aircraft' | 'unknown'

/**
 * A date of birth as precise as the source gives it: a full date, a month, or a year only;
 * `circa` when the source says it is approximate (it then agrees with a year either side).
 *
 * @example
 * import type { DateOfBirth } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const full: DateOfBirth = { year: 1961, month: 2, day: 10 }
 * const yearOnly: DateOfBirth = { year: 1961, circa: true }
 * assert.equal(full.year, yearOnly.year)
 */
export interface DateOfBirth {
  /** The year (1800–2100). */
  readonly year: number
  /** The month, 1–12, when known. */
  readonly month?: number
  /** The day of the month, when known (only with a month). */
  readonly day?: number
  /** The source gives the date as approximate (`circa 1961`). */
  readonly circa?: boolean
}

/**
 * Another name of a list entry: also known as (`aka`), formerly (`fka`), now (`nka`).
 *
 * @example
 * import type { Alias } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const alias: Alias = { name: 'HESA TRADE CENTER', kind: 'aka' }
 * assert.equal(alias.kind, 'aka')
 */
export interface Alias {
  /** The name as the list spells it. */
  readonly name: string
  /** What kind of other name it is. */
  readonly kind: 'aka' | 'fka' | 'nka'
}

/**
 * An address of a list entry; any part may be missing. `country` is set when the source's country is recognised.
 *
 * @example
 * import type { Address } from '@payout-kernel/screening'
 * import { Country } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const address: Address = { street: '12 Harbour Road', city: 'Port Ardent', country: 'CY' as Country }
 * assert.ok(Country.is(address.country))
 */
export interface Address {
  /** Street, building, P.O. box, as given. */
  readonly street?: string
  /** City, state, postal code, as given. */
  readonly city?: string
  /** The country, when recognised. */
  readonly country?: Country
  /** The country as the source spells it. */
  readonly countryName?: string
}

/**
 * One entry of a sanctions list. A loader's entries are never mutated: arrays many entries hold
 * alike (the same programs, date of birth or nationality, or none) are frozen and shared.
 *
 * @example
 * import type { ListEntry } from '@payout-kernel/screening'
 * import { ofacSdnListId } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const entry: ListEntry = {
 *   list: ofacSdnListId, id: '9001', name: 'VANTERPOOL, Orrin Kael', aliases: [], type: 'individual',
 *   programs: ['SDGT'], addresses: [], datesOfBirth: [{ year: 1970 }], nationalities: [], countries: [],
 * }
 * assert.equal(entry.type, 'individual')
 */
export interface ListEntry {
  /** The list it is on. */
  readonly list: ListId
  /** Its id on that list (OFAC's `ent_num`, OpenSanctions' entity id). */
  readonly id: string
  /** Its primary name, as the list spells it. */
  readonly name: string
  /** Its other names. */
  readonly aliases: ReadonlyArray<Alias>
  /** What it is. */
  readonly type: EntityType
  /** The sanctions programs it is listed under (`SDGT`, `IRAN`, …). */
  readonly programs: ReadonlyArray<string>
  /** Its known addresses. */
  readonly addresses: ReadonlyArray<Address>
  /** Its dates of birth (an individual may have several). */
  readonly datesOfBirth: ReadonlyArray<DateOfBirth>
  /** Its nationalities and citizenships. */
  readonly nationalities: ReadonlyArray<Country>
  /** Every country linked to it: nationalities, address countries, a vessel's flag, a jurisdiction. */
  readonly countries: ReadonlyArray<Country>
}

/**
 * A loaded sanctions list: its id and its entries.
 *
 * @example
 * import { type SanctionsList, ofacSdnListId } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const list: SanctionsList = { id: ofacSdnListId, entries: [] }
 * assert.equal(list.entries.length, 0)
 */
export interface SanctionsList {
  /** The list's id. */
  readonly id: ListId
  /** Its entries. */
  readonly entries: ReadonlyArray<ListEntry>
}

// ---------------------------------------------------------------- operations

/**
 * Every name of an entry: the primary name first, then its aliases in order.
 *
 * @example
 * import { entryNames, ofacSdnListId } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const names = entryNames({
 *   list: ofacSdnListId, id: '1', name: 'ORCHID LINE', aliases: [{ name: 'ORCHID SHIPPING', kind: 'fka' }],
 *   type: 'entity', programs: [], addresses: [], datesOfBirth: [], nationalities: [], countries: [],
 * })
 * assert.deepEqual(names, ['ORCHID LINE', 'ORCHID SHIPPING'])
 */
export const entryNames = (entry: ListEntry): string[] => [entry.name, ...entry.aliases.map((a) => a.name)]

/**
 * Decodes a date of birth from `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (years 1800–2100), or a `ValidationError` on `field`.
 *
 * @example
 * import { dateOfBirth } from '@payout-kernel/screening'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(dateOfBirth('1961-02-10'), E.right({ year: 1961, month: 2, day: 10 }))
 * assert.deepEqual(dateOfBirth('1961'), E.right({ year: 1961 }))
 * assert.ok(E.isLeft(dateOfBirth('1961-02-30')))
 */
export const dateOfBirth = (u: unknown, field = 'date_of_birth'): E.Either<ValidationError, DateOfBirth> => {
  const bad = E.left(validationError(field, `must be YYYY-MM-DD, YYYY-MM or YYYY, got ${describeValue(u)}`))
  if (typeof u !== 'string') return bad
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(u)
  if (m === null) return bad
  const year = Number(m[1])
  if (!isBirthYear(year)) return bad
  if (m[2] === undefined) return E.right({ year })
  const month = Number(m[2])
  if (month < 1 || month > 12) return bad
  if (m[3] === undefined) return E.right({ year, month })
  const day = Number(m[3])
  if (day < 1 || day > daysIn(year, month)) return bad
  return E.right({ year, month, day })
}

/**
 * Whether two dates of birth can be the same date: same year (a year either side when one is
 * `circa`), and month and day equal wherever both give them.
 *
 * @example
 * import { datesOfBirthAgree } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(datesOfBirthAgree({ year: 1961, month: 2, day: 10 }, { year: 1961 }))
 * assert.ok(datesOfBirthAgree({ year: 1962 }, { year: 1961, circa: true }))
 * assert.ok(!datesOfBirthAgree({ year: 1961, month: 2 }, { year: 1961, month: 3 }))
 */
export const datesOfBirthAgree = (a: DateOfBirth, b: DateOfBirth): boolean => {
  const slack = a.circa === true || b.circa === true ? 1 : 0
  if (Math.abs(a.year - b.year) > slack) return false
  if (slack > 0) return true
  if (a.month !== undefined && b.month !== undefined && a.month !== b.month) return false
  if (a.day !== undefined && b.day !== undefined && a.day !== b.day) return false
  return true
}
