/**
 * Ids: a prefix naming what the id is (`pay_`, `ben_`, …) and `[a-zA-Z0-9]+`, at most 255
 * characters in all. Each kind is its own branded type, so a beneficiary id cannot be passed where
 * a payout id is expected.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { describeValue, type ValidationError, validationError } from './Validation.js'

// ---------------------------------------------------------------- model

/**
 * The id prefixes of the domain and what they name.
 *
 * @example
 * import { idPrefixes } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(idPrefixes.payout, 'pay_')
 * assert.equal(idPrefixes.payoutEvent, 'pev_')
 */
export const idPrefixes = {
  payout: 'pay_',
  beneficiary: 'ben_',
  instrument: 'ins_',
  webhookEvent: 'evt_',
  rfi: 'rfi_',
  evaluation: 'eval_',
  payoutEvent: 'pev_',
} as const

/**
 * The longest id accepted, prefix included.
 *
 * @example
 * import { maxIdLength } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(maxIdLength, 255)
 */
export const maxIdLength = 255

const isAlphanumeric = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)

/**
 * `^<prefix>[a-zA-Z0-9]+$` and at most 255 characters, read with a character loop (ids are checked
 * on every line a command decodes; the tests hold it to the pattern).
 */
const hasIdShape = (s: string, prefix: string): boolean => {
  const n = s.length
  if (n <= prefix.length || n > maxIdLength) return false
  for (let i = 0; i < prefix.length; i++) if (s.charCodeAt(i) !== prefix.charCodeAt(i)) return false
  for (let i = prefix.length; i < n; i++) if (!isAlphanumeric(s.charCodeAt(i))) return false
  return true
}

const idCodec = <B extends string>(prefix: string, name: B) =>
  t.brand(t.string, (s): s is t.Branded<string, { readonly [K in B]: symbol }> => hasIdShape(s, prefix), name)

/**
 * A payout id, `pay_…`.
 *
 * @example
 * import { PayoutId } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(E.isRight(PayoutId.decode('pay_123')))
 * assert.ok(E.isLeft(PayoutId.decode('ben_123')))
 */
export const PayoutId = /* @__PURE__ */ idCodec('pay_', 'PayoutId')
/** A payout id, `pay_…`. */
export type PayoutId = t.TypeOf<typeof PayoutId>

/**
 * A beneficiary id, `ben_…`.
 *
 * @example
 * import { BeneficiaryId } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(BeneficiaryId.is('ben_8f2k'))
 * assert.ok(!BeneficiaryId.is('ben_'))
 */
export const BeneficiaryId = /* @__PURE__ */ idCodec('ben_', 'BeneficiaryId')
/** A beneficiary id, `ben_…`. */
export type BeneficiaryId = t.TypeOf<typeof BeneficiaryId>

/**
 * A payment instrument id (bank account, card, wallet), `ins_…`.
 *
 * @example
 * import { InstrumentId } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(InstrumentId.is('ins_9'))
 */
export const InstrumentId = /* @__PURE__ */ idCodec('ins_', 'InstrumentId')
/** A payment instrument id, `ins_…`. */
export type InstrumentId = t.TypeOf<typeof InstrumentId>

/**
 * A webhook event id, `evt_…`.
 *
 * @example
 * import { WebhookEventId } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(WebhookEventId.is('evt_abc'))
 */
export const WebhookEventId = /* @__PURE__ */ idCodec('evt_', 'WebhookEventId')
/** A webhook event id, `evt_…`. */
export type WebhookEventId = t.TypeOf<typeof WebhookEventId>

/**
 * A request-for-information id, `rfi_…`.
 *
 * @example
 * import { RfiId } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(RfiId.is('rfi_1'))
 */
export const RfiId = /* @__PURE__ */ idCodec('rfi_', 'RfiId')
/** A request-for-information id, `rfi_…`. */
export type RfiId = t.TypeOf<typeof RfiId>

/**
 * An engine evaluation id, `eval_…`.
 *
 * @example
 * import { EvaluationId } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(EvaluationId.is('eval_42'))
 */
export const EvaluationId = /* @__PURE__ */ idCodec('eval_', 'EvaluationId')
/** An engine evaluation id, `eval_…`. */
export type EvaluationId = t.TypeOf<typeof EvaluationId>

/**
 * A payout transition record id (one audit record), `pev_…`.
 *
 * @example
 * import { PayoutEventId } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(PayoutEventId.is('pev_1'))
 */
export const PayoutEventId = /* @__PURE__ */ idCodec('pev_', 'PayoutEventId')
/** A payout transition record id, `pev_…`. */
export type PayoutEventId = t.TypeOf<typeof PayoutEventId>

/**
 * A merchant id. The documents fix no prefix, so any `[A-Za-z0-9_-]`, 1 to 255 characters.
 *
 * @example
 * import { MerchantId } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(MerchantId.is('mer_acme'))
 * assert.ok(!MerchantId.is(''))
 */
export const MerchantId = /* @__PURE__ */ t.brand(
  t.string,
  (s): s is t.Branded<string, { readonly MerchantId: symbol }> => {
    // ^[A-Za-z0-9_-]{1,255}$, as a character loop
    if (s.length === 0 || s.length > maxIdLength) return false
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      if (!(isAlphanumeric(c) || c === 95 || c === 45)) return false
    }
    return true
  },
  'MerchantId',
)
/** A merchant id. */
export type MerchantId = t.TypeOf<typeof MerchantId>

// ---------------------------------------------------------------- operations

/**
 * Decodes an id with one of the id codecs, naming `field` in the error.
 *
 * @example
 * import { BeneficiaryId, decodeId } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(decodeId(BeneficiaryId, 'beneficiary_id')('ben_1'), E.right('ben_1'))
 * const bad = decodeId(BeneficiaryId, 'beneficiary_id')('pay_1')
 * assert.ok(E.isLeft(bad) && bad.left.problems[0]?.field === 'beneficiary_id')
 */
export const decodeId =
  <A>(codec: { readonly name: string; readonly is: (u: unknown) => u is A }, field: string) =>
  (u: unknown): E.Either<ValidationError, A> =>
    codec.is(u)
      ? E.right(u)
      : E.left(validationError(field, `must be a valid ${codec.name}, got ${describeValue(u)}`))

/**
 * A deterministic id: the prefix and 32 hex digits of the SHA-256 of the parts. The same parts
 * always give the same id, so ids derived during a replay match the original ones.
 *
 * @example
 * import { deriveId } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const a = deriveId('evt_', ['pay_1', 3])
 * assert.equal(a, deriveId('evt_', ['pay_1', 3]))
 * assert.notEqual(a, deriveId('evt_', ['pay_1', 4]))
 * assert.match(a, /^evt_[0-9a-f]{32}$/)
 */
export const deriveId = (prefix: string, parts: ReadonlyArray<string | number>): string =>
  `${prefix}${bytesToHex(sha256(utf8ToBytes(parts.map(String).join('\u0000')))).slice(0, 32)}`
