/**
 * Client credentials of the OAuth 2.0 `client_credentials` grant (RFC 6749 §4.4): client ids
 * `ant_oc_<environment>_<32 hex>`, client secrets `ant_ocs_<environment>_<48 hex>` (shown once,
 * never echoed), the token request's `Authorization: Basic` header (RFC 6749 §2.3.1, RFC 7617),
 * the access-token lifetime of each environment, and a constant-time check of a presented secret
 * against the digest a service stores.
 *
 * The environments are the three the platform names: `production`, `staging` and `sandbox`, and
 * they appear in ids and secrets as those words (`ant_oc_sandbox_…`). Hex is lowercase.
 *
 * A secret is an object, not a string: its `toString`, `toJSON` and Node's `inspect` print
 * `ant_ocs_<environment>_[redacted]`, and no refusal ever contains any part of an input (an id
 * mistakenly passed a secret is not echoed either). `revealClientSecret` is the one way back to
 * the text.
 */
import { type ApiError, apiError } from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import {
  constantTimeEqual,
  formUrlDecode,
  formUrlEncode,
  fromBase64,
  fromLowerHex,
  fromUtf8,
  isLowerHex,
  sha256,
  toBase64,
  toHex,
  trimOws,
  utf8,
} from './internal/credentialBytes.js'

// ---------------------------------------------------------------- model

/**
 * The environments a client belongs to, in the words of the platform's documents.
 *
 * @example
 * import { clientEnvironments } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(clientEnvironments, ['production', 'staging', 'sandbox'])
 */
export const clientEnvironments = ['production', 'staging', 'sandbox'] as const

/**
 * An environment: `production`, `staging` or `sandbox`.
 *
 * @example
 * import { ClientEnvironment } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(ClientEnvironment.is('sandbox'))
 * assert.ok(!ClientEnvironment.is('live'))
 */
export const ClientEnvironment = /* @__PURE__ */ t.keyof(
  { production: null, staging: null, sandbox: null } satisfies Record<
    (typeof clientEnvironments)[number],
    null
  >,
  'ClientEnvironment',
)
/** An environment: `production`, `staging` or `sandbox`. */
export type ClientEnvironment = t.TypeOf<typeof ClientEnvironment>

/** The environment of `<prefix><environment>_<hex of length digits>`, or `undefined` when `s` has another shape. */
const environmentOf = (s: string, prefix: string, digits: number): ClientEnvironment | undefined => {
  if (!s.startsWith(prefix)) return undefined
  const end = s.length - digits - 1
  if (end <= prefix.length || s.charCodeAt(end) !== 95) return undefined
  const environment = s.slice(prefix.length, end)
  if (!ClientEnvironment.is(environment) || !isLowerHex(s, end + 1)) return undefined
  return environment
}

const idPrefix = 'ant_oc_'
const secretPrefix = 'ant_ocs_'
const idDigits = 32
const secretDigits = 48

/**
 * A client id, `ant_oc_<environment>_<32 lowercase hex>`: an io-ts codec of a branded string.
 *
 * @example
 * import { ClientId } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(ClientId.decode('ant_oc_sandbox_0123456789abcdef0123456789abcdef')))
 * assert.ok(E.isLeft(ClientId.decode('ant_oc_sandbox_0123456789ABCDEF0123456789ABCDEF')))
 * assert.ok(E.isLeft(ClientId.decode('ant_oc_live_0123456789abcdef0123456789abcdef')))
 */
export const ClientId = /* @__PURE__ */ t.brand(
  t.string,
  (s): s is t.Branded<string, { readonly ClientId: unique symbol }> =>
    environmentOf(s, idPrefix, idDigits) !== undefined,
  'ClientId',
)
/** A client id, `ant_oc_<environment>_<32 lowercase hex>`. */
export type ClientId = t.TypeOf<typeof ClientId>

const inspectCustom = /* @__PURE__ */ Symbol.for('nodejs.util.inspect.custom')

/**
 * A client secret, `ant_ocs_<environment>_<48 lowercase hex>`, decoded. It holds the text in a
 * private field: printing it, serialising it to JSON or inspecting it shows only
 * `ant_ocs_<environment>_[redacted]`. Only `decodeClientSecret` (and the Basic header decoder)
 * make one; `revealClientSecret` gives the text back.
 *
 * @example
 * import { decodeClientSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const decoded = decodeClientSecret(`ant_ocs_sandbox_${'ab'.repeat(24)}`)
 * assert.ok(E.isRight(decoded))
 * assert.equal(decoded.right.environment, 'sandbox')
 * assert.equal(String(decoded.right), 'ant_ocs_sandbox_[redacted]')
 * assert.equal(JSON.stringify({ secret: decoded.right }), '{"secret":"ant_ocs_sandbox_[redacted]"}')
 */
class ClientSecret {
  readonly #text: string
  /** The environment the secret belongs to. */
  readonly environment: ClientEnvironment
  /** @internal */
  constructor(text: string, environment: ClientEnvironment) {
    this.#text = text
    this.environment = environment
  }
  /** The text of a secret, when `value` is one. */
  static textOf(value: ClientSecret): string | undefined {
    return #text in value ? value.#text : undefined
  }
  /** `ant_ocs_<environment>_[redacted]`. */
  toString(): string {
    return `${secretPrefix}${this.environment}_[redacted]`
  }
  /** `ant_ocs_<environment>_[redacted]`, what `JSON.stringify` writes. */
  toJSON(): string {
    return this.toString()
  }
  static {
    Object.defineProperty(ClientSecret.prototype, inspectCustom, {
      value(this: ClientSecret) {
        return `ClientSecret <${this.toString()}>`
      },
    })
  }
}

export type { ClientSecret }

/**
 * A client's credentials as the token request carries them: the id, the secret and the
 * environment they share.
 *
 * @example
 * import { decodeBasicAuthorization, encodeBasicAuthorization, type ClientCredentials } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const header = encodeBasicAuthorization(`ant_oc_staging_${'1'.repeat(32)}`, `ant_ocs_staging_${'2'.repeat(48)}`)
 * const decoded = decodeBasicAuthorization(header)
 * assert.ok(E.isRight(decoded))
 * const credentials: ClientCredentials = decoded.right
 * assert.equal(credentials.environment, 'staging')
 */
export interface ClientCredentials {
  readonly clientId: ClientId
  readonly clientSecret: ClientSecret
  readonly environment: ClientEnvironment
}

/**
 * What was wrong with presented credentials, without any part of them:
 * - `authorization_header`: the header is missing, too long, not `Basic <base64>`, its base64 is
 *   malformed, its text is not UTF-8 or not form-urlencoded, or it has no `:`;
 * - `client_id`, `client_secret`: that part does not have its shape;
 * - `environment_mismatch`: the id and the secret name different environments;
 * - `crypto`: Web Crypto is missing or failed (a service error, not the client's).
 *
 * @example
 * import { decodeClientSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const refused = decodeClientSecret('ant_ocs_sandbox_not-hex')
 * assert.ok(E.isLeft(refused))
 * assert.equal(refused.left.reason, 'client_secret')
 * assert.ok(!JSON.stringify(refused.left).includes('not-hex'))
 */
export interface CredentialRefusal {
  readonly _tag: 'CredentialRefusal'
  readonly reason: 'authorization_header' | 'client_id' | 'client_secret' | 'environment_mismatch' | 'crypto'
  readonly message: string
}

const refuse = (reason: CredentialRefusal['reason'], message: string): E.Either<CredentialRefusal, never> =>
  E.left({ _tag: 'CredentialRefusal', reason, message })

// ---------------------------------------------------------------- ids and secrets

const environmentsText = /* @__PURE__ */ clientEnvironments.join(', ')

/**
 * Decodes a client id: the id, or a `client_id` refusal that says which shape was expected
 * (never the input).
 *
 * @example
 * import { decodeClientId } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(decodeClientId(`ant_oc_production_${'f'.repeat(32)}`)))
 * const refused = decodeClientId(`ant_oc_production_${'f'.repeat(31)}`)
 * assert.ok(E.isLeft(refused) && refused.left.reason === 'client_id')
 */
export const decodeClientId = (u: unknown): E.Either<CredentialRefusal, ClientId> =>
  ClientId.is(u)
    ? E.right(u)
    : refuse(
        'client_id',
        typeof u === 'string'
          ? `must be ant_oc_<environment>_<32 lowercase hex digits>, environment one of ${environmentsText}`
          : 'must be a string',
      )

/**
 * The environment of a client id.
 *
 * @example
 * import { ClientId, clientIdEnvironment } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const id = `ant_oc_sandbox_${'0'.repeat(32)}`
 * assert.ok(ClientId.is(id))
 * assert.equal(clientIdEnvironment(id), 'sandbox')
 */
export const clientIdEnvironment = (id: ClientId): ClientEnvironment =>
  environmentOf(id, idPrefix, idDigits) ?? 'production'

/**
 * Decodes a client secret: the secret (which prints redacted), or a `client_secret` refusal that
 * names the shape expected and nothing of the input.
 *
 * @example
 * import { decodeClientSecret, revealClientSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const text = `ant_ocs_production_${'0a'.repeat(24)}`
 * const decoded = decodeClientSecret(text)
 * assert.ok(E.isRight(decoded) && revealClientSecret(decoded.right) === text)
 * assert.ok(E.isLeft(decodeClientSecret(text.toUpperCase())))
 */
export const decodeClientSecret = (u: unknown): E.Either<CredentialRefusal, ClientSecret> => {
  if (typeof u !== 'string') return refuse('client_secret', 'must be a string')
  const environment = environmentOf(u, secretPrefix, secretDigits)
  return environment === undefined
    ? refuse(
        'client_secret',
        `must be ant_ocs_<environment>_<48 lowercase hex digits>, environment one of ${environmentsText}`,
      )
    : E.right(new ClientSecret(u, environment))
}

/**
 * The text of a client secret: the one way to read it back (to hand it to the client once, or to
 * put it in a request as a client does).
 *
 * @example
 * import { decodeClientSecret, revealClientSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const text = `ant_ocs_staging_${'9'.repeat(48)}`
 * const decoded = decodeClientSecret(text)
 * assert.ok(E.isRight(decoded))
 * assert.equal(revealClientSecret(decoded.right), text)
 */
export const revealClientSecret = (secret: ClientSecret): string => ClientSecret.textOf(secret) ?? ''

// ---------------------------------------------------------------- the Basic header

/**
 * The longest `Authorization` header read, in characters; a longer one is refused before any
 * decoding.
 *
 * @example
 * import { maxAuthorizationLength } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(maxAuthorizationLength, 1024)
 */
export const maxAuthorizationLength = 1024

/**
 * Decodes the token request's `Authorization` header: `Basic` (any case), one or more spaces,
 * then strict base64 (padded, canonical) of `client_id:client_secret`, each part form-urlencoded
 * before encoding (RFC 6749 §2.3.1). The text is split at its first `:` (RFC 7617: an id has no
 * colon, so any further colon belongs to the secret, which then fails its shape), each part is
 * form-urlencoded-decoded, then decoded as an id and a secret of the same environment. Surrounding
 * spaces and tabs are tolerated; anything else is refused, never thrown, and never echoed.
 *
 * @example
 * import { decodeBasicAuthorization, revealClientSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const id = `ant_oc_sandbox_${'a'.repeat(32)}`
 * const secret = `ant_ocs_sandbox_${'b'.repeat(48)}`
 * const header = `basic ${btoa(`${id}:${secret}`)}`
 * const decoded = decodeBasicAuthorization(header)
 * assert.ok(E.isRight(decoded))
 * assert.equal(decoded.right.clientId, id)
 * assert.equal(revealClientSecret(decoded.right.clientSecret), secret)
 *
 * const mixed = decodeBasicAuthorization(`Basic ${btoa(`${id}:${secret.replace('sandbox', 'staging')}`)}`)
 * assert.ok(E.isLeft(mixed) && mixed.left.reason === 'environment_mismatch')
 * assert.ok(E.isLeft(decodeBasicAuthorization('Basic not*base64')))
 */
export const decodeBasicAuthorization = (header: unknown): E.Either<CredentialRefusal, ClientCredentials> => {
  if (typeof header !== 'string') return refuse('authorization_header', 'must be a string')
  if (header.length > maxAuthorizationLength)
    return refuse('authorization_header', `is longer than ${maxAuthorizationLength} characters`)
  const value = trimOws(header)
  const space = value.indexOf(' ')
  if (space < 0 || value.slice(0, space).toLowerCase() !== 'basic')
    return refuse('authorization_header', 'must be "Basic <base64 of client_id:client_secret>"')
  let start = space
  while (start < value.length && value.charCodeAt(start) === 32) start++
  const decoded = fromBase64(value.slice(start))
  if (decoded === undefined)
    return refuse('authorization_header', 'the credentials are not strict, padded base64')
  const text = fromUtf8(decoded)
  if (text === undefined) return refuse('authorization_header', 'the decoded credentials are not UTF-8')
  const colon = text.indexOf(':')
  if (colon < 0) return refuse('authorization_header', 'the decoded credentials have no ":"')
  const idText = formUrlDecode(text.slice(0, colon))
  const secretText = formUrlDecode(text.slice(colon + 1))
  if (idText === undefined || secretText === undefined)
    return refuse('authorization_header', 'the decoded credentials are not form-urlencoded')
  const clientId = decodeClientId(idText)
  if (E.isLeft(clientId)) return clientId
  const clientSecret = decodeClientSecret(secretText)
  if (E.isLeft(clientSecret)) return clientSecret
  const environment = clientIdEnvironment(clientId.right)
  if (clientSecret.right.environment !== environment)
    return refuse(
      'environment_mismatch',
      'the client id and the client secret belong to different environments',
    )
  return E.right({ clientId: clientId.right, clientSecret: clientSecret.right, environment })
}

/**
 * The `Authorization` header value a client sends to the token endpoint: `Basic` and the base64
 * of the form-urlencoded id, `:`, and the form-urlencoded secret (RFC 6749 §2.3.1).
 *
 * @example
 * import { encodeBasicAuthorization } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const header = encodeBasicAuthorization(`ant_oc_sandbox_${'a'.repeat(32)}`, `ant_ocs_sandbox_${'b'.repeat(48)}`)
 * assert.equal(atob(header.slice('Basic '.length)), `ant_oc_sandbox_${'a'.repeat(32)}:ant_ocs_sandbox_${'b'.repeat(48)}`)
 */
export const encodeBasicAuthorization = (clientId: string, clientSecret: string | ClientSecret): string => {
  const secret = typeof clientSecret === 'string' ? clientSecret : revealClientSecret(clientSecret)
  return `Basic ${toBase64(utf8(`${formUrlEncode(clientId)}:${formUrlEncode(secret)}`))}`
}

// ---------------------------------------------------------------- token lifetimes

/**
 * How long an access token lives in each environment, in milliseconds: 1 hour in production and
 * staging, 8 hours in sandbox. There are no refresh tokens; a client asks for a new one.
 *
 * @example
 * import { accessTokenLifetimes } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(accessTokenLifetimes, { production: 3_600_000, staging: 3_600_000, sandbox: 28_800_000 })
 */
export const accessTokenLifetimes: Readonly<Record<ClientEnvironment, number>> =
  /* @__PURE__ */ Object.freeze({
    production: 3_600_000,
    staging: 3_600_000,
    sandbox: 28_800_000,
  })

/**
 * The access-token lifetime of an environment, in milliseconds (a token response's `expires_in`
 * is this divided by 1000).
 *
 * @example
 * import { accessTokenLifetime } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(accessTokenLifetime('sandbox') / 1000, 28_800)
 * assert.equal(accessTokenLifetime('production'), 60 * 60 * 1000)
 */
export const accessTokenLifetime = (environment: ClientEnvironment): number =>
  accessTokenLifetimes[environment]

// ---------------------------------------------------------------- stored secrets

/**
 * What a service stores instead of a secret: the lowercase hex SHA-256 of its text. A secret
 * carries 192 random bits, so a fast hash is enough (no password hashing needed), and a leaked
 * table gives nothing to replay.
 *
 * @example
 * import { ClientSecretDigest } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(ClientSecretDigest.is('0'.repeat(64)))
 * assert.ok(!ClientSecretDigest.is('0'.repeat(63)))
 */
export const ClientSecretDigest = /* @__PURE__ */ t.brand(
  t.string,
  (s): s is t.Branded<string, { readonly ClientSecretDigest: unique symbol }> =>
    s.length === 64 && isLowerHex(s),
  'ClientSecretDigest',
)
/** The lowercase hex SHA-256 of a client secret's text, as a service stores it. */
export type ClientSecretDigest = t.TypeOf<typeof ClientSecretDigest>

/**
 * The digest to store for a secret (computed with Web Crypto), or a `crypto` refusal when Web
 * Crypto is missing.
 *
 * @example
 * import { clientSecretDigest, decodeClientSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const secret = decodeClientSecret(`ant_ocs_sandbox_${'b'.repeat(48)}`)
 * assert.ok(E.isRight(secret))
 * const digest = await clientSecretDigest(secret.right)
 * assert.ok(E.isRight(digest))
 * assert.match(digest.right, /^[0-9a-f]{64}$/)
 */
export const clientSecretDigest = async (
  secret: ClientSecret,
): Promise<E.Either<CredentialRefusal, ClientSecretDigest>> => {
  const digest = await sha256(utf8(revealClientSecret(secret)))
  return digest === undefined
    ? refuse('crypto', 'Web Crypto SHA-256 is unavailable')
    : E.right(toHex(digest) as ClientSecretDigest)
}

/**
 * Whether a presented secret is the one whose digest was stored: its SHA-256 compared with the
 * stored digest in constant time (every byte XOR-accumulated, no early exit). `Right(false)` is a
 * wrong secret (answer `401 invalid_client`); a `crypto` refusal means it could not be checked.
 *
 * @example
 * import { clientSecretDigest, clientSecretMatches, decodeClientSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const right = decodeClientSecret(`ant_ocs_sandbox_${'b'.repeat(48)}`)
 * const wrong = decodeClientSecret(`ant_ocs_sandbox_${'c'.repeat(48)}`)
 * assert.ok(E.isRight(right) && E.isRight(wrong))
 * const stored = await clientSecretDigest(right.right)
 * assert.ok(E.isRight(stored))
 * assert.deepEqual(await clientSecretMatches(right.right, stored.right), E.right(true))
 * assert.deepEqual(await clientSecretMatches(wrong.right, stored.right), E.right(false))
 */
export const clientSecretMatches = async (
  presented: ClientSecret,
  stored: ClientSecretDigest,
): Promise<E.Either<CredentialRefusal, boolean>> => {
  const digest = await sha256(utf8(revealClientSecret(presented)))
  if (digest === undefined) return refuse('crypto', 'Web Crypto SHA-256 is unavailable')
  const expected = fromLowerHex(stored)
  return E.right(expected !== undefined && constantTimeEqual(digest, expected))
}

// ---------------------------------------------------------------- HTTP

/**
 * The API error for a refusal: `401 invalid_client` (RFC 6749 §5.2) for anything the client
 * sent, `503 credentials_unavailable` when the service could not check. The message names what
 * was wrong, never the credentials.
 *
 * @example
 * import { credentialRefusalToApiError, decodeBasicAuthorization } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const refused = decodeBasicAuthorization(undefined)
 * assert.ok(E.isLeft(refused))
 * const error = credentialRefusalToApiError(refused.left)
 * assert.equal(error.status, 401)
 * assert.equal(error.body.error.code, 'invalid_client')
 */
export const credentialRefusalToApiError = (refusal: CredentialRefusal): ApiError =>
  refusal.reason === 'crypto'
    ? apiError(503, 'credentials_unavailable', 'client credentials cannot be checked right now')
    : apiError(401, 'invalid_client', `${refusal.reason}: ${refusal.message}`)
