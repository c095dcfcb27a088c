// Exact integer amounts of minor units that stay plain numbers while they are safe integers and
// switch to bigint only when a sum would pass 2^53: the ledger's hot path avoids bigint allocation.

/** Minor units, exact: a safe integer number, or a bigint once past 2^53. */
export type Amount = number | bigint

/** The amount as a number when it is a safe integer, else as a bigint. */
export const fromBigInt = (n: bigint): Amount =>
  n <= 9_007_199_254_740_991n && n >= -9_007_199_254_740_991n ? Number(n) : n

export const toBigInt = (a: Amount): bigint => (typeof a === 'bigint' ? a : BigInt(a))

export const add = (a: Amount, b: Amount): Amount => {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b
    if (Number.isSafeInteger(sum)) return sum
  }
  return fromBigInt(toBigInt(a) + toBigInt(b))
}

export const subtract = (a: Amount, b: Amount): Amount => {
  if (typeof a === 'number' && typeof b === 'number') {
    const difference = a - b
    if (Number.isSafeInteger(difference)) return difference
  }
  return fromBigInt(toBigInt(a) - toBigInt(b))
}
