// Jaro-Winkler of two tokens, the one implementation behind `tokenSimilarity` and the index.
import { type CharArray, jaroWinkler } from '@skyra/jaro-winkler'

/**
 * `tokenSimilarity` with the tokens' code points already split (the index keeps its vocabulary so,
 * and the library then copies nothing).
 */
export const tokenSimilarityOfChars = (
  a: string,
  aChars: CharArray | undefined,
  b: string,
  bChars: CharArray | undefined,
): number => {
  if (a === b) return a === '' ? 0 : 1
  const [x, xChars, y, yChars] = a < b ? [a, aChars, b, bChars] : [b, bChars, a, aChars]
  const library = jaroWinkler(xChars ?? x, yChars ?? y)
  if (library <= 0) return 0
  // The library always adds the prefix boost, and counts a common prefix of four characters as 5
  // (its loop returns `++p` when the first four agree). Recover the plain Jaro value from its
  // answer, then apply Winkler's boost as specified.
  let prefix = 0
  while (prefix < 4 && prefix < x.length && x[prefix] === y[prefix]) prefix++
  const libraryPrefix = prefix === 4 ? 5 : prefix
  const jaro = libraryPrefix === 0 ? library : (library - 0.1 * libraryPrefix) / (1 - 0.1 * libraryPrefix)
  const boosted = jaro > 0.7 ? jaro + 0.1 * prefix * (1 - jaro) : jaro
  return Math.min(1, Math.max(0, boosted))
}
