/**
 * Bytes for the credential and webhook checks: strict UTF-8, lowercase hex, strict base64,
 * form-urlencoded decoding, a constant-time comparison and the Web Crypto handle. Nothing here
 * throws; a failure is `undefined` (or `false`), which the public modules turn into a refusal.
 */

// ---------------------------------------------------------------- UTF-8

const encoder = /* @__PURE__ */ new TextEncoder()
const strictDecoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Whether a string is well-formed UTF-16 (no lone surrogate), so that it has exactly one UTF-8 encoding. */
export const isWellFormed = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0xd800 || c > 0xdfff) continue
    if (c >= 0xdc00) return false
    const next = s.charCodeAt(i + 1)
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false
    i++
  }
  return true
}

/** The UTF-8 bytes of a well-formed string. */
export const utf8 = (s: string): Uint8Array<ArrayBuffer> => encoder.encode(s)

/** The text of strict UTF-8 bytes (a byte order mark is kept as text), `undefined` for anything else. */
export const fromUtf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return strictDecoder.decode(bytes)
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------- hex

const hexDigits = '0123456789abcdef'

/** Lowercase hex of bytes. */
export const toHex = (bytes: Uint8Array): string => {
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    out += hexDigits[b >> 4] + (hexDigits[b & 15] as string)
  }
  return out
}

const lowerHexValue = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1)

/** Whether `s[from, to)` is lowercase hex digits only. */
export const isLowerHex = (s: string, from = 0, to = s.length): boolean => {
  if (to <= from) return false
  for (let i = from; i < to; i++) if (lowerHexValue(s.charCodeAt(i)) < 0) return false
  return true
}

/** The bytes of an even-length lowercase hex string, `undefined` for anything else. */
export const fromLowerHex = (s: string): Uint8Array<ArrayBuffer> | undefined => {
  if (s.length % 2 !== 0) return undefined
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) {
    const hi = lowerHexValue(s.charCodeAt(2 * i))
    const lo = lowerHexValue(s.charCodeAt(2 * i + 1))
    if (hi < 0 || lo < 0) return undefined
    out[i] = (hi << 4) | lo
  }
  return out
}

// ---------------------------------------------------------------- base64 (RFC 4648 §4)

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const base64Values = /* @__PURE__ */ new Int8Array(128).fill(-1)
for (let i = 0; i < base64Alphabet.length; i++) base64Values[base64Alphabet.charCodeAt(i)] = i

/** Standard base64 with padding of bytes. */
export const toBase64 = (bytes: Uint8Array): string => {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number
    const b = bytes[i + 1]
    const c = bytes[i + 2]
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0)
    out += base64Alphabet[(n >> 18) & 63]
    out += base64Alphabet[(n >> 12) & 63]
    out += b === undefined ? '=' : base64Alphabet[(n >> 6) & 63]
    out += c === undefined ? '=' : base64Alphabet[n & 63]
  }
  return out
}

/**
 * The bytes of strict base64 (standard alphabet, padded to a multiple of 4, padding only at the
 * end, unused bits zero so that each byte string has exactly one text), `undefined` otherwise.
 */
export const fromBase64 = (s: string): Uint8Array<ArrayBuffer> | undefined => {
  if (s.length === 0 || s.length % 4 !== 0) return undefined
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0
  const out = new Uint8Array((s.length / 4) * 3 - padding)
  let o = 0
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 === s.length
    let n = 0
    for (let j = 0; j < 4; j++) {
      const c = s.charCodeAt(i + j)
      const padded = last && j >= 4 - padding
      if (padded) {
        if (c !== 61) return undefined
        n <<= 6
        continue
      }
      const v = c < 128 ? (base64Values[c] as number) : -1
      if (v < 0) return undefined
      n = (n << 6) | v
    }
    if (last && padding === 2 && (n & 0xffff) !== 0) return undefined
    if (last && padding === 1 && (n & 0xff) !== 0) return undefined
    out[o++] = (n >> 16) & 255
    if (o < out.length) out[o++] = (n >> 8) & 255
    if (o < out.length) out[o++] = n & 255
  }
  return out
}

// ---------------------------------------------------------------- application/x-www-form-urlencoded

/** Form-urlencodes a string (WHATWG URL §5: `*-._` and alphanumerics kept, space as `+`). */
export const formUrlEncode = (s: string): string => {
  const bytes = utf8(s)
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    const keep =
      (b >= 48 && b <= 57) ||
      (b >= 65 && b <= 90) ||
      (b >= 97 && b <= 122) ||
      b === 42 ||
      b === 45 ||
      b === 46 ||
      b === 95
    if (keep) out += String.fromCharCode(b)
    else if (b === 32) out += '+'
    else out += `%${hexDigits[b >> 4]?.toUpperCase()}${hexDigits[b & 15]?.toUpperCase()}`
  }
  return out
}

const anyHexValue = (c: number): number => (c >= 65 && c <= 70 ? c - 55 : lowerHexValue(c))

/**
 * Decodes one form-urlencoded value: `+` is a space, `%XX` a byte (either case of hex), the bytes
 * then strict UTF-8. `undefined` for a `%` not followed by two hex digits or bytes that are not
 * UTF-8 (a lenient decoder would keep such a `%` as text; here it is refused).
 */
export const formUrlDecode = (s: string): string | undefined => {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s
  const bytes: number[] = []
  const raw = utf8(s)
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number
    if (b === 43) bytes.push(32)
    else if (b === 37) {
      const hi = anyHexValue(raw[i + 1] ?? -1)
      const lo = anyHexValue(raw[i + 2] ?? -1)
      if (hi < 0 || lo < 0) return undefined
      bytes.push((hi << 4) | lo)
      i += 2
    } else bytes.push(b)
  }
  return fromUtf8(Uint8Array.from(bytes))
}

// ---------------------------------------------------------------- comparison

/**
 * Whether two byte strings are equal, in time that depends only on their lengths: every byte of
 * `a` is read and XOR-accumulated whatever was found before (no early exit), so the time does not
 * tell how long a matching prefix was. Lengths are not secret here (a MAC or digest has a fixed
 * length); different lengths compare unequal after the same full pass over `a`.
 */
/** The text without the optional whitespace (spaces and tabs, RFC 9110 §5.6.3) around it. */
export const trimOws = (s: string): string => {
  let from = 0
  let to = s.length
  while (from < to && (s.charCodeAt(from) === 32 || s.charCodeAt(from) === 9)) from++
  while (to > from && (s.charCodeAt(to - 1) === 32 || s.charCodeAt(to - 1) === 9)) to--
  return s.slice(from, to)
}

export const constantTimeEqual = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
  let diff = a.length ^ b.length
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] ?? 0)
  return diff === 0
}

// ---------------------------------------------------------------- Web Crypto

/** The Web Crypto `SubtleCrypto` of this runtime, `undefined` when there is none. */
export const subtleCrypto = (): SubtleCrypto | undefined => {
  try {
    const subtle = (globalThis as { readonly crypto?: { readonly subtle?: SubtleCrypto } }).crypto?.subtle
    return subtle ?? undefined
  } catch {
    return undefined
  }
}

/** SHA-256 of bytes, `undefined` when Web Crypto is missing or fails. */
export const sha256 = async (
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer> | undefined> => {
  const subtle = subtleCrypto()
  if (subtle === undefined) return undefined
  try {
    return new Uint8Array(await subtle.digest('SHA-256', bytes))
  } catch {
    return undefined
  }
}
