/**
 * Character-level checks that answer exactly what the request's decoders and patterns answer (the
 * method token, the printable key; ids use core's `MerchantId` and `BeneficiaryId`, loops too),
 * without regular expressions or allocation, for the hot path of `decideRescore`. Each is tested
 * against the pattern it stands for; when one says no, the policy takes the slow path that names
 * the problem.
 */
import { MerchantId } from '@payout-kernel/core'

const maxPathLength = 2048
const maxKeyLength = 255

/** The method token: `^[A-Za-z]{1,16}$`. */
export const isMethodToken = (u: unknown): u is string => {
  if (typeof u !== 'string' || u.length === 0 || u.length > 16) return false
  for (let i = 0; i < u.length; i++) {
    const c = u.charCodeAt(i)
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false
  }
  return true
}

/** A usable key: 1 to 255 printable ASCII characters, no space first or last. */
export const isPrintableKey = (s: string): boolean => {
  const n = s.length
  if (n === 0 || n > maxKeyLength) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) return false
  }
  return s.charCodeAt(0) !== 0x20 && s.charCodeAt(n - 1) !== 0x20
}

const isFlags = (u: unknown): boolean => {
  if (typeof u !== 'object' || u === null) return false
  const e = u as Record<string, unknown>
  return (
    typeof e.configured === 'boolean' && typeof e.profileExists === 'boolean' && typeof e.locked === 'boolean'
  )
}

/**
 * True exactly when `decodeRescoreRequest` finds no problem (false for a request that throws when
 * read: the decoder then names the field).
 */
export const isWellFormedRequest = (u: unknown): boolean => {
  try {
    return wellFormed(u)
  } catch {
    return false
  }
}

const wellFormed = (u: unknown): boolean => {
  if (typeof u !== 'object' || u === null) return false
  const r = u as Record<string, unknown>
  const path = r.path
  const headers = r.headers
  return (
    MerchantId.is(r.merchantId) &&
    isMethodToken(r.method) &&
    typeof path === 'string' &&
    path.length > 0 &&
    path.length <= maxPathLength &&
    typeof r.beneficiaryId === 'string' &&
    typeof headers === 'object' &&
    headers !== null &&
    !Array.isArray(headers) &&
    isFlags(r.engine)
  )
}

/**
 * The `Idempotency-Key` when the headers hold exactly one usable value for it (in any letter
 * case); `undefined` when anything is unusual (absent, repeated, an array, not printable), for the
 * slow path to tell which problem it is (headers that throw when read too).
 */
export const plainIdempotencyKey = (headers: object): string | undefined => {
  try {
    return plainKey(headers)
  } catch {
    return undefined
  }
}

const plainKey = (headers: object): string | undefined => {
  let found: string | undefined
  for (const name of Object.keys(headers)) {
    if (name.length !== 15) continue
    if (name !== 'Idempotency-Key' && name.toLowerCase() !== 'idempotency-key') continue
    const value: unknown = (headers as Record<string, unknown>)[name]
    if (typeof value !== 'string' || (found !== undefined && found !== value)) return undefined
    found = value
  }
  return found !== undefined && isPrintableKey(found) ? found : undefined
}

const plainJson = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return false
  }
  return true
}

/**
 * Canonical JSON of the fingerprint's three fields, as `JSON.stringify` of them in key order
 * writes it. Joined in one piece (a flat string: a template literal would keep a tree of
 * fragments alive in the stored record, twice the bytes, until first read).
 */
export const fingerprintOf = (beneficiaryId: string, method: string, path: string): string => {
  const upper = method === 'POST' ? method : method.toUpperCase()
  return plainJson(beneficiaryId) && plainJson(upper) && plainJson(path)
    ? ['{"beneficiary_id":"', beneficiaryId, '","method":"', upper, '","path":"', path, '"}'].join('')
    : JSON.stringify({ beneficiary_id: beneficiaryId, method: upper, path })
}

const escapes = -1

/** Whether the constant `s` occurs in `text` at `at`. */
const sameAt = (text: string, s: string, at: number): boolean => {
  for (let i = 0; i < s.length; i++) if (text.charCodeAt(at + i) !== s.charCodeAt(i)) return false
  return true
}

/**
 * Whether `s` occurs in `text` at `at` (1) or not (0), in one character loop; `escapes` (-1) as
 * soon as `s` holds a character JSON would escape (or one outside printable ASCII).
 */
const plainAt = (text: string, s: string, at: number): number => {
  let result = 1
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return escapes
    if (text.charCodeAt(at + i) !== c) result = 0
  }
  return result
}

/**
 * Whether `fingerprint` is `fingerprintOf(beneficiaryId, method, path)`, read in place: no string
 * is built when the three parts need no JSON escaping (the usual case).
 */
export const matchesFingerprint = (
  fingerprint: string,
  beneficiaryId: string,
  method: string,
  path: string,
): boolean => {
  const upper = method === 'POST' ? method : method.toUpperCase()
  // {"beneficiary_id":"<b>","method":"<m>","path":"<p>"}
  const b = beneficiaryId.length
  const m = upper.length
  const sameLength = fingerprint.length === 43 + b + m + path.length
  const parts = Math.min(
    plainAt(fingerprint, beneficiaryId, 19),
    plainAt(fingerprint, upper, 31 + b),
    plainAt(fingerprint, path, 41 + b + m),
  )
  if (parts === escapes) return fingerprint === fingerprintOf(beneficiaryId, method, path)
  return (
    sameLength &&
    parts === 1 &&
    sameAt(fingerprint, '{"beneficiary_id":"', 0) &&
    sameAt(fingerprint, '","method":"', 19 + b) &&
    sameAt(fingerprint, '","path":"', 31 + b + m) &&
    sameAt(fingerprint, '"}', 41 + b + m + path.length)
  )
}
