// Client credentials: ids and secrets, the Basic header of the token request (RFC 6749 §2.3.1,
// RFC 7617), token lifetimes, stored digests, and the byte helpers they rest on, each checked
// against Node's own implementation where one exists.
import { createHash } from 'node:crypto'
import { inspect } from 'node:util'
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  accessTokenLifetime,
  type ClientSecret,
  ClientSecretDigest,
  clientEnvironments,
  clientIdEnvironment,
  clientSecretDigest,
  clientSecretMatches,
  credentialRefusalToApiError,
  decodeBasicAuthorization,
  decodeClientId,
  decodeClientSecret,
  encodeBasicAuthorization,
  revealClientSecret,
} from '../src/index.js'
import {
  constantTimeEqual,
  formUrlDecode,
  formUrlEncode,
  fromBase64,
  toBase64,
} from '../src/internal/credentialBytes.js'
import {
  arbBasicAuthorization,
  arbClientCredentials,
  arbClientId,
  arbClientSecretText,
  arbHostileBasicAuthorization,
  arbHostileCredential,
} from '../src/testing/index.js'

const secretOf = (text: string): ClientSecret => {
  const decoded = decodeClientSecret(text)
  if (E.isLeft(decoded)) throw new Error('test secret refused')
  return decoded.right
}

const basic = (text: string, scheme = 'Basic') => `${scheme} ${Buffer.from(text, 'utf8').toString('base64')}`

const reasonOf = (r: E.Either<{ readonly reason: string }, unknown>): string =>
  E.isLeft(r) ? r.left.reason : 'passed'

/** Every 12-character window of a secret's hex part: none may appear in an error. */
const hexWindows = (secretText: string): ReadonlyArray<string> => {
  const digits = secretText.slice(secretText.lastIndexOf('_') + 1)
  return Array.from({ length: digits.length - 11 }, (_, i) => digits.slice(i, i + 12))
}

const id = (env: string, digits = 'a'.repeat(32)) => `ant_oc_${env}_${digits}`
const secret = (env: string, digits = 'b'.repeat(48)) => `ant_ocs_${env}_${digits}`

// ---------------------------------------------------------------- ids and secrets

describe('client ids and secrets', () => {
  test('the shapes: a known environment, the exact number of lowercase hex digits', () => {
    for (const env of clientEnvironments) {
      expect(E.isRight(decodeClientId(id(env)))).toBe(true)
      expect(E.isRight(decodeClientSecret(secret(env)))).toBe(true)
    }
    for (const bad of [
      id('live'),
      id('Production'),
      id('sandbox', 'a'.repeat(31)),
      id('sandbox', 'a'.repeat(33)),
      id('sandbox', 'A'.repeat(32)),
      id('sandbox', `${'a'.repeat(31)}g`),
      secret('sandbox'),
      `ant_oc__${'a'.repeat(32)}`,
      ` ${id('sandbox')}`,
    ])
      expect(reasonOf(decodeClientId(bad))).toBe('client_id')
    for (const bad of [
      secret('test'),
      secret('sandbox', 'b'.repeat(47)),
      secret('sandbox', 'B'.repeat(48)),
      id('sandbox'),
      `${secret('sandbox')}\n`,
    ])
      expect(reasonOf(decodeClientSecret(bad))).toBe('client_secret')
    expect(clientIdEnvironment(id('staging') as never)).toBe('staging')
  })

  test.prop([arbClientId(), arbClientSecretText()], { numRuns: 2_000 })(
    'generated ids and secrets decode; a secret reveals its text again',
    (clientId, text) => {
      expect(decodeClientId(clientId)).toEqual(E.right(clientId))
      const decoded = decodeClientSecret(text)
      expect(E.isRight(decoded) && revealClientSecret(decoded.right)).toBe(text)
    },
  )

  test.prop([arbHostileCredential], { numRuns: 10_000 })(
    '10,000 near misses and garbage: Left for both, never a throw, never the input echoed',
    (u) => {
      const asId = decodeClientId(u)
      const asSecret = decodeClientSecret(u)
      expect(E.isLeft(asId) && E.isLeft(asSecret)).toBe(true)
      if (typeof u === 'string' && u.length >= 12) {
        expect(JSON.stringify(asId)).not.toContain(u)
        expect(JSON.stringify(asSecret)).not.toContain(u)
      }
    },
  )

  test.prop([arbClientSecretText()], { numRuns: 1_000 })(
    'a secret prints, serialises and inspects redacted',
    (text) => {
      const s = secretOf(text)
      const shown = [
        String(s),
        `${s}`,
        JSON.stringify(s),
        JSON.stringify({ credentials: { s } }),
        inspect(s, { showHidden: true, depth: 5 }),
        inspect({ s }),
        JSON.stringify({ ...s }),
        JSON.stringify(structuredClone(s)),
      ]
      for (const shownText of shown) for (const w of hexWindows(text)) expect(shownText).not.toContain(w)
      expect(String(s)).toBe(`ant_ocs_${s.environment}_[redacted]`)
    },
  )
})

// ---------------------------------------------------------------- the Basic header

describe('decodeBasicAuthorization', () => {
  test.prop([arbBasicAuthorization], { numRuns: 5_000 })(
    'valid headers (scheme in any case, spaces, needless percent-encoding) give back the credentials',
    ({ header, clientId, clientSecretText, environment }) => {
      const decoded = decodeBasicAuthorization(header)
      expect(E.isRight(decoded)).toBe(true)
      if (E.isLeft(decoded)) return
      expect(decoded.right.clientId).toBe(clientId)
      expect(revealClientSecret(decoded.right.clientSecret)).toBe(clientSecretText)
      expect(decoded.right.environment).toBe(environment)
    },
  )

  test.prop([arbClientCredentials], { numRuns: 2_000 })(
    "encodeBasicAuthorization is what Node's base64 and URLSearchParams would send",
    ({ clientId, clientSecretText }) => {
      const header = encodeBasicAuthorization(clientId, secretOf(clientSecretText))
      const form = (s: string) => new URLSearchParams({ v: s }).toString().slice(2)
      expect(header).toBe(basic(`${form(clientId)}:${form(clientSecretText)}`))
      expect(E.isRight(decodeBasicAuthorization(header))).toBe(true)
    },
  )

  test.prop([arbHostileBasicAuthorization], { numRuns: 10_000 })(
    '10,000 hostile Basic headers: Left, never a throw',
    (header) => {
      expect(E.isLeft(decodeBasicAuthorization(header))).toBe(true)
    },
  )

  test.prop([arbClientCredentials, fc.nat({ max: 9 }), fc.constantFrom(...clientEnvironments)], {
    numRuns: 10_000,
  })(
    "10,000 refusals of headers carrying a real secret: none contains any part of the secret's hex",
    ({ clientId, clientSecretText, environment }, how, other) => {
      const otherEnv = other === environment ? (environment === 'sandbox' ? 'production' : 'sandbox') : other
      const variants = [
        basic(`${clientId}:${clientSecretText}x`),
        basic(`${clientId}:${clientSecretText.toUpperCase()}`),
        basic(`${clientId}:${clientSecretText.replace(environment, otherEnv)}`),
        basic(`${clientSecretText}:${clientId}`),
        basic(`${clientSecretText}`),
        basic(`${clientId}:${clientSecretText}:more`),
        basic(`${clientId}:${clientSecretText}`, 'Bearer'),
        basic(`${clientId}:${clientSecretText}%`),
        `Basic ${Buffer.from(`${clientId}:${clientSecretText}`).toString('base64').slice(1)}`,
        `Basic ${Buffer.from(`${clientId}:${clientSecretText}`).toString('base64')}${' x'.repeat(600)}`,
      ]
      const refused = decodeBasicAuthorization(variants[how])
      expect(E.isLeft(refused)).toBe(true)
      const text =
        JSON.stringify(refused) +
        JSON.stringify(E.isLeft(refused) && credentialRefusalToApiError(refused.left))
      for (const w of hexWindows(clientSecretText)) expect(text).not.toContain(w)
    },
  )

  test('RFC 6749 §2.3.1 / RFC 7617 details', () => {
    const i = id('sandbox')
    const s = secret('sandbox')
    // The scheme in any case; surrounding spaces and tabs; several spaces after the scheme.
    for (const scheme of ['Basic', 'basic', 'BASIC'])
      expect(reasonOf(decodeBasicAuthorization(basic(`${i}:${s}`, scheme)))).toBe('passed')
    expect(reasonOf(decodeBasicAuthorization(`\t ${basic(`${i}:${s}`).replace(' ', '   ')} \t`))).toBe(
      'passed',
    )
    // A tab between scheme and credentials is not a space; no separator at all is refused.
    expect(reasonOf(decodeBasicAuthorization(basic(`${i}:${s}`).replace(' ', '\t')))).toBe(
      'authorization_header',
    )
    expect(reasonOf(decodeBasicAuthorization(basic(`${i}:${s}`).replace(' ', '')))).toBe(
      'authorization_header',
    )
    // Form-urlencoded before base64: percent-escapes (either case) and `+` are decoded first.
    expect(
      reasonOf(decodeBasicAuthorization(basic(`${i.replace('_', '%5F')}:${s.replace('b', '%62')}`))),
    ).toBe('passed')
    expect(reasonOf(decodeBasicAuthorization(basic(`${i}:${s.replace('b', '%6')}`)))).toBe(
      'authorization_header',
    )
    expect(reasonOf(decodeBasicAuthorization(basic(`${i}+:${s}`)))).toBe('client_id') // `+` is a space
    // Split at the first colon: further colons belong to the secret, which then fails its shape.
    expect(reasonOf(decodeBasicAuthorization(basic(`${i}:${s}:x`)))).toBe('client_secret')
    expect(reasonOf(decodeBasicAuthorization(basic(`${i}%3A:${s}`)))).toBe('client_id')
    expect(reasonOf(decodeBasicAuthorization(basic(`${i}${s}`)))).toBe('authorization_header')
    // Strict base64: padded, canonical, the standard alphabet only.
    const b64 = Buffer.from(`${i}:${s}`).toString('base64')
    const padded = b64 // 112 characters of text: its base64 ends in ==
    expect(padded.endsWith('=')).toBe(true)
    expect(reasonOf(decodeBasicAuthorization(`Basic ${padded.replace(/=+$/, '')}`))).toBe(
      'authorization_header',
    )
    expect(
      reasonOf(decodeBasicAuthorization(`Basic ${b64.replace(/\+/g, '-').replace(/\//g, '_')}x===`)),
    ).toBe('authorization_header')
    expect(reasonOf(decodeBasicAuthorization('Basic QR=='))).toBe('authorization_header') // non-canonical bits
    expect(reasonOf(decodeBasicAuthorization('Basic QQ=='))).toBe('authorization_header') // "A": no colon
    expect(reasonOf(decodeBasicAuthorization(`Basic ${b64.slice(0, 8)}\n${b64.slice(8)}`))).toBe(
      'authorization_header',
    )
    // Not UTF-8; too long; not a string.
    expect(
      reasonOf(decodeBasicAuthorization(`Basic ${Buffer.from([0xc3, 0x28, 0x3a]).toString('base64')}`)),
    ).toBe('authorization_header')
    expect(reasonOf(decodeBasicAuthorization(`Basic ${b64}${' '.repeat(1_024)}`))).toBe(
      'authorization_header',
    )
    expect(reasonOf(decodeBasicAuthorization(['Basic', b64]))).toBe('authorization_header')
    // Environments must agree.
    expect(reasonOf(decodeBasicAuthorization(basic(`${i}:${secret('production')}`)))).toBe(
      'environment_mismatch',
    )
  })

  test('refusals map to 401 invalid_client; a crypto failure to 503', () => {
    const refused = decodeBasicAuthorization('Bearer x')
    expect(E.isLeft(refused) && credentialRefusalToApiError(refused.left).status).toBe(401)
    expect(
      credentialRefusalToApiError({ _tag: 'CredentialRefusal', reason: 'crypto', message: 'x' }).status,
    ).toBe(503)
  })
})

// ---------------------------------------------------------------- lifetimes and stored secrets

describe('token lifetimes and stored secrets', () => {
  test('1 hour in production and staging, 8 hours in sandbox', () => {
    expect(clientEnvironments.map(accessTokenLifetime)).toEqual([3_600_000, 3_600_000, 28_800_000])
  })

  test.prop([arbClientSecretText(), arbClientSecretText()], { numRuns: 1_000 })(
    'the stored digest is the SHA-256 node:crypto computes; only the same secret matches it',
    async (a, b) => {
      const digest = await clientSecretDigest(secretOf(a))
      expect(digest).toEqual(E.right(createHash('sha256').update(a, 'utf8').digest('hex')))
      if (E.isLeft(digest)) return
      expect(ClientSecretDigest.is(digest.right)).toBe(true)
      expect(await clientSecretMatches(secretOf(a), digest.right)).toEqual(E.right(true))
      expect(await clientSecretMatches(secretOf(b), digest.right)).toEqual(E.right(a === b))
    },
  )
})

// ---------------------------------------------------------------- the byte helpers

describe('byte helpers', () => {
  test.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: 2_000 })(
    "base64 agrees with Node's, both ways",
    (bytes) => {
      const b64 = Buffer.from(bytes).toString('base64')
      expect(toBase64(bytes)).toBe(b64)
      if (bytes.length === 0)
        expect(fromBase64(b64)).toBeUndefined() // empty credentials are refused
      else expect(Buffer.from(fromBase64(b64) ?? []).equals(Buffer.from(bytes))).toBe(true)
    },
  )

  test.prop(
    [
      fc.string({
        unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='),
      }),
    ],
    {
      numRuns: 5_000,
    },
  )('strict base64: whatever it accepts is canonical (re-encodes to the same text)', (s) => {
    const bytes = fromBase64(s)
    if (bytes !== undefined) expect(Buffer.from(bytes).toString('base64')).toBe(s)
  })

  test.prop([fc.string({ unit: 'binary' })], { numRuns: 2_000 })(
    'form-urlencoding agrees with URLSearchParams, both ways',
    (s) => {
      const encoded = new URLSearchParams({ v: s }).toString().slice(2)
      expect(formUrlEncode(s)).toBe(encoded)
      expect(formUrlDecode(encoded)).toBe(s)
    },
  )

  test.prop([fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 })], { numRuns: 2_000 })(
    'constantTimeEqual is equality',
    (a, b) => {
      expect(constantTimeEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)))
      expect(constantTimeEqual(a, Uint8Array.from(a))).toBe(true)
    },
  )

  test.prop([fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat()], { numRuns: 1_000 })(
    'constantTimeEqual does not short-circuit: it reads every byte whatever differs first',
    (bytes, where) => {
      const reads = (a: Uint8Array, b: Uint8Array) => {
        const seen = new Set<string>()
        const watched = new Proxy(a, {
          get: (target, key) => {
            if (typeof key === 'string') seen.add(key)
            return Reflect.get(target, key)
          },
        })
        constantTimeEqual(watched, b)
        return [...seen].filter((k) => /^\d+$/.test(k)).length
      }
      const differs = Uint8Array.from(bytes)
      const i = where % bytes.length
      differs[i] = ((differs[i] as number) + 1) & 255
      // A difference at the first byte, somewhere, or none: every byte is read each time.
      const first = Uint8Array.from(bytes)
      first[0] = ((first[0] as number) + 1) & 255
      expect(reads(bytes, first)).toBe(bytes.length)
      expect(reads(bytes, differs)).toBe(bytes.length)
      expect(reads(bytes, Uint8Array.from(bytes))).toBe(bytes.length)
    },
  )
})
