/**
 * Screening a party against the loaded lists: `hit`, `possible_match` or `clear`, with every
 * match naming its list, entry, matched name, score and the fields that agreed. With no list
 * loaded, screening fails closed: an error, never `clear`.
 *
 * The index is exact, not approximate. A match needs a name score at or above the possible
 * threshold (dates of birth and countries only ever lower a score), a name score is a weighted
 * mean of token-pair similarities times a factor ≤ 1, and the best token pair is always among
 * those aligned; so a name can only match if one of its tokens scores at least the threshold
 * against one of the party's. The index finds those tokens by bounds that cannot reject one
 * (Jaro ≤ (m/a + m/b + 1)/3 with m at most the characters the two tokens share, and Winkler's
 * boost at most 0.1 per common prefix character), and takes the names that hold them as
 * candidates. A candidate is then bounded twice before it is scored: from the pairs at the
 * threshold and a cheap bound on every other pair, then with every pair scored (`nameScoreBound`).
 * So it returns exactly what a scan of every name returns (`screenPartyByScan`, held to it by
 * property tests).
 */
import { type ValidationError, withinField } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import { dataOf, type IndexData, pairScratch, signatureBuckets } from './internal/IndexData.js'
import { tokenSimilarityOfChars } from './internal/TokenSimilarity.js'
import { datesOfBirthAgree, entryNames, type ListEntry, type ListId } from './ListEntry.js'
import { nameSimilarity, nameTokens } from './Name.js'
import type { Party } from './Party.js'
import type { SanctionsIndex } from './SanctionsIndex.js'
import { defaultScreeningConfig, type ScreeningConfig, screeningConfigProblems } from './ScreeningConfig.js'

// ---------------------------------------------------------------- model

/**
 * The outcome of screening: `hit` moves a payout to `screening_failed`, `possible_match` to `manual_review`.
 *
 * @example
 * import type { ScreeningOutcome } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const outcome: ScreeningOutcome = 'possible_match'
 * assert.notEqual(outcome, 'clear')
 */
export type ScreeningOutcome = 'hit' | 'possible_match' | 'clear'

/**
 * A field of a party compared with a list entry.
 *
 * @example
 * import type { MatchField } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const fields: MatchField[] = ['name', 'date_of_birth']
 * assert.equal(fields.length, 2)
 */
export type MatchField = 'name' | 'date_of_birth' | 'country'

/**
 * One list entry a party matched, and why.
 *
 * @example
 * import type { ScreeningMatch } from '@payout-kernel/screening'
 * import { ofacSdnListId } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const match: ScreeningMatch = {
 *   outcome: 'hit', list: ofacSdnListId, entryId: '7001', entryName: 'VANTERPOOL, Orrin Kael',
 *   matchedName: 'VANTERPOOL, Orrin Kael', score: 1, nameScore: 1, agreed: ['name'], disagreed: [],
 * }
 * assert.equal(match.outcome, 'hit')
 */
export interface ScreeningMatch {
  /** `hit` or `possible_match`. */
  readonly outcome: Exclude<ScreeningOutcome, 'clear'>
  /** The list of the entry. */
  readonly list: ListId
  /** The entry's id on its list. */
  readonly entryId: string
  /** The entry's primary name. */
  readonly entryName: string
  /** The name or alias of the entry that matched best. */
  readonly matchedName: string
  /** The final score in [0, 1]: the name score, lowered by any disagreeing date of birth or country. */
  readonly score: number
  /** The name score alone. */
  readonly nameScore: number
  /** The fields that agreed: always `name`, and `date_of_birth` / `country` when both sides give them and they agree. */
  readonly agreed: ReadonlyArray<MatchField>
  /** The fields both sides gave that did not agree. */
  readonly disagreed: ReadonlyArray<MatchField>
}

/**
 * The result of screening one party: the outcome (that of the best match, `clear` with none),
 * the matches best first, and the lists screened against.
 *
 * @example
 * import type { ScreeningResult } from '@payout-kernel/screening'
 * import { ofacSdnListId } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const result: ScreeningResult = { outcome: 'clear', score: 0, matches: [], lists: [ofacSdnListId], entriesScreened: 20 }
 * assert.equal(result.matches.length, 0)
 */
export interface ScreeningResult {
  /** The outcome of the best match; `clear` when nothing reached the possible threshold. */
  readonly outcome: ScreeningOutcome
  /** The best match's score, 0 when there is none. */
  readonly score: number
  /** The matches, best first (score, then list, then entry id), at most `maxMatches`. */
  readonly matches: ReadonlyArray<ScreeningMatch>
  /** The lists screened against. */
  readonly lists: ReadonlyArray<ListId>
  /** How many entries were screened against. */
  readonly entriesScreened: number
}

/**
 * Why a party could not be screened: no list loaded (fail closed), or a bad party or configuration
 * (`ValidationError` with fields under `party.` and `config.`).
 *
 * @example
 * import type { ScreeningError } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const e: ScreeningError = { _tag: 'NoListLoaded', message: 'no sanctions list is loaded' }
 * assert.equal(e._tag, 'NoListLoaded')
 */
export type ScreeningError = { readonly _tag: 'NoListLoaded'; readonly message: string } | ValidationError

// ---------------------------------------------------------------- judging a match

const noList: ScreeningError = {
  _tag: 'NoListLoaded',
  message: 'no sanctions list is loaded; screening fails closed',
}

const dobAgreement = (party: Party, entry: ListEntry): 'agree' | 'disagree' | 'unknown' => {
  const dob = party.dateOfBirth
  if (dob === undefined || entry.datesOfBirth.length === 0) return 'unknown'
  return entry.datesOfBirth.some((d) => datesOfBirthAgree(dob, d)) ? 'agree' : 'disagree'
}

const countryAgreement = (party: Party, entry: ListEntry): 'agree' | 'disagree' | 'unknown' => {
  const country = party.country
  if (country === undefined) return 'unknown'
  const known = entry.countries.length + entry.nationalities.length
  if (known === 0) return 'unknown'
  return entry.countries.includes(country) || entry.nationalities.includes(country) ? 'agree' : 'disagree'
}

const judge = (
  party: Party,
  entry: ListEntry,
  nameScore: number,
  ordinal: number,
  config: ScreeningConfig,
): ScreeningMatch | undefined => {
  if (nameScore < config.possibleThreshold) return undefined
  const agreed: MatchField[] = ['name']
  const disagreed: MatchField[] = []
  let score = nameScore
  const dob = dobAgreement(party, entry)
  if (dob === 'agree') agreed.push('date_of_birth')
  else if (dob === 'disagree') {
    disagreed.push('date_of_birth')
    score *= config.dateOfBirthMismatchFactor
  }
  const country = countryAgreement(party, entry)
  if (country === 'agree') agreed.push('country')
  else if (country === 'disagree') {
    disagreed.push('country')
    score *= config.countryMismatchFactor
  }
  if (score < config.possibleThreshold) return undefined
  return {
    outcome: score >= config.hitThreshold ? 'hit' : 'possible_match',
    list: entry.list,
    entryId: entry.id,
    entryName: entry.name,
    matchedName: entryNames(entry)[ordinal] ?? entry.name,
    score,
    nameScore,
    agreed,
    disagreed,
  }
}

const byRank = (a: ScreeningMatch, b: ScreeningMatch): number =>
  b.score - a.score ||
  (a.list < b.list ? -1 : a.list > b.list ? 1 : 0) ||
  (a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0)

interface Prepared {
  readonly data: IndexData
  readonly config: ScreeningConfig
  readonly query: ReadonlyArray<string>
}

const prepare = (
  index: SanctionsIndex,
  party: Party,
  config: ScreeningConfig,
): E.Either<ScreeningError, Prepared> => {
  const data = dataOf(index)
  if (data === undefined || data.entries.length === 0 || data.nameEntry.length === 0) return E.left(noList)
  const configProblems = screeningConfigProblems(config)
  if (configProblems.length > 0)
    return E.left(withinField('config')({ _tag: 'ValidationError', problems: configProblems }))
  const query = typeof party.name === 'string' ? nameTokens(party.name, data.options) : []
  if (query.length === 0)
    return E.left({
      _tag: 'ValidationError',
      problems: [{ field: 'party.name', message: 'has no letter or digit to screen' }],
    })
  return E.right({ data, config, query })
}

/** Best name score per entry → the result. */
const conclude = (
  { data, config }: Prepared,
  party: Party,
  best: ReadonlyMap<number, { readonly score: number; readonly ordinal: number }>,
  lists: ReadonlyArray<ListId>,
): ScreeningResult => {
  const matches: ScreeningMatch[] = []
  for (const [e, { score, ordinal }] of best) {
    const entry = data.entries[e]
    if (entry === undefined) continue
    const match = judge(party, entry, score, ordinal, config)
    if (match !== undefined) matches.push(match)
  }
  matches.sort(byRank)
  const kept = matches.slice(0, config.maxMatches)
  const [top] = kept
  return {
    outcome: top === undefined ? 'clear' : top.outcome,
    score: top?.score ?? 0,
    matches: kept,
    lists,
    entriesScreened: data.entries.length,
  }
}

const record = (
  best: Map<number, { score: number; ordinal: number }>,
  entry: number,
  score: number,
  ordinal: number,
): void => {
  const seen = best.get(entry)
  if (seen === undefined || score > seen.score || (score === seen.score && ordinal < seen.ordinal))
    best.set(entry, { score, ordinal })
}

const tokensOf = (data: IndexData, name: number): string[] => {
  const out: string[] = []
  for (let k = data.nameStart[name] ?? 0; k < (data.nameStart[name + 1] ?? 0); k++)
    out.push(data.vocabulary[data.nameTokens[k] ?? 0] ?? '')
  return out
}

// ---------------------------------------------------------------- screening

/** Rounding room in every bound: a bound may only ever be loose, never cut a true match. */
const boundSlack = 1e-9

/** Jaro-Winkler's most, given Jaro `jaro` and a common prefix of `prefix` characters (boost above 0.7). */
const boosted = (jaro: number, prefix: number): number =>
  jaro > 0.7 ? jaro + 0.1 * prefix * (1 - jaro) : jaro

const popcount = (x: number): number => {
  let v = x - ((x >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24
}

/** A query token's character counts by signature bucket, and which buckets it uses. */
interface QuerySignature {
  readonly counts: Uint8Array
  readonly buckets: ReadonlyArray<number>
  readonly mask: number
}

const querySignatureOf = (chars: ReadonlyArray<string>): QuerySignature => {
  const counts = new Uint8Array(signatureBuckets)
  for (const c of chars) {
    const b = (c.codePointAt(0) ?? 0) % signatureBuckets
    counts[b] = (counts[b] ?? 0) + 1
  }
  const buckets: number[] = []
  let mask = 0
  counts.forEach((n, b) => {
    if (n > 0) {
      buckets.push(b)
      mask |= 1 << b
    }
  })
  return { counts, buckets, mask }
}

/** How many characters of a query token the vocabulary token `id` can share with it (multiset). */
const sharedCharacters = (data: IndexData, signature: QuerySignature, id: number): number => {
  const base = id * signatureBuckets
  let shared = 0
  for (const k of signature.buckets) {
    const have = data.signature[base + k] ?? 0
    const wanted = signature.counts[k] ?? 0
    shared += Math.min(have, wanted)
  }
  return shared
}

/** The common prefix, at most 4, as `tokenSimilarity` counts it (UTF-16 units). */
const commonPrefix = (a: string, b: string): number => {
  let prefix = 0
  while (
    prefix < 4 &&
    prefix < a.length &&
    prefix < b.length &&
    a.charCodeAt(prefix) === b.charCodeAt(prefix)
  )
    prefix++
  return prefix
}

/**
 * The vocabulary tokens whose similarity to `token` can reach `threshold`, with their similarity.
 * Jaro ≤ (m/a + m/b + 1)/3 with m at most the characters the two share, and Jaro-Winkler adds at
 * most 0.1·prefix·(1 − Jaro): so a token needs at least some number of shared characters, fewer
 * when its first character is the query's (a prefix of up to 4) than when it is not (no boost).
 * A bit mask of the buckets each token uses bounds the shared characters first (one AND), the
 * counts then bound them exactly, the actual prefix last; only what passes all three is scored.
 */
const similarTokens = (
  data: IndexData,
  token: string,
  chars: ReadonlyArray<string>,
  threshold: number,
): Map<number, number> => {
  const found = new Map<number, number>()
  const a = chars.length
  const signature = querySignatureOf(chars)
  const repeats = a - signature.buckets.length
  const first = token.charCodeAt(0)
  const target = threshold - boundSlack
  for (let b = 1; b < data.byLength.length; b++) {
    const group = data.byLength[b]
    if (group === undefined || group.length === 0) continue
    const longest = Math.min(a, b)
    const jaroOf = (m: number) => (m / a + m / b + 1) / 3
    // the fewest shared characters that can reach the threshold, with a prefix of 4 and of 0
    let needSame = 0
    while (needSame <= longest && boosted(jaroOf(needSame), 4) < target) needSame++
    if (needSame > longest) continue
    let needOther = needSame
    while (needOther <= longest && boosted(jaroOf(needOther), 0) < target) needOther++
    for (let g = 0; g < group.length; g++) {
      const id = group[g] ?? 0
      const other = data.vocabulary[id] ?? ''
      const need = other.charCodeAt(0) === first ? needSame : needOther
      if (need > longest) continue
      if (popcount(signature.mask & (data.bucketMask[id] ?? 0)) + repeats < need) continue
      const m = Math.min(sharedCharacters(data, signature, id), longest)
      if (m < need) continue
      if (boosted(jaroOf(m), commonPrefix(token, other)) < target) continue
      const s = tokenSimilarityOfChars(token, chars, other, data.chars[id])
      if (s >= threshold) found.set(id, s)
    }
  }
  return found
}

/**
 * An upper bound on a name's score from what is known before scoring it. Token pairs at or above the
 * threshold touch tokens of total length `reached` (both names counted), every other pair scores at
 * most `low`, and the two names are `total` long. The score of any one-to-one pairing is
 * `(1 − p)·W/M + p·W/T`, with `M` the paired length and `W ≤ H + low·L` (`H ≤ reached` the length in
 * pairs at the threshold, `L` the rest); over `L` in `[0, T − H]` that is convex, so it peaks at an
 * end, and it grows with `H`: the bound is the larger of `(1 − p) + p·reached/T` and
 * `(reached + low·(T − reached))/T`.
 */
const nameScoreBound = (reached: number, low: number, total: number, penalty: number): number =>
  total <= 0
    ? 0
    : Math.max(1 - penalty + (penalty * reached) / total, (reached + low * (total - reached)) / total)

/** An upper bound on the similarity of a query token and a vocabulary token, from shared characters and prefix. */
const pairBound = (
  data: IndexData,
  token: string,
  a: number,
  signature: QuerySignature,
  id: number,
): number => {
  const b = data.tokenLength[id] ?? 0
  const m = Math.min(sharedCharacters(data, signature, id), a, b)
  if (m === 0) return 0
  return boosted((m / a + m / b + 1) / 3, commonPrefix(token, data.vocabulary[id] ?? '')) + boundSlack
}

/**
 * Screens a party against an index: every entry whose best name (primary or alias) scores at least
 * the possible threshold, after dates of birth and countries are compared, is a match. Fails closed
 * with `NoListLoaded` when the index holds no entry.
 *
 * @example
 * import { buildSanctionsIndex, loadOfacSdnSync, screenParty } from '@payout-kernel/screening'
 * import type { Country } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const sdn = '7001,"VANTERPOOL, Orrin Kael","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 10 Feb 1961; nationality Iran."\n'
 * const index = buildSanctionsIndex([loadOfacSdnSync({ sdn: [sdn] }).list])
 *
 * const hit = screenParty(index, { name: 'Orrin Kael Vanterpool', dateOfBirth: { year: 1961 }, country: 'IR' as Country })
 * assert.ok(E.isRight(hit))
 * assert.equal(hit.right.outcome, 'hit')
 * assert.deepEqual(hit.right.matches[0]?.agreed, ['name', 'date_of_birth', 'country'])
 *
 * const other = screenParty(index, { name: 'Orrin Kael Vanterpool', dateOfBirth: { year: 1990 } })
 * assert.ok(E.isRight(other) && other.right.outcome === 'possible_match')
 *
 * assert.ok(E.isRight(screenParty(index, { name: 'Maria Gonzalez' })))
 * assert.deepEqual(E.map((r: { outcome: string }) => r.outcome)(screenParty(index, { name: 'Maria Gonzalez' })), E.right('clear'))
 *
 * const none = screenParty(buildSanctionsIndex([]), { name: 'Orrin Vanterpool' })
 * assert.ok(E.isLeft(none) && none.left._tag === 'NoListLoaded')
 */
export const screenParty = (
  index: SanctionsIndex,
  party: Party,
  config: ScreeningConfig = defaultScreeningConfig,
): E.Either<ScreeningError, ScreeningResult> => {
  const prepared = prepare(index, party, config)
  if (E.isLeft(prepared)) return prepared
  const { data, query } = prepared.right
  const threshold = config.possibleThreshold
  const q = query.length
  const queryChars = query.map((token) => [...token])
  const signatures = queryChars.map(querySignatureOf)
  if (data.query === 0x7fffffff) {
    data.query = 0
    data.marks.fill(0)
    data.scratch.pairStamp.fill(0)
    data.scratch.boundStamp.fill(0)
  }
  data.query++
  const mark = data.query
  if (data.scratch.similarity.length < data.vocabulary.length * q)
    data.scratch = pairScratch(data.vocabulary.length * q)
  // Pair values of this query, by vocabulary id × q + query token: the similarity once known, and a bound.
  const { similarity, pairStamp, bound, boundStamp } = data.scratch
  const candidates: number[] = []
  query.forEach((token, i) => {
    for (const [id, s] of similarTokens(data, token, queryChars[i] ?? [], threshold)) {
      similarity[id * q + i] = s
      pairStamp[id * q + i] = mark
      for (let p = data.postingStart[id] ?? 0; p < (data.postingStart[id + 1] ?? 0); p++) {
        const name = data.postings[p] ?? 0
        if (data.marks[name] === mark) continue
        data.marks[name] = mark
        candidates.push(name)
      }
    }
  })
  let queryLength = 0
  for (const token of query) queryLength += token.length
  const queryReached = new Uint8Array(q)
  const penalty = config.unmatchedTokenPenalty
  const best = new Map<number, { score: number; ordinal: number }>()
  for (const name of candidates) {
    const start = data.nameStart[name] ?? 0
    const end = data.nameStart[name + 1] ?? 0
    // 1. A bound from the pairs at the threshold and a cheap bound on every other pair.
    let total = queryLength
    let reached = 0
    let low = 0
    queryReached.fill(0)
    for (let k = start; k < end; k++) {
      const id = data.nameTokens[k] ?? 0
      const length = (data.vocabulary[id] ?? '').length
      total += length
      let tokenReached = false
      for (let i = 0; i < q; i++) {
        const key = id * q + i
        let u: number
        if (pairStamp[key] === mark) {
          u = similarity[key] ?? 0
          if (u >= threshold) {
            tokenReached = true
            queryReached[i] = 1
            continue
          }
        } else if (boundStamp[key] === mark) u = bound[key] ?? 1
        else {
          u = pairBound(
            data,
            query[i] ?? '',
            queryChars[i]?.length ?? 0,
            signatures[i] ?? querySignatureOf([]),
            id,
          )
          bound[key] = u
          boundStamp[key] = mark
        }
        if (u > low) low = u
      }
      if (tokenReached) reached += length
    }
    for (let i = 0; i < q; i++) if (queryReached[i] === 1) reached += (query[i] ?? '').length
    if (nameScoreBound(reached, low, total, penalty) < threshold - boundSlack) continue
    // 2. The same bound with every pair scored (each pair once per query).
    low = 0
    for (let k = start; k < end; k++) {
      const id = data.nameTokens[k] ?? 0
      for (let i = 0; i < q; i++) {
        const key = id * q + i
        if (pairStamp[key] !== mark) {
          similarity[key] = tokenSimilarityOfChars(
            query[i] ?? '',
            queryChars[i],
            data.vocabulary[id] ?? '',
            data.chars[id],
          )
          pairStamp[key] = mark
        }
        const s = similarity[key] ?? 0
        if (s < threshold && s > low) low = s
      }
    }
    if (nameScoreBound(reached, low, total, penalty) < threshold - boundSlack) continue
    // 3. The score itself.
    const score = nameSimilarity(
      query,
      tokensOf(data, name),
      penalty,
      (i, j) => similarity[(data.nameTokens[start + j] ?? 0) * q + i] ?? 0,
    )
    if (score >= threshold) record(best, data.nameEntry[name] ?? 0, score, data.nameOrdinal[name] ?? 0)
  }
  return E.right(conclude(prepared.right, party, best, index.lists))
}

/**
 * Screens a party by scoring every name in the index, with no pruning: the reference `screenParty`
 * is held to (same matches, same scores), and the baseline of the benchmark.
 *
 * @example
 * import { buildSanctionsIndex, loadOfacSdnSync, screenParty, screenPartyByScan } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const sdn = '7001,"VANTERPOOL, Orrin Kael","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
 * const index = buildSanctionsIndex([loadOfacSdnSync({ sdn: [sdn] }).list])
 * const party = { name: 'Orin Vanterpol' }
 * assert.deepEqual(screenPartyByScan(index, party), screenParty(index, party))
 */
export const screenPartyByScan = (
  index: SanctionsIndex,
  party: Party,
  config: ScreeningConfig = defaultScreeningConfig,
): E.Either<ScreeningError, ScreeningResult> => {
  const prepared = prepare(index, party, config)
  if (E.isLeft(prepared)) return prepared
  const { data, query } = prepared.right
  const best = new Map<number, { score: number; ordinal: number }>()
  for (let name = 0; name < data.nameEntry.length; name++) {
    const score = nameSimilarity(query, tokensOf(data, name), config.unmatchedTokenPenalty)
    if (score >= config.possibleThreshold)
      record(best, data.nameEntry[name] ?? 0, score, data.nameOrdinal[name] ?? 0)
  }
  return E.right(conclude(prepared.right, party, best, index.lists))
}
