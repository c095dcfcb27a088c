/**
 * Names: how a name is normalised into tokens, and how two names are scored against each other.
 *
 * Normalisation folds case, strips diacritics (NFKD, combining marks removed, a few letters that
 * do not decompose spelled out: ß → ss, ø → o, ł → l, …), drops apostrophes (O'Brien → obrien) and
 * the transliteration marks for ʿayn and hamza (ʿAbd → abd), drops invisible format characters (a soft
 * hyphen, a zero-width joiner, a direction mark; a zero-width space is a break), turns every other non-letter, non-digit into a token break, removes honorifics (mr, dr, sheikh, …)
 * and, optionally, company suffixes (ltd, llc, co, …), and sorts the tokens. The score aligns the
 * tokens of the two names one to one (best pairs first, each pair scored with Jaro-Winkler) and
 * averages the pairs weighted by length, scaled down by how much of the two names went unmatched.
 */
import { tokenSimilarityOfChars } from './internal/TokenSimilarity.js'

// ---------------------------------------------------------------- model

/**
 * How names are normalised: whether company suffixes (ltd, llc, co, …) are dropped.
 *
 * @example
 * import { type NameOptions, defaultNameOptions } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const options: NameOptions = { ...defaultNameOptions, stripCompanySuffixes: false }
 * assert.equal(options.stripCompanySuffixes, false)
 */
export interface NameOptions {
  /** Drop company suffixes such as `ltd`, `llc`, `gmbh` (when a name has other tokens). */
  readonly stripCompanySuffixes: boolean
}

/**
 * The default name options: company suffixes are dropped.
 *
 * @example
 * import { defaultNameOptions } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(defaultNameOptions.stripCompanySuffixes, true)
 */
export const defaultNameOptions: NameOptions = { stripCompanySuffixes: true }

/**
 * Honorifics and titles dropped from a name when it has other tokens (compared after normalisation).
 *
 * @example
 * import { honorifics } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(honorifics.has('sheikh'))
 * assert.ok(honorifics.has('dr'))
 */
export const honorifics: ReadonlySet<string> = /* @__PURE__ */ new Set(
  /* @__PURE__ */ (
    'mr mrs ms miss mx mister madam madame dr doctor prof professor sir dame lord lady sheikh shaikh sheik ' +
    'shaykh haji hajji hadji alhaji alhajji mullah ayatollah rev reverend hon honorable honourable'
  ).split(' '),
)

/**
 * Company suffixes dropped from a name when it has other tokens and the option is on.
 *
 * @example
 * import { companySuffixes } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(companySuffixes.has('llc'))
 * assert.ok(!companySuffixes.has('bank'))
 */
export const companySuffixes: ReadonlySet<string> = /* @__PURE__ */ new Set(
  /* @__PURE__ */ (
    'ltd limited llc llp lp inc incorporated corp corporation co company plc gmbh ag sa srl sarl sas spa bv nv ' +
    'oy pte pty jsc ojsc cjsc pjsc ooo zao oao kg ltda fze fzco fzc wll bhd'
  ).split(' '),
)

// ---------------------------------------------------------------- normalisation

const spelledOut: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
}
const undecomposed = /[ßæœøđðłþıħŧ]/g
const marks = /\p{M}+/gu
// Apostrophes, and the modifier letters transliterations use for ʿayn, hamza and ʻokina (ʻ ʽ ʾ ʿ):
// letters to Unicode, so without this `ʿAbd` would be the token `ʿabd`, not `abd`.
const apostrophes = /['’‘`ʼ´ʻʽʾʿ]/g
// Invisible format characters (soft hyphen, zero-width joiners, direction marks, BOM): a soft hyphen
// inside `Mo\u00ADhammed` must not split it in two. The zero-width space stays a token break.
const invisible = /(?!\u200b)\p{Cf}/gu
const breaks = /[^\p{L}\p{N}]+/u

const withoutWhen = (tokens: string[], drop: ReadonlySet<string>): string[] => {
  const kept = tokens.filter((t) => !drop.has(t))
  return kept.length > 0 ? kept : tokens
}

/**
 * The normalised tokens of a name, sorted (empty when the name has no letter or digit).
 *
 * @example
 * import { nameTokens } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(nameTokens('Dr. José  GARCÍA-López'), ['garcia', 'jose', 'lopez'])
 * assert.deepEqual(nameTokens("Sheikh Abd al-Rahman O'Neill"), ['abd', 'al', 'oneill', 'rahman'])
 * assert.deepEqual(nameTokens('Acme Trading Co., Ltd.'), ['acme', 'trading'])
 * assert.deepEqual(nameTokens('ʿAbd al-Raʾuf Mo\u00ADhammed'), ['abd', 'al', 'mohammed', 'rauf'])
 */
export const nameTokens = (name: string, options: NameOptions = defaultNameOptions): string[] => {
  const folded = name
    .normalize('NFKD')
    .toLowerCase()
    .normalize('NFKD')
    .replace(marks, '')
    .replace(undecomposed, (c) => spelledOut[c] ?? c)
    .replace(apostrophes, '')
    .replace(invisible, '')
  let tokens = folded.split(breaks).filter((t) => t !== '')
  tokens = withoutWhen(tokens, honorifics)
  if (options.stripCompanySuffixes) tokens = withoutWhen(tokens, companySuffixes)
  return tokens.sort()
}

/**
 * A name normalised to its sorted tokens joined by single spaces; normalising it again changes nothing.
 *
 * @example
 * import { normaliseName } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(normaliseName('MORENO, Daniel'), 'daniel moreno')
 * assert.equal(normaliseName('Mr Łukasz  Wałęsa'), 'lukasz walesa')
 * assert.equal(normaliseName(normaliseName('Mr Łukasz  Wałęsa')), 'lukasz walesa')
 */
export const normaliseName = (name: string, options: NameOptions = defaultNameOptions): string =>
  nameTokens(name, options).join(' ')

// ---------------------------------------------------------------- scoring

/**
 * The Jaro-Winkler similarity of two tokens in [0, 1]: the Jaro similarity from `@skyra/jaro-winkler`,
 * with Winkler's standard prefix boost (scale 0.1, at most 4 characters, only above a Jaro of 0.7),
 * the same parameters as Watchman's. Symmetric by construction.
 *
 * @example
 * import { tokenSimilarity } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(tokenSimilarity('martha', 'marhta').toFixed(4), '0.9611')
 * assert.equal(tokenSimilarity('dwayne', 'duane').toFixed(4), '0.8400')
 * assert.equal(tokenSimilarity('johnathan', 'johnathon').toFixed(4), '0.9556')
 * assert.equal(tokenSimilarity('abc', 'abc'), 1)
 */
export const tokenSimilarity = (a: string, b: string): number =>
  tokenSimilarityOfChars(a, undefined, b, undefined)

/**
 * The default weight of the unmatched part of two names: 0.3 (a name missing half its length scores ×0.85).
 *
 * @example
 * import { defaultUnmatchedTokenPenalty } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(defaultUnmatchedTokenPenalty, 0.3)
 */
export const defaultUnmatchedTokenPenalty = 0.3

interface Pair {
  readonly score: number
  readonly weight: number
  readonly low: string
  readonly high: string
  readonly i: number
  readonly j: number
}

const byStrength = (a: Pair, b: Pair): number =>
  b.score - a.score ||
  b.weight - a.weight ||
  (a.low < b.low ? -1 : a.low > b.low ? 1 : 0) ||
  (a.high < b.high ? -1 : a.high > b.high ? 1 : 0)

/**
 * The similarity of two names given as normalised tokens, in [0, 1]. Tokens are paired one to one,
 * best pairs first (`similarity` scores a pair, `tokenSimilarity` by default); the score is the pairs'
 * mean weighted by length, times `1 − penalty × (unmatched length / total length)`. Token order does
 * not matter; swapping the two names does not change the score.
 *
 * @example
 * import { nameSimilarity, nameTokens } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const score = (a: string, b: string) => nameSimilarity(nameTokens(a), nameTokens(b))
 * assert.equal(score('MADURO MOROS, Nicolas', 'Nicolas Maduro Moros'), 1)
 * assert.equal(score('Nicolas Maduro', 'MADURO MOROS, Nicolas').toFixed(3), '0.952')
 * assert.ok(score('John Smith', 'Jon Smyth') > 0.9)
 * assert.ok(score('John Smith', 'Maria Gonzalez') < 0.6)
 */
export const nameSimilarity = (
  a: ReadonlyArray<string>,
  b: ReadonlyArray<string>,
  penalty: number = defaultUnmatchedTokenPenalty,
  similarity: (i: number, j: number) => number = (i, j) => tokenSimilarity(a[i] ?? '', b[j] ?? ''),
): number => {
  if (a.length === 0 || b.length === 0) return 0
  const pairs: Pair[] = []
  let total = 0
  for (const t of a) total += t.length
  for (const t of b) total += t.length
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? ''
    for (let j = 0; j < b.length; j++) {
      const y = b[j] ?? ''
      const score = similarity(i, j)
      if (score <= 0) continue
      const [low, high] = x < y ? [x, y] : [y, x]
      pairs.push({ score, weight: x.length + y.length, low, high, i, j })
    }
  }
  pairs.sort(byStrength)
  const usedA = new Uint8Array(a.length)
  const usedB = new Uint8Array(b.length)
  let weighted = 0
  let matched = 0
  for (const p of pairs) {
    if (usedA[p.i] === 1 || usedB[p.j] === 1) continue
    usedA[p.i] = 1
    usedB[p.j] = 1
    weighted += p.score * p.weight
    matched += p.weight
  }
  if (matched === 0 || total === 0) return 0
  const mean = weighted / matched
  const coverage = matched / total
  return Math.min(1, mean * (1 - penalty * (1 - coverage)))
}
