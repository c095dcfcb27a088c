// DPoP proofs verified per second: `verifyDpopProof` (every check of RFC 9449: header, key,
// signature, htm, htu normalised, iat, jti, ath and the key thumbprint) against jose's
// `jwtVerify` with the embedded key alone (the floor: the signature and nothing else a DPoP
// verifier must check), on the same proofs, ES256 and Ed25519, with the defaults (a shared cache
// of imported keys: each client signs all its requests with one key) and with no cache at all
// (every key imported and thumbprinted: the worst case, a new client per request); then webhook
// signatures verified per second against one HMAC-SHA256 computed with node:crypto.
import { createHmac } from 'node:crypto'
import {
  decodeWebhookSecret,
  defaultDpopOptions,
  verifyDpopProof,
  verifyWebhookSignature,
} from '@payout-kernel/request-auth'
import { signDpopProof } from '@payout-kernel/request-auth/testing'
import { EmbeddedJWK, generateKeyPair, jwtVerify } from 'jose'
import * as E from '#fp-ts/Either'
import { compare } from './harness.js'

const now = 1_700_000_000_000
const proofsPerKind = 64

export async function main(): Promise<void> {
  for (const alg of ['ES256', 'Ed25519'] as const) {
    const requests: { method: string; url: string; accessToken: string }[] = []
    const proofs: string[] = []
    for (let i = 0; i < proofsPerKind; i++) {
      // A key per client: a verifier never sees the same key twice in a row.
      const keys = await generateKeyPair(alg)
      const request = {
        method: 'POST',
        url: `https://api.example.com/v1/beneficiaries/ben_${i}/rescore`,
        accessToken: `at_${i}_0123456789abcdef`,
      }
      requests.push(request)
      proofs.push(
        await signDpopProof(keys, {
          htm: 'POST',
          htu: request.url,
          iat: now / 1000,
          jti: `j-${i}`,
          accessToken: request.accessToken,
        }),
      )
    }
    for (const [i, p] of proofs.entries())
      if (E.isLeft(await verifyDpopProof(p, requests[i] as (typeof requests)[number], now)))
        throw new Error('a bench proof does not verify')
    let j = 0
    let k = 0
    let c = 0
    const floor = {
      name: 'jose jwtVerify(proof, EmbeddedJWK) alone',
      run: async () => {
        j = (j + 1) % proofsPerKind
        await jwtVerify(proofs[j] as string, EmbeddedJWK, { typ: 'dpop+jwt', currentDate: new Date(now) })
      },
    }
    await compare({
      title: `DPoP proofs verified per second, ${alg} (${proofsPerKind} client keys in turn)`,
      target: '≥ 0.8x',
      baseline: floor,
      candidate: {
        name: 'verifyDpopProof, defaults (shared key cache)',
        run: async () => {
          k = (k + 1) % proofsPerKind
          await verifyDpopProof(proofs[k], requests[k] as (typeof requests)[number], now)
        },
      },
    })
    const uncached = { ...defaultDpopOptions, keys: undefined }
    await compare({
      title: `the same with no key cache: every key imported, as if each request came from a new client`,
      target: '≥ 0.8x',
      baseline: floor,
      candidate: {
        name: 'verifyDpopProof, keys: undefined',
        run: async () => {
          c = (c + 1) % proofsPerKind
          await verifyDpopProof(proofs[c], requests[c] as (typeof requests)[number], now, uncached)
        },
      },
    })
  }

  const secretText = 'whsec_0123456789abcdef0123456789abcdef'
  const secret = decodeWebhookSecret(secretText)
  if (E.isLeft(secret)) throw new Error('bench secret refused')
  const body = new TextEncoder().encode(
    JSON.stringify({
      id: 'evt_1',
      type: 'payout.completed',
      data: { payout: { id: 'pay_1', amount: '1250.00', currency: 'USD' }, padding: 'x'.repeat(600) },
    }),
  )
  const timestamp = now / 1000
  const header = `v1=${createHmac('sha256', secretText).update(`${timestamp}.`).update(body).digest('hex')}`
  await compare({
    title: 'webhook signatures verified per second (a 700-byte body)',
    baseline: {
      name: 'node:crypto createHmac + string compare',
      run: () =>
        createHmac('sha256', secretText).update(`${timestamp}.`).update(body).digest('hex') ===
        header.slice(3),
    },
    candidate: {
      name: 'verifyWebhookSignature (Web Crypto, constant time)',
      run: () => verifyWebhookSignature(secret.right, header, `${timestamp}`, body, now),
    },
  })
}
