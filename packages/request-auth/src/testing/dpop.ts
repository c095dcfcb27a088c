/**
 * Test helpers for DPoP: a proof signer (a client would use panva's `dpop` or `oauth4webapi`;
 * this one can also make the wrong proofs a test needs), and arbitraries of requests and of
 * hostile proofs.
 */
import fc from 'fast-check'
import { base64url, type CryptoKey, exportJWK, type JWK, SignJWT } from 'jose'
import { dpopAccessTokenHash } from '../Dpop.js'

/**
 * The claims and header of a proof to sign. Claims left out are left out of the proof; header
 * fields given replace the right ones (`typ`, `alg`, `jwk`), to make wrong proofs.
 *
 * @example
 * import type { DpopProofInput } from '@payout-kernel/request-auth/testing'
 * import assert from 'node:assert/strict'
 *
 * const input: DpopProofInput = { htm: 'GET', htu: 'https://api.example.com/v1/x', iat: 0, jti: 'j' }
 * assert.equal(input.htm, 'GET')
 */
export interface DpopProofInput {
  /** The method claim. */
  readonly htm?: string
  /** The URL claim. */
  readonly htu?: string
  /** The issue time, in seconds. */
  readonly iat?: number
  /** The proof's id. */
  readonly jti?: string
  /** The access token whose hash becomes `ath`. */
  readonly accessToken?: string
  /** Claims to add or replace (e.g. a wrong `ath`). */
  readonly claims?: Readonly<Record<string, unknown>>
  /** Header fields to replace. */
  readonly header?: Readonly<Record<string, unknown>>
}

/**
 * Signs a DPoP proof with a key pair (ES256 for a P-256 pair, EdDSA for an Ed25519 one; or the
 * header's `alg` given), embedding the public key as `jwk`.
 *
 * @example
 * import { signDpopProof } from '@payout-kernel/request-auth/testing'
 * import { decodeProtectedHeader, generateKeyPair } from 'jose'
 * import assert from 'node:assert/strict'
 *
 * const proof = await signDpopProof(await generateKeyPair('ES256'), { htm: 'GET', htu: 'https://api.example.com/v1/x', iat: 0, jti: 'j' })
 * assert.equal(decodeProtectedHeader(proof).typ, 'dpop+jwt')
 */
export const signDpopProof = async (
  keys: { readonly privateKey: CryptoKey; readonly publicKey: CryptoKey },
  input: DpopProofInput,
): Promise<string> => {
  const jwk: JWK = await exportJWK(keys.publicKey)
  const alg = jwk.kty === 'EC' ? 'ES256' : 'EdDSA'
  const payload: Record<string, unknown> = {}
  if (input.htm !== undefined) payload.htm = input.htm
  if (input.htu !== undefined) payload.htu = input.htu
  if (input.iat !== undefined) payload.iat = input.iat
  if (input.jti !== undefined) payload.jti = input.jti
  if (input.accessToken !== undefined) payload.ath = await dpopAccessTokenHash(input.accessToken)
  Object.assign(payload, input.claims ?? {})
  const header = { typ: 'dpop+jwt', alg, jwk, ...(input.header ?? {}) } as { alg: string }
  return new SignJWT(payload).setProtectedHeader(header).sign(keys.privateKey)
}

/**
 * Unsigned tokens and random text shaped like proofs, for the "never throws" properties: any of
 * them must be refused.
 *
 * @example
 * import { arbHostileDpopProof } from '@payout-kernel/request-auth/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(fc.sample(arbHostileDpopProof, 5).length, 5)
 */
export const arbHostileDpopProof: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,40}\.[A-Za-z0-9_-]{0,40}\.[A-Za-z0-9_-]{0,40}$/),
  fc.tuple(fc.jsonValue(), fc.jsonValue(), fc.stringMatching(/^[A-Za-z0-9_-]{0,86}$/)).map(([h, p, s]) => {
    const part = (v: unknown) => base64url.encode(new TextEncoder().encode(JSON.stringify(v) ?? 'null'))
    return `${part(h)}.${part(p)}.${s}`
  }),
  fc
    .record({
      typ: fc.oneof(fc.constant('dpop+jwt'), fc.string()),
      alg: fc.constantFrom('none', 'HS256', 'ES256', 'EdDSA', 'Ed25519', 'RS256'),
      jwk: fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            kty: fc.constantFrom('EC', 'OKP', 'oct'),
            crv: fc.constantFrom('P-256', 'Ed25519'),
            x: fc.base64String(),
            y: fc.base64String(),
            d: fc.base64String(),
          },
          { requiredKeys: ['kty'] },
        ),
      ),
    })
    .map((h) => `${base64url.encode(JSON.stringify(h))}.${base64url.encode('{"htm":"GET"}')}.`),
)

/**
 * Requests a proof may come with: a method, an https URL of the API (with or without query), and
 * an access token or none.
 *
 * @example
 * import { arbDpopRequest } from '@payout-kernel/request-auth/testing'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * for (const r of fc.sample(arbDpopRequest, 5)) assert.ok(r.url.startsWith('https://'))
 */
export const arbDpopRequest: fc.Arbitrary<{ method: string; url: string; accessToken?: string }> = fc.record(
  {
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
    url: fc
      .tuple(
        fc.constantFrom('api.example.com', 'sandbox.example.com', 'api.example.com:8443'),
        fc.array(fc.stringMatching(/^[a-z0-9_]{1,12}$/), { minLength: 1, maxLength: 4 }),
        fc.option(fc.stringMatching(/^[a-z]{1,5}=[a-z0-9]{0,5}$/), { nil: undefined }),
      )
      .map(
        ([host, path, query]) => `https://${host}/${path.join('/')}${query === undefined ? '' : `?${query}`}`,
      ),
    accessToken: fc.stringMatching(/^[A-Za-z0-9._~+/-]{8,64}$/),
  },
  { requiredKeys: ['method', 'url'] },
)
