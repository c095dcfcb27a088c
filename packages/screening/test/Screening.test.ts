import { fc, test } from '@fast-check/vitest'
import type { Country } from '@payout-kernel/core'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  buildSanctionsIndex,
  decodeScreeningConfig,
  defaultScreeningConfig,
  entryNames,
  type ListId,
  loadOfacSdnSync,
  loadOpenSanctionsSync,
  ofacSdnListId,
  openSanctionsListId,
  type SanctionsList,
  type ScreeningConfig,
  type ScreeningResult,
  screenParty,
  screenPartyByScan,
} from '../src/index.js'
import { arbName, arbNameToken, arbNearDuplicate, arbParty, arbSanctionsList } from '../src/testing/index.js'
import { fixture } from './fixtures.js'

const ofac = loadOfacSdnSync({
  sdn: [fixture('ofac/sdn.csv')],
  alt: [fixture('ofac/alt.csv')],
  add: [fixture('ofac/add.csv')],
  comments: [fixture('ofac/sdn_comments.csv')],
}).list
const os = loadOpenSanctionsSync([fixture('opensanctions/entities.ftm.ndjson')]).list
const index = buildSanctionsIndex([ofac, os])

const right = (r: E.Either<unknown, ScreeningResult>): ScreeningResult => {
  if (E.isLeft(r)) throw new Error(`expected a result, got ${JSON.stringify(r.left)}`)
  return r.right
}
const IR = 'IR' as Country

describe('screening the fixtures', () => {
  test('an alias with typos is a hit on both lists, naming list, entry, matched name, score and fields', () => {
    const result = right(
      screenParty(index, {
        name: 'Orrin Vanterpool',
        dateOfBirth: { year: 1961, month: 2, day: 10 },
        country: IR,
      }),
    )
    expect(result.outcome).toBe('hit')
    expect(result.lists).toEqual(['ofac_sdn', 'opensanctions'])
    expect(
      result.matches.map((m) => [m.list, m.entryId, m.matchedName, m.score.toFixed(4), m.agreed]),
    ).toEqual([
      ['ofac_sdn', '7001', 'VANTERPOL, Orin', '0.9693', ['name', 'date_of_birth', 'country']],
      ['opensanctions', 'os-per-1', 'Orrin Kael Vanterpool', '0.9647', ['name', 'date_of_birth', 'country']],
    ])
  })

  test('a disagreeing date of birth lowers a hit to a possible match; a disagreeing country lowers it less', () => {
    const dob = right(screenParty(index, { name: 'Rashid Al-Qasimi', dateOfBirth: { year: 1990 } }))
    expect(dob.outcome).toBe('possible_match')
    expect(dob.matches[0]).toMatchObject({
      entryId: '7005',
      score: 0.9,
      nameScore: 1,
      disagreed: ['date_of_birth'],
    })
    const country = right(screenParty(index, { name: 'Rashid Al-Qasimi', country: 'FR' as Country }))
    expect(country.matches[0]).toMatchObject({ outcome: 'hit', score: 0.95, disagreed: ['country'] })
    const circa = right(
      screenParty(index, { name: 'Zdenek Muller-Stepanek', dateOfBirth: { year: 1976, month: 3 } }),
    )
    expect(circa.matches[0]?.agreed).toEqual(['name', 'date_of_birth'])
  })

  test('diacritics, honorifics, company suffixes and token order do not hide a name', () => {
    for (const name of [
      'Zdenek MULLER STEPANEK',
      'Dr Zdeněk Müller-Štěpánek',
      'Sheikh Rashid bin Hamad Al Qasimi',
      'Orchid Line Shipping Company Limited',
      'sea orchid',
    ])
      expect(right(screenParty(index, { name })).outcome, name).toBe('hit')
  })

  test('an unrelated name is clear; a partial one is a possible match', () => {
    expect(right(screenParty(index, { name: 'Maria Gonzalez' }))).toEqual({
      outcome: 'clear',
      score: 0,
      matches: [],
      lists: ['ofac_sdn', 'opensanctions'],
      entriesScreened: 21,
    })
    const partial = right(screenParty(index, { name: 'Tomas Wojcik' }))
    expect(partial.matches.map((m) => [m.outcome, m.entryId, m.score.toFixed(4)])).toEqual([
      ['possible_match', 'os-per-4', '0.9010'],
    ])
  })

  test('no list loaded fails closed: an error, never clear', () => {
    expect(screenParty(buildSanctionsIndex([]), { name: 'Orrin Vanterpool' })).toEqual(
      E.left({ _tag: 'NoListLoaded', message: 'no sanctions list is loaded; screening fails closed' }),
    )
    expect(
      E.isLeft(screenParty(buildSanctionsIndex([{ id: ofacSdnListId, entries: [] }]), { name: 'X' })),
    ).toBe(true)
    expect(E.isLeft(screenParty({ ...index }, { name: 'Orrin Vanterpool' }))).toBe(true) // a copy is not an index
    expect(E.isLeft(screenPartyByScan(buildSanctionsIndex([]), { name: 'Orrin Vanterpool' }))).toBe(true)
  })

  test('a name with nothing to screen, or a bad configuration, is an error', () => {
    expect(screenParty(index, { name: '***' })).toEqual(
      E.left({
        _tag: 'ValidationError',
        problems: [{ field: 'party.name', message: 'has no letter or digit to screen' }],
      }),
    )
    const bad = screenParty(index, { name: 'x' }, { ...defaultScreeningConfig, hitThreshold: 0.5 })
    expect(E.isLeft(bad) && bad.left._tag === 'ValidationError' && bad.left.problems[0]?.field).toBe(
      'config.possibleThreshold',
    )
    expect(E.isLeft(decodeScreeningConfig({ maxMatches: 0 }))).toBe(true)
  })

  test('thresholds are configuration', () => {
    const lenient: ScreeningConfig = { ...defaultScreeningConfig, hitThreshold: 0.99, possibleThreshold: 0.6 }
    expect(right(screenParty(index, { name: 'Orrin Vanterpool' }, lenient)).outcome).toBe('possible_match')
    expect(
      right(screenParty(index, { name: 'Orrin Vanterpool' }, { ...lenient, maxMatches: 1 })).matches.length,
    ).toBe(1)
  })

  test('every name and alias of every fixture entry hits its own entry', () => {
    for (const list of [ofac, os])
      for (const entry of list.entries)
        for (const name of entryNames(entry)) {
          const result = right(screenParty(index, { name }))
          expect(result.outcome, name).toBe('hit')
          expect(
            result.matches.some((m) => m.list === entry.list && m.entryId === entry.id && m.nameScore === 1),
            name,
          ).toBe(true)
        }
  })
})

const L1 = ofacSdnListId
const L2 = openSanctionsListId

/** Lists whose names share tokens and near-duplicates of each other, so that many pairs score near the thresholds. */
const arbCrowdedLists: fc.Arbitrary<SanctionsList[]> = fc
  .array(arbNameToken, { minLength: 3, maxLength: 12 })
  .chain((pool) => {
    const token = fc.oneof(
      fc.constantFrom(...pool),
      fc.constantFrom(...pool).chain((t) => arbNearDuplicate(t)),
    )
    const name = fc.array(token, { minLength: 1, maxLength: 4 }).map((ts) => ts.join(' '))
    return fc.tuple(arbSanctionsList(L1, 25, name), arbSanctionsList(L2, 10, name), fc.constant(name))
  })
  .map(([a, b]) => [a, b])

const arbConfig: fc.Arbitrary<ScreeningConfig> = fc
  .record({
    possible: fc.double({ min: 0.5, max: 0.98, noNaN: true }),
    gap: fc.double({ min: 0, max: 0.1, noNaN: true }),
    dob: fc.double({ min: 0.5, max: 1, noNaN: true }),
    country: fc.double({ min: 0.5, max: 1, noNaN: true }),
    penalty: fc.double({ min: 0, max: 1, noNaN: true }),
    maxMatches: fc.integer({ min: 1, max: 50 }),
  })
  .map((c) => ({
    hitThreshold: Math.min(1, c.possible + c.gap),
    possibleThreshold: c.possible,
    dateOfBirthMismatchFactor: c.dob,
    countryMismatchFactor: c.country,
    unmatchedTokenPenalty: c.penalty,
    maxMatches: c.maxMatches,
  }))

describe('the index against a scan of every name', () => {
  test.prop(
    [
      arbCrowdedLists.chain((lists) => {
        const names = lists.flatMap((l) => l.entries.flatMap(entryNames))
        const near = names.length > 0 ? fc.constantFrom(...names).chain((n) => arbNearDuplicate(n)) : arbName
        return fc.tuple(
          fc.constant(lists),
          arbParty(fc.oneof(near, near, arbName, fc.string({ maxLength: 30 }))),
        )
      }),
      fc.oneof(fc.constant(defaultScreeningConfig), arbConfig),
      fc.boolean(),
    ],
    { numRuns: 1000 },
  )(
    'the same result on random crowded lists: near-duplicates, transpositions, diacritics, reordering',
    ([lists, party], config, strip) => {
      const idx = buildSanctionsIndex(lists, { stripCompanySuffixes: strip })
      expect(screenParty(idx, party, config)).toEqual(screenPartyByScan(idx, party, config))
    },
  )

  const smallAlphabet = fc
    .array(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', 'á', ' '), minLength: 1, maxLength: 9 }), {
      minLength: 1,
      maxLength: 3,
    })
    .map((ts) => ts.join(' '))
  test.prop(
    [
      arbSanctionsList(L1, 40, smallAlphabet),
      arbParty(smallAlphabet),
      fc.oneof(fc.constant(defaultScreeningConfig), arbConfig),
    ],
    {
      numRuns: 500,
    },
  )(
    'the same result on tokens of a five-letter alphabet (scattered shared letters, every length)',
    (list, party, config) => {
      const idx = buildSanctionsIndex([list])
      expect(screenParty(idx, party, config)).toEqual(screenPartyByScan(idx, party, config))
    },
  )

  test.prop(
    [
      arbCrowdedLists.chain((lists) => {
        const names = lists.flatMap((l) => l.entries.flatMap(entryNames))
        const near = names.length > 0 ? fc.constantFrom(...names).chain((n) => arbNearDuplicate(n)) : arbName
        return fc.tuple(
          fc.constant(lists),
          fc.array(arbParty(fc.oneof(near, arbName)), { minLength: 1, maxLength: 25 }),
        )
      }),
      fc.oneof(fc.constant(defaultScreeningConfig), arbConfig),
    ],
    { numRuns: 200 },
  )(
    'one index screens party after party (its scratch space reused) as a scan does each',
    ([lists, parties], config) => {
      const idx = buildSanctionsIndex(lists)
      for (const party of parties)
        expect(screenParty(idx, party, config)).toEqual(screenPartyByScan(idx, party, config))
    },
  )

  test.prop([arbSanctionsList(L1 as ListId, 40), fc.nat()], { numRuns: 300 })(
    'a name always hits itself and every alias, whatever else is listed',
    (list, k) => {
      if (list.entries.length === 0) return
      const entry = list.entries[k % list.entries.length]
      if (entry === undefined) return
      const idx = buildSanctionsIndex([list])
      for (const name of entryNames(entry)) {
        const result = right(screenParty(idx, { name }))
        expect(result.outcome).toBe('hit')
        expect(result.matches.some((m) => m.entryId === entry.id && m.nameScore === 1)).toBe(true)
      }
    },
  )

  test.prop([arbCrowdedLists, arbParty()], { numRuns: 200 })(
    'results are deterministic and best first',
    (lists, party) => {
      const idx = buildSanctionsIndex(lists)
      const a = screenParty(idx, party)
      expect(screenParty(idx, party)).toEqual(a)
      if (E.isLeft(a)) {
        expect(a.left._tag).toBe('NoListLoaded')
        expect(idx.entries).toBe(0)
        return
      }
      const r = a.right
      for (let i = 1; i < r.matches.length; i++)
        expect((r.matches[i - 1]?.score ?? 0) >= (r.matches[i]?.score ?? 0)).toBe(true)
      expect(r.outcome).toBe(r.matches[0]?.outcome ?? 'clear')
    },
  )
})
