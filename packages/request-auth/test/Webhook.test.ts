// Webhook signatures: ours against an independent HMAC (node:crypto), rotation, tolerance,
// tampering, hostile input (never a throw, never the secret in an error), and the payout machine's
// own envelopes signed over their exact bytes.
import { createHmac } from 'node:crypto'
import { fc, test } from '@fast-check/vitest'
import {
  applyPayoutEvent,
  startPayout,
  type WebhookEnvelope,
  webhookEnvelopeOf,
} from '@payout-kernel/payout-machine'
import { describe, expect, vi } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  decodeWebhookSecret,
  defaultWebhookVerifyOptions,
  signWebhook,
  signWebhookEnvelope,
  verifyWebhookDelivery,
  verifyWebhookSignature,
  type WebhookRefusal,
  type WebhookSecret,
} from '../src/index.js'
import {
  arbHostileWebhookSignatureHeader,
  arbHostileWebhookTimestamp,
  arbWebhookBody,
  arbWebhookSecretText,
  arbWebhookSignatureHeader,
  arbWebhookTimestamp,
} from '../src/testing/index.js'

// ---------------------------------------------------------------- helpers

const secretOf = (input: string | Uint8Array): WebhookSecret => {
  const decoded = decodeWebhookSecret(input)
  if (E.isLeft(decoded)) throw new Error(`test secret refused: ${decoded.left.problems[0]?.message}`)
  return decoded.right
}

/** The independent MAC: node:crypto over the same bytes. */
const nodeMac = (key: string | Uint8Array, timestamp: number | string, body: string | Uint8Array): string =>
  createHmac('sha256', typeof key === 'string' ? Buffer.from(key, 'utf8') : key)
    .update(`${timestamp}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex')

const arbKey: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  arbWebhookSecretText,
  fc.uint8Array({ minLength: 16, maxLength: 96 }),
)

const keyText = (key: string | Uint8Array): string =>
  typeof key === 'string' ? key : Buffer.from(key).toString('hex')

const reasonOf = (r: E.Either<WebhookRefusal, unknown>): string => (E.isLeft(r) ? r.left.reason : 'passed')

const t0 = 1_767_225_600 // 2026-01-01T00:00:00Z, in seconds

// ---------------------------------------------------------------- signing

describe('signWebhook', () => {
  test('a known vector: HMAC-SHA256 over "{timestamp}.{body}", lowercase hex', async () => {
    const signed = await signWebhook(secretOf('whsec_test_secret_0001'), 1_700_000_000, '{"id":"evt_1"}')
    expect(signed).toEqual(
      E.right(`v1=${nodeMac('whsec_test_secret_0001', 1_700_000_000, '{"id":"evt_1"}')}`),
    )
  })

  test.prop([arbKey, arbWebhookTimestamp, arbWebhookBody], { numRuns: 1_000 })(
    'equals an independent HMAC computed with node:crypto, for any key, timestamp and body',
    async (key, timestamp, body) => {
      const signed = await signWebhook(secretOf(key), timestamp, body)
      expect(signed).toEqual(E.right(`v1=${nodeMac(key, timestamp, body)}`))
    },
  )

  test.prop([fc.uniqueArray(arbKey, { minLength: 1, maxLength: 4, selector: keyText }), arbWebhookBody], {
    numRuns: 200,
  })('several secrets: one v1 entry each, in order', async (keys, body) => {
    const signed = await signWebhook(keys.map(secretOf), t0, body)
    expect(signed).toEqual(E.right(keys.map((k) => `v1=${nodeMac(k, t0, body)}`).join(',')))
  })

  test('a string body and its UTF-8 bytes sign the same', async () => {
    const secret = secretOf('whsec_test_secret_0001')
    const text = '{"reason":"réglé — 支付 🚀"}'
    expect(await signWebhook(secret, t0, text)).toEqual(
      await signWebhook(secret, t0, new TextEncoder().encode(text)),
    )
  })

  test('refuses what it cannot sign exactly, as values', async () => {
    const secret = secretOf('whsec_test_secret_0001')
    const fieldOf = async (p: ReturnType<typeof signWebhook>) => {
      const r = await p
      return E.isLeft(r) ? r.left.field : 'signed'
    }
    expect(await fieldOf(signWebhook(secret, -1, '{}'))).toBe('timestamp')
    expect(await fieldOf(signWebhook(secret, 1.5, '{}'))).toBe('timestamp')
    expect(await fieldOf(signWebhook(secret, 253_402_300_800, '{}'))).toBe('timestamp')
    expect(await fieldOf(signWebhook(secret, t0, 'lone \ud800 surrogate'))).toBe('body')
    expect(await fieldOf(signWebhook([], t0, '{}'))).toBe('secrets')
    expect(await fieldOf(signWebhook([secret, 'nope' as unknown as WebhookSecret], t0, '{}'))).toBe('secrets')
  })
})

// ---------------------------------------------------------------- verifying

describe('verifyWebhookSignature', () => {
  test.prop([arbKey, arbWebhookTimestamp, arbWebhookBody], { numRuns: 1_000 })(
    'passes a header computed independently with node:crypto',
    async (key, timestamp, body) => {
      const header = `v1=${nodeMac(key, timestamp, body)}`
      const verified = await verifyWebhookSignature(
        secretOf(key),
        header,
        `${timestamp}`,
        body,
        timestamp * 1000,
      )
      expect(verified).toEqual(E.right({ timestamp, secretIndex: 0 }))
    },
  )

  const arbRotation = fc
    .tuple(fc.uniqueArray(arbKey, { minLength: 1, maxLength: 4, selector: keyText }), arbWebhookBody)
    .chain(([keys, body]) => fc.tuple(fc.constant(keys), fc.constant(body), fc.nat({ max: keys.length - 1 })))
    .chain(([keys, body, signer]) =>
      arbWebhookSignatureHeader([nodeMac(keys[signer] as string | Uint8Array, t0, body)]).map((header) => ({
        keys,
        body,
        signer,
        header,
      })),
    )

  test.prop([arbRotation], { numRuns: 500 })(
    'rotation: a header with the signature among decoys passes with any list holding the secret, naming it',
    async ({ keys, body, signer, header }) => {
      const verified = await verifyWebhookSignature(keys.map(secretOf), header, `${t0}`, body, t0 * 1000)
      expect(verified).toEqual(E.right({ timestamp: t0, secretIndex: signer }))
    },
  )

  test.prop([arbKey, arbKey, arbWebhookBody, fc.nat({ max: 3 })], { numRuns: 300 })(
    'rotation on the sender side: old and new signatures in one header pass either receiver',
    async (oldKey, newKey, body, decoys) => {
      fc.pre(keyText(oldKey) !== keyText(newKey))
      const header = await signWebhook([secretOf(newKey), secretOf(oldKey)], t0, body)
      expect(E.isRight(header)).toBe(true)
      if (E.isLeft(header)) return
      const padded = `${'v0=legacy,'.repeat(decoys)}${header.right}`
      for (const key of [oldKey, newKey])
        expect(reasonOf(await verifyWebhookSignature(secretOf(key), padded, t0, body, t0 * 1000))).toBe(
          'passed',
        )
    },
  )

  test.prop(
    [
      arbKey,
      arbWebhookBody,
      fc.integer({ min: -300_000, max: 300_000 }),
      fc.integer({ min: 1, max: 10_000_000 }),
    ],
    { numRuns: 500 },
  )('tolerance: within ±300 s of now passes, beyond it is refused', async (key, body, within, beyond) => {
    const header = `v1=${nodeMac(key, t0, body)}`
    const secret = secretOf(key)
    const at = (now: number) => verifyWebhookSignature(secret, header, `${t0}`, body, now)
    expect(reasonOf(await at(t0 * 1000 + within))).toBe('passed')
    expect(reasonOf(await at(t0 * 1000 + 300_000 + beyond))).toBe('timestamp_outside_tolerance')
    expect(reasonOf(await at(t0 * 1000 - 300_000 - beyond))).toBe('timestamp_outside_tolerance')
  })

  test('tolerance boundaries: ±300 s passes, ±301 s is refused, and it is configurable', async () => {
    const secret = secretOf('whsec_test_secret_0001')
    const header = `v1=${nodeMac('whsec_test_secret_0001', t0, '{}')}`
    const at = async (now: number, toleranceMs = 300_000) =>
      reasonOf(
        await verifyWebhookSignature(secret, header, `${t0}`, '{}', now, {
          ...defaultWebhookVerifyOptions,
          toleranceMs,
        }),
      )
    expect(await at(t0 * 1000 + 300_000)).toBe('passed')
    expect(await at(t0 * 1000 - 300_000)).toBe('passed')
    expect(await at(t0 * 1000 + 301_000)).toBe('timestamp_outside_tolerance')
    expect(await at(t0 * 1000 - 301_000)).toBe('timestamp_outside_tolerance')
    expect(await at(t0 * 1000 + 300_001)).toBe('timestamp_outside_tolerance')
    expect(await at(t0 * 1000 + 61_000, 60_000)).toBe('timestamp_outside_tolerance')
    expect(await at(t0 * 1000 + 60_000, 60_000)).toBe('passed')
  })

  test.prop(
    [arbKey, arbWebhookBody.filter((b) => b.length > 0), fc.nat(), fc.nat({ max: 63 }), fc.nat({ max: 14 })],
    {
      numRuns: 1_000,
    },
  )(
    'tampering: a changed body byte, a changed timestamp or one changed hex digit is refused',
    async (key, body, where, digit, shift) => {
      const secret = secretOf(key)
      const mac = nodeMac(key, t0, body)
      const header = `v1=${mac}`
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : Uint8Array.from(body)
      const i = where % bytes.length
      const changed = Uint8Array.from(bytes)
      changed[i] = ((changed[i] as number) + 1 + (where % 255)) & 255
      expect(reasonOf(await verifyWebhookSignature(secret, header, t0, changed, t0 * 1000))).toBe('signature')
      expect(reasonOf(await verifyWebhookSignature(secret, header, t0 + 1, bytes, t0 * 1000))).toBe(
        'signature',
      )
      const hexDigits = '0123456789abcdef'
      const old = hexDigits.indexOf(mac[digit] as string)
      const flipped = `${mac.slice(0, digit)}${hexDigits[(old + 1 + shift) % 16]}${mac.slice(digit + 1)}`
      expect(reasonOf(await verifyWebhookSignature(secret, `v1=${flipped}`, t0, bytes, t0 * 1000))).toBe(
        'signature',
      )
      // The other secret of a rotation does not pass it either.
      const other = secretOf(`${keyText(key)}-other`.slice(0, 200))
      expect(reasonOf(await verifyWebhookSignature(other, header, t0, bytes, t0 * 1000))).toBe('signature')
    },
  )

  test('uppercase hex is refused (the contract is lowercase hex), as a malformed header', async () => {
    const secret = secretOf('whsec_test_secret_0001')
    let body = '{}'
    let mac = nodeMac('whsec_test_secret_0001', t0, body)
    for (let i = 0; !/[a-f]/.test(mac); i++) {
      body = `{"n":${i}}`
      mac = nodeMac('whsec_test_secret_0001', t0, body)
    }
    const upper = await verifyWebhookSignature(secret, `v1=${mac.toUpperCase()}`, t0, body, t0 * 1000)
    expect(reasonOf(upper)).toBe('signature_header')
    // Even beside a valid entry: a malformed v1 entry refuses the whole header.
    const mixed = await verifyWebhookSignature(
      secret,
      `v1=${mac},v1=${mac.toUpperCase()}`,
      t0,
      body,
      t0 * 1000,
    )
    expect(reasonOf(mixed)).toBe('signature_header')
  })

  test('header grammar: entries separated by commas, spaces and tabs around them, empty elements, unknown schemes ignored', async () => {
    const secret = secretOf('whsec_test_secret_0001')
    const mac = nodeMac('whsec_test_secret_0001', t0, '{}')
    const check = async (header: unknown) =>
      reasonOf(await verifyWebhookSignature(secret, header, `${t0}`, '{}', t0 * 1000))
    expect(await check(` v1=${mac} `)).toBe('passed')
    expect(await check(`t=1,\tv1 = ${mac} ,, v2=zzz,`)).toBe('passed')
    expect(await check(`v1=${'0'.repeat(64)}, v1=${mac}`)).toBe('passed')
    expect(await check(`v2=${mac}`)).toBe('signature_header') // no v1 entry
    expect(await check(`V1=${mac}`)).toBe('signature_header') // schemes are case-sensitive: V1 is another scheme
    expect(await check(`v1=${mac.slice(1)}`)).toBe('signature_header')
    expect(await check(`v1${mac}`)).toBe('signature_header')
    expect(await check(`v1=${mac}; v1=${mac}`)).toBe('signature_header')
    expect(await check(undefined)).toBe('signature_header')
    expect(await check(42)).toBe('signature_header')
    expect(await check(`v1=${mac},${' '.repeat(2_100)}`)).toBe('signature_header') // too long
  })

  test('timestamps: whole seconds in decimal without leading zeros, as a string or a number', async () => {
    const secret = secretOf('whsec_test_secret_0001')
    const header = `v1=${nodeMac('whsec_test_secret_0001', t0, '{}')}`
    const check = async (ts: unknown) =>
      reasonOf(await verifyWebhookSignature(secret, header, ts, '{}', t0 * 1000))
    expect(await check(`${t0}`)).toBe('passed')
    expect(await check(t0)).toBe('passed')
    for (const bad of [`0${t0}`, `+${t0}`, `${t0}.0`, ` ${t0}`, `${t0}000`, '', t0 + 0.5, null, [t0]])
      expect(await check(bad)).toBe('timestamp')
  })

  test('bodies are bounded and exact', async () => {
    const secret = secretOf('whsec_test_secret_0001')
    const options = { ...defaultWebhookVerifyOptions, maxBodyBytes: 16 }
    const check = async (body: unknown, ts = t0) =>
      reasonOf(await verifyWebhookSignature(secret, `v1=${'0'.repeat(64)}`, ts, body, t0 * 1000, options))
    expect(await check(new Uint8Array(17))).toBe('body')
    expect(await check('x'.repeat(17))).toBe('body')
    expect(await check('é'.repeat(9))).toBe('body') // 9 characters, 18 bytes
    expect(await check('lone \udc00')).toBe('body')
    expect(await check({ toString: () => '{}' })).toBe('body')
    expect(await check(new Uint8Array(16))).toBe('signature')
    // The default: 1 MiB, refused before any HMAC.
    const huge = 'x'.repeat(1_048_577)
    expect(reasonOf(await verifyWebhookSignature(secret, `v1=${'0'.repeat(64)}`, t0, huge, t0 * 1000))).toBe(
      'body',
    )
  })

  test("the receiver's own mistakes are 'configuration', and a missing Web Crypto is 'crypto'", async () => {
    const secret = secretOf('whsec_test_secret_0001')
    const header = `v1=${'0'.repeat(64)}`
    expect(reasonOf(await verifyWebhookSignature([], header, t0, '{}', t0 * 1000))).toBe('configuration')
    expect(reasonOf(await verifyWebhookSignature(secret, header, t0, '{}', Number.NaN))).toBe('configuration')
    expect(
      reasonOf(
        await verifyWebhookSignature(secret, header, t0, '{}', t0 * 1000, {
          ...defaultWebhookVerifyOptions,
          toleranceMs: -1,
        }),
      ),
    ).toBe('configuration')
    vi.stubGlobal('crypto', undefined)
    try {
      const fresh = secretOf('whsec_test_secret_0002')
      expect(reasonOf(await verifyWebhookSignature(fresh, header, t0, '{}', t0 * 1000))).toBe('crypto')
      const signed = await signWebhook(fresh, t0, '{}')
      expect(E.isLeft(signed) && signed.left.field).toBe('crypto')
    } finally {
      vi.unstubAllGlobals()
    }
    // Web Crypto back: the same secret works (a failed key import is not kept).
    const again = secretOf('whsec_test_secret_0002')
    const mac = nodeMac('whsec_test_secret_0002', t0, '{}')
    expect(reasonOf(await verifyWebhookSignature(again, `v1=${mac}`, t0, '{}', t0 * 1000))).toBe('passed')
  })
})

// ---------------------------------------------------------------- hostile input

describe('hostile input', () => {
  const secretText = 'whsec_0f1e2d3c4b5a69788796a5b4c3d2e1f0'
  const secret = secretOf(secretText)
  const body = '{"id":"evt_1","type":"payout.created"}'
  const goodHeader = `v1=${nodeMac(secretText, t0, body)}`
  const leaks = (refusal: unknown): boolean => {
    const text = JSON.stringify(refusal)
    return text.includes(secretText) || text.includes('0f1e2d3c4b5a6978')
  }

  test.prop([arbHostileWebhookSignatureHeader], { numRuns: 10_000 })(
    '10,000 garbage signature headers: Left, never a throw, never the secret',
    async (header) => {
      const verified = await verifyWebhookSignature(secret, header, `${t0}`, body, t0 * 1000)
      expect(E.isLeft(verified)).toBe(true)
      expect(leaks(verified)).toBe(false)
    },
  )

  test.prop([arbHostileWebhookTimestamp], { numRuns: 10_000 })(
    '10,000 garbage timestamps: Left, never a throw',
    async (timestamp) => {
      const verified = await verifyWebhookSignature(secret, goodHeader, timestamp, body, t0 * 1000)
      expect(E.isLeft(verified)).toBe(true)
      expect(leaks(verified)).toBe(false)
    },
  )

  test.prop([fc.anything(), fc.anything(), fc.anything(), fc.oneof(fc.integer(), fc.double())], {
    numRuns: 10_000,
  })('10,000 deliveries of anything at all: Left, never a throw', async (header, timestamp, raw, now) => {
    const verified = await verifyWebhookSignature(secret, header, timestamp, raw, now)
    expect(E.isLeft(verified)).toBe(true)
    const delivered = await verifyWebhookDelivery(secret, { headers: header as never, body: raw }, now)
    expect(E.isLeft(delivered)).toBe(true)
  })

  test.prop([arbWebhookSecretText, fc.constantFrom('\n', ' ', '\r\n', '\t', '\u0000'), fc.boolean()], {
    numRuns: 2_000,
  })('a secret refused at decoding is never echoed', (text, junk, before) => {
    const decoded = decodeWebhookSecret(before ? `${junk}${text}` : `${text}${junk}`)
    expect(E.isLeft(decoded)).toBe(true)
    expect(JSON.stringify(decoded)).not.toContain(text)
    const short = decodeWebhookSecret(text.slice(0, 15))
    expect(E.isLeft(short) && JSON.stringify(short).includes(text.slice(0, 15))).toBe(false)
  })

  test.prop([arbKey], { numRuns: 500 })(
    'a decoded secret prints, serialises and inspects redacted',
    async (key) => {
      const { inspect } = await import('node:util')
      const s = secretOf(key)
      const shown = [
        String(s),
        `${s}`,
        JSON.stringify({ s }),
        inspect(s, { showHidden: true, depth: 5 }),
        inspect({ s }),
      ]
      for (const text of shown) {
        expect(text).toContain('[redacted]')
        if (typeof key === 'string') expect(text).not.toContain(key)
        else expect(text).not.toContain(Buffer.from(key).toString('hex'))
      }
    },
  )
})

// ---------------------------------------------------------------- the payout machine's envelopes

/** The webhook envelopes of a payout started and then cancelled with `reason`. */
const envelopesOf = (payoutId: string, reason: string): ReadonlyArray<WebhookEnvelope> => {
  const started = startPayout({
    payoutId,
    eventId: 'c1',
    occurredAt: 0,
    actor: { type: 'merchant', id: 'm1' },
  })
  if (E.isLeft(started)) throw new Error('start refused')
  const cancelled = applyPayoutEvent(started.right.snapshot, {
    type: 'CANCEL',
    eventId: 'c2',
    occurredAt: 1_000,
    actor: { type: 'merchant' },
    reason,
  })
  if (E.isLeft(cancelled)) throw new Error(`cancel refused: ${cancelled.left.reason}`)
  return [...started.right.webhookEvents, ...cancelled.right.webhookEvents].map(webhookEnvelopeOf)
}

const arbPayoutId = fc.string({
  unit: fc.constantFrom(...'abcdefXYZ0123456789'),
  minLength: 1,
  maxLength: 20,
})

describe('signWebhookEnvelope', () => {
  test.prop(
    [arbKey, arbPayoutId, fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }), arbWebhookTimestamp],
    {
      numRuns: 500,
    },
  )(
    "signs the machine's envelopes over their exact bytes; a receiver gets the event id from the signed body",
    async (key, id, reason, timestamp) => {
      for (const envelope of envelopesOf(`pay_${id}`, reason)) {
        const now = timestamp * 1000 + (timestamp % 1000)
        const delivery = await signWebhookEnvelope(secretOf(key), envelope, now)
        expect(E.isRight(delivery)).toBe(true)
        if (E.isLeft(delivery)) return
        const { body, headers } = delivery.right
        expect(Buffer.from(body).equals(Buffer.from(envelope.body, 'utf8'))).toBe(true)
        expect(headers).toEqual({
          'Content-Type': 'application/json',
          'Anton-Timestamp': `${timestamp}`,
          'Anton-Signature': `v1=${nodeMac(key, timestamp, envelope.body)}`,
        })
        // As Node's http module hands headers over: lower-case names.
        const nodeHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
        const received = await verifyWebhookDelivery(
          secretOf(key),
          { headers: nodeHeaders, body },
          now + 299_000,
        )
        expect(E.isRight(received) && [received.right.eventId, received.right.type]).toEqual([
          envelope.id,
          envelope.type,
        ])
        const fetched = await verifyWebhookDelivery(
          secretOf(key),
          { headers: new Headers(headers), body },
          now,
        )
        expect(E.isRight(fetched)).toBe(true)
      }
    },
  )

  test('a redelivery hours later is signed afresh: same bytes, a new timestamp, still verifiable', async () => {
    const secret = secretOf('whsec_test_secret_0001')
    const [envelope] = envelopesOf('pay_1', 'requested by the merchant')
    if (envelope === undefined) throw new Error('no envelope')
    const first = await signWebhookEnvelope(secret, envelope, t0 * 1000)
    const later = await signWebhookEnvelope(secret, envelope, (t0 + 6 * 3600) * 1000)
    expect(E.isRight(first) && E.isRight(later)).toBe(true)
    if (E.isLeft(first) || E.isLeft(later)) return
    expect(later.right.body).toEqual(first.right.body)
    expect(later.right.headers['Anton-Timestamp']).not.toBe(first.right.headers['Anton-Timestamp'])
    const now = (t0 + 6 * 3600 + 5) * 1000
    expect(reasonOf(await verifyWebhookDelivery(secret, first.right, now))).toBe(
      'timestamp_outside_tolerance',
    )
    expect(reasonOf(await verifyWebhookDelivery(secret, later.right, now))).toBe('passed')
  })

  test('a delivery: headers in any case, repeated signature headers combined, the body read only once signed', async () => {
    const key = 'whsec_test_secret_0001'
    const secret = secretOf(key)
    const body = new TextEncoder().encode('{"id":"evt_9","type":"payout.sent"}')
    const mac = nodeMac(key, t0, body)
    const check = async (headers: Record<string, string | string[]>, raw: Uint8Array = body) =>
      reasonOf(await verifyWebhookDelivery(secret, { headers, body: raw }, t0 * 1000))
    expect(await check({ 'ANTON-SIGNATURE': ['v0=x', `v1=${mac}`], 'Anton-Timestamp': `${t0}` })).toBe(
      'passed',
    )
    expect(await check({ 'anton-timestamp': `${t0}` })).toBe('signature_header')
    expect(await check({ 'anton-signature': `v1=${mac}` })).toBe('timestamp')
    expect(await check({ 'anton-signature': `v1=${mac}`, 'anton-timestamp': [`${t0}`, `${t0}`] })).toBe(
      'timestamp',
    )
    const signedBad = async (text: string | Uint8Array) => {
      const raw = typeof text === 'string' ? new TextEncoder().encode(text) : text
      return check({ 'anton-signature': `v1=${nodeMac(key, t0, raw)}`, 'anton-timestamp': `${t0}` }, raw)
    }
    expect(await signedBad('not json')).toBe('event')
    expect(await signedBad('[1]')).toBe('event')
    expect(await signedBad('{"id":"pay_1","type":"x"}')).toBe('event')
    expect(await signedBad('{"id":"evt_1"}')).toBe('event')
    expect(await signedBad(Uint8Array.from([0x7b, 0xff, 0x7d]))).toBe('event')
    expect(await signedBad('{"id":"evt_1","type":"payout.created"}')).toBe('passed')
  })
})
