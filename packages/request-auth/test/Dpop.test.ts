// DPoP proofs: the RFC 9449 examples, proofs made by two client libraries nobody here wrote
// (panva's `dpop` and `oauth4webapi`), a refusal matrix with one reason per case, and generated
// garbage that must be refused without a throw.
import { fc, test } from '@fast-check/vitest'
import * as dpop from 'dpop'
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose'
import * as oauth from 'oauth4webapi'
import { beforeAll, describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  confirmsDpopKey,
  type DpopRefusalReason,
  defaultDpopOptions,
  dpopAccessTokenHash,
  dpopKeyCache,
  dpopRefusal,
  dpopRefusalResponse,
  inMemoryDpopReplayStore,
  normaliseDpopUrl,
  verifyDpopProof,
  verifyDpopRequest,
} from '../src/index.js'
import { arbDpopRequest, arbHostileDpopProof, signDpopProof } from '../src/testing/index.js'

type Keys = Awaited<ReturnType<typeof generateKeyPair>>

const reasonOf = (r: E.Either<{ reason: DpopRefusalReason }, unknown>): DpopRefusalReason | 'passed' =>
  E.isLeft(r) ? r.left.reason : 'passed'

// ---------------------------------------------------------------- RFC 9449 examples

const rfcJwk = {
  kty: 'EC',
  x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs',
  y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA',
  crv: 'P-256',
}
const rfcHeader =
  'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19'
/** RFC 9449 §4.1, Figure 3: the token request's proof. */
const rfcTokenProof = `${rfcHeader}.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg`
/** RFC 9449 §7.1, Figure 13: a resource request's proof, with `ath`. */
const rfcResourceProof = `${rfcHeader}.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA`
const rfcToken = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU'
const rfcJkt = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I'

describe('the RFC 9449 examples', () => {
  test('the token request proof (Figure 3) verifies, with the thumbprint of §6.1', async () => {
    const r = await verifyDpopProof(
      rfcTokenProof,
      { method: 'POST', url: 'https://server.example.com/token' },
      1562262616_000,
    )
    expect(r).toEqual(E.right({ jkt: rfcJkt, jti: '-BwC3ESc6acc2lTc', iat: 1562262616 }))
    expect(await calculateJwkThumbprint(rfcJwk)).toBe(rfcJkt)
  })

  test('the resource request proof (Figure 13) verifies with its access token, and only with it', async () => {
    const request = {
      method: 'GET',
      url: 'https://resource.example.org/protectedresource',
      accessToken: rfcToken,
    }
    expect(await dpopAccessTokenHash(rfcToken)).toBe('fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo')
    expect(await verifyDpopProof(rfcResourceProof, request, 1562262618_000)).toEqual(
      E.right({ jkt: rfcJkt, jti: 'e1j3V_bKic8-LAEB', iat: 1562262618 }),
    )
    expect(
      reasonOf(
        await verifyDpopProof(rfcResourceProof, { ...request, accessToken: `${rfcToken}x` }, 1562262618_000),
      ),
    ).toBe('ath')
    // The same proof without a token: the ath must not be there.
    expect(
      reasonOf(await verifyDpopProof(rfcResourceProof, { method: 'GET', url: request.url }, 1562262618_000)),
    ).toBe('ath')
    // Any change to the signed bytes breaks the signature.
    const [h, , s] = rfcResourceProof.split('.')
    const tampered = `${h}.${base64url.encode('{"jti":"e1j3V_bKic8-LAEB","htm":"POST","htu":"https://resource.example.org/protectedresource","iat":1562262618,"ath":"fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"}')}.${s}`
    expect(reasonOf(await verifyDpopProof(tampered, { ...request, method: 'POST' }, 1562262618_000))).toBe(
      'signature',
    )
  })
})

// ---------------------------------------------------------------- independent clients

describe('proofs made by independent client libraries verify', () => {
  for (const alg of ['ES256', 'Ed25519'] as const) {
    test(`panva's dpop, ${alg}, with and without an access token`, async () => {
      const keys = await dpop.generateKeyPair(alg)
      const jkt = await dpop.calculateThumbprint(keys.publicKey)
      const url = 'https://api.example.com/v1/payouts/pay_1'
      const token = 'at_0123456789abcdef'
      const withToken = await dpop.generateProof(keys, url, 'GET', undefined, token)
      const verified = await verifyDpopProof(
        withToken,
        { method: 'GET', url: `${url}?expand=fees`, accessToken: token },
        Date.now(),
      )
      expect(E.isRight(verified) && verified.right.jkt).toBe(jkt)
      if (E.isRight(verified)) expect(E.isRight(confirmsDpopKey(verified.right, { jkt }))).toBe(true)
      const tokenEndpoint = await dpop.generateProof(keys, 'https://api.example.com/oauth/token', 'POST')
      expect(
        reasonOf(
          await verifyDpopProof(
            tokenEndpoint,
            { method: 'POST', url: 'https://api.example.com/oauth/token' },
            Date.now(),
          ),
        ),
      ).toBe('passed')
      // A proof made for another request is refused for what differs.
      expect(
        reasonOf(await verifyDpopProof(withToken, { method: 'POST', url, accessToken: token }, Date.now())),
      ).toBe('htm')
      expect(
        reasonOf(
          await verifyDpopProof(withToken, { method: 'GET', url: `${url}x`, accessToken: token }, Date.now()),
        ),
      ).toBe('htu')
    })

    test(`oauth4webapi, ${alg}, on a protected resource request`, async () => {
      const keys = await generateKeyPair(alg === 'ES256' ? 'ES256' : 'Ed25519', { extractable: true })
      const handle = oauth.DPoP({}, keys)
      let sent: Record<string, string> | undefined
      const url = new URL('https://api.example.com/v1/beneficiaries/ben_1/rescore')
      await oauth.protectedResourceRequest('at_oauth4webapi', 'POST', url, new Headers(), null, {
        DPoP: handle,
        [oauth.customFetch]: async (_url, init) => {
          sent = init.headers
          return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })
        },
      })
      expect(sent?.authorization).toBe('DPoP at_oauth4webapi')
      const verified = await verifyDpopProof(
        sent?.dpop,
        { method: 'POST', url: url.href, accessToken: 'at_oauth4webapi' },
        Date.now(),
      )
      expect(E.isRight(verified) && verified.right.jkt).toBe(await handle.calculateThumbprint())
    })
  }
})

// ---------------------------------------------------------------- refusal matrix

describe('the refusal matrix: each wrong proof is refused for its own reason', () => {
  const now = 1_700_000_000_000
  const url = 'https://api.example.com/v1/payouts'
  const request = { method: 'POST', url, accessToken: 'at_1' }
  const good = { htm: 'POST', htu: url, iat: now / 1000, jti: 'j-1', accessToken: 'at_1' }
  let es: Keys
  let ed: Keys
  let other: Keys
  beforeAll(async () => {
    es = await generateKeyPair('ES256')
    ed = await generateKeyPair('Ed25519')
    other = await generateKeyPair('ES256')
  })
  const verify = async (proof: string, r: typeof request | { method: string; url: string } = request) =>
    reasonOf(await verifyDpopProof(proof, r, now))
  const unsigned = (header: object, claims: object, signature = '') =>
    `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}.${signature}`

  test('the right proof passes, ES256 and EdDSA', async () => {
    expect(await verify(await signDpopProof(es, good))).toBe('passed')
    expect(await verify(await signDpopProof(ed, good))).toBe('passed')
    expect(await verify(await signDpopProof(ed, { ...good, header: { alg: 'Ed25519' } }))).toBe('passed')
  })

  test.each([
    ['htm: another method', { htm: 'GET' }, 'htm'],
    ['htm: lower case', { htm: 'post' }, 'htm'],
    ['htm missing', { htm: undefined }, 'htm'],
    ['htu: another path', { htu: `${url}/pay_1` }, 'htu'],
    ['htu: another host', { htu: 'https://evil.example.com/v1/payouts' }, 'htu'],
    ['htu with a query', { htu: `${url}?a=1` }, 'htu'],
    ['htu with a fragment', { htu: `${url}#f` }, 'htu'],
    ['htu relative', { htu: '/v1/payouts' }, 'htu'],
    ['htu missing', { htu: undefined }, 'htu'],
    ['iat 61 s in the past', { iat: now / 1000 - 61 }, 'iat'],
    ['iat 61 s in the future', { iat: now / 1000 + 61 }, 'iat'],
    ['iat as a string', { claims: { iat: `${now / 1000}` } }, 'iat'],
    ['iat missing', { iat: undefined }, 'iat'],
    ['jti missing', { jti: undefined }, 'jti'],
    ['jti empty', { jti: '' }, 'jti'],
    ['jti too long', { jti: 'j'.repeat(257) }, 'jti'],
    ['ath of another token', { accessToken: 'at_2' }, 'ath'],
    ['ath missing', { accessToken: undefined }, 'ath'],
    ['typ: JWT', { header: { typ: 'JWT' } }, 'typ'],
    ['typ missing', { header: { typ: undefined } }, 'typ'],
    ['a private key in jwk', { header: { jwk: { ...rfcJwk, d: 'AAAA' } } }, 'jwk'],
    ['no jwk', { header: { jwk: undefined } }, 'jwk'],
  ] as const)('%s', async (_name, change, reason) => {
    const input = { ...good, ...change } as Parameters<typeof signDpopProof>[1]
    expect(await verify(await signDpopProof(es, input))).toBe(reason)
  })

  test('a replayed jti, through the whole request check: refused for 5 minutes, from any instance sharing the store', async () => {
    const store = inMemoryDpopReplayStore()
    const proof = await signDpopProof(es, good)
    const verified = await verifyDpopProof(proof, request, now)
    if (E.isLeft(verified)) throw new Error('a good proof was refused')
    const check = { store, cnf: { jkt: verified.right.jkt } }
    expect(reasonOf(await verifyDpopRequest(proof, request, now, check))).toBe('passed')
    expect(reasonOf(await verifyDpopRequest(proof, request, now + 1_000, check))).toBe('replay')
    // A fresh jti with the same key passes; a proof that fails its own checks records nothing.
    expect(
      reasonOf(
        await verifyDpopRequest(await signDpopProof(es, { ...good, jti: 'j-2' }), request, now, check),
      ),
    ).toBe('passed')
    const wrong = await signDpopProof(es, { ...good, jti: 'j-3', htm: 'GET' })
    expect(reasonOf(await verifyDpopRequest(wrong, request, now, check))).toBe('htm')
    expect(store.size()).toBe(2)
    // A token bound to another key refuses before the jti is recorded.
    const unbound = await signDpopProof(es, { ...good, jti: 'j-4' })
    expect(reasonOf(await verifyDpopRequest(unbound, request, now, { store, cnf: { jkt: 'another' } }))).toBe(
      'key_binding',
    )
    expect(store.size()).toBe(2)
  })

  test('iat exactly 60 s off either way passes', async () => {
    expect(await verify(await signDpopProof(es, { ...good, iat: now / 1000 - 60 }))).toBe('passed')
    expect(await verify(await signDpopProof(es, { ...good, iat: now / 1000 + 60 }))).toBe('passed')
  })

  test('a token-endpoint proof must not carry ath', async () => {
    const tokenRequest = { method: 'POST', url: 'https://api.example.com/oauth/token' }
    const proof = await signDpopProof(es, { ...good, htu: tokenRequest.url })
    expect(await verify(proof, tokenRequest)).toBe('ath')
    expect(
      await verify(
        await signDpopProof(es, { ...good, htu: tokenRequest.url, accessToken: undefined }),
        tokenRequest,
      ),
    ).toBe('passed')
  })

  test('alg none, unsigned', async () => {
    const jwk = await exportJWK(es.publicKey)
    const claims = {
      htm: 'POST',
      htu: url,
      iat: now / 1000,
      jti: 'j',
      ath: await dpopAccessTokenHash('at_1'),
    }
    expect(await verify(unsigned({ typ: 'dpop+jwt', alg: 'none', jwk }, claims))).toBe('alg')
    // And an ES256 header with no signature at all.
    expect(await verify(unsigned({ typ: 'dpop+jwt', alg: 'ES256', jwk }, claims))).toBe('signature')
  })

  test('HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const jwk = await exportJWK(es.publicKey)
    const claims = {
      htm: 'POST',
      htu: url,
      iat: now / 1000,
      jti: 'j',
      ath: await dpopAccessTokenHash('at_1'),
    }
    for (const secret of [JSON.stringify(jwk), jwk.x ?? '', await calculateJwkThumbprint(jwk)]) {
      const hs = await new SignJWT(claims)
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk } as { alg: string })
        .sign(new TextEncoder().encode(secret))
      expect(await verify(hs)).toBe('alg')
    }
    // Even an HS256 proof whose header claims ES256 fails on the signature.
    const hsAsEs = await new SignJWT(claims)
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk } as { alg: string })
      .sign(new TextEncoder().encode(JSON.stringify(jwk)))
    const [, p, s] = hsAsEs.split('.')
    expect(
      await verify(`${base64url.encode(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk }))}.${p}.${s}`),
    ).toBe('signature')
  })

  test('alg RS256, a key of another algorithm than alg, and a signature by another key', async () => {
    const claims = {
      htm: 'POST',
      htu: url,
      iat: now / 1000,
      jti: 'j',
      ath: await dpopAccessTokenHash('at_1'),
    }
    const esJwk = await exportJWK(es.publicKey)
    const edJwk = await exportJWK(ed.publicKey)
    // The signature part is a real ES256 one over other bytes: the refusal comes before it counts.
    const signature = (await signDpopProof(es, good)).split('.')[2]
    expect(await verify(unsigned({ typ: 'dpop+jwt', alg: 'RS256', jwk: esJwk }, claims, signature))).toBe(
      'alg',
    )
    expect(await verify(await signDpopProof(es, { ...good, header: { jwk: edJwk } }))).toBe('jwk')
    expect(await verify(unsigned({ typ: 'dpop+jwt', alg: 'ES256', jwk: edJwk }, claims, signature))).toBe(
      'jwk',
    )
    expect(await verify(unsigned({ typ: 'dpop+jwt', alg: 'EdDSA', jwk: esJwk }, claims, signature))).toBe(
      'jwk',
    )
    const otherJwk = await exportJWK(other.publicKey)
    expect(await verify(await signDpopProof(es, { ...good, header: { jwk: otherJwk } }))).toBe('signature')
  })

  test('algorithms can be narrowed', async () => {
    const r = await verifyDpopProof(await signDpopProof(ed, good), request, now, {
      ...defaultDpopOptions,
      algorithms: ['ES256'],
    })
    expect(reasonOf(r)).toBe('alg')
  })

  test('not a compact JWS, or too long', async () => {
    expect(await verify('a.b')).toBe('malformed')
    expect(await verify('a.b.c.d')).toBe('malformed')
    expect(await verify(`${'a'.repeat(5_000)}.b.c`)).toBe('malformed')
    expect(reasonOf(await verifyDpopProof(['x'], request, now))).toBe('malformed')
  })

  test('the token must be bound to the proof key', async () => {
    const verified = await verifyDpopProof(await signDpopProof(es, good), request, now)
    if (E.isLeft(verified)) throw new Error('a good proof was refused')
    expect(
      reasonOf(
        confirmsDpopKey(verified.right, {
          jkt: await calculateJwkThumbprint(await exportJWK(other.publicKey)),
        }),
      ),
    ).toBe('key_binding')
    expect(reasonOf(confirmsDpopKey(verified.right, { jkt: verified.right.jkt }))).toBe('passed')
  })
})

// ---------------------------------------------------------------- responses

describe('refusals as responses', () => {
  test('401 invalid_dpop_proof with the WWW-Authenticate challenge; 503 when the store failed', () => {
    const r = dpopRefusalResponse(dpopRefusal('htu', 'htu is not the URL of the request'))
    expect(r.status).toBe(401)
    expect(r.body.error.code).toBe('invalid_dpop_proof')
    expect(r.headers['WWW-Authenticate']).toBe(
      'DPoP error="invalid_dpop_proof", error_description="htu is not the URL of the request", algs="ES256 EdDSA Ed25519"',
    )
    expect(dpopRefusalResponse(dpopRefusal('unavailable', 'down')).status).toBe(503)
  })

  test.prop([fc.string()], { numRuns: 2_000 })(
    'no message can break out of the header quoted string',
    (message) => {
      const header = dpopRefusalResponse(dpopRefusal('jti', message)).headers['WWW-Authenticate'] ?? ''
      const description = header.slice(
        'DPoP error="invalid_dpop_proof", error_description="'.length,
        header.indexOf('", algs='),
      )
      expect(description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/)
    },
  )
})

// ---------------------------------------------------------------- properties

describe('properties', () => {
  let keys: Keys[]
  let others: Keys[]
  beforeAll(async () => {
    keys = [await generateKeyPair('ES256'), await generateKeyPair('Ed25519')]
    others = [await generateKeyPair('ES256')]
  })

  test.prop([arbHostileDpopProof, arbDpopRequest, fc.integer()], { numRuns: 10_000 })(
    'garbage proofs and requests are refused, never thrown',
    async (proof, request, now) => {
      const r = await verifyDpopProof(proof, request, now)
      expect(E.isLeft(r)).toBe(true)
    },
  )

  test.prop([fc.anything(), fc.anything(), fc.anything(), fc.anything()], { numRuns: 10_000 })(
    'garbage in every argument is refused, never thrown',
    async (proof, method, url, accessToken) => {
      const request = { method, url, accessToken } as { method: string; url: string; accessToken?: string }
      expect(E.isLeft(await verifyDpopProof(proof, request, 0))).toBe(true)
    },
  )

  const claimChange = fc.constantFrom<[string, DpopRefusalReason]>(
    ['htm', 'htm'],
    ['htu', 'htu'],
    ['iat', 'iat'],
    ['jti', 'jti'],
    ['ath', 'ath'],
  )

  test.prop(
    [
      arbDpopRequest,
      fc.nat(1),
      fc.integer({ min: -60_000, max: 60_000 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      claimChange,
    ],
    { numRuns: 300 },
  )(
    'a proof for the request verifies; changing any one claim refuses it for that claim',
    async (request, k, skewMs, jti, [claim, reason]) => {
      const now = 1_700_000_000_000
      const pair = keys[k] as Keys
      const htu = normaliseDpopUrl(request.url) ?? ''
      const input = {
        htm: request.method,
        htu,
        iat: (now + skewMs) / 1000,
        jti,
        accessToken: request.accessToken,
      }
      const verified = await verifyDpopProof(await signDpopProof(pair, input), request, now)
      expect(E.isRight(verified) && verified.right.jti).toBe(jti)
      const wrong = {
        htm: { htm: `${request.method}X` },
        htu: { htu: `${htu}/x` },
        iat: { iat: (now + (skewMs >= 0 ? 61_000 : -61_000)) / 1000 },
        jti: { jti: '' },
        ath: { claims: { ath: 'x'.repeat(43) } },
      }[claim]
      expect(
        reasonOf(await verifyDpopProof(await signDpopProof(pair, { ...input, ...wrong }), request, now)),
      ).toBe(reason)
    },
  )

  test.prop([arbDpopRequest, fc.nat(1), fc.nat(1), fc.boolean()], { numRuns: 300 })(
    'a key cache never changes an answer: a proof signed by one key with another key in its header is refused, warm or cold',
    async (request, signer, embedded, sameAlg) => {
      const now = 1_700_000_000_000
      const cache = { ...defaultDpopOptions, keys: dpopKeyCache(2) }
      const htu = normaliseDpopUrl(request.url) ?? ''
      const input = { htm: request.method, htu, iat: now / 1000, jti: 'j', accessToken: request.accessToken }
      const pool = sameAlg ? [keys[0], others[0]] : [keys[0], keys[1]]
      const signing = pool[signer] as Keys
      const header = { jwk: await exportJWK((pool[embedded] as Keys).publicKey) }
      const honest = await signDpopProof(pool[embedded] as Keys, input)
      const forged = await signDpopProof(signing, { ...input, header })
      // Warm the cache with the embedded key, then ask about the forged proof.
      expect(reasonOf(await verifyDpopProof(honest, request, now, cache))).toBe('passed')
      const cold = reasonOf(
        await verifyDpopProof(forged, request, now, { ...defaultDpopOptions, keys: undefined }),
      )
      const warm = reasonOf(await verifyDpopProof(forged, request, now, cache))
      expect(warm).toBe(cold)
      expect(warm).toBe(signer === embedded ? 'passed' : sameAlg ? 'signature' : 'jwk')
    },
  )

  test.prop([arbDpopRequest, fc.func(fc.boolean())], { numRuns: 2_000 })(
    'htu normalisation: scheme and host case and an explicit default port do not matter; query and fragment never count',
    (request, upper) => {
      const u = new URL(request.url)
      const flip = (s: string) => [...s].map((c, i) => (upper(i) ? c.toUpperCase() : c)).join('')
      const port = u.port === '' ? ':443' : `:${u.port}`
      const variant = `${flip(u.protocol)}//${flip(u.hostname)}${port}${u.pathname}?q=1#frag`
      expect(normaliseDpopUrl(variant)).toBe(normaliseDpopUrl(request.url))
      expect(normaliseDpopUrl(request.url)).not.toMatch(/[?#]/)
    },
  )
})

// ---------------------------------------------------------------- more clients, more refusals

describe('oauth4webapi at the token endpoint, and with EdDSA', () => {
  for (const alg of ['ES256', 'Ed25519'] as const) {
    test(`a client_credentials token request, ${alg}: the proof has no ath and verifies without a token`, async () => {
      const keys = await generateKeyPair(alg, { extractable: true })
      const handle = oauth.DPoP({}, keys)
      let sent: Record<string, string> | undefined
      const as = { issuer: 'https://api.example.com', token_endpoint: 'https://api.example.com/oauth/token' }
      await oauth.clientCredentialsGrantRequest(
        as,
        { client_id: `ant_oc_live_${'0'.repeat(32)}` },
        oauth.ClientSecretBasic(`ant_ocs_live_${'0'.repeat(48)}`),
        new URLSearchParams(),
        {
          DPoP: handle,
          [oauth.customFetch]: async (_url, init) => {
            sent = init.headers
            return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })
          },
        },
      )
      const tokenRequest = { method: 'POST', url: as.token_endpoint }
      const verified = await verifyDpopProof(sent?.dpop, tokenRequest, Date.now())
      expect(E.isRight(verified) && verified.right.jkt).toBe(await handle.calculateThumbprint())
      // The same proof presented with an access token lacks the ath it then needs.
      expect(
        reasonOf(await verifyDpopProof(sent?.dpop, { ...tokenRequest, accessToken: 'at' }, Date.now())),
      ).toBe('ath')
    })
  }

  test('an Ed25519 proof whose alg is remapped to EdDSA (RFC 8037) verifies too', async () => {
    const keys = await generateKeyPair('Ed25519', { extractable: true })
    const handle = oauth.DPoP({}, keys, {
      [oauth.modifyAssertion]: (header) => {
        if (header.alg === 'Ed25519') header.alg = 'EdDSA'
      },
    })
    let sent: Record<string, string> | undefined
    const url = new URL('https://api.example.com/v1/payouts')
    await oauth.protectedResourceRequest('at_1', 'GET', url, new Headers(), null, {
      DPoP: handle,
      [oauth.customFetch]: async (_url, init) => {
        sent = init.headers
        return new Response('{}', { status: 200 })
      },
    })
    const [h] = (sent?.dpop ?? '').split('.')
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(h ?? ''))).alg).toBe('EdDSA')
    const verified = await verifyDpopProof(
      sent?.dpop,
      { method: 'GET', url: url.href, accessToken: 'at_1' },
      Date.now(),
    )
    expect(E.isRight(verified) && verified.right.jkt).toBe(await handle.calculateThumbprint())
  })
})

describe('the RFC 9449 refresh-token proof (Figure 7)', () => {
  test('verifies at its own iat, with the same key thumbprint; the Figure 3 proof is not it', async () => {
    const figure7 = `${rfcHeader}.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjY1Mjk2fQ.pAqut2IRDm_De6PR93SYmGBPXpwrAk90e8cP2hjiaG5QsGSuKDYW7_X620BxqhvYC8ynrrvZLTk41mSRroapUA`
    const request = { method: 'POST', url: 'https://server.example.com/token' }
    expect(await verifyDpopProof(figure7, request, 1562265296_000)).toEqual(
      E.right({ jkt: rfcJkt, jti: '-BwC3ESc6acc2lTc', iat: 1562265296 }),
    )
    // Figure 3's proof, 45 minutes older, is long out of its iat window by then.
    expect(reasonOf(await verifyDpopProof(rfcTokenProof, request, 1562265296_000))).toBe('iat')
  })
})

describe('more of the refusal matrix', () => {
  const now = 1_700_000_000_000
  const url = 'https://api.example.com/v1/payouts'
  const request = { method: 'POST', url, accessToken: 'at_1' }
  const good = { htm: 'POST', htu: url, iat: now / 1000, jti: 'j-1', accessToken: 'at_1' }
  let es: Keys
  let ed: Keys
  beforeAll(async () => {
    es = await generateKeyPair('ES256')
    ed = await generateKeyPair('Ed25519')
  })
  const verify = async (proof: string, r: { method: string; url: string; accessToken?: string } = request) =>
    reasonOf(await verifyDpopProof(proof, r, now))
  const encode = (header: object, claims: object, signature: string) =>
    `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}.${signature}`
  const claims = async () => ({
    htm: 'POST',
    htu: url,
    iat: now / 1000,
    jti: 'j',
    ath: await dpopAccessTokenHash('at_1'),
  })

  test('htu normalisation: scheme, host, default port and percent-encodings; the request query ignored', async () => {
    const target = 'https://api.example.com/v1/x'
    for (const htu of [
      'HTTPS://API.Example.com:443/v1/x',
      'https://api.example.com/v1/%78',
      'https://api.example.com/v1/./x',
    ]) {
      const proof = await signDpopProof(es, { ...good, htu })
      expect(await verify(proof, { ...request, url: `${target}?page=2#top` })).toBe('passed')
    }
    const encoded = await signDpopProof(es, { ...good, htu: 'https://api.example.com/v1/a%2fb' })
    expect(await verify(encoded, { ...request, url: 'https://api.example.com/v1/a%2Fb' })).toBe('passed')
    // A slash encoded is not a slash; another port is another origin; a tab is no URL.
    expect(await verify(encoded, { ...request, url: 'https://api.example.com/v1/a/b' })).toBe('htu')
    expect(
      await verify(await signDpopProof(es, { ...good, htu: 'https://api.example.com:8443/v1/x' }), {
        ...request,
        url: target,
      }),
    ).toBe('htu')
    expect(
      await verify(await signDpopProof(es, { ...good, htu: 'https://api.example.com/v1/\tx' }), {
        ...request,
        url: target,
      }),
    ).toBe('htu')
    expect(
      await verify(await signDpopProof(es, { ...good, htu: 'https://user@api.example.com/v1/x' }), {
        ...request,
        url: target,
      }),
    ).toBe('htu')
  })

  test('a key that is no point of the curve is refused as jwk, before any signature is checked', async () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43) }
    const signature = (await signDpopProof(es, good)).split('.')[2] ?? ''
    expect(await verify(encode({ typ: 'dpop+jwt', alg: 'ES256', jwk }, await claims(), signature))).toBe(
      'jwk',
    )
  })

  test('a jwk whose coordinates are not canonical, or that is for encryption, is refused as jwk', async () => {
    const jwk = await exportJWK(es.publicKey)
    const x = jwk.x ?? ''
    const last = x.at(-1) ?? 'A'
    // Flip a spare bit of the last character: the same bytes, another text (and thumbprint).
    const spare = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const nonCanonical = `${x.slice(0, -1)}${spare[spare.indexOf(last) ^ 1]}`
    expect(
      await verify(await signDpopProof(es, { ...good, header: { jwk: { ...jwk, x: nonCanonical } } })),
    ).toBe('jwk')
    expect(await verify(await signDpopProof(es, { ...good, header: { jwk: { ...jwk, use: 'enc' } } }))).toBe(
      'jwk',
    )
    expect(
      await verify(await signDpopProof(es, { ...good, header: { jwk: { ...jwk, key_ops: ['encrypt'] } } })),
    ).toBe('jwk')
    expect(
      await verify(await signDpopProof(es, { ...good, header: { jwk: { ...jwk, alg: 'ES384' } } })),
    ).toBe('jwk')
    expect(
      await verify(
        await signDpopProof(es, { ...good, header: { jwk: { ...jwk, use: 'sig', alg: 'ES256' } } }),
      ),
    ).toBe('passed')
  })

  test('a signature that is not 64 bytes is refused as signature without crypto', async () => {
    const [h, p, s] = (await signDpopProof(ed, good)).split('.')
    expect(await verify(`${h}.${p}.${s}AA`)).toBe('signature')
    expect(await verify(`${h}.${p}.${(s ?? '').slice(0, 40)}`)).toBe('signature')
  })

  test('a jti with a control character, and an access token that is empty', async () => {
    expect(await verify(await signDpopProof(es, { ...good, jti: 'j\u0000' }))).toBe('jti')
    expect(await verify(await signDpopProof(es, good), { ...request, accessToken: '' })).toBe('ath')
  })

  test('options that are not numbers refuse every proof rather than accept one', async () => {
    const proof = await signDpopProof(es, good)
    const with_ = async (o: Partial<typeof defaultDpopOptions>) =>
      reasonOf(await verifyDpopProof(proof, request, now, { ...defaultDpopOptions, ...o }))
    expect(await with_({ iatToleranceMs: Number.NaN })).toBe('iat')
    expect(await with_({ maxProofLength: Number.NaN })).toBe('malformed')
    expect(await with_({ maxJtiLength: Number.NaN })).toBe('jti')
    expect(await with_({ algorithms: ['HS256' as never] })).toBe('alg')
    expect(await with_({ algorithms: 'ES256' as never })).toBe('alg')
  })

  test('a key is cached only once a signature verified with it', async () => {
    const keys = dpopKeyCache(10)
    const options = { ...defaultDpopOptions, keys }
    const edJwk = await exportJWK(ed.publicKey)
    // Signed by one Ed25519 key with another one in the header: the signature fails.
    const forged = await signDpopProof(ed, {
      ...good,
      header: { jwk: await exportJWK((await generateKeyPair('Ed25519', { extractable: true })).publicKey) },
    })
    expect(reasonOf(await verifyDpopProof(forged, request, now, options))).toBe('signature')
    expect(keys.size()).toBe(0)
    expect(
      reasonOf(
        await verifyDpopProof(
          await signDpopProof(ed, { ...good, header: { jwk: edJwk } }),
          request,
          now,
          options,
        ),
      ),
    ).toBe('passed')
    expect(keys.size()).toBe(1)
  })

  test('a token bound to another key answers invalid_token (RFC 9449 Figure 16)', () => {
    const r = dpopRefusalResponse(
      dpopRefusal('key_binding', 'the proof is not signed by the key the access token is bound to'),
    )
    expect(r.status).toBe(401)
    expect(r.body.error.code).toBe('invalid_token')
    expect(r.headers['WWW-Authenticate']).toMatch(
      /^DPoP error="invalid_token", error_description="[^"]+", algs="ES256 EdDSA Ed25519"$/,
    )
  })

  test('a replayed jti is refused, and a new proof with that jti passes once 5 minutes are over', async () => {
    const store = inMemoryDpopReplayStore()
    const first = await signDpopProof(es, good)
    const verified = await verifyDpopProof(first, request, now)
    if (E.isLeft(verified)) throw new Error('a good proof was refused')
    const check = { store, cnf: { jkt: verified.right.jkt } }
    expect(reasonOf(await verifyDpopRequest(first, request, now, check))).toBe('passed')
    const later = now + 299_000
    const again = await signDpopProof(es, { ...good, iat: later / 1000 })
    expect(reasonOf(await verifyDpopRequest(again, request, later, check))).toBe('replay')
    const after = now + 300_000
    const fresh = await signDpopProof(es, { ...good, iat: after / 1000 })
    expect(reasonOf(await verifyDpopRequest(fresh, request, after, check))).toBe('passed')
  })

  test('with a wide iat tolerance, a jti is remembered as long as its proof stays acceptable', async () => {
    // iat tolerance 200 s, replay window 300 s: a proof dated 190 s ahead, accepted now, passes the
    // iat check until now + 390 s, so its jti must be remembered past 300 s.
    const options = { ...defaultDpopOptions, iatToleranceMs: 200_000 }
    const proof = await signDpopProof(es, { ...good, iat: now / 1000 + 190 })
    const verified = await verifyDpopProof(proof, request, now, options)
    if (E.isLeft(verified)) throw new Error('a good proof was refused')
    const check = { store: inMemoryDpopReplayStore(), cnf: { jkt: verified.right.jkt }, options }
    expect(reasonOf(await verifyDpopRequest(proof, request, now, check))).toBe('passed')
    expect(reasonOf(await verifyDpopRequest(proof, request, now + 380_000, check))).toBe('replay')
    expect(reasonOf(await verifyDpopRequest(proof, request, now + 391_000, check))).toBe('iat')
  })
})

describe('garbage anywhere', () => {
  test.prop([arbHostileDpopProof, fc.anything(), fc.anything()], { numRuns: 10_000 })(
    'any proof with any request (not even an object) at any time is refused, never thrown',
    async (proof, request, now) => {
      const r = await verifyDpopProof(proof, request as never, now as number)
      expect(E.isLeft(r)).toBe(true)
      const whole = await verifyDpopRequest(proof, request as never, now as number, request as never)
      expect(E.isLeft(whole)).toBe(true)
    },
  )
})

describe('the default key cache', () => {
  test.prop([arbDpopRequest, fc.nat(2), fc.nat(2)], { numRuns: 300 })(
    'the defaults (one shared cache) answer as no cache does, for honest and forged proofs in any order',
    async (request, signer, embedded) => {
      const now = 1_700_000_000_000
      const pool = [
        await generateKeyPair('ES256'),
        await generateKeyPair('Ed25519'),
        await generateKeyPair('ES256'),
      ]
      const htu = normaliseDpopUrl(request.url) ?? ''
      const input = { htm: request.method, htu, iat: now / 1000, jti: 'j', accessToken: request.accessToken }
      const header = { jwk: await exportJWK((pool[embedded] as Keys).publicKey) }
      const proofs = [
        await signDpopProof(pool[embedded] as Keys, input),
        await signDpopProof(pool[signer] as Keys, { ...input, header }),
      ]
      for (const proof of [...proofs, ...proofs.reverse()]) {
        const cached = reasonOf(await verifyDpopProof(proof, request, now))
        const uncached = reasonOf(
          await verifyDpopProof(proof, request, now, { ...defaultDpopOptions, keys: undefined }),
        )
        expect(cached).toBe(uncached)
      }
    },
  )
})
