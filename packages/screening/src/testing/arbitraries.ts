/**
 * fast-check arbitraries of @payout-kernel/screening: realistic multi-token names, near-duplicates
 * of a name (typos, transpositions, diacritics, reordering, honorifics), list entries, lists,
 * parties, and garbage lines for the loaders.
 */
import type { Country } from '@payout-kernel/core'
import { arbCountry } from '@payout-kernel/core/testing'
import fc from 'fast-check'
import type { DateOfBirth, EntityType, ListEntry, ListId, SanctionsList } from '../ListEntry.js'
import type { Party } from '../Party.js'

const onsets = ['b', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'r', 's', 't', 'v', 'z', 'ch', 'sh', 'al', 'kh']
const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ee']
const codas = ['', '', 'n', 'r', 's', 'm', 'd', 'l', 'sh', 'v']

/**
 * A name token of two to four syllables, capitalised (`Balorin`, `Shomead`).
 *
 * @example
 * import { arbNameToken } from '@payout-kernel/screening/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * for (const t of fc.sample(arbNameToken, 20)) assert.match(t, /^[A-Z][a-z]+$/)
 */
export const arbNameToken: fc.Arbitrary<string> = fc
  .array(
    fc
      .tuple(fc.constantFrom(...onsets), fc.constantFrom(...vowels), fc.constantFrom(...codas))
      .map((p) => p.join('')),
    { minLength: 2, maxLength: 4 },
  )
  .map((s) => s.join(''))
  .map((s) => (s.charAt(0).toUpperCase() + s.slice(1)).slice(0, 14))

/**
 * A person's or organisation's name of one to four tokens.
 *
 * @example
 * import { arbName } from '@payout-kernel/screening/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * for (const n of fc.sample(arbName, 20)) assert.ok(n.split(' ').length <= 4)
 */
export const arbName: fc.Arbitrary<string> = fc
  .array(arbNameToken, { minLength: 1, maxLength: 4 })
  .map((ts) => ts.join(' '))

const accents: Readonly<Record<string, string>> = {
  a: 'á',
  e: 'é',
  i: 'í',
  o: 'ö',
  u: 'ü',
  n: 'ñ',
  s: 'š',
  z: 'ž',
  c: 'ç',
}

/**
 * A variant of a name as a screener meets it: a typo, two letters transposed, a letter doubled or
 * dropped, diacritics added, case changed, tokens reordered, punctuation or an honorific added.
 *
 * @example
 * import { arbNearDuplicate } from '@payout-kernel/screening/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * for (const v of fc.sample(arbNearDuplicate('Orrin Vanterpool'), 10)) assert.equal(typeof v, 'string')
 */
export const arbNearDuplicate = (name: string): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        fc.record({ kind: fc.constant('transpose' as const), at: fc.nat() }),
        fc.record({
          kind: fc.constant('typo' as const),
          at: fc.nat(),
          c: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
        }),
        fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('double' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('accent' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('case' as const), upper: fc.boolean() }),
        fc.record({ kind: fc.constant('reorder' as const), by: fc.nat() }),
        fc.record({
          kind: fc.constant('punctuate' as const),
          at: fc.nat(),
          p: fc.constantFrom(',', '-', '.', "'"),
        }),
        fc.record({
          kind: fc.constant('honorific' as const),
          h: fc.constantFrom('Mr', 'Dr.', 'Sheikh', 'Mrs'),
        }),
      ),
      { minLength: 0, maxLength: 3 },
    )
    .map((edits) => {
      let s = name
      for (const e of edits) {
        const at = 'at' in e ? e.at % Math.max(1, s.length) : 0
        switch (e.kind) {
          case 'transpose':
            if (s.length > 1 && at < s.length - 1)
              s = s.slice(0, at) + s.charAt(at + 1) + s.charAt(at) + s.slice(at + 2)
            break
          case 'typo':
            s = s.slice(0, at) + e.c + s.slice(at + 1)
            break
          case 'drop':
            if (s.length > 1) s = s.slice(0, at) + s.slice(at + 1)
            break
          case 'double':
            s = s.slice(0, at) + s.charAt(at) + s.slice(at)
            break
          case 'accent': {
            const c = s.charAt(at).toLowerCase()
            const accented = accents[c]
            if (accented !== undefined) s = s.slice(0, at) + accented + s.slice(at + 1)
            break
          }
          case 'case':
            s = e.upper ? s.toUpperCase() : s.toLowerCase()
            break
          case 'reorder': {
            const ts = s.split(' ')
            const k = e.by % ts.length
            s = [...ts.slice(k), ...ts.slice(0, k)].join(' ')
            break
          }
          case 'punctuate':
            s = s.slice(0, at) + e.p + s.slice(at)
            break
          case 'honorific':
            s = `${e.h} ${s}`
            break
        }
      }
      return s
    })

/**
 * A date of birth: a full date, a month, a year, or a year `circa`.
 *
 * @example
 * import { arbDateOfBirth } from '@payout-kernel/screening/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * for (const d of fc.sample(arbDateOfBirth, 20)) assert.ok(d.year >= 1930 && d.year <= 2005)
 */
export const arbDateOfBirth: fc.Arbitrary<DateOfBirth> = fc.oneof(
  fc
    .record({
      year: fc.integer({ min: 1930, max: 2005 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
    })
    .map((d): DateOfBirth => d),
  fc
    .record({ year: fc.integer({ min: 1930, max: 2005 }), month: fc.integer({ min: 1, max: 12 }) })
    .map((d): DateOfBirth => d),
  fc.integer({ min: 1930, max: 2005 }).map((year): DateOfBirth => ({ year })),
  fc.integer({ min: 1930, max: 2005 }).map((year): DateOfBirth => ({ year, circa: true })),
)

/**
 * A list entry on `list` with a generated id, one to three names, and some dates of birth and countries.
 *
 * @example
 * import { arbListEntry } from '@payout-kernel/screening/testing'
 * import { ofacSdnListId } from '@payout-kernel/screening'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * for (const e of fc.sample(arbListEntry(ofacSdnListId), 5)) assert.equal(e.list, 'ofac_sdn')
 */
export const arbListEntry = (list: ListId, names: fc.Arbitrary<string> = arbName): fc.Arbitrary<ListEntry> =>
  fc
    .record({
      id: fc.integer({ min: 1, max: 1_000_000 }).map(String),
      name: names,
      aliases: fc.array(names, { maxLength: 2 }),
      type: fc.constantFrom<EntityType>('individual', 'entity', 'vessel', 'aircraft', 'unknown'),
      datesOfBirth: fc.array(arbDateOfBirth, { maxLength: 2 }),
      nationalities: fc.array(arbCountry as fc.Arbitrary<Country>, { maxLength: 2 }),
    })
    .map(
      (r): ListEntry => ({
        list,
        id: r.id,
        name: r.name,
        aliases: r.aliases.map((name) => ({ name, kind: 'aka' as const })),
        type: r.type,
        programs: ['SDGT'],
        addresses: [],
        datesOfBirth: r.datesOfBirth,
        nationalities: r.nationalities,
        countries: r.nationalities,
      }),
    )

/**
 * A list of up to `maxEntries` entries with distinct ids.
 *
 * @example
 * import { arbSanctionsList } from '@payout-kernel/screening/testing'
 * import { ofacSdnListId } from '@payout-kernel/screening'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * const [list] = fc.sample(arbSanctionsList(ofacSdnListId), 1)
 * assert.equal(new Set(list?.entries.map((e) => e.id)).size, list?.entries.length)
 */
export const arbSanctionsList = (
  list: ListId,
  maxEntries = 30,
  names: fc.Arbitrary<string> = arbName,
): fc.Arbitrary<SanctionsList> =>
  fc
    .uniqueArray(arbListEntry(list, names), { maxLength: maxEntries, selector: (e) => e.id })
    .map((entries) => ({ id: list, entries }))

/**
 * A party: a name, and sometimes a date of birth and a country.
 *
 * @example
 * import { arbParty } from '@payout-kernel/screening/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * for (const p of fc.sample(arbParty(), 5)) assert.equal(typeof p.name, 'string')
 */
export const arbParty = (names: fc.Arbitrary<string> = arbName): fc.Arbitrary<Party> =>
  fc
    .record(
      { name: names, dateOfBirth: arbDateOfBirth, country: arbCountry as fc.Arbitrary<Country> },
      { requiredKeys: ['name'] },
    )
    .map((p): Party => p)

/**
 * A line of garbage for a list loader: random text, random CSV-ish fields with stray quotes,
 * truncated or mistyped JSON.
 *
 * @example
 * import { arbGarbageLine } from '@payout-kernel/screening/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * for (const l of fc.sample(arbGarbageLine, 20)) assert.equal(typeof l, 'string')
 */
export const arbGarbageLine: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .array(
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('"', '""', '-0- ', '"a,b"', '"x', 'individual', '7001'),
      ),
      {
        maxLength: 14,
      },
    )
    .map((fs) => fs.join(',')),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  fc
    .record({
      id: fc.jsonValue(),
      schema: fc.constantFrom('Person', 'Company', 'Vessel', 'Address', 7),
      properties: fc.jsonValue(),
    })
    .map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => (JSON.stringify(v) ?? '').slice(0, -1)),
)
