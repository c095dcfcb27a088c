// What a SanctionsIndex holds, out of its public face: every name of every entry as token ids, the
// token vocabulary with its postings (which names hold a token) and a character signature per token.
import type { ListEntry } from '../ListEntry.js'
import type { NameOptions } from '../Name.js'

/** Buckets of the character signature: a character counts in bucket `code point % 32`. */
export const signatureBuckets = 32

export interface IndexData {
  readonly options: NameOptions
  readonly entries: ReadonlyArray<ListEntry>
  /** For each indexed name: its entry, and which of the entry's names it is (0 = primary). */
  readonly nameEntry: Int32Array
  readonly nameOrdinal: Int32Array
  /** The token ids of name `n` are `nameTokens[nameStart[n] .. nameStart[n + 1])`, sorted by token. */
  readonly nameStart: Int32Array
  readonly nameTokens: Int32Array
  /** The vocabulary: token strings, their lengths in code points, their signatures. */
  readonly vocabulary: ReadonlyArray<string>
  /** Each vocabulary token split into code points, as the similarity library takes them. */
  readonly chars: ReadonlyArray<ReadonlyArray<string>>
  readonly tokenLength: Int32Array
  readonly signature: Uint8Array
  /** Token ids by length in code points. */
  readonly byLength: ReadonlyArray<Int32Array>
  /** The names holding token `t` are `postings[postingStart[t] .. postingStart[t + 1])`, ascending. */
  readonly postingStart: Int32Array
  readonly postings: Int32Array
  /** For each vocabulary token, bit `k` is set when it has a character in signature bucket `k`. */
  readonly bucketMask: Int32Array
  /** Scratch space for one query at a time: the query number that last marked each name. */
  readonly marks: Int32Array
  query: number
  /**
   * Scratch space for one query at a time, by `vocabulary id × query tokens + query token`: a pair's
   * similarity (`pairStamp` = the query number when it is set) and its cheap upper bound (`boundStamp`).
   */
  scratch: PairScratch
}

const store = /* @__PURE__ */ new WeakMap<object, IndexData>()

export const attach = (index: object, data: IndexData): void => {
  store.set(index, data)
}

export const dataOf = (index: object): IndexData | undefined => store.get(index)

export interface PairScratch {
  readonly similarity: Float64Array
  readonly pairStamp: Int32Array
  readonly bound: Float64Array
  readonly boundStamp: Int32Array
}

export const pairScratch = (size: number): PairScratch => ({
  similarity: new Float64Array(size),
  pairStamp: new Int32Array(size),
  bound: new Float64Array(size),
  boundStamp: new Int32Array(size),
})
