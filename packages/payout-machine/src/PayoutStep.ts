/**
 * What one step of the lifecycle hands back: the next snapshot, the audit records of every
 * transition it took, and the webhook events to deliver — or a refusal with its reason.
 */
import type { PayoutEventId, PayoutId, ValidationProblem, WebhookEventId } from '@payout-kernel/core'
import type { ActorType, PayoutEventType } from './PayoutEvent.js'
import type { PayoutSnapshot } from './PayoutSnapshot.js'
import type { PayoutStatus } from './PayoutStatus.js'

// ---------------------------------------------------------------- audit records

/**
 * One accepted transition, as stored in the audit trail (wire shape, snake_case). `seq` counts the
 * payout's records from 1 without gaps; `event` is the event type (`CREATED` for the payout's
 * creation); `metadata` always holds `event_id` (the incoming event), `state` (the leaf state
 * reached) and `inferred` (true for a step implied by an out-of-order rail event), plus what the
 * event decided (`verdict`, `raw_score`/`tier`/`evaluation_id`/`review_tier`, `rfi_id`/`rfi_status`).
 */
export interface AuditRecord {
  readonly id: PayoutEventId
  readonly payout_id: PayoutId
  readonly seq: number
  readonly previous_status: PayoutStatus | null
  readonly status: PayoutStatus
  readonly event: PayoutEventType | 'CREATED'
  readonly actor_type: ActorType
  readonly actor_id?: string
  readonly reason?: string
  readonly occurred_at: string
  readonly metadata: Readonly<Record<string, string | number | boolean>>
}

// ---------------------------------------------------------------- webhooks

/** The webhook event types: one per status, and the RFI changes. */
export type WebhookEventType =
  | `payout.${PayoutStatus}`
  | 'rfi.created'
  | 'rfi.responded'
  | 'rfi.resolved'
  | 'rfi.escalated'

/**
 * A webhook envelope. `id` is derived from the payout id and the `seq` of the audit record it
 * reports, so a replay produces the same ids and receivers can deduplicate on it.
 */
export interface WebhookEvent {
  readonly id: WebhookEventId
  readonly type: WebhookEventType
  readonly created_at: string
  readonly data: WebhookData
}

/** The payload of a webhook: the payout, its status change, the audit record, and the RFI when one is concerned. */
export interface WebhookData {
  readonly payout_id: PayoutId
  readonly status: PayoutStatus
  readonly previous_status: PayoutStatus | null
  readonly seq: number
  readonly audit_record_id: PayoutEventId
  readonly reason?: string
  readonly rfi?: { readonly id: string; readonly status: string }
}

// ---------------------------------------------------------------- steps and refusals

/** An accepted step: the next snapshot, its audit records (one per transition), its webhook events. */
export interface PayoutStep {
  readonly snapshot: PayoutSnapshot
  readonly auditRecords: ReadonlyArray<AuditRecord>
  readonly webhookEvents: ReadonlyArray<WebhookEvent>
}

/**
 * Why an event was refused.
 *
 * @example
 * import { refusalReasons } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(refusalReasons.includes('stale_event'))
 * assert.equal(refusalReasons.length, 7)
 */
export const refusalReasons = [
  'not_allowed_in_state',
  'payout_not_cancellable',
  'rfi_open',
  'maker_cannot_approve',
  'stale_event',
  'duplicate_event',
  'invalid_event',
] as const

/** Why an event was refused. */
export type RefusalReason = (typeof refusalReasons)[number]

/**
 * A refused event, as a value: the reason, a sentence for humans, the status the payout stays in
 * (`null` when there is no payout yet), the event type when known, and for `invalid_event` the
 * problems found, each naming its field.
 */
export interface Rejection {
  readonly _tag: 'PayoutRejection'
  readonly reason: RefusalReason
  readonly message: string
  readonly status: PayoutStatus | null
  readonly eventType: string | null
  readonly problems: ReadonlyArray<ValidationProblem>
}
