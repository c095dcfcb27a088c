/**
 * Driving a payout: `startPayout` creates one, `applyPayoutEvent` feeds it the next event. Both
 * are pure and return `Either<Rejection, PayoutStep>`: the next snapshot with the audit records
 * and webhook events of the step, or a refusal with its reason. Nothing is thrown, nothing is
 * ignored silently.
 */
import type * as E from '#fp-ts/Either'
import { makeLifecycle, type StartPayoutInput as StartInput, start } from './internal/Lifecycle.js'
import { compiledStepper } from './internal/TransitionTable.js'
import type { PayoutConfig } from './PayoutConfig.js'
import type { PayoutSnapshot } from './PayoutSnapshot.js'
import type { PayoutStep, Rejection } from './PayoutStep.js'

/** What `startPayout` needs: `payoutId` (`pay_…`), the creating `eventId`, `occurredAt` (epoch ms) and the `actor` (merchant, ops or system; a merchant's `id` is the maker). */
export type StartPayoutInput = StartInput

const lifecycle = /* @__PURE__ */ makeLifecycle(compiledStepper)

/**
 * Creates a payout in `created`, from input decoded with io-ts (a bad input is refused as
 * `invalid_event` naming the field). The step holds audit record 1 (event `CREATED`) and the
 * `payout.created` webhook. A merchant actor's id is recorded as the maker for maker-checker.
 *
 * @example
 * import { startPayout } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const step = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'merchant', id: 'alice' } })
 * assert.ok(E.isRight(step))
 * assert.equal(step.right.snapshot.status, 'created')
 * assert.equal(step.right.auditRecords[0]?.seq, 1)
 * assert.equal(step.right.webhookEvents[0]?.type, 'payout.created')
 *
 * const bad = startPayout({ payoutId: 'ben_1', eventId: 'c1', occurredAt: 0, actor: { type: 'merchant' } })
 * assert.ok(E.isLeft(bad) && bad.left.reason === 'invalid_event' && bad.left.problems[0]?.field === 'payoutId')
 */
export const startPayout = (input: unknown): E.Either<Rejection, PayoutStep> => start(input)

/**
 * Applies one event to a payout: decodes it (io-ts; `invalid_event` naming the field), refuses a
 * duplicate id (`duplicate_event`: nothing changes, nothing is emitted), runs the machine's
 * transition under the policy (`config`, defaults when omitted), passes through implied rail steps
 * for an out-of-order rail event (marked `inferred`), refuses a stale regression
 * (`stale_event`), and otherwise says why the event is not allowed.
 *
 * @example
 * import { applyPayoutEvent, startPayout } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const created = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(created))
 * const step = applyPayoutEvent(created.right.snapshot, {
 *   type: 'SUBMITTED', eventId: 'e1', occurredAt: 1_000, actor: { type: 'system' },
 * })
 * assert.ok(E.isRight(step))
 * assert.equal(step.right.snapshot.status, 'pending_screening')
 * assert.equal(step.right.auditRecords[0]?.previous_status, 'created')
 *
 * const again = applyPayoutEvent(step.right.snapshot, {
 *   type: 'SUBMITTED', eventId: 'e1', occurredAt: 1_000, actor: { type: 'system' },
 * })
 * assert.ok(E.isLeft(again) && again.left.reason === 'duplicate_event')
 */
export const applyPayoutEvent = (
  snapshot: PayoutSnapshot,
  event: unknown,
  config?: PayoutConfig,
): E.Either<Rejection, PayoutStep> => lifecycle.apply(snapshot, event, config)
