/**
 * The sanctions index: every name and alias of the loaded lists, normalised once, with a token
 * vocabulary and postings so that a party is scored only against the names that can reach the
 * possible-match threshold (see `screenParty`).
 */
import { attach, type IndexData, pairScratch, signatureBuckets } from './internal/IndexData.js'
import { entryNames, type ListId, type SanctionsList } from './ListEntry.js'
import { defaultNameOptions, type NameOptions, nameTokens } from './Name.js'

// ---------------------------------------------------------------- model

/**
 * An index over one or more loaded lists, ready to screen parties against. Immutable once built.
 *
 * @example
 * import { buildSanctionsIndex, loadOfacSdnSync } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const load = loadOfacSdnSync({ sdn: ['1,"ORCHID LINE",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'ORCHID SHIPPING\'."\n'] })
 * const index = buildSanctionsIndex([load.list])
 * assert.deepEqual([index.lists, index.entries, index.names, index.tokens], [['ofac_sdn'], 1, 2, 3])
 */
export interface SanctionsIndex {
  /** Tags the value. */
  readonly _tag: 'SanctionsIndex'
  /** The lists it holds, in the order given. */
  readonly lists: ReadonlyArray<ListId>
  /** How many entries it holds. */
  readonly entries: number
  /** How many names (primary names and aliases) it holds. */
  readonly names: number
  /** How many distinct name tokens it holds. */
  readonly tokens: number
  /** How its names were normalised (a party's name is normalised the same way). */
  readonly nameOptions: NameOptions
}

// ---------------------------------------------------------------- constructors

/**
 * Builds an index over lists. Names that normalise to nothing are left out (their entry stays,
 * under its other names).
 *
 * @example
 * import { buildSanctionsIndex } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const empty = buildSanctionsIndex([])
 * assert.equal(empty.entries, 0)
 */
export const buildSanctionsIndex = (
  lists: ReadonlyArray<SanctionsList>,
  options: NameOptions = defaultNameOptions,
): SanctionsIndex => {
  const entries = lists.flatMap((l) => l.entries)
  const vocabularyIds = new Map<string, number>()
  const vocabulary: string[] = []
  const nameEntry: number[] = []
  const nameOrdinal: number[] = []
  const nameStart: number[] = [0]
  const tokens: number[] = []
  entries.forEach((entry, e) => {
    entryNames(entry).forEach((name, ordinal) => {
      const ts = nameTokens(name, options)
      if (ts.length === 0) return
      for (const t of ts) {
        let id = vocabularyIds.get(t)
        if (id === undefined) {
          id = vocabulary.length
          vocabularyIds.set(t, id)
          vocabulary.push(t)
        }
        tokens.push(id)
      }
      nameEntry.push(e)
      nameOrdinal.push(ordinal)
      nameStart.push(tokens.length)
    })
  })
  const names = nameEntry.length
  const v = vocabulary.length
  const tokenLength = new Int32Array(v)
  const signature = new Uint8Array(v * signatureBuckets)
  const lengthGroups: number[][] = []
  vocabulary.forEach((token, id) => {
    let n = 0
    for (const c of token) {
      n++
      const b = id * signatureBuckets + ((c.codePointAt(0) ?? 0) % signatureBuckets)
      signature[b] = Math.min(255, (signature[b] ?? 0) + 1)
    }
    tokenLength[id] = n
    let group = lengthGroups[n]
    if (group === undefined) {
      group = []
      lengthGroups[n] = group
    }
    group.push(id)
  })
  const postingStart = new Int32Array(v + 1)
  const nameTokensArray = Int32Array.from(tokens)
  const nameStartArray = Int32Array.from(nameStart)
  for (let n = 0; n < names; n++) {
    let previous = -1
    for (let k = nameStartArray[n] ?? 0; k < (nameStartArray[n + 1] ?? 0); k++) {
      const t = nameTokensArray[k] ?? 0
      if (t !== previous) postingStart[t + 1] = (postingStart[t + 1] ?? 0) + 1
      previous = t
    }
  }
  for (let t = 0; t < v; t++) postingStart[t + 1] = (postingStart[t + 1] ?? 0) + (postingStart[t] ?? 0)
  const postings = new Int32Array(postingStart[v] ?? 0)
  const fill = postingStart.slice(0, v)
  for (let n = 0; n < names; n++) {
    let previous = -1
    for (let k = nameStartArray[n] ?? 0; k < (nameStartArray[n + 1] ?? 0); k++) {
      const t = nameTokensArray[k] ?? 0
      if (t !== previous) {
        postings[fill[t] ?? 0] = n
        fill[t] = (fill[t] ?? 0) + 1
      }
      previous = t
    }
  }
  const data: IndexData = {
    options,
    entries,
    nameEntry: Int32Array.from(nameEntry),
    nameOrdinal: Int32Array.from(nameOrdinal),
    nameStart: nameStartArray,
    nameTokens: nameTokensArray,
    vocabulary,
    chars: vocabulary.map((token) => [...token]),
    tokenLength,
    signature,
    byLength: Array.from(lengthGroups, (g) => Int32Array.from(g ?? [])),
    postingStart,
    postings,
    bucketMask: Int32Array.from(vocabulary, (_, id) => {
      let mask = 0
      for (let k = 0; k < signatureBuckets; k++)
        if ((signature[id * signatureBuckets + k] ?? 0) > 0) mask |= 1 << k
      return mask
    }),
    marks: new Int32Array(names),
    query: 0,
    scratch: pairScratch(0),
  }
  const index: SanctionsIndex = {
    _tag: 'SanctionsIndex',
    lists: lists.map((l) => l.id),
    entries: entries.length,
    names,
    tokens: v,
    nameOptions: options,
  }
  attach(index, data)
  return index
}
