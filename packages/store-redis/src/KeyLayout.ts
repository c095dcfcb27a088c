/**
 * Where the records live in Redis. Every key of one decision carries the same hash tag — the
 * merchant's id in braces — so on Redis Cluster all of them are in one hash slot and one script
 * can read or write them together (a Cluster refuses a script whose keys span slots).
 *
 * Keys under a prefix (default `pk:`), `T` the decision's tag:
 * - `pk:{T}:ver` the slot's version counter;
 * - `pk:{T}:q:<merchant>` a merchant's quota log (a hash), `pk:{T}:a:<merchant>` its admissions
 *   (a sorted set);
 * - `pk:{T}:k:<merchant>:<idempotency key>` an idempotency record;
 * - `pk:{T}:b:<beneficiary>` a beneficiary's lease and cooldown;
 * - `pk:{<merchant>}:v:<velocity key>` a velocity record (`p/…` a payout's own, `u/…` usage).
 *
 * Layouts of the rescore records (`RedisRescoreLayout`): `per-merchant` (the default) tags every
 * key with the request's merchant — merchants spread over a Cluster's shards, and a
 * beneficiary's lease and cooldown are scoped by merchant (DOMAIN.md §8). `one-slot` tags every
 * rescore key `{rescore}`: one slot for all merchants, so a beneficiary's record is shared by
 * every merchant that names it, exactly as the in-memory and PostgreSQL stores keep it (their
 * beneficiary record is keyed by the beneficiary alone), at the price of one shard for all
 * rescore traffic.
 */
import type { RescoreKeys } from '@payout-kernel/rescore-policy'
import { checkPrefix, merchantOfKeys, rescoreTag, slotKeys } from './internal/Slots.js'

// ---------------------------------------------------------------- model

/**
 * How the rescore records are spread over hash slots: `per-merchant` (one slot per merchant, a
 * beneficiary's record per merchant) or `one-slot` (one slot for all, a beneficiary's record
 * shared by the merchants).
 *
 * @example
 * import type { RedisRescoreLayout } from '@payout-kernel/store-redis'
 * import assert from 'node:assert/strict'
 *
 * const layout: RedisRescoreLayout = 'one-slot'
 * assert.equal(layout, 'one-slot')
 */
export type RedisRescoreLayout = 'per-merchant' | 'one-slot'

// ---------------------------------------------------------------- hash slots

const crcTable: ReadonlyArray<number> = Array.from({ length: 256 }, (_, n) => {
  let c = n << 8
  for (let i = 0; i < 8; i++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff
  return c
})

const crc16 = (bytes: Uint8Array): number => {
  let crc = 0
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ (crcTable[((crc >> 8) ^ b) & 0xff] as number)
  return crc
}

/**
 * The Redis Cluster hash slot of a key (0 to 16383): CRC16 (XMODEM) of its UTF-8 bytes modulo
 * 16384, of only the part between the first `{` and the next `}` when that part is not empty (the
 * hash tag).
 *
 * @example
 * import { hashSlotOf } from '@payout-kernel/store-redis'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(hashSlotOf('123456789'), 12739) // CRC16 0x31C3, the Cluster specification's check value
 * assert.equal(hashSlotOf('pk:{mer_a}:q:mer_a'), hashSlotOf('mer_a'))
 */
export const hashSlotOf = (key: string): number => {
  const open = key.indexOf('{')
  const close = open < 0 ? -1 : key.indexOf('}', open + 1)
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key
  return crc16(new TextEncoder().encode(hashed)) % 16384
}

// ---------------------------------------------------------------- keys

/**
 * The Redis keys a rescore decision reads for `keys` (`rescoreKeysOf`, `settlementKeysOf`), and
 * the ones its writes can touch besides (the slot's version counter): all of one hash slot.
 *
 * @example
 * import { defaultRescoreConfig, rescoreKeysOf } from '@payout-kernel/rescore-policy'
 * import { hashSlotOf, rescoreRedisKeys } from '@payout-kernel/store-redis'
 * import assert from 'node:assert/strict'
 *
 * const keys = rescoreKeysOf({
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }, 0, defaultRescoreConfig)
 * const redisKeys = rescoreRedisKeys(keys)
 * assert.deepEqual(redisKeys, ['pk:{mer_acme}:ver', 'pk:{mer_acme}:q:mer_acme', 'pk:{mer_acme}:a:mer_acme',
 *   'pk:{mer_acme}:k:mer_acme:k-1', 'pk:{mer_acme}:b:ben_1'])
 * assert.equal(new Set(redisKeys.map(hashSlotOf)).size, 1)
 * assert.equal(rescoreRedisKeys(keys, { layout: 'one-slot' })[4], 'pk:{rescore}:b:ben_1')
 */
export const rescoreRedisKeys = (
  keys: RescoreKeys,
  options: { readonly prefix?: string; readonly layout?: RedisRescoreLayout } = {},
): ReadonlyArray<string> => {
  const merchantId = merchantOfKeys(keys)
  if (merchantId === null) return []
  const s = slotKeys(
    checkPrefix(options.prefix ?? 'pk:'),
    rescoreTag(options.layout ?? 'per-merchant', merchantId),
  )
  return [
    s.counter,
    ...(keys.quota === null ? [] : [s.quota(keys.quota.merchantId), s.admissions(keys.quota.merchantId)]),
    ...(keys.idempotency === null
      ? []
      : [s.idempotency(keys.idempotency.merchantId, keys.idempotency.idempotencyKey)]),
    ...(keys.beneficiaryId === null ? [] : [s.beneficiary(keys.beneficiaryId)]),
  ]
}
