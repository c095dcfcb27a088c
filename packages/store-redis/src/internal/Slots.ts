/**
 * The keys of one hash slot under a prefix (the layout is described in KeyLayout.ts), and the
 * checks that keep a prefix or an id from moving a key's hash tag.
 */
import type { RescoreKeys } from '@payout-kernel/rescore-policy'

/** The layouts of `RedisRescoreLayout` (spelled here so this module imports nothing of the package). */
type RedisRescoreLayout = 'per-merchant' | 'one-slot'

/** The keys of one slot under a prefix. */
export interface SlotKeys {
  readonly counter: string
  readonly quota: (merchantId: string) => string
  readonly admissions: (merchantId: string) => string
  readonly idempotency: (merchantId: string, key: string) => string
  readonly beneficiary: (beneficiaryId: string) => string
  readonly velocity: (id: string) => string
}

/** The keys of the slot tagged `tag`. */
export const slotKeys = (prefix: string, tag: string): SlotKeys => {
  const at = `${prefix}{${tag}}:`
  return {
    counter: `${at}ver`,
    quota: (m) => `${at}q:${m}`,
    admissions: (m) => `${at}a:${m}`,
    idempotency: (m, k) => `${at}k:${m}:${k}`,
    beneficiary: (b) => `${at}b:${b}`,
    velocity: (id) => `${at}v:${id}`,
  }
}

/** The tag of a rescore decision's slot, for the merchant it is about. */
export const rescoreTag = (layout: RedisRescoreLayout, merchantId: string): string =>
  layout === 'one-slot' ? 'rescore' : merchantId

/** A prefix must not hold a brace (it would move the hash tag) nor a glob character (scans match on it). */
export const checkPrefix = (prefix: string): string => {
  if (/[{}*?[\]\\]/.test(prefix))
    throw new TypeError(`a key prefix cannot hold {, }, *, ?, [, ] or \\: ${prefix}`)
  return prefix
}

/** The merchant a rescore decision's records belong to: every record it names is that merchant's. */
export const merchantOfKeys = (keys: RescoreKeys): string | null =>
  keys.quota?.merchantId ?? keys.idempotency?.merchantId ?? null
