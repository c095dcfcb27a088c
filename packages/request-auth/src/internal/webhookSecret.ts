/**
 * The webhook secret object: the key bytes in a private field (never printed), and the HMAC key
 * imported into Web Crypto once and reused.
 */
import { subtleCrypto } from './credentialBytes.js'

const inspectCustom = /* @__PURE__ */ Symbol.for('nodejs.util.inspect.custom')

/**
 * A webhook signing secret, decoded (`decodeWebhookSecret`). The key bytes are held privately:
 * printing the secret, serialising it to JSON or inspecting it shows `[redacted]` only.
 *
 * @example
 * import { decodeWebhookSecret } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const secret = decodeWebhookSecret('whsec_0123456789abcdef0123456789abcdef')
 * assert.ok(E.isRight(secret))
 * assert.equal(String(secret.right), 'WebhookSecret [redacted]')
 * assert.equal(JSON.stringify({ secret: secret.right }), '{"secret":"WebhookSecret [redacted]"}')
 */
export class WebhookSecret {
  readonly #bytes: Uint8Array<ArrayBuffer>
  #key: Promise<CryptoKey | undefined> | undefined
  /** @internal */
  constructor(bytes: Uint8Array) {
    this.#bytes = Uint8Array.from(bytes)
    this.#key = undefined
  }
  /** Whether `value` is a secret made by this module. */
  static isSecret(value: unknown): value is WebhookSecret {
    return typeof value === 'object' && value !== null && #bytes in value
  }
  /** The HMAC-SHA256 key of a secret, imported once; `undefined` when Web Crypto is missing or fails. */
  static keyOf(secret: WebhookSecret): Promise<CryptoKey | undefined> {
    if (secret.#key === undefined) {
      const bytes = secret.#bytes
      secret.#key = (async () => {
        const subtle = subtleCrypto()
        if (subtle === undefined) return undefined
        try {
          return await subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
        } catch {
          return undefined
        }
      })()
      // A failed import is not kept: the next use tries again.
      void secret.#key.then((key) => {
        if (key === undefined) secret.#key = undefined
      })
    }
    return secret.#key
  }
  /** `WebhookSecret [redacted]`. */
  toString(): string {
    return 'WebhookSecret [redacted]'
  }
  /** `WebhookSecret [redacted]`, what `JSON.stringify` writes. */
  toJSON(): string {
    return this.toString()
  }
  static {
    Object.defineProperty(WebhookSecret.prototype, inspectCustom, {
      value(this: WebhookSecret) {
        return this.toString()
      },
    })
  }
}
