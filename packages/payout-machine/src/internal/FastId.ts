// `deriveId` and `toRfc3339` of @payout-kernel/core, computed faster, and the ids of a payout's
// audit records and webhook events. deriveId: for what the hot path derives: an ASCII message
// (parts joined by NUL) short enough for one SHA-256 block. Anything else goes to `deriveId`
// itself. Tested equal to `deriveId` on random parts.
//
// The two one-entry memos below (the last payout's id stem, the last day's date) are invisible
// from outside: each function returns exactly what it would compute without them. They pay off
// when one payout's events are applied one after another, as in a replay.
import { deriveId } from '@payout-kernel/core'

const K = /* @__PURE__ */ new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
])
const W = /* @__PURE__ */ new Int32Array(64)
const digit = (n: number): number => (n < 10 ? 48 + n : 87 + n)
const out = /* @__PURE__ */ new Array<number>(32)

/** The 8 hex digits of a 32-bit word into `out` at `at`. */
const word = (h: number, at: number): void => {
  for (let k = 7; k >= 0; k--) {
    out[at + k] = digit(h & 0xf)
    h >>>= 4
  }
}

/** `deriveId(prefix, parts)`, exactly. */
export const deriveIdFast = (prefix: string, parts: ReadonlyArray<string | number>): string => {
  const first = parts[0]
  const message =
    parts.length === 1 && typeof first === 'string'
      ? first
      : parts.length === 2
        ? `${first}\u0000${parts[1]}`
        : parts.map(String).join('\u0000')
  const n = message.length
  if (n > 55) return deriveId(prefix, parts)
  let word32 = 0
  for (let i = 0; i < n; i++) {
    const c = message.charCodeAt(i)
    if (c > 0x7f) return deriveId(prefix, parts)
    word32 = (word32 << 8) | c
    if ((i & 3) === 3) {
      W[i >> 2] = word32
      word32 = 0
    }
  }
  // the 0x80 terminator, then zeros up to the length word
  word32 = (word32 << 8) | 0x80
  let i = n + 1
  while ((i & 3) !== 0) {
    word32 <<= 8
    i++
  }
  W[(i >> 2) - 1] = word32
  W.fill(0, i >> 2, 15)
  W[15] = n * 8
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15] as number
    const w2 = W[i - 2] as number
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0
  }
  let a = 0x6a09e667 | 0
  let b = 0xbb67ae85 | 0
  let c = 0x3c6ef372 | 0
  let d = 0xa54ff53a | 0
  let e = 0x510e527f | 0
  let f = 0x9b05688c | 0
  let g = 0x1f83d9ab | 0
  let h = 0x5be0cd19 | 0
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (W[i] as number)) | 0
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  word((0x6a09e667 + a) >>> 0, 0)
  word((0xbb67ae85 + b) >>> 0, 8)
  word((0x3c6ef372 + c) >>> 0, 16)
  word((0xa54ff53a + d) >>> 0, 24)
  return prefix + String.fromCharCode.apply(null, out)
}

// ---------------------------------------------------------------- record and webhook ids

let stemOf: string | undefined
let stem = ''
let evtStem = ''
let pevStem = ''

const remember = (payoutId: string): void => {
  if (payoutId !== stemOf) {
    stem = deriveIdFast('', [payoutId])
    evtStem = `evt_${stem}`
    pevStem = `pev_${stem}`
    stemOf = payoutId
  }
}

/**
 * The 32 hex digits shared by every id of one payout's audit records and webhook events:
 * `deriveId(prefix, [payoutId])` without its prefix (SHA-256 of the payout id, first 128 bits).
 */
export const payoutIdStem = (payoutId: string): string => {
  remember(payoutId)
  return stem
}

/**
 * The id of the webhook event that reports audit record `seq` of a payout: `evt_`, the payout's
 * 32-hex-digit stem, then `seq` in decimal. The stem has a fixed length, so (stem, seq) reads back
 * from the id: two ids are equal only for the same payout stem and the same seq. At most
 * 4 + 32 + 16 characters, `[a-zA-Z0-9]` only.
 */
export const webhookEventIdOf = (payoutId: string, seq: number): string => {
  remember(payoutId)
  return evtStem + seq
}

/** The id of audit record `seq` of a payout: the same digits as its webhook's id, prefixed `pev_`. */
export const auditRecordIdOf = (payoutId: string, seq: number): string => {
  remember(payoutId)
  return pevStem + seq
}

// ---------------------------------------------------------------- timestamps

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`)
const pad4 = (n: number): string => (n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : `${n}`)

let dateOf = Number.NaN
let date = ''

/**
 * `toRfc3339` of @payout-kernel/core (`Date.prototype.toISOString` for years 0000 to 9999),
 * computed with integer arithmetic (days to civil date, H. Hinnant's algorithm). Tested equal.
 */
export const rfc3339Fast = (ms: number): string => {
  const days = Math.floor(ms / 86_400_000)
  let rest = ms - days * 86_400_000
  const hour = Math.floor(rest / 3_600_000)
  rest -= hour * 3_600_000
  const minute = Math.floor(rest / 60_000)
  rest -= minute * 60_000
  const second = Math.floor(rest / 1000)
  const milli = rest - second * 1000
  if (days !== dateOf) {
    date = civilDate(days)
    dateOf = days
  }
  // one flat string for the time of day, no intermediate pieces
  const time = String.fromCharCode(
    48 + ((hour / 10) | 0),
    48 + (hour % 10),
    58,
    48 + ((minute / 10) | 0),
    48 + (minute % 10),
    58,
    48 + ((second / 10) | 0),
    48 + (second % 10),
    46,
    48 + ((milli / 100) | 0),
    48 + (((milli / 10) | 0) % 10),
    48 + (milli % 10),
    90,
  )
  return date + time
}

/** `YYYY-MM-DDT` of a day counted from 1970-01-01. */
const civilDate = (days: number): string => {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}T`
}
