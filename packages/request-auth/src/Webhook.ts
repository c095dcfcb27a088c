/**
 * Signed webhooks (DOMAIN.md §7). A delivery carries two headers:
 * - `Anton-Timestamp`: when it was signed, in whole **seconds** since the Unix epoch, decimal
 *   without leading zeros (seconds, as in the Stripe-like schemes this follows; the tolerance is
 *   stated in seconds too). Functions here take the current time `now` in epoch milliseconds, as
 *   everything in the domain does.
 * - `Anton-Signature`: one or more comma-separated entries `<scheme>=<value>`; an entry
 *   `v1=<64 lowercase hex>` is HMAC-SHA256, keyed with a webhook secret, over the bytes of
 *   `"{timestamp}.{raw body}"`. A sender rotating its secret signs with the old and the new one
 *   (`v1=…,v1=…`); a receiver rotating accepts either; any `v1` entry matching any secret passes.
 *
 * The body is signed as the exact bytes sent: the payout machine's outbox keeps each envelope's
 * JSON text, and `signWebhookEnvelope` signs and sends its UTF-8 bytes. A receiver must verify the
 * raw bytes it received (`Uint8Array`), before any JSON parsing; a string body is taken as its
 * UTF-8 encoding, and a string with a lone surrogate (which has no exact encoding) is refused.
 *
 * Receivers deduplicate on the event id inside the signed body (`VerifiedWebhook.eventId`), never
 * on a header: no header but these two is signed, so an unsigned id could be changed by anyone
 * replaying a delivery. See `WebhookReceipt` for the dedupe itself.
 */
import { guardDecoder, type ValidationError, validationError, WebhookEventId } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import {
  constantTimeEqual,
  fromLowerHex,
  fromUtf8,
  isLowerHex,
  isWellFormed,
  subtleCrypto,
  toHex,
  trimOws,
  utf8,
} from './internal/credentialBytes.js'
import { WebhookSecret } from './internal/webhookSecret.js'

export type { WebhookSecret } from './internal/webhookSecret.js'

// ---------------------------------------------------------------- model

/**
 * The names of the two webhook headers.
 *
 * @example
 * import { webhookHeaderNames } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(webhookHeaderNames, { signature: 'Anton-Signature', timestamp: 'Anton-Timestamp' })
 */
export const webhookHeaderNames = /* @__PURE__ */ Object.freeze({
  signature: 'Anton-Signature',
  timestamp: 'Anton-Timestamp',
} as const)

/**
 * One secret, or several during a rotation (a sender signs with each, a receiver accepts any).
 *
 * @example
 * import { decodeWebhookSecret, type WebhookSecrets } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const old = decodeWebhookSecret('whsec_old_0123456789abcdef')
 * const current = decodeWebhookSecret('whsec_new_0123456789abcdef')
 * assert.ok(E.isRight(old) && E.isRight(current))
 * const rotating: WebhookSecrets = [current.right, old.right]
 * assert.equal(rotating.length, 2)
 */
export type WebhookSecrets = WebhookSecret | ReadonlyArray<WebhookSecret>

/**
 * A raw body as signed or received: bytes, or a string taken as its UTF-8 encoding.
 *
 * @example
 * import type { WebhookBody } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const body: WebhookBody = new TextEncoder().encode('{"id":"evt_1"}')
 * assert.equal(body.length, 14)
 */
export type WebhookBody = string | Uint8Array

/**
 * Why a webhook could not be signed (a mistake of the sender's, or no Web Crypto): the part named
 * in `field` and what is wrong with it. Never any part of a secret.
 *
 * @example
 * import { decodeWebhookSecret, signWebhook } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const secret = decodeWebhookSecret('whsec_0123456789abcdef')
 * assert.ok(E.isRight(secret))
 * const signed = await signWebhook(secret.right, 1.5, '{}')
 * assert.ok(E.isLeft(signed) && signed.left.field === 'timestamp')
 */
export interface WebhookSigningError {
  readonly _tag: 'WebhookSigningError'
  readonly field: 'secrets' | 'timestamp' | 'body' | 'crypto'
  readonly message: string
}

/**
 * Why a delivery was refused. `reason` names what was wrong:
 * - `signature_header`: missing, not a string, too long, an entry that is not `scheme=value`, a
 *   `v1` value that is not 64 lowercase hex digits (uppercase hex is refused), or no `v1` entry;
 * - `timestamp`: missing, or not whole seconds in decimal without leading zeros;
 * - `timestamp_outside_tolerance`: more than the tolerance (300 s) before or after `now`;
 * - `body`: not bytes or a string, too large, or a string with a lone surrogate;
 * - `signature`: no `v1` entry matches any of the secrets;
 * - `event`: the signed body is not a webhook event (JSON with an `evt_…` id and a type);
 * - `configuration`: the receiver's own mistake (no secrets, a bad `now` or option);
 * - `crypto`: Web Crypto is missing or failed (answer 5xx so that the sender retries).
 *
 * @example
 * import { decodeWebhookSecret, verifyWebhookSignature } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const secret = decodeWebhookSecret('whsec_0123456789abcdef')
 * assert.ok(E.isRight(secret))
 * const refused = await verifyWebhookSignature(secret.right, 'v2=abc', '1700000000', '{}', 1_700_000_000_000)
 * assert.ok(E.isLeft(refused) && refused.left.reason === 'signature_header')
 */
export interface WebhookRefusal {
  readonly _tag: 'WebhookRefusal'
  readonly reason:
    | 'signature_header'
    | 'timestamp'
    | 'timestamp_outside_tolerance'
    | 'body'
    | 'signature'
    | 'event'
    | 'configuration'
    | 'crypto'
  readonly message: string
}

/**
 * Limits a receiver applies: the timestamp tolerance in milliseconds either side of `now`
 * (300,000), the largest body in bytes (1 MiB) and the longest signature header in characters
 * (2,048), all checked before any HMAC is computed.
 *
 * @example
 * import { defaultWebhookVerifyOptions, type WebhookVerifyOptions } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const strict: WebhookVerifyOptions = { ...defaultWebhookVerifyOptions, toleranceMs: 60_000 }
 * assert.equal(strict.maxBodyBytes, 1_048_576)
 */
export interface WebhookVerifyOptions {
  /** How far the timestamp may be from `now`, either way, in milliseconds (inclusive). */
  readonly toleranceMs: number
  /** The largest body accepted, in bytes. */
  readonly maxBodyBytes: number
  /** The longest `Anton-Signature` header accepted, in characters. */
  readonly maxHeaderLength: number
}

/**
 * The default limits: ±300 s, 1 MiB bodies, 2,048-character signature headers.
 *
 * @example
 * import { defaultWebhookVerifyOptions } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(defaultWebhookVerifyOptions, { toleranceMs: 300_000, maxBodyBytes: 1_048_576, maxHeaderLength: 2048 })
 */
export const defaultWebhookVerifyOptions: WebhookVerifyOptions = /* @__PURE__ */ Object.freeze({
  toleranceMs: 300_000,
  maxBodyBytes: 1_048_576,
  maxHeaderLength: 2048,
})

/**
 * A signature that verified: the timestamp signed (seconds) and which of the secrets matched
 * (its index in the list given; 0 for a single secret), to see when an old secret can be retired.
 *
 * @example
 * import type { VerifiedWebhookSignature } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const verified: VerifiedWebhookSignature = { timestamp: 1_700_000_000, secretIndex: 0 }
 * assert.equal(verified.secretIndex, 0)
 */
export interface VerifiedWebhookSignature {
  readonly timestamp: number
  readonly secretIndex: number
}

// ---------------------------------------------------------------- secrets

/**
 * The fewest bytes a webhook secret may have (128 bits).
 *
 * @example
 * import { minWebhookSecretBytes } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(minWebhookSecretBytes, 16)
 */
export const minWebhookSecretBytes = 16

/**
 * The most bytes a webhook secret may have.
 *
 * @example
 * import { maxWebhookSecretBytes } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(maxWebhookSecretBytes, 1024)
 */
export const maxWebhookSecretBytes = 1024

const hasControlOrEdgeSpace = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 127) return true
  }
  return s.charCodeAt(0) === 32 || s.charCodeAt(s.length - 1) === 32
}

/**
 * Decodes a webhook secret: a string (its UTF-8 bytes are the HMAC key, exactly as configured) or
 * bytes, 16 to 1,024 bytes long. A string with a control character (a trailing newline read from
 * a file), surrounding spaces or a lone surrogate is refused. The error never contains the input.
 *
 * @example
 * import { decodeWebhookSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(decodeWebhookSecret('whsec_0123456789abcdef')))
 * assert.ok(E.isRight(decodeWebhookSecret(new Uint8Array(32).fill(7))))
 * assert.ok(E.isLeft(decodeWebhookSecret('short')))
 * assert.ok(E.isLeft(decodeWebhookSecret('whsec_0123456789abcdef\n')))
 */
export const decodeWebhookSecret = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, WebhookSecret> => {
    let bytes: Uint8Array
    if (typeof u === 'string') {
      if (!isWellFormed(u)) return E.left(validationError('', 'webhook secret has a lone surrogate'))
      if (hasControlOrEdgeSpace(u))
        return E.left(
          validationError('', 'webhook secret has a control character or surrounding spaces (a newline?)'),
        )
      bytes = utf8(u)
    } else if (u instanceof Uint8Array) bytes = u
    else return E.left(validationError('', 'webhook secret must be a string or a Uint8Array'))
    if (bytes.length < minWebhookSecretBytes || bytes.length > maxWebhookSecretBytes)
      return E.left(
        validationError(
          '',
          `webhook secret must be ${minWebhookSecretBytes} to ${maxWebhookSecretBytes} bytes long`,
        ),
      )
    return E.right(new WebhookSecret(bytes))
  },
)

// ---------------------------------------------------------------- signing

/** The latest timestamp accepted: 9999-12-31T23:59:59Z, in seconds. */
const maxTimestamp = 253_402_300_799

const secretsOf = (secrets: unknown): ReadonlyArray<WebhookSecret> | undefined => {
  const list: ReadonlyArray<unknown> = Array.isArray(secrets) ? secrets : [secrets]
  if (list.length === 0 || !list.every(WebhookSecret.isSecret)) return undefined
  return list as ReadonlyArray<WebhookSecret>
}

/** The bytes of a body, or why not; a string is checked before encoding so a huge one costs nothing. */
const bodyBytes = (body: unknown, maxBytes: number): Uint8Array | string => {
  if (body instanceof Uint8Array) return body.length > maxBytes ? `is larger than ${maxBytes} bytes` : body
  if (typeof body !== 'string') return 'must be a Uint8Array or a string'
  if (body.length > maxBytes) return `is larger than ${maxBytes} bytes`
  if (!isWellFormed(body)) return 'is a string with a lone surrogate, which has no exact UTF-8 bytes'
  const bytes = utf8(body)
  return bytes.length > maxBytes ? `is larger than ${maxBytes} bytes` : bytes
}

/** `"{timestamp}."` followed by the body, as one array. */
const signedPayload = (timestamp: number, body: Uint8Array): Uint8Array<ArrayBuffer> => {
  const prefix = utf8(`${timestamp}.`)
  const payload = new Uint8Array(prefix.length + body.length)
  payload.set(prefix, 0)
  payload.set(body, prefix.length)
  return payload
}

/** HMAC-SHA256 of the payload under each secret, in order; `undefined` when Web Crypto fails. */
const macsOf = async (
  secrets: ReadonlyArray<WebhookSecret>,
  payload: Uint8Array<ArrayBuffer>,
): Promise<ReadonlyArray<Uint8Array> | undefined> => {
  const subtle = subtleCrypto()
  if (subtle === undefined) return undefined
  try {
    const macs: Uint8Array[] = []
    for (const secret of secrets) {
      const key = await WebhookSecret.keyOf(secret)
      if (key === undefined) return undefined
      macs.push(new Uint8Array(await subtle.sign('HMAC', key, payload)))
    }
    return macs
  } catch {
    return undefined
  }
}

const signingError = (
  field: WebhookSigningError['field'],
  message: string,
): E.Either<WebhookSigningError, never> => E.left({ _tag: 'WebhookSigningError', field, message })

/**
 * Signs a webhook: the `Anton-Signature` header value, `v1=<64 lowercase hex>` of
 * HMAC-SHA256 over `"{timestamp}.{raw body}"`, one entry per secret (comma-separated, in the
 * order given). `timestamp` is whole seconds since the epoch. Web Crypto, so async; never rejects.
 *
 * @example
 * import { decodeWebhookSecret, signWebhook } from '@payout-kernel/request-auth'
 * import { createHmac } from 'node:crypto'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const secret = decodeWebhookSecret('whsec_0123456789abcdef')
 * assert.ok(E.isRight(secret))
 * const header = await signWebhook(secret.right, 1_700_000_000, '{"id":"evt_1"}')
 * const expected = createHmac('sha256', 'whsec_0123456789abcdef').update('1700000000.{"id":"evt_1"}').digest('hex')
 * assert.deepEqual(header, E.right(`v1=${expected}`))
 */
export const signWebhook = async (
  secrets: WebhookSecrets,
  timestamp: number,
  rawBody: WebhookBody,
): Promise<E.Either<WebhookSigningError, string>> => {
  const list = secretsOf(secrets)
  if (list === undefined)
    return signingError('secrets', 'must be one webhook secret or a non-empty list of them')
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > maxTimestamp)
    return signingError('timestamp', 'must be whole seconds since the epoch, years 1970 to 9999')
  const body = bodyBytes(rawBody, Number.MAX_SAFE_INTEGER)
  if (typeof body === 'string') return signingError('body', body)
  const macs = await macsOf(list, signedPayload(timestamp, body))
  if (macs === undefined) return signingError('crypto', 'Web Crypto HMAC-SHA256 is unavailable')
  return E.right(macs.map((mac) => `v1=${toHex(mac)}`).join(','))
}

/**
 * What the payout machine's outbox holds for a webhook (its `WebhookEnvelope`): the event id and
 * `body`, the exact JSON text that is signed and sent. Any `WebhookEnvelope` of
 * `@payout-kernel/payout-machine` is one.
 *
 * @example
 * import type { WebhookEnvelopeText } from '@payout-kernel/request-auth'
 * import { startPayout, webhookEnvelopeOf } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(started) && started.right.webhookEvents[0] !== undefined)
 * const envelope: WebhookEnvelopeText = webhookEnvelopeOf(started.right.webhookEvents[0])
 * assert.equal(JSON.parse(envelope.body).id, envelope.id)
 */
export interface WebhookEnvelopeText {
  readonly id: string
  readonly body: string
}

/**
 * A delivery ready to send: the event id (for the sender's own records; not a header), the body
 * bytes and the headers (`Content-Type`, `Anton-Timestamp`, `Anton-Signature`).
 *
 * @example
 * import type { WebhookDelivery } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const delivery: WebhookDelivery = {
 *   eventId: 'evt_1', body: new TextEncoder().encode('{}'),
 *   headers: { 'Content-Type': 'application/json', 'Anton-Timestamp': '0', 'Anton-Signature': `v1=${'0'.repeat(64)}` },
 * }
 * assert.equal(delivery.headers['Anton-Timestamp'], '0')
 */
export interface WebhookDelivery {
  readonly eventId: string
  readonly body: Uint8Array
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Signs an outbox envelope for one delivery attempt at `now` (epoch ms): the UTF-8 bytes of its
 * exact JSON text, the timestamp (`now` in whole seconds, rounded down) and the signature headers.
 * Each attempt is signed afresh, so a redelivery hours later still passes the receiver's
 * tolerance, while its body bytes stay the same.
 *
 * @example
 * import { decodeWebhookSecret, signWebhookEnvelope, verifyWebhookDelivery } from '@payout-kernel/request-auth'
 * import { startPayout, webhookEnvelopeOf } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const secret = decodeWebhookSecret('whsec_0123456789abcdef')
 * assert.ok(E.isRight(secret))
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(started) && started.right.webhookEvents[0] !== undefined)
 * const envelope = webhookEnvelopeOf(started.right.webhookEvents[0])
 *
 * const delivery = await signWebhookEnvelope(secret.right, envelope, 1_700_000_000_999)
 * assert.ok(E.isRight(delivery))
 * assert.equal(delivery.right.headers['Anton-Timestamp'], '1700000000')
 * assert.equal(new TextDecoder().decode(delivery.right.body), envelope.body)
 *
 * // The receiver, a little later:
 * const received = await verifyWebhookDelivery(secret.right, delivery.right, 1_700_000_030_000)
 * assert.ok(E.isRight(received))
 * assert.equal(received.right.eventId, envelope.id)
 */
export const signWebhookEnvelope = async (
  secrets: WebhookSecrets,
  envelope: WebhookEnvelopeText,
  now: number,
): Promise<E.Either<WebhookSigningError, WebhookDelivery>> => {
  if (!Number.isSafeInteger(now) || now < 0)
    return signingError('timestamp', 'now must be whole epoch milliseconds, 1970 or later')
  const body = bodyBytes(envelope.body, Number.MAX_SAFE_INTEGER)
  if (typeof body === 'string') return signingError('body', body)
  const timestamp = Math.floor(now / 1000)
  const signature = await signWebhook(secrets, timestamp, body)
  if (E.isLeft(signature)) return signature
  return E.right({
    eventId: envelope.id,
    body,
    headers: {
      'Content-Type': 'application/json',
      [webhookHeaderNames.timestamp]: `${timestamp}`,
      [webhookHeaderNames.signature]: signature.right,
    },
  })
}

// ---------------------------------------------------------------- verifying

const refuse = (reason: WebhookRefusal['reason'], message: string): E.Either<WebhookRefusal, never> =>
  E.left({ _tag: 'WebhookRefusal', reason, message })

/** RFC 9110 `tchar`. */
const isTokenChar = (c: number): boolean =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c))

const isToken = (s: string): boolean => {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false
  return true
}

/** The `v1` MACs of a signature header (32 bytes each), or what is wrong with it. */
const parseSignatureHeader = (header: unknown, maxLength: number): ReadonlyArray<Uint8Array> | string => {
  if (header === undefined || header === null) return 'is missing'
  if (typeof header !== 'string') return 'must be a string'
  if (header.length > maxLength) return `is longer than ${maxLength} characters`
  const macs: Uint8Array[] = []
  const entries = header.split(',')
  for (let i = 0; i < entries.length; i++) {
    const entry = trimOws(entries[i] as string)
    if (entry === '') continue // an empty list element (RFC 9110 §5.6.1)
    const eq = entry.indexOf('=')
    const scheme = eq < 0 ? '' : trimOws(entry.slice(0, eq))
    if (!isToken(scheme)) return `entry ${i + 1} is not <scheme>=<value>`
    if (scheme !== 'v1') continue // another scheme: not ours to check
    const value = trimOws(entry.slice(eq + 1))
    if (value.length !== 64 || !isLowerHex(value))
      return `entry ${i + 1} (v1) must be 64 lowercase hex digits`
    macs.push(fromLowerHex(value) as Uint8Array)
  }
  return macs.length === 0 ? 'has no v1 entry' : macs
}

/** The timestamp of a header (seconds), or what is wrong with it. */
const parseTimestamp = (timestamp: unknown): number | string => {
  if (timestamp === undefined || timestamp === null) return 'is missing'
  if (typeof timestamp === 'number')
    return Number.isSafeInteger(timestamp) && timestamp >= 0 && timestamp <= maxTimestamp
      ? timestamp
      : 'must be whole seconds since the epoch'
  if (typeof timestamp !== 'string') return 'must be a string'
  const ok =
    timestamp.length >= 1 &&
    timestamp.length <= 12 &&
    (timestamp === '0' || timestamp.charCodeAt(0) !== 48) &&
    [...timestamp].every((c) => c >= '0' && c <= '9')
  const seconds = ok ? Number(timestamp) : Number.NaN
  return ok && seconds <= maxTimestamp
    ? seconds
    : 'must be whole seconds since the epoch, in decimal without leading zeros'
}

const optionsProblem = (o: WebhookVerifyOptions): string | undefined => {
  for (const key of ['toleranceMs', 'maxBodyBytes', 'maxHeaderLength'] as const)
    if (!Number.isSafeInteger(o[key]) || o[key] < 0) return `option ${key} must be a whole number, at least 0`
  return undefined
}

/**
 * Verifies a webhook signature over the raw body: the secrets (one, or several during a
 * rotation), the `Anton-Signature` and `Anton-Timestamp` header values, the raw body and the
 * current time in epoch ms. Passes when the timestamp is within the tolerance of `now` (±300 s,
 * inclusive, by default) and any `v1` entry equals the HMAC under any secret. The header, the
 * timestamp and the body size are checked before any HMAC; each secret's HMAC is computed once and
 * compared with every entry in constant time (all bytes of all pairs XOR-accumulated, no early
 * exit). Never rejects, never throws; a refusal names what was wrong.
 *
 * @example
 * import { decodeWebhookSecret, signWebhook, verifyWebhookSignature } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const old = decodeWebhookSecret('whsec_old_0123456789abcdef')
 * const current = decodeWebhookSecret('whsec_new_0123456789abcdef')
 * assert.ok(E.isRight(old) && E.isRight(current))
 * const header = await signWebhook(old.right, 1_700_000_000, '{"id":"evt_1"}')
 * assert.ok(E.isRight(header))
 *
 * // Signed with the old secret, checked during a rotation: the second secret matched.
 * const ok = await verifyWebhookSignature([current.right, old.right], `v9=x, ${header.right}`, '1700000000', '{"id":"evt_1"}', 1_700_000_300_000)
 * assert.deepEqual(ok, E.right({ timestamp: 1_700_000_000, secretIndex: 1 }))
 *
 * const late = await verifyWebhookSignature(old.right, header.right, '1700000000', '{"id":"evt_1"}', 1_700_000_301_000)
 * assert.ok(E.isLeft(late) && late.left.reason === 'timestamp_outside_tolerance')
 * const tampered = await verifyWebhookSignature(old.right, header.right, '1700000000', '{"id":"evt_2"}', 1_700_000_000_000)
 * assert.ok(E.isLeft(tampered) && tampered.left.reason === 'signature')
 */
export const verifyWebhookSignature = async (
  secrets: WebhookSecrets,
  header: unknown,
  timestamp: unknown,
  rawBody: unknown,
  now: number,
  options: WebhookVerifyOptions = defaultWebhookVerifyOptions,
): Promise<E.Either<WebhookRefusal, VerifiedWebhookSignature>> => {
  const list = secretsOf(secrets)
  if (list === undefined)
    return refuse('configuration', 'secrets must be one webhook secret or a non-empty list of them')
  if (!Number.isSafeInteger(now)) return refuse('configuration', 'now must be whole epoch milliseconds')
  const problem = optionsProblem(options)
  if (problem !== undefined) return refuse('configuration', problem)

  const provided = parseSignatureHeader(header, options.maxHeaderLength)
  if (typeof provided === 'string')
    return refuse('signature_header', `${webhookHeaderNames.signature} ${provided}`)
  const seconds = parseTimestamp(timestamp)
  if (typeof seconds === 'string') return refuse('timestamp', `${webhookHeaderNames.timestamp} ${seconds}`)
  const skew = now - seconds * 1000
  if (Math.abs(skew) > options.toleranceMs)
    return refuse(
      'timestamp_outside_tolerance',
      `${webhookHeaderNames.timestamp} is ${Math.abs(skew) / 1000} s ${skew > 0 ? 'in the past' : 'in the future'}; the tolerance is ${options.toleranceMs / 1000} s`,
    )
  const body = bodyBytes(rawBody, options.maxBodyBytes)
  if (typeof body === 'string') return refuse('body', `the body ${body}`)

  const macs = await macsOf(list, signedPayload(seconds, body))
  if (macs === undefined) return refuse('crypto', 'Web Crypto HMAC-SHA256 is unavailable')
  let secretIndex = -1
  for (let s = 0; s < macs.length; s++) {
    let matches = false
    for (const mac of provided) matches = constantTimeEqual(macs[s] as Uint8Array, mac) || matches
    if (matches && secretIndex < 0) secretIndex = s
  }
  return secretIndex < 0
    ? refuse('signature', `no v1 entry of ${webhookHeaderNames.signature} matches`)
    : E.right({ timestamp: seconds, secretIndex })
}

// ---------------------------------------------------------------- deliveries

/**
 * Request headers as a receiver has them: a fetch `Headers` (or anything with `get`), or a plain
 * record such as Node's `IncomingHttpHeaders` (names in any case; a repeated header as a list).
 *
 * @example
 * import type { WebhookHeaders } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const fromNode: WebhookHeaders = { 'anton-timestamp': '1700000000', 'anton-signature': ['v1=aa', 'v1=bb'] }
 * const fromFetch: WebhookHeaders = new Headers({ 'Anton-Timestamp': '1700000000' })
 * assert.ok(fromNode !== fromFetch)
 */
export type WebhookHeaders =
  | {
      /** The value of a header by name (any case), `null` when absent. */
      readonly get: (name: string) => string | null
    }
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/**
 * A delivery as a receiver got it: its headers and its raw body (bytes, before any parsing).
 *
 * @example
 * import type { WebhookRequest } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const request: WebhookRequest = { headers: { 'anton-timestamp': '0' }, body: new Uint8Array() }
 * assert.equal(request.body instanceof Uint8Array, true)
 */
export interface WebhookRequest {
  readonly headers: WebhookHeaders
  readonly body: unknown
}

/**
 * A delivery that verified: the event id and type read from the signed body (what to deduplicate
 * on), the parsed event, the timestamp signed and which secret matched.
 *
 * @example
 * import type { VerifiedWebhook } from '@payout-kernel/request-auth'
 * import type { WebhookEventId } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const verified: VerifiedWebhook = {
 *   eventId: 'evt_1' as WebhookEventId, type: 'payout.created', timestamp: 0, secretIndex: 0,
 *   event: { id: 'evt_1', type: 'payout.created' },
 * }
 * assert.equal(verified.eventId, 'evt_1')
 */
export interface VerifiedWebhook extends VerifiedWebhookSignature {
  readonly eventId: WebhookEventId
  readonly type: string
  readonly event: Readonly<Record<string, unknown>>
}

/** The value of a header, or `undefined`; several values joined by `", "` as HTTP combines them. */
const headerOf = (headers: unknown, name: string): string | undefined => {
  if (typeof headers !== 'object' || headers === null) return undefined
  try {
    const get = (headers as { readonly get?: unknown }).get
    if (typeof get === 'function') {
      const value: unknown = get.call(headers, name)
      return typeof value === 'string' ? value : undefined
    }
    const wanted = name.toLowerCase()
    const values: string[] = []
    for (const [key, value] of Object.entries(headers)) {
      if (key.toLowerCase() !== wanted) continue
      if (typeof value === 'string') values.push(value)
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) values.push(...value)
      else return undefined
    }
    return values.length === 0 ? undefined : values.join(', ')
  } catch {
    return undefined
  }
}

/**
 * Verifies a delivery end to end: reads `Anton-Signature` and `Anton-Timestamp` from its headers
 * (any case), verifies the signature over its raw body (`verifyWebhookSignature`), then reads the
 * signed body as a webhook event: JSON with an `evt_…` id and a type. The event id returned is the
 * one to deduplicate on (`receiveWebhookIn`).
 *
 * @example
 * import { decodeWebhookSecret, signWebhook, verifyWebhookDelivery } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const secret = decodeWebhookSecret('whsec_0123456789abcdef')
 * assert.ok(E.isRight(secret))
 * const body = new TextEncoder().encode('{"id":"evt_42","type":"payout.completed","data":{}}')
 * const signature = await signWebhook(secret.right, 1_700_000_000, body)
 * assert.ok(E.isRight(signature))
 * const headers = new Headers({ 'anton-signature': signature.right, 'anton-timestamp': '1700000000' })
 * const verified = await verifyWebhookDelivery(secret.right, { headers, body }, 1_700_000_001_000)
 * assert.ok(E.isRight(verified))
 * assert.deepEqual([verified.right.eventId, verified.right.type], ['evt_42', 'payout.completed'])
 */
export const verifyWebhookDelivery = async (
  secrets: WebhookSecrets,
  request: WebhookRequest,
  now: number,
  options: WebhookVerifyOptions = defaultWebhookVerifyOptions,
): Promise<E.Either<WebhookRefusal, VerifiedWebhook>> => {
  const headers = (request as { readonly headers?: unknown } | null)?.headers
  const body = (request as { readonly body?: unknown } | null)?.body
  const verified = await verifyWebhookSignature(
    secrets,
    headerOf(headers, webhookHeaderNames.signature),
    headerOf(headers, webhookHeaderNames.timestamp),
    body,
    now,
    options,
  )
  if (E.isLeft(verified)) return verified
  const text = body instanceof Uint8Array ? fromUtf8(body) : (body as string)
  if (text === undefined) return refuse('event', 'the body is not UTF-8')
  let event: unknown
  try {
    event = JSON.parse(text)
  } catch {
    return refuse('event', 'the body is not JSON')
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return refuse('event', 'the body is not a JSON object')
  const { id, type } = event as { readonly id?: unknown; readonly type?: unknown }
  if (!WebhookEventId.is(id)) return refuse('event', 'the body has no evt_… id')
  if (typeof type !== 'string' || type === '') return refuse('event', 'the body has no type')
  return E.right({ ...verified.right, eventId: id, type, event: event as Readonly<Record<string, unknown>> })
}
