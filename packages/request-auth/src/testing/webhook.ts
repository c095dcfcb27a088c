/**
 * fast-check arbitraries for client credentials and signed webhooks: valid values by construction
 * (ids, secrets, Basic headers, webhook secrets, timestamps, bodies, signature headers with several
 * entries) and hostile ones that must be refused (near misses and garbage).
 */
import fc from 'fast-check'
import * as E from '#fp-ts/Either'
import {
  type ClientEnvironment,
  type ClientId,
  type ClientSecret,
  clientEnvironments,
  decodeClientSecret,
} from '../ClientCredentials.js'
import { formUrlEncode, toBase64, utf8 } from '../internal/credentialBytes.js'
import { decodeWebhookSecret, type WebhookSecret } from '../Webhook.js'

// ---------------------------------------------------------------- helpers

const hexUnit = fc.constantFrom(...'0123456789abcdef')
const hex = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: hexUnit, minLength: length, maxLength: length })

/** A hex string of `length` digits with at least one letter, so that upper-casing changes it. */
const hexWithLetter = (length: number): fc.Arbitrary<string> =>
  fc
    .tuple(hex(length), fc.nat({ max: length - 1 }), fc.constantFrom(...'abcdef'))
    .map(([h, i, c]) => `${h.slice(0, i)}${c}${h.slice(i + 1)}`)

const ows = fc.constantFrom('', '', ' ', '  ', '\t', ' \t')

// ---------------------------------------------------------------- client credentials

/**
 * An environment: `production`, `staging` or `sandbox`.
 *
 * @example
 * import { arbClientEnvironment } from '@payout-kernel/request-auth/testing'
 * import { ClientEnvironment } from '@payout-kernel/request-auth'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbClientEnvironment, (env) => ClientEnvironment.is(env)))
 */
export const arbClientEnvironment: fc.Arbitrary<ClientEnvironment> = fc.constantFrom(...clientEnvironments)

/**
 * Client ids `ant_oc_<environment>_<32 lowercase hex>`, of one environment or any.
 *
 * @example
 * import { arbClientId } from '@payout-kernel/request-auth/testing'
 * import { ClientId, clientIdEnvironment } from '@payout-kernel/request-auth'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbClientId('sandbox'), (id) => ClientId.is(id) && clientIdEnvironment(id) === 'sandbox'))
 */
export const arbClientId = (environment?: ClientEnvironment): fc.Arbitrary<ClientId> =>
  fc
    .tuple(environment === undefined ? arbClientEnvironment : fc.constant(environment), hex(32))
    .map(([env, digits]) => `ant_oc_${env}_${digits}` as ClientId)

/**
 * The texts of client secrets `ant_ocs_<environment>_<48 lowercase hex>`.
 *
 * @example
 * import { arbClientSecretText } from '@payout-kernel/request-auth/testing'
 * import { decodeClientSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbClientSecretText(), (text) => E.isRight(decodeClientSecret(text))))
 */
export const arbClientSecretText = (environment?: ClientEnvironment): fc.Arbitrary<string> =>
  fc
    .tuple(environment === undefined ? arbClientEnvironment : fc.constant(environment), hex(48))
    .map(([env, digits]) => `ant_ocs_${env}_${digits}`)

/**
 * Decoded client secrets (which print redacted; use `revealClientSecret` for the text).
 *
 * @example
 * import { arbClientSecret } from '@payout-kernel/request-auth/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbClientSecret('staging'), (secret) => secret.environment === 'staging'))
 */
export const arbClientSecret = (environment?: ClientEnvironment): fc.Arbitrary<ClientSecret> =>
  arbClientSecretText(environment)
    .map(decodeClientSecret)
    .filter(E.isRight) // never rejects: every text is valid by construction
    .map((decoded) => decoded.right)

/**
 * A client's credentials as texts: an environment, and an id and a secret of it.
 *
 * @example
 * import { arbClientCredentials, type ClientCredentialsSample } from '@payout-kernel/request-auth/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbClientCredentials, (c: ClientCredentialsSample) => c.clientId.includes(c.environment)))
 */
export interface ClientCredentialsSample {
  readonly environment: ClientEnvironment
  readonly clientId: ClientId
  readonly clientSecretText: string
}

/**
 * Credentials of one environment: the id and the secret's text.
 *
 * @example
 * import { arbClientCredentials } from '@payout-kernel/request-auth/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbClientCredentials, (c) => c.clientSecretText.startsWith(`ant_ocs_${c.environment}_`)))
 */
export const arbClientCredentials: fc.Arbitrary<ClientCredentialsSample> = arbClientEnvironment.chain(
  (environment) =>
    fc.record({
      environment: fc.constant(environment),
      clientId: arbClientId(environment),
      clientSecretText: arbClientSecretText(environment),
    }),
)

/** Percent-encodes the characters of `s` at the chosen positions (as a client may, needlessly). */
const percentSome = (s: string, picks: ReadonlyArray<boolean>, upper: boolean): string =>
  [...s]
    .map((c, i) => {
      if (picks[i % Math.max(1, picks.length)] !== true) return c
      const code = c.charCodeAt(0).toString(16).padStart(2, '0')
      return `%${upper ? code.toUpperCase() : code}`
    })
    .join('')

/**
 * Valid `Authorization` headers of the token request, with the credentials they carry: the
 * scheme in any case, one or more spaces before the credentials, surrounding spaces or tabs, and
 * some characters percent-encoded although they need not be.
 *
 * @example
 * import { arbBasicAuthorization } from '@payout-kernel/request-auth/testing'
 * import { decodeBasicAuthorization } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbBasicAuthorization, ({ header, clientId }) => {
 *   const decoded = decodeBasicAuthorization(header)
 *   return E.isRight(decoded) && decoded.right.clientId === clientId
 * }))
 */
export const arbBasicAuthorization: fc.Arbitrary<ClientCredentialsSample & { readonly header: string }> = fc
  .record({
    credentials: arbClientCredentials,
    scheme: fc.constantFrom('Basic', 'basic', 'BASIC', 'bAsIc'),
    spaces: fc.constantFrom(' ', ' ', '  ', '   '),
    before: ows,
    after: ows,
    picks: fc.array(fc.boolean(), { maxLength: 8 }),
    upper: fc.boolean(),
  })
  .map(({ credentials, scheme, spaces, before, after, picks, upper }) => {
    const id = percentSome(formUrlEncode(credentials.clientId), picks, upper)
    const secret = percentSome(formUrlEncode(credentials.clientSecretText), [...picks].reverse(), upper)
    const header = `${before}${scheme}${spaces}${toBase64(utf8(`${id}:${secret}`))}${after}`
    return { ...credentials, header }
  })

/**
 * Client ids and secrets that must be refused: near misses (an unknown environment, a digit too
 * many or too few, an uppercase or non-hex digit, the other prefix, surrounding space) and any
 * other value.
 *
 * @example
 * import { arbHostileCredential } from '@payout-kernel/request-auth/testing'
 * import { decodeClientId, decodeClientSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbHostileCredential, (u) => E.isLeft(decodeClientId(u)) && E.isLeft(decodeClientSecret(u))))
 */
export const arbHostileCredential: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('ant_oc_', 'ant_ocs_'),
      fc.constantFrom('live', 'test', 'prod', 'Sandbox', '', 'sandbox_x'),
      hex(32),
      hex(48),
    )
    .map(([prefix, env, a, b]) => `${prefix}${env}_${prefix === 'ant_oc_' ? a : b}`),
  fc
    .tuple(
      fc.constantFrom('ant_oc_', 'ant_ocs_'),
      arbClientEnvironment,
      fc.constantFrom(31, 33, 47, 49, 0, 64),
    )
    .chain(([prefix, env, n]) => hex(n).map((digits) => `${prefix}${env}_${digits}`)),
  fc
    .tuple(fc.constantFrom('ant_oc_', 'ant_ocs_'), arbClientEnvironment, fc.boolean())
    .chain(([prefix, env, upper]) =>
      (prefix === 'ant_oc_' ? hexWithLetter(32) : hexWithLetter(48)).map((digits) => {
        const mutated = upper ? digits.toUpperCase() : `${digits.slice(1)}g`
        return `${prefix}${env}_${mutated}`
      }),
    ),
  fc
    .tuple(
      arbClientCredentials,
      ows.filter((s) => s !== ''),
    )
    .map(([c, space]) => `${space}${c.clientId}`),
  fc
    .tuple(arbClientCredentials, fc.constantFrom('\n', ' ', '\u0000'))
    .map(([c, tail]) => `${c.clientSecretText}${tail}`),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.anything(),
)

const hostileCredentialText: fc.Arbitrary<string> = arbHostileCredential.map((u) =>
  typeof u === 'string' ? u : 'not-a-credential',
)

const base64Garbage = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .:%'),
})

/**
 * `Authorization` headers that must be refused: near misses of valid ones (another scheme, no
 * space, base64 cut short or in the URL alphabet or with a space inside, an extra colon, ids and
 * secrets of different environments or broken, not UTF-8, no colon, a bad `%`) and garbage.
 *
 * @example
 * import { arbHostileBasicAuthorization } from '@payout-kernel/request-auth/testing'
 * import { decodeBasicAuthorization } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbHostileBasicAuthorization, (header) => E.isLeft(decodeBasicAuthorization(header))))
 */
export const arbHostileBasicAuthorization: fc.Arbitrary<unknown> = fc.oneof(
  // A valid header, broken in one place.
  fc
    .tuple(arbClientCredentials, fc.nat({ max: 9 }), fc.constantFrom(...clientEnvironments))
    .map(([c, how, otherEnv]) => {
      const pair = `${c.clientId}:${c.clientSecretText}`
      const b64 = toBase64(utf8(pair))
      switch (how) {
        case 0:
          return `Bearer ${b64}`
        case 1:
          return `Basic${b64}`
        case 2:
          return `Basic ${b64.slice(0, -1)}`
        case 3:
          return `Basic ${b64.slice(0, 8)} ${b64.slice(8)}`
        case 4:
          return `Basic ${toBase64(utf8(`${pair}:extra`))}`
        case 5: {
          const env =
            otherEnv === c.environment ? (c.environment === 'sandbox' ? 'staging' : 'sandbox') : otherEnv
          return `Basic ${toBase64(utf8(`${c.clientId}:${c.clientSecretText.replace(c.environment, env)}`))}`
        }
        case 6:
          return `Basic ${toBase64(utf8(`${c.clientId}${c.clientSecretText}`))}`
        case 7:
          return `Basic ${toBase64(utf8(`${c.clientId}%:${c.clientSecretText}`))}`
        case 8:
          return `Basic ${toBase64(Uint8Array.from([...utf8(pair), 0xff]))}`
        default:
          return `Basic ${toBase64(utf8(`${c.clientSecretText}:${c.clientId}`))}`
      }
    }),
  // Valid base64 of near-miss credentials.
  fc
    .tuple(hostileCredentialText, arbClientSecretText())
    .map(([bad, secret]) => `Basic ${toBase64(utf8(`${bad}:${secret}`))}`),
  fc
    .tuple(arbClientId(), hostileCredentialText)
    .map(([id, bad]) => `Basic ${toBase64(utf8(`${id}:${bad}`))}`),
  // Base64 of anything, and base64-looking garbage.
  fc.uint8Array({ maxLength: 120 }).map((bytes) => `Basic ${toBase64(bytes)}`),
  base64Garbage.map((g) => `Basic ${g}`),
  fc
    .tuple(fc.constantFrom('Basic ', 'basic  ', 'Digest ', ''), fc.string({ unit: 'binary' }))
    .map(([s, g]) => `${s}${g}`),
  fc.constant(`Basic ${'A'.repeat(2000)}`),
  fc.anything(),
)

// ---------------------------------------------------------------- webhooks

/**
 * Texts of webhook secrets (16 to 80 printable characters, no surrounding space).
 *
 * @example
 * import { arbWebhookSecretText } from '@payout-kernel/request-auth/testing'
 * import { decodeWebhookSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbWebhookSecretText, (text) => E.isRight(decodeWebhookSecret(text))))
 */
export const arbWebhookSecretText: fc.Arbitrary<string> = fc.oneof(
  hex(64).map((h) => `whsec_${h}`),
  fc.string({
    unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)),
    minLength: 16,
    maxLength: 80,
  }),
)

/**
 * Decoded webhook secrets, from texts or from 16 to 64 random bytes.
 *
 * @example
 * import { arbWebhookSecret } from '@payout-kernel/request-auth/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbWebhookSecret, (secret) => String(secret) === 'WebhookSecret [redacted]'))
 */
export const arbWebhookSecret: fc.Arbitrary<WebhookSecret> = fc
  .oneof(arbWebhookSecretText, fc.uint8Array({ minLength: 16, maxLength: 64 }))
  .map(decodeWebhookSecret)
  .filter(E.isRight) // never rejects: every input is valid by construction
  .map((decoded) => decoded.right)

/**
 * Timestamps in whole seconds since the epoch, 1970 to 9999 (often near 2026).
 *
 * @example
 * import { arbWebhookTimestamp } from '@payout-kernel/request-auth/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbWebhookTimestamp, (s) => Number.isSafeInteger(s) && s >= 0))
 */
export const arbWebhookTimestamp: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1_750_000_000, max: 1_800_000_000 }),
  fc.integer({ min: 0, max: 253_402_300_799 }),
)

/**
 * Raw webhook bodies: bytes (any), or strings of any code points (well-formed), JSON or not.
 *
 * @example
 * import { arbWebhookBody } from '@payout-kernel/request-auth/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbWebhookBody, (b) => typeof b === 'string' || b instanceof Uint8Array))
 */
export const arbWebhookBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json(),
  fc.constant(''),
)

const decoyEntry: fc.Arbitrary<string> = fc.oneof(
  hex(64).map((h) => `v1=${h}`), // a well-formed v1 that matches nothing
  fc
    .tuple(fc.constantFrom('v0', 'v2', 't', 'sha1', 'x-other'), fc.string({ unit: hexUnit }))
    .map(([s, v]) => `${s}=${v}`),
  fc.constant(''),
)

/**
 * `Anton-Signature` headers carrying the given `v1` values among other entries: decoys (other
 * schemes, well-formed `v1` entries that match nothing, empty elements), in any order, with
 * spaces and tabs around entries and around `=`.
 *
 * @example
 * import { arbWebhookSignatureHeader } from '@payout-kernel/request-auth/testing'
 * import fc from 'fast-check'
 *
 * const mac = 'ab'.repeat(32)
 * fc.assert(fc.property(arbWebhookSignatureHeader([mac]), (header) => header.includes(mac)))
 */
export const arbWebhookSignatureHeader = (v1: ReadonlyArray<string>): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(decoyEntry, { maxLength: 4 }),
      fc.array(fc.tuple(ows, ows, ows, ows), { minLength: v1.length + 5, maxLength: v1.length + 5 }),
    )
    .chain(([decoys, spacing]) => {
      const entries = [...v1.map((h) => ({ scheme: 'v1', value: h })), ...decoys.map((d) => ({ raw: d }))]
      return fc
        .shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length })
        .map((order) =>
          order
            .map((e, i) => {
              const [a, b, c, d] = spacing[i % spacing.length] ?? ['', '', '', '']
              return 'raw' in e ? `${a}${e.raw}${d}` : `${a}${e.scheme}${b}=${c}${e.value}${d}`
            })
            .join(','),
        )
    })

/**
 * Signature headers that must be refused whatever the secret: garbage, uppercase hex, values of
 * the wrong length, entries without `=`, no `v1` entry at all, headers far too long, and values
 * that are not strings. (A well-formed `v1` of random hex is among them: it matches nothing.)
 *
 * @example
 * import { arbHostileWebhookSignatureHeader } from '@payout-kernel/request-auth/testing'
 * import { decodeWebhookSecret, verifyWebhookSignature } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * const secret = decodeWebhookSecret('whsec_0123456789abcdef')
 * assert.ok(E.isRight(secret))
 * await fc.assert(fc.asyncProperty(arbHostileWebhookSignatureHeader, async (header) =>
 *   E.isLeft(await verifyWebhookSignature(secret.right, header, '1700000000', '{}', 1_700_000_000_000))), { numRuns: 50 })
 */
export const arbHostileWebhookSignatureHeader: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom(...'v1=,; \t0123456789abcdefABCDEF') }),
  hexWithLetter(64).map((h) => `v1=${h.toUpperCase()}`),
  fc.constantFrom(63, 65, 0, 128, 32).chain((n) => hex(n).map((h) => `v1=${h}`)),
  hex(64).map((h) => `v1${h}`),
  hex(64).map((h) => `v1=${h}`),
  hex(64).map((h) => `v2=${h}, t=1`),
  fc.constantFrom('', ',', ' , ,', '=', 'v1=', '=abc', 'v1 =', 'v1=,v1='),
  hex(64).map((h) => `v1=${h},`.repeat(40)),
  fc.anything(),
)

/**
 * Timestamp header values that must be refused: leading zeros, signs, decimals, exponents, hex,
 * surrounding spaces, beyond year 9999, empty, and values that are not strings or numbers.
 *
 * @example
 * import { arbHostileWebhookTimestamp } from '@payout-kernel/request-auth/testing'
 * import { decodeWebhookSecret, verifyWebhookSignature } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * const secret = decodeWebhookSecret('whsec_0123456789abcdef')
 * assert.ok(E.isRight(secret))
 * await fc.assert(fc.asyncProperty(arbHostileWebhookTimestamp, async (ts) =>
 *   E.isLeft(await verifyWebhookSignature(secret.right, `v1=${'0'.repeat(64)}`, ts, '{}', 0))), { numRuns: 50 })
 */
export const arbHostileWebhookTimestamp: fc.Arbitrary<unknown> = fc.oneof(
  arbWebhookTimestamp.chain((s) =>
    fc.constantFrom(
      `0${s}`,
      `+${s}`,
      `-${s}`,
      `${s}.0`,
      `${s}e0`,
      ` ${s}`,
      `${s} `,
      `0x${s.toString(16)}`,
      `${s}000000`,
    ),
  ),
  fc.constantFrom('', ' ', '253402300800', '999999999999', 'NaN', 'Infinity', '1,2'),
  fc
    .string({ unit: fc.constantFrom(...'0123456789.-+ eE') })
    .filter((s) => !/^(0|[1-9][0-9]{0,11})$/.test(s)),
  fc.oneof(
    fc.double().filter((d) => !Number.isInteger(d)),
    fc.integer({ min: -1_000_000, max: -1 }),
    fc.boolean(),
    fc.object(),
    fc.bigInt(),
  ),
)
