import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { nameSimilarity, nameTokens, normaliseName, tokenSimilarity } from '../src/index.js'
import { arbName, arbNearDuplicate } from '../src/testing/index.js'

const score = (a: string, b: string) => nameSimilarity(nameTokens(a), nameTokens(b))

describe('normalisation', () => {
  test('case, diacritics, punctuation, honorifics, company suffixes, token order', () => {
    expect(normaliseName('  Dr.  José   GARCÍA-López ')).toBe('garcia jose lopez')
    expect(normaliseName('MÜLLER-ŠTĚPÁNEK, Zdeněk')).toBe('muller stepanek zdenek')
    expect(normaliseName('Straße Øresund Łódź')).toBe('lodz oresund strasse')
    expect(normaliseName("O'DONNELL, Siobhán")).toBe('odonnell siobhan')
    expect(normaliseName('Sheikh Rashid bin Hamad AL-QASIMI')).toBe('al bin hamad qasimi rashid')
    expect(normaliseName('ORCHID LINE SHIPPING CO., LTD.')).toBe('line orchid shipping')
    expect(normaliseName('ORCHID LINE SHIPPING CO., LTD.', { stripCompanySuffixes: false })).toBe(
      'co line ltd orchid shipping',
    )
    expect(normaliseName('Mr')).toBe('mr') // a name of honorifics only keeps them
    expect(normaliseName('Ltd')).toBe('ltd')
    expect(normaliseName('ﬁrst İstanbul')).toBe('first istanbul') // compatibility forms, dotted capital I
    expect(normaliseName('!!! ---')).toBe('')
  })

  test('transliteration marks for ʿayn and hamza are apostrophes, invisible format characters are dropped', () => {
    // ʿ ʾ ʻ ʽ are modifier letters to Unicode: kept, they made `ʿabd` a token of its own, far from `abd`.
    expect(normaliseName('ʿAbd al-Raʾuf')).toBe(normaliseName("'Abd al-Ra'uf"))
    expect(normaliseName('\u02bfAbd al-Ra\u02beuf Ka\u02bbahumanu')).toBe('abd al kaahumanu rauf')
    // A soft hyphen, a zero-width (non-)joiner, a word joiner, a direction mark or a BOM is invisible:
    // it split `Mo-hammed` into `mo hammed`.
    expect(normaliseName('Mo\u00adhammed Ali')).toBe('ali mohammed')
    expect(normaliseName('\ufeffMo\u200dham\u200cmed\u2060 \u200fAli\u200e')).toBe('ali mohammed')
    // A zero-width space is still a break.
    expect(normaliseName('Mohammed\u200bAli')).toBe('ali mohammed')
    expect(
      nameSimilarity(
        nameTokens('\u02bfAbd al-Ra\u1e25man Mo\u00adhammed'),
        nameTokens('Abd al-Rahman Mohammed'),
      ),
    ).toBe(1)
  })

  test.prop([fc.oneof(arbName, fc.string(), fc.string({ unit: 'grapheme' }))], { numRuns: 1000 })(
    'is idempotent',
    (name) => {
      const once = normaliseName(name)
      expect(normaliseName(once)).toBe(once)
      const kept = normaliseName(name, { stripCompanySuffixes: false })
      expect(normaliseName(kept, { stripCompanySuffixes: false })).toBe(kept)
    },
  )

  test.prop([fc.array(fc.oneof(arbName, fc.string()), { minLength: 1, maxLength: 5 }), fc.nat()], {
    numRuns: 500,
  })('does not depend on token order', (parts, k) => {
    const rotated = [...parts.slice(k % parts.length), ...parts.slice(0, k % parts.length)]
    expect(normaliseName(rotated.join(' '))).toBe(normaliseName(parts.join(' ')))
  })
})

describe('token similarity (Jaro-Winkler, Winkler boost 0.1 × prefix ≤ 4 above Jaro 0.7)', () => {
  test('the textbook pairs', () => {
    // Winkler (1990) / Wikipedia values
    expect(tokenSimilarity('martha', 'marhta')).toBeCloseTo(0.9611, 4)
    expect(tokenSimilarity('dwayne', 'duane')).toBeCloseTo(0.84, 4)
    expect(tokenSimilarity('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4)
    // a four-character common prefix: the library alone would say 0.9630 (prefix counted as 5)
    expect(tokenSimilarity('johnathan', 'johnathon')).toBeCloseTo(0.9556, 4)
    expect(tokenSimilarity('abcdx', 'abcdy')).toBeCloseTo(0.92, 4)
    expect(tokenSimilarity('', '')).toBe(0)
    expect(tokenSimilarity('a', '')).toBe(0)
    expect(tokenSimilarity('smith', 'jones')).toBe(0)
  })

  test.prop([fc.string({ maxLength: 16 }), fc.string({ maxLength: 16 })], { numRuns: 2000 })(
    'is symmetric, in [0, 1], and 1 exactly on equal non-empty tokens',
    (a, b) => {
      const s = tokenSimilarity(a, b)
      expect(s).toBe(tokenSimilarity(b, a))
      expect(s).toBeGreaterThanOrEqual(0)
      expect(s).toBeLessThanOrEqual(1)
      expect(tokenSimilarity(a, a)).toBe(a === '' ? 0 : 1)
    },
  )
})

describe('name similarity', () => {
  test('pinned pairs', () => {
    expect(score('MADURO MOROS, Nicolas', 'Nicolas Maduro Moros')).toBe(1)
    expect(score('Nicolas Maduro', 'MADURO MOROS, Nicolas')).toBeCloseTo(0.9516, 4)
    expect(score('John Doe', 'John Bartholomew Doe')).toBeCloseTo(0.868, 3)
    expect(score('John', 'John Smith')).toBeCloseTo(0.8846, 4)
    expect(score('Orrin Vanterpool', 'VANTERPOL, Orin')).toBeCloseTo(0.9693, 4)
    expect(score('Jon Smyth', 'John Smith')).toBeGreaterThan(0.9)
    expect(score('Maria Gonzalez', 'John Smith')).toBeLessThan(0.7)
    expect(score('', 'John Smith')).toBe(0)
  })

  test.prop([arbName, arbName], { numRuns: 1000 })('is symmetric and in [0, 1]', (a, b) => {
    const s = score(a, b)
    expect(s).toBe(score(b, a))
    expect(s).toBeGreaterThanOrEqual(0)
    expect(s).toBeLessThanOrEqual(1)
  })

  test.prop([arbName], { numRuns: 500 })('a name scores 1 against itself', (a) => {
    expect(score(a, a)).toBe(1)
  })

  test.prop([arbName.chain((n) => fc.tuple(fc.constant(n), arbNearDuplicate(n))), arbName], { numRuns: 500 })(
    'token order never changes a score',
    ([a, variant], other) => {
      const reversed = variant.split(' ').reverse().join(' ')
      expect(score(reversed, other)).toBe(score(variant, other))
      expect(score(a, reversed)).toBe(score(a, variant))
    },
  )
})
