/**
 * DPoP proofs (RFC 9449): every `/v1` call carries an access token bound to a key and a fresh
 * proof, a JWT signed by that key over the request's method and URL. `verifyDpopProof` checks one
 * proof against the request it came with and answers the key's thumbprint (to compare with the
 * token's `cnf.jkt`) and the proof's `jti` (for the replay check of `DpopReplay.ts`), or a
 * `DpopRefusal` naming what was wrong. Signatures are checked by `jose` on Web Crypto; nothing here
 * reads a clock (`now` is an argument) or throws.
 */
import { type ApiError, apiError } from '@payout-kernel/core'
import {
  base64url,
  calculateJwkThumbprint,
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type JWK,
} from 'jose'
import * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- model

/**
 * The request a proof came with: its method, its full URL as the server received it, and the
 * access token of its `Authorization: DPoP …` header (absent on the token endpoint, whose proof
 * has no `ath`).
 *
 * @example
 * import type { DpopRequest } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const request: DpopRequest = { method: 'POST', url: 'https://api.example.com/v1/payouts?x=1', accessToken: 'at_1' }
 * assert.equal(request.method, 'POST')
 */
export interface DpopRequest {
  /** The HTTP method, as sent (methods are case-sensitive: `POST`, not `post`). */
  readonly method: string
  /** The request URL; its query and fragment are not part of what the proof signs. */
  readonly url: string
  /** The access token the request presents; absent for the token endpoint. */
  readonly accessToken?: string
}

/**
 * A proof that verified: the RFC 7638 SHA-256 thumbprint of its key (`jkt`, compare it with the
 * token's `cnf.jkt`), its `jti`, and its `iat` in seconds.
 *
 * @example
 * import type { DpopProof } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const proof: DpopProof = { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I', jti: 'e1j3V_bKic8-LAEB', iat: 1562262618 }
 * assert.equal(proof.jkt.length, 43)
 */
export interface DpopProof {
  /** The key's RFC 7638 thumbprint, SHA-256, base64url. */
  readonly jkt: string
  /** The proof's unique id. */
  readonly jti: string
  /** When the client made the proof, in seconds since the epoch. */
  readonly iat: number
}

/**
 * What was wrong with a proof: `malformed` (not a compact JWS, or its parts do not decode),
 * `typ`, `alg`, `jwk` (missing, private, or not a key of its `alg`), `signature`, one claim
 * (`htm`, `htu`, `iat`, `jti`, `ath`), `replay` (its `jti` was seen), `key_binding` (not the
 * token's key), or `unavailable` (the replay store failed: answer 503, not the client's fault).
 *
 * @example
 * import type { DpopRefusalReason } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const reason: DpopRefusalReason = 'htu'
 * assert.equal(reason, 'htu')
 */
export type DpopRefusalReason =
  | 'malformed'
  | 'typ'
  | 'alg'
  | 'jwk'
  | 'signature'
  | 'htm'
  | 'htu'
  | 'iat'
  | 'jti'
  | 'ath'
  | 'replay'
  | 'key_binding'
  | 'unavailable'

/**
 * A refused proof: the reason and a message for the client. The message never repeats a value
 * taken from the proof, so nothing an attacker sends is echoed into a header or a log.
 *
 * @example
 * import type { DpopRefusal } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const refusal: DpopRefusal = { _tag: 'DpopRefusal', reason: 'iat', message: 'iat is not within 60 s of the server time' }
 * assert.equal(refusal.reason, 'iat')
 */
export interface DpopRefusal {
  readonly _tag: 'DpopRefusal'
  /** What was wrong. */
  readonly reason: DpopRefusalReason
  /** Why, in words; never a value from the proof. */
  readonly message: string
}

/** The JWS algorithms a DPoP key may use: ES256 (P-256), EdDSA and its fully-specified name Ed25519. */
export type DpopAlgorithm = 'ES256' | 'EdDSA' | 'Ed25519'

/**
 * How proofs are checked: the algorithms accepted, how far `iat` may be from `now` (ms, either
 * way), and the largest proof and `jti` taken (longer input is refused before any work).
 *
 * @example
 * import { defaultDpopOptions, type DpopOptions } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const es256Only: DpopOptions = { ...defaultDpopOptions, algorithms: ['ES256'] }
 * assert.deepEqual(es256Only.algorithms, ['ES256'])
 */
export interface DpopOptions {
  /** The algorithms accepted, a subset of ES256, EdDSA and Ed25519. */
  readonly algorithms: ReadonlyArray<DpopAlgorithm>
  /** How far `iat` may be from `now`, in ms, in the past or the future. */
  readonly iatToleranceMs: number
  /** The longest proof taken, in characters. */
  readonly maxProofLength: number
  /** The longest `jti` taken, in characters. */
  readonly maxJtiLength: number
  /** Keys already imported, by their public members (`dpopKeyCache`); `undefined`: none. */
  readonly keys?: DpopKeyCache
}

/**
 * A bounded cache of the public keys proofs embed, already imported for Web Crypto and with their
 * thumbprints, by the key's exact public members and algorithm: a client signs every request
 * with one key, so a service imports it once instead of on every request. Only the same key can
 * hit: the cache key is the RFC 7638 thumbprint input itself. The least recently used entry
 * leaves first when `maxEntries` are held.
 *
 * @example
 * import { dpopKeyCache } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const keys = dpopKeyCache(10_000)
 * assert.equal(keys.size(), 0)
 */
export interface DpopKeyCache {
  /** The imported key and thumbprint of a key, `undefined` when not held. */
  readonly get: (id: string) => { readonly key: CryptoKey; readonly jkt: string } | undefined
  /** Holds an imported key and its thumbprint. */
  readonly set: (id: string, entry: { readonly key: CryptoKey; readonly jkt: string }) => void
  /** How many keys are held. */
  readonly size: () => number
}

// ---------------------------------------------------------------- constructors

/**
 * A key cache holding at most `maxEntries` keys (least recently used out first), for
 * `DpopOptions.keys`.
 *
 * @example
 * import { defaultDpopOptions, dpopKeyCache, type DpopOptions } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const options: DpopOptions = { ...defaultDpopOptions, keys: dpopKeyCache(10_000) }
 * assert.equal(options.keys?.size(), 0)
 */
export const dpopKeyCache = (maxEntries: number): DpopKeyCache => {
  const limit = Math.max(1, Math.floor(maxEntries))
  const entries = new Map<string, { readonly key: CryptoKey; readonly jkt: string }>()
  return {
    get: (id) => {
      const hit = entries.get(id)
      if (hit !== undefined) {
        entries.delete(id)
        entries.set(id, hit)
      }
      return hit
    },
    set: (id, entry) => {
      entries.delete(id)
      entries.set(id, entry)
      if (entries.size > limit) entries.delete(entries.keys().next().value as string)
    },
    size: () => entries.size,
  }
}

/**
 * The defaults: ES256, EdDSA and Ed25519; `iat` within ±60 s; proofs up to 4,096 characters;
 * `jti` up to 256; and one key cache of 1,024 keys shared by every verification that uses the
 * defaults (a hit saves the key's import and thumbprint, never changes an answer; pass
 * `keys: undefined` to import every key).
 *
 * @example
 * import { defaultDpopOptions } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(defaultDpopOptions.iatToleranceMs, 60_000)
 * assert.equal(typeof defaultDpopOptions.keys?.size(), 'number')
 */
export const defaultDpopOptions: DpopOptions = /* @__PURE__ */ Object.freeze({
  algorithms: /* @__PURE__ */ Object.freeze(['ES256', 'EdDSA', 'Ed25519'] as const),
  iatToleranceMs: 60_000,
  maxProofLength: 4_096,
  maxJtiLength: 256,
  keys: /* @__PURE__ */ dpopKeyCache(1_024),
})

const refuse = (reason: DpopRefusalReason, message: string): E.Either<DpopRefusal, never> =>
  E.left({ _tag: 'DpopRefusal', reason, message })

/**
 * A refusal value, for the checks a service adds around a proof (the token's key binding, its
 * own replay store).
 *
 * @example
 * import { dpopRefusal } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(dpopRefusal('key_binding', 'the proof is not signed by the token key'), {
 *   _tag: 'DpopRefusal', reason: 'key_binding', message: 'the proof is not signed by the token key',
 * })
 */
export const dpopRefusal = (reason: DpopRefusalReason, message: string): DpopRefusal => ({
  _tag: 'DpopRefusal',
  reason,
  message,
})

// ---------------------------------------------------------------- operations

/**
 * The `htu` a request's URL must match: scheme and host lower-case, the default port dropped,
 * no query, no fragment (RFC 9449 §4.3, with RFC 3986 §6.2.2 and §6.2.3 normalisation), or `null`
 * when it is not an absolute http(s) URL.
 *
 * @example
 * import { normaliseDpopUrl } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(normaliseDpopUrl('HTTPS://API.Example.com:443/v1/payouts?page=2#top'), 'https://api.example.com/v1/payouts')
 * assert.equal(normaliseDpopUrl('https://api.example.com:8443/v1'), 'https://api.example.com:8443/v1')
 * assert.equal(normaliseDpopUrl('https://api.example.com/v1/%7epayouts%2f'), 'https://api.example.com/v1/~payouts%2F')
 * assert.equal(normaliseDpopUrl('/v1/payouts'), null)
 */
export const normaliseDpopUrl = (url: string): string | null => {
  // The URL parser would drop tabs and newlines silently: a URL with any is no URL here.
  if (typeof url !== 'string' || url.length > 8_192 || hasControl(url, true)) return null
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null
  if (parsed.username !== '' || parsed.password !== '') return null
  const path = parsed.pathname.includes('%')
    ? parsed.pathname.replace(/%[0-9A-Fa-f]{2}/g, percentNormalised)
    : parsed.pathname
  return `${parsed.protocol}//${parsed.host}${path}`
}

const textEncoder = /* @__PURE__ */ new TextEncoder()

/**
 * The `ath` of an access token: base64url of the SHA-256 of its ASCII bytes (RFC 9449 §4.2).
 *
 * @example
 * import { dpopAccessTokenHash } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * // RFC 9449 §7.1's example token and its ath:
 * assert.equal(await dpopAccessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU'), 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo')
 */
export const dpopAccessTokenHash = async (accessToken: string): Promise<string> =>
  base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', textEncoder.encode(accessToken))))

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/** The public key of a header's `jwk`, only its public members, or why it is not one for `alg`. */
const publicKeyOf = (jwk: unknown, alg: DpopAlgorithm): JWK | string => {
  if (!isRecord(jwk)) return 'the header has no jwk object'
  for (const m of privateMembers) if (m in jwk) return 'the jwk carries a private key member'
  if (
    jwk.alg !== undefined &&
    jwk.alg !== alg &&
    !(alg !== 'ES256' && (jwk.alg === 'EdDSA' || jwk.alg === 'Ed25519'))
  )
    return 'the jwk names another alg than the header'
  if (jwk.use !== undefined && jwk.use !== 'sig') return 'the jwk is not a signature key (use)'
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify')))
    return 'the jwk is not a verification key (key_ops)'
  // P-256 coordinates and Ed25519 public keys are 32 bytes: 43 base64url characters, the last
  // one's spare bits zero (so one key has one encoding, and one thumbprint).
  const member = (name: string): string | null => {
    const v = jwk[name]
    return typeof v === 'string' && canonical32.test(v) ? v : null
  }
  if (alg === 'ES256') {
    const x = member('x')
    const y = member('y')
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || x === null || y === null)
      return 'the jwk is not a P-256 public key, as ES256 needs'
    return { kty: 'EC', crv: 'P-256', x, y }
  }
  const x = member('x')
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || x === null)
    return `the jwk is not an Ed25519 public key, as ${alg} needs`
  return { kty: 'OKP', crv: 'Ed25519', x }
}

const compactShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
/** The canonical base64url of 32 bytes. */
const canonical32 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/
/** The canonical base64url of 64 bytes. */
const signatureShape = /^[A-Za-z0-9_-]{85}[AQgw]$/
const maxAccessToken = 16_384

/** The algorithms of an option, only the known ones (none at all refuses every proof). */
const acceptedAlgorithms = (algorithms: unknown): ReadonlyArray<DpopAlgorithm> =>
  Array.isArray(algorithms)
    ? algorithms.filter((a): a is DpopAlgorithm => a === 'ES256' || a === 'EdDSA' || a === 'Ed25519')
    : []

/** Whether text has a control character (C0, DEL) or a space. */
const hasControl = (s: string, space = false): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c === 0x7f || (space && c === 0x20)) return true
  }
  return false
}

/** `%xx` of an unreserved character decoded, any other with upper-case hex (RFC 3986 §6.2.2). */
const percentNormalised = (m: string): string => {
  const c = Number.parseInt(m.slice(1), 16)
  const unreserved =
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x5f ||
    c === 0x7e
  return unreserved ? String.fromCharCode(c) : m.toUpperCase()
}

const claimsDecoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true })

const claimsOf = (payload: Uint8Array): Record<string, unknown> | null => {
  try {
    const claims: unknown = JSON.parse(claimsDecoder.decode(payload))
    return isRecord(claims) ? claims : null
  } catch {
    return null
  }
}

/**
 * Verifies a DPoP proof (the request's `DPoP` header) for the request it came with, at `now`
 * (epoch ms): `typ` is `dpop+jwt`; `alg` is one of `options.algorithms` (never `none`, never an
 * HMAC); `jwk` is a public key of that algorithm (no private member; its 32-byte members in
 * canonical base64url, so one key has one thumbprint; its `alg`, `use` and `key_ops`, when
 * present, agreeing); the signature verifies with it; `htm` is the method; `htu` is the request
 * URL as `normaliseDpopUrl` gives it (and itself carries no query or fragment); `iat` is within
 * `options.iatToleranceMs` of `now`; `jti` is a non-empty string without control characters; `ath`
 * is the access token's hash when the request has one and absent when not. Everything but the
 * signature, the key import and the two digests is checked first, so hostile input costs no
 * crypto unless it names this request at this time. The `jti` is not checked for replay here:
 * `checkDpopReplayIn` does that against a shared store. Never throws, whatever the arguments.
 *
 * @example
 * import { verifyDpopProof } from '@payout-kernel/request-auth'
 * import { signDpopProof } from '@payout-kernel/request-auth/testing'
 * import * as E from '#fp-ts/Either'
 * import { generateKeyPair } from 'jose'
 * import assert from 'node:assert/strict'
 *
 * const keys = await generateKeyPair('ES256')
 * const now = 1_700_000_000_000
 * const request = { method: 'GET', url: 'https://api.example.com/v1/payouts/pay_1', accessToken: 'at_1' }
 * const proof = await signDpopProof(keys, { htm: 'GET', htu: 'https://api.example.com/v1/payouts/pay_1', iat: now / 1000, jti: 'j-1', accessToken: 'at_1' })
 * const verified = await verifyDpopProof(proof, request, now)
 * assert.ok(E.isRight(verified) && verified.right.jti === 'j-1')
 * const other = await verifyDpopProof(proof, { ...request, method: 'DELETE' }, now)
 * assert.ok(E.isLeft(other) && other.left.reason === 'htm')
 */
export const verifyDpopProof = async (
  proof: unknown,
  request: DpopRequest,
  now: number,
  options: DpopOptions = defaultDpopOptions,
): Promise<E.Either<DpopRefusal, DpopProof>> => {
  try {
    return await verify(proof, isRecord(request) ? request : {}, now, options)
  } catch {
    // Nothing above throws on any input; this is the guarantee, not a path.
    return refuse('malformed', 'the proof could not be checked')
  }
}

/**
 * `verifyDpopProof`'s checks. Every comparison with an option is written so that an option that
 * is not a number (NaN, undefined) refuses rather than accepts.
 */
const verify = async (
  proof: unknown,
  request: Readonly<Record<string, unknown>>,
  now: number,
  options: DpopOptions,
): Promise<E.Either<DpopRefusal, DpopProof>> => {
  if (typeof proof !== 'string') return refuse('malformed', 'the DPoP header must be one string')
  if (!(proof.length <= options.maxProofLength))
    return refuse('malformed', `the proof is longer than ${options.maxProofLength} characters`)
  if (!compactShape.test(proof)) return refuse('malformed', 'the proof is not a compact JWS')
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(proof) as Record<string, unknown>
  } catch {
    return refuse('malformed', 'the protected header does not decode')
  }
  if (header.typ !== 'dpop+jwt') return refuse('typ', 'the header typ must be dpop+jwt')
  const alg = header.alg
  const algorithms = acceptedAlgorithms(options.algorithms)
  if (typeof alg !== 'string' || !(algorithms as ReadonlyArray<string>).includes(alg))
    return refuse('alg', `the header alg must be one of ${algorithms.join(', ') || 'none configured'}`)
  if (typeof header.crit !== 'undefined') return refuse('malformed', 'the header carries crit')
  const jwk = publicKeyOf(header.jwk, alg as DpopAlgorithm)
  if (typeof jwk === 'string') return refuse('jwk', jwk)
  // Both algorithms sign with 64 bytes: anything else (none at all, for one) costs no crypto.
  if (!signatureShape.test(proof.slice(proof.lastIndexOf('.') + 1)))
    return refuse('signature', 'the signature is not 64 bytes of base64url')

  // The claims are read before the signature is checked (a forged proof is refused either way),
  // so that the three pieces of crypto left (the signature, the key thumbprint and the access
  // token's hash) run together rather than one after another.
  let claims: Record<string, unknown> | null
  try {
    claims = claimsOf(base64url.decode(proof.slice(proof.indexOf('.') + 1, proof.lastIndexOf('.'))))
  } catch {
    claims = null
  }
  if (claims === null) return refuse('malformed', 'the payload is not a JSON object')

  if (typeof request.method !== 'string' || request.method === '' || claims.htm !== request.method)
    return refuse('htm', 'htm is not the method of the request')
  const htu = claims.htu
  if (typeof htu !== 'string') return refuse('htu', 'htu must be a string')
  const claimed = normaliseDpopUrl(htu)
  if (claimed === null || /[?#]/.test(htu))
    return refuse('htu', 'htu must be an absolute URL without query or fragment')
  const target = typeof request.url === 'string' ? normaliseDpopUrl(request.url) : null
  if (target === null || claimed !== target) return refuse('htu', 'htu is not the URL of the request')
  const iat = claims.iat
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    return refuse('iat', 'iat must be a number of seconds')
  if (!Number.isFinite(now) || !(Math.abs(iat * 1000 - now) <= options.iatToleranceMs))
    return refuse('iat', `iat is not within ${options.iatToleranceMs / 1000} s of the server time`)
  const jti = claims.jti
  if (typeof jti !== 'string' || jti.length === 0 || !(jti.length <= options.maxJtiLength))
    return refuse('jti', `jti must be a string of 1 to ${options.maxJtiLength} characters`)
  if (hasControl(jti)) return refuse('jti', 'jti must not contain control characters')
  const ath = claims.ath
  const accessToken = request.accessToken
  if (accessToken === undefined) {
    if (ath !== undefined) return refuse('ath', 'ath must be absent on a proof without an access token')
  } else if (typeof accessToken !== 'string' || accessToken === '' || accessToken.length > maxAccessToken)
    return refuse('ath', 'the access token is empty, too long or not a string')
  else if (typeof ath !== 'string' || !canonical32.test(ath))
    return refuse('ath', 'ath is not the hash of the access token')

  // The crypto left runs together: the access token's hash, and the signature with the key
  // (imported and its thumbprint taken, unless the cache holds it).
  const athMatchesToken =
    typeof accessToken === 'string'
      ? dpopAccessTokenHash(accessToken).then((expected) => equalText(ath as string, expected))
      : Promise.resolve(true)
  const cache = options.keys
  const held = cache?.get(cacheIdOf(jwk, alg as DpopAlgorithm))
  const keyed =
    held !== undefined ? Promise.resolve(held) : importKey(jwk, alg as DpopAlgorithm).catch(() => null)
  const signing = keyed.then((k) =>
    k === null
      ? false
      : compactVerify(proof, k.key, { algorithms: [alg] }).then(
          () => true,
          () => false,
        ),
  )
  const [key, signed, athMatches] = await Promise.all([keyed, signing, athMatchesToken])
  if (key === null) return refuse('jwk', 'the jwk is not a valid public key')
  if (!athMatches) return refuse('ath', 'ath is not the hash of the access token')
  if (!signed) return refuse('signature', 'the signature does not verify with the header jwk')
  // Only a key that has just verified a signature is cached: unsigned proofs with fresh keys
  // cannot push the keys of real clients out.
  if (held === undefined) cache?.set(cacheIdOf(jwk, alg as DpopAlgorithm), key)
  return E.right({ jkt: key.jkt, jti, iat })
}

/** The RFC 7638 thumbprint input of a public key: its required members, in lexicographic order. */
const thumbprintInput = (jwk: JWK): string =>
  jwk.kty === 'EC'
    ? `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
    : `{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`

/** A key's id in a cache: its algorithm and its whole public key (the thumbprint input). */
const cacheIdOf = (jwk: JWK, alg: DpopAlgorithm): string => `${alg} ${thumbprintInput(jwk)}`

/** A proof's key imported for Web Crypto, with its RFC 7638 thumbprint. */
const importKey = async (
  jwk: JWK,
  alg: DpopAlgorithm,
): Promise<{ readonly key: CryptoKey; readonly jkt: string }> => {
  const [key, jkt] = await Promise.all([importJWK({ ...jwk, alg }, alg), calculateJwkThumbprint(jwk)])
  if (key instanceof Uint8Array) throw new TypeError('not an asymmetric key')
  return { key, jkt }
}

/** Compares two strings in time that depends on their length only. */
const equalText = (a: string, b: string): boolean => {
  let diff = a.length ^ b.length
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i) | 0) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * Checks that a verified proof is signed by the key the access token is bound to (the token's
 * `cnf.jkt`): the proof, or a `key_binding` refusal.
 *
 * @example
 * import { confirmsDpopKey } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const proof = { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I', jti: 'j-1', iat: 0 }
 * assert.ok(E.isRight(confirmsDpopKey(proof, { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' })))
 * assert.ok(E.isLeft(confirmsDpopKey(proof, { jkt: 'another' })))
 * assert.ok(E.isLeft(confirmsDpopKey(proof, undefined)))
 */
export const confirmsDpopKey = (proof: DpopProof, cnf: unknown): E.Either<DpopRefusal, DpopProof> =>
  isRecord(cnf) && typeof cnf.jkt === 'string' && equalText(cnf.jkt, proof.jkt)
    ? E.right(proof)
    : refuse('key_binding', 'the proof is not signed by the key the access token is bound to')

/**
 * The answer to a refused proof: 401 with the API error shape (`invalid_dpop_proof`) and the
 * `WWW-Authenticate: DPoP error="invalid_dpop_proof", …` header a client expects (RFC 9449 §7.1),
 * naming the accepted algorithms; `invalid_token` instead when the proof is fine but the token is
 * bound to another key (`key_binding`, RFC 9449 Figure 16); 503 `dpop_unavailable` when the
 * replay store failed.
 *
 * @example
 * import { dpopRefusal, dpopRefusalResponse } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const response = dpopRefusalResponse(dpopRefusal('replay', 'the proof jti was already used'))
 * assert.equal(response.status, 401)
 * assert.equal(response.headers['WWW-Authenticate'], 'DPoP error="invalid_dpop_proof", error_description="the proof jti was already used", algs="ES256 EdDSA Ed25519"')
 * assert.equal(response.body.error.code, 'invalid_dpop_proof')
 */
export const dpopRefusalResponse = (
  refusal: DpopRefusal,
  options: DpopOptions = defaultDpopOptions,
): ApiError & { readonly headers: Readonly<Record<string, string>> } => {
  if (refusal.reason === 'unavailable') {
    const e = apiError(503, 'dpop_unavailable', 'the proof could not be checked for replay; retry')
    return { ...e, headers: { 'Retry-After': '1' } }
  }
  // Only printable ASCII without quotes or backslashes goes into the quoted string.
  const description = String(refusal.message)
    .replace(/[^\x20-\x7e]|["\\]/g, '')
    .slice(0, 256)
  const code = refusal.reason === 'key_binding' ? 'invalid_token' : 'invalid_dpop_proof'
  const e = apiError(401, code, description)
  return {
    ...e,
    headers: {
      'WWW-Authenticate': `DPoP error="${code}", error_description="${description}", algs="${acceptedAlgorithms(options.algorithms).join(' ')}"`,
    },
  }
}
