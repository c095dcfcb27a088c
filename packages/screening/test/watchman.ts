// Moov Watchman's published name pairs and scores, and what we compare them with (used by Watchman.test.ts).
//
// Watchman's scores below are data: an external reference copied from moov-io/watchman at commit
// d299005fe25f511fe8abdb6425c745e16cb5ca2c (v0.66.0-16-gd299005f, 21 Aug 2026), from
//   internal/stringscore/jaro_winkler_test.go   TestJaroWinkler: BestPairsJaroWinkler(search, indexed), ±0.01
//   internal/stringscore/new_algorithm_test.go  TestBestPairsJaroWinkler__FalsePositives / __TruePositives:
//                                               the "new score" (BestPairsJaroWinkler), ±0.01
//   pkg/search/similarity_ofac_test.go          TestSimilarity_OFAC_SDN_Person: the entity score, ±0.02
// Where Watchman's test wraps a string in prepare.LowerAndRemovePunctuation, the string here is its result.
// Our scores are never written down: the tests compute them.
import { defaultScreeningConfig, nameSimilarity, nameTokens } from '../src/index.js'

/** A name on the list (Watchman's "indexed" term), a name screened (its "search" term), Watchman's score. */
export interface WatchmanPair {
  readonly indexed: string
  readonly search: string
  readonly watchman: number
  /** The Watchman test the pair comes from. */
  readonly from: 'TestJaroWinkler' | 'TestBestPairsJaroWinkler'
}

const pairs = (
  from: WatchmanPair['from'],
  rows: ReadonlyArray<readonly [string, string, number]>,
): WatchmanPair[] => rows.map(([indexed, search, watchman]) => ({ indexed, search, watchman, from }))

/** internal/stringscore/jaro_winkler_test.go, TestJaroWinkler, in its order. */
export const jaroWinklerPairs: ReadonlyArray<WatchmanPair> = pairs('TestJaroWinkler', [
  ['wei, zhao', 'wei, Zhao', 0.917],
  ['WEI, Zhao', 'WEI, Zhao', 1.0],
  ['WEI Zhao', 'WEI Zhao', 1.0],
  ['wei zhao', 'wei zhao', 1.0], // strings.ToLower("WEI Zhao"), LowerAndRemovePunctuation("WEI, Zhao")
  ['jane doe', 'jan lahore', 0.439],
  ['jan lahore', 'jane doe', 0.549],
  ['john doe', 'paul john', 0.624],
  ['john doe', 'john othername', 0.44],
  ['tai me', 'taim', 0.819],
  ['elvin', 'elvis', 0.92],
  ['jane doe', 'jane doe2', 0.94],
  ['kalamity linden', 'kala limited', 0.687],
  ['kala limited', 'kalamity linden', 0.687],
  ['nicolas', 'nicolas', 1.0],
  ['nicolas moros maduro', 'nicolas maduro', 0.958],
  ['nicolas maduro', 'nicolas moros maduro', 0.839],
  ['ian', 'ian mckinley', 0.429],
  ['iap', 'ian mckinley', 0.352],
  ['ian mckinley', 'ian', 0.891],
  ['ian mckinley', 'iap', 0.733],
  ['ian mckinley', 'tian xiang 7', 0.0],
  ['bindaree food group pty', 'independent insurance group ltd', 0.269],
  ['bindaree food group pty ltd', 'independent insurance group ltd', 0.401],
  ['p.c.c. (singapore) private limited', 'culver max entertainment private limited', 0.514],
  ['zincum llc', 'easy verification inc.', 0.0],
  ['transpetrochart co ltd', 'jx metals trading co.', 0.431],
  ['technolab', 'moomoo technologies inc', 0.565],
  ['sewa security services', 'sesa - safety & environmental services australia pty ltd', 0.48],
  ['bueno', '20/f rykadan capital twr135 hoi bun rd, kwun tong 135 hoi bun rd., kwun tong', 0.094],
  ['nicolas maduro', 'nicolás maduro', 0.937],
  ['nicolas maduro', 'nicolas maduro', 1.0], // LowerAndRemovePunctuation("nicolás maduro")
  ['nic maduro', 'nicolas maduro', 0.872],
  ['nick maduro', 'nicolas maduro', 0.859],
  ['nicolas maduroo', 'nicolas maduro', 0.966],
  ['maduro, nicolas', 'maduro, nicolas', 1.0],
  ['maduro moros, nicolas', 'maduro moros, nicolas', 1.0],
  ['maduro moros, nicolas', 'nicolas maduro', 0.953],
  ['nicolas maduro moros', 'maduro', 0.9],
  ['nicolas maduro moros', 'nicolás maduro', 0.898],
  ['nicolas, maduro moros', 'maduro', 0.897],
  ['nicolas, maduro moros', 'nicolas maduro', 0.928],
  ['nicolas, maduro moros', 'nicolás', 0.822],
  ['nicolas, maduro moros', 'nicolás maduro', 0.906],
  ['africada financial services bureau change', 'skylight', 0.441],
  ['africada financial services bureau change', 'skylight financial inc', 0.67],
  ['africada financial services bureau change', 'skylight services inc', 0.625],
  ['africada financial services bureau change', 'skylight financial services', 0.778],
  ['africada financial services bureau change', 'skylight financial services inc', 0.749],
  ['the group for the preservation of the holy sites', 'the bridgespan group', 0.715],
  ['group preservation holy sites', 'bridgespan group', 0.692],
  ['the group for the preservation of the holy sites', 'the logan group', 0.67],
  ['group preservation holy sites', 'logan group', 0.586],
  ['the group for the preservation of the holy sites', 'the anything group', 0.546],
  ['group preservation holy sites', 'anything group', 0.488],
  ['the group for the preservation of the holy sites', 'the hello world group', 0.637],
  ['group preservation holy sites', 'hello world group', 0.577],
  ['the group for the preservation of the holy sites', 'the group', 0.88],
  ['group preservation holy sites', 'group', 0.879],
  [
    'the group for the preservation of the holy sites',
    'The flibbity jibbity flobbity jobbity grobbity zobbity group',
    0.363,
  ],
  [
    'the group for the preservation of the holy sites',
    'the flibbity jibbity flobbity jobbity grobbity zobbity group', // LowerAndRemovePunctuation
    0.379,
  ],
  ['group preservation holy sites', 'flibbity jibbity flobbity jobbity grobbity zobbity group', 0.277],
  ['i c sogo kenkyusho', 'a i c sogo kenkyusho', 0.968], // LowerAndRemovePunctuation("A.I.C. SOGO KENKYUSHO")
  ['a i c sogo kenkyusho', 'sogo kenkyusho', 0.972],
  ['11 420 2 1 corp', '11 420 2 1 corp', 1.0], // LowerAndRemovePunctuation("11,420.2-1 CORP.") here and below
  ['11 420 2 1 corp', '11 420 21 corp', 0.947],
  ['11 420 2 1 corp', '11420 2 1 corp', 0.849],
  ['11 420 2 1 corp', '11420 21 corp', 0.787],
  ['11 420 2 1 corp', '114202 1 corp', 0.802],
  ['11 420 2 1 corp', '1142021 corp', 0.752],
  ['JSCARGUMENT', 'JSC ARGUMENT', 0.413],
  ['ARGUMENTJSC', 'JSC ARGUMENT', 0.75],
  ['ivan', 'john', 0.01],
  ['john smith', 'john smythe', 0.893],
  ['sean', 'shawn', 0.757],
  ['mohamed', 'muhammed', 0.849],
  ['a', 'a', 1.0],
  ['a', 'b', 0.0],
  ['', 'hello', 0.0],
  ['hello', '', 0.0],
  ['café', 'cafe', 0.8],
  ['123', '123', 1.0],
  ['123', '456', 0.0],
  ['hello world', 'hello   world', 1.0],
  ['very long string with many words', 'another very long string with different words', 0.725],
  ['!@#$%', '!@#$%', 1.0],
  ['!@#$%', 'abcde', 0.0],
  ['αβγ', 'αβγ', 1.0],
  ['αβγ', 'abc', 0.0],
])

/** internal/stringscore/new_algorithm_test.go: SDN names Watchman's scorer was tuned on (its "new score"). */
export const sdnPairs: ReadonlyArray<WatchmanPair> = pairs('TestBestPairsJaroWinkler', [
  ['vladimirov vladimir vladimirovich', 'vladimir levenshtein', 0.527],
  ['shaqiri shaqir', 'zaid shakir', 0.729],
  ['hadi', 'hadi alwai', 0.615],
  ['li shangfu', 'li shanlan', 0.867],
  ['browningweight', 'brown', 0.703],
  ['dominguez', 'jimenez', 0.0],
  ['saddam hussein al tikriti', 'saddam hussien', 0.924],
  ['valencia trujillo joaquin mario', 'valencia trujillo joaquin', 0.973],
  ['lukashenko alexander grigoryevich', 'alexander lukashenko', 0.942],
  ['a i c sogo kenkyusho', 'sogo kenkyusho', 0.972],
])

/** Every published pair. */
export const watchmanPairs: ReadonlyArray<WatchmanPair> = [...jaroWinklerPairs, ...sdnPairs]

/** The key of a pair in the lists below: `indexed | search`. */
export const keyOf = (p: Pick<WatchmanPair, 'indexed' | 'search'>): string => `${p.indexed} | ${p.search}`

/**
 * The SDN row Watchman's entity test quotes (pkg/search/similarity_ofac_test.go, entity 48603), and the
 * queries of TestSimilarity_OFAC_SDN_Person that use only a name, a date of birth and a gender (the ones
 * with an e-mail address or an entity type mismatch have nothing to compare with here).
 */
export const khoroshevSdnRow =
  '48603,"KHOROSHEV, Dmitry Yuryevich","individual","CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,' +
  '"DOB 17 Apr 1993; POB Russian Federation; nationality Russia; citizen Russia; Email Address khoroshev1@icloud.com; ' +
  'alt. Email Address sitedev5@yandex.ru; Gender Male; Digital Currency Address - XBT bc1qvhnfknw852ephxyc5hm4q520zmvf9maphetc9z; ' +
  'Secondary sanctions risk: Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201; Passport 2018278055 (Russia); ' +
  "alt. Passport 2006801524 (Russia); Tax ID No. 366110340670 (Russia); a.k.a. 'LOCKBITSUPP'.\"\n"

export interface WatchmanEntityQuery {
  readonly case: string
  readonly name: string
  readonly dateOfBirth?: { readonly year: number; readonly month: number; readonly day: number }
  readonly watchman: number
}

export const khoroshevQueries: ReadonlyArray<WatchmanEntityQuery> = [
  { case: 'Name match only', name: 'Dmitry Yuryevich KHOROSHEV', watchman: 0.812 },
  { case: 'Fuzzy name match - Alternate identity', name: 'Dmitri Yuryevich', watchman: 0.746 },
  {
    case: 'Close name but different person details', // birth date 30 days later; gender male
    name: 'Dmitri Yuryvich',
    dateOfBirth: { year: 1993, month: 5, day: 17 },
    watchman: 0.644,
  },
  { case: 'Mismatch - Wrong name and no matching details', name: 'SARAH JONES', watchman: 0.182 }, // gender F
]

// ---------------------------------------------------------------- comparing

/** Our band for a score, with our default thresholds. */
export const band = (score: number): 'hit' | 'possible' | 'clear' =>
  score >= defaultScreeningConfig.hitThreshold
    ? 'hit'
    : score >= defaultScreeningConfig.possibleThreshold
      ? 'possible'
      : 'clear'

/** Our name score for a pair: both names normalised by `nameTokens`, scored by `nameSimilarity`. */
export const ourScore = (p: Pick<WatchmanPair, 'indexed' | 'search'>): number =>
  nameSimilarity(nameTokens(p.indexed), nameTokens(p.search))

/** The tokens Watchman's scorer was given in its test: the string split on whitespace (Go's strings.Fields). */
export const watchmanTokens = (s: string): string[] => s.split(/\s+/u).filter((t) => t !== '')

/**
 * Watchman's own normaliser, prepare.LowerAndRemovePunctuation (internal/prepare/pipeline_normalize.go),
 * written out here to tell which of its test strings its pipeline would have changed: `.`, `,` and `-`
 * become spaces, the text is lowercased, punctuation and symbols are breaks, letters and digits are
 * kept, anything else dropped, then NFD with nonspacing marks removed, NFC.
 */
export const watchmanNormalise = (s: string): string => {
  const text = s.replace(/[.,-]/g, ' ').toLowerCase().trim()
  let out = ''
  let lastWasSpace = true
  for (const c of text) {
    if (/[\p{P}\p{S}\s]/u.test(c)) {
      if (!lastWasSpace) out += ' '
      lastWasSpace = true
    } else if (/[\p{L}\p{N}]/u.test(c)) {
      out += c
      lastWasSpace = false
    }
  }
  return out
    .trim()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .normalize('NFC')
}

/**
 * How a pair compares:
 * - `same tokens`: our normalisation gives exactly the tokens Watchman's scorer was given (as a multiset),
 *   so any difference is the scorers';
 * - `unnormalised`: Watchman's test fed its scorer text its own pipeline would have normalised first
 *   (case, commas, diacritics): the figure shows its raw scorer, not its screening;
 * - `company suffix`: the same tokens but for a company suffix we drop (ltd, pty, inc, co, llc, …);
 * - `no letters`: a name with no letter or digit, which we do not score.
 */
export type Comparability = 'same tokens' | 'unnormalised' | 'company suffix' | 'no letters'

const sameMultiset = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  const x = [...a].sort()
  const y = [...b].sort()
  return x.length === y.length && x.every((t, i) => t === y[i])
}

export const comparability = (p: WatchmanPair): Comparability => {
  const sides = [p.indexed, p.search]
  if (sides.every((s) => sameMultiset(nameTokens(s), watchmanTokens(s)))) return 'same tokens'
  if (sides.some((s) => nameTokens(s).length === 0 && watchmanTokens(s).length > 0)) return 'no letters'
  if (sides.some((s) => watchmanNormalise(s) !== s)) return 'unnormalised'
  return 'company suffix'
}

/** Spearman's rank correlation (average ranks for ties). */
export const spearman = (xs: ReadonlyArray<number>, ys: ReadonlyArray<number>): number => {
  const ranks = (vs: ReadonlyArray<number>): number[] => {
    const order = vs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0])
    const r = new Array<number>(vs.length).fill(0)
    for (let i = 0; i < order.length; ) {
      let j = i
      while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++
      for (let k = i; k <= j; k++) r[order[k]?.[1] ?? 0] = (i + j) / 2 + 1
      i = j + 1
    }
    return r
  }
  const rx = ranks(xs)
  const ry = ranks(ys)
  const mean = (vs: number[]) => vs.reduce((s, v) => s + v, 0) / vs.length
  const mx = mean(rx)
  const my = mean(ry)
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < rx.length; i++) {
    const dx = (rx[i] ?? 0) - mx
    const dy = (ry[i] ?? 0) - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  return sxy / Math.sqrt(sxx * syy)
}

/**
 * Pairwise order agreement: of the pairs of items Watchman scores apart by more than its tolerance
 * (0.01), the share we order the same way, and how many we tie.
 */
export const pairwiseAgreement = (
  watchman: ReadonlyArray<number>,
  ours: ReadonlyArray<number>,
): { readonly compared: number; readonly agreed: number; readonly tied: number } => {
  let compared = 0
  let agreed = 0
  let tied = 0
  for (let i = 0; i < watchman.length; i++)
    for (let j = i + 1; j < watchman.length; j++) {
      const w = (watchman[i] ?? 0) - (watchman[j] ?? 0)
      if (Math.abs(w) <= 0.01) continue
      compared++
      const o = (ours[i] ?? 0) - (ours[j] ?? 0)
      if (o === 0) tied++
      else if (Math.sign(o) === Math.sign(w)) agreed++
    }
  return { compared, agreed, tied }
}

/** The names shown in docs/screening.md, "Compared with Moov Watchman", in its order. */
export const guideTable: ReadonlyArray<string> = [
  'nicolas maduro | nicolas maduro',
  'maduro moros, nicolas | nicolas maduro',
  'nicolas maduro | nicolás maduro',
  'nicolas moros maduro | nicolas maduro',
  'nicolas maduro | nicolas moros maduro',
  'nic maduro | nicolas maduro',
  'john smith | john smythe',
  'mohamed | muhammed',
  'li shangfu | li shanlan',
  'saddam hussein al tikriti | saddam hussien',
  'lukashenko alexander grigoryevich | alexander lukashenko',
  'a i c sogo kenkyusho | sogo kenkyusho',
  'hadi | hadi alwai',
  'browningweight | brown',
  'john doe | paul john',
  'dominguez | jimenez',
]

/** The guide's table, as markdown, with our scores computed now. */
export const guideTableMarkdown = (): string => {
  const byKey = new Map(watchmanPairs.map((p) => [keyOf(p), p]))
  const rows = guideTable.map((key) => {
    const p = byKey.get(key)
    if (p === undefined) throw new Error(`not a Watchman pair: ${key}`)
    const ours = ourScore(p)
    return `| ${p.indexed} | ${p.search} | ${p.watchman.toFixed(3)} (${band(p.watchman)}) | ${ours.toFixed(3)} (${band(ours)}) |`
  })
  return [
    '| On the list (Watchman: indexed) | Screened (Watchman: search) | Watchman | Ours |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
}
