// Small runtime checks shared by the payout and context checks: they read anything without throwing.
import { deriveId } from '@payout-kernel/core'

/** A plain object (not null, not an array). */
export type Obj = Readonly<Record<string, unknown>>

/** Whether a value is a plain object (not null, not an array). */
export const isObject = (u: unknown): u is Obj => typeof u === 'object' && u !== null && !Array.isArray(u)

/** 1 to 255 printable ASCII characters, no spaces: what the payout machine accepts as an actor or event id. */
export const isActorId = (u: unknown): u is string => typeof u === 'string' && /^[\x21-\x7e]{1,255}$/.test(u)

/** A deterministic event id: the event type in lower case and 32 hex digits of the SHA-256 of the payout id and the type. */
export const eventIdOf = (payoutId: string, type: string): string =>
  `${type.toLowerCase()}_${deriveId('', [payoutId, type])}`
