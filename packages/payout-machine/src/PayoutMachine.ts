/**
 * The payout lifecycle of DOMAIN.md §2 as an XState v5 machine: fourteen statuses, the evaluation
 * order (screening, velocity, engine risk, maker-checker, rail) as sub-states of
 * `pending_approval`, the RFI sub-lifecycle inside `manual_review`, named pure guards and named
 * pure context updates. It is data: nothing here starts an actor. `applyPayoutEvent` runs a
 * transition table compiled from this very definition; XState's own `transition()` gives the same
 * answers, which the tests check on random event sequences.
 */
import type { EpochMillis, EvaluationId, PayoutId, RfiId } from '@payout-kernel/core'
import { isTierAtLeast, type RawRisk, type Tier, tierOf } from '@payout-kernel/trust'
import { assign, or, setup, stateIn } from 'xstate'
import { deriveIdFast } from './internal/FastId.js'
import type { ResolvedPayoutConfig } from './PayoutConfig.js'
import type { PayoutEvent, VelocityAction } from './PayoutEvent.js'
import { cancellableStatuses, type PayoutStatus } from './PayoutStatus.js'

// ---------------------------------------------------------------- model

/** The engine's assessment kept on the payout: the raw score, its tier under the bands in force, the evaluation. */
export interface RiskAssessment {
  readonly rawScore: RawRisk
  readonly tier: Tier
  readonly evaluationId: EvaluationId
}

/** Where the request for information of a payout in manual review stands. */
export type RfiStatus = 'open' | 'responded' | 'escalated' | 'cleared' | 'blocked'

/** The current (or last) RFI of a payout: its id, derived from the payout id and its number, and where it stands. */
export interface RfiState {
  readonly id: RfiId
  readonly status: RfiStatus
}

/**
 * What the machine remembers about a payout besides its state: who made it, what the checks said,
 * the RFI, when it completed, and the bookkeeping of applied events (last audit `seq`, latest
 * `occurredAt` applied, applied event ids, and `visited`, a bit set of the statuses the payout has
 * been in, bit `i` for `payoutStatuses[i]`).
 */
export interface PayoutContext {
  readonly payoutId: PayoutId
  readonly makerId: string | null
  readonly velocity: VelocityAction | null
  readonly risk: RiskAssessment | null
  readonly rfi: RfiState | null
  readonly rfiCount: number
  readonly completedAt: EpochMillis | null
  readonly seq: number
  readonly lastOccurredAt: EpochMillis
  readonly appliedEventIds: ReadonlyArray<string>
  readonly visited: number
}

/** The event the machine sees: a decoded payout event and the policy in force for this step. */
export type MachineEvent = PayoutEvent & { readonly config: ResolvedPayoutConfig }

/**
 * The machine's states, as dotted paths of its leaves. A status with sub-states
 * (`pending_approval`, `manual_review`) is always in one of them.
 *
 * @example
 * import { payoutStates } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(payoutStates.includes('manual_review.rfi_open'))
 * assert.equal(payoutStates.length, 19)
 */
export const payoutStates = [
  'created',
  'pending_screening',
  'screening_failed',
  'pending_approval.awaiting_velocity',
  'pending_approval.awaiting_risk_score',
  'pending_approval.awaiting_checker',
  'pending_engine_review',
  'manual_review.awaiting_decision',
  'manual_review.rfi_open',
  'manual_review.rfi_responded',
  'manual_review.rfi_escalated',
  'approved',
  'processing',
  'sent',
  'completed',
  'failed',
  'returned',
  'cancelled',
  'velocity_blocked',
] as const

/** A leaf state of the machine, as a dotted path. */
export type PayoutState = (typeof payoutStates)[number]

/**
 * The version of the machine definition written into serialised snapshots. It changes whenever a
 * snapshot of the old definition would not mean the same thing under the new one.
 *
 * @example
 * import { payoutMachineVersion } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(payoutMachineVersion, 1)
 */
export const payoutMachineVersion = 1

// ---------------------------------------------------------------- guards

/** The name of one of the machine's guards. */
export type PayoutGuardName =
  | 'noOpenRfi'
  | 'checkerIsNotMaker'
  | 'isCancellable'
  | 'insideLateReturnWindow'
  | 'riskAtOrAboveReviewTier'
  | 'makerCheckerOff'
  | 'velocityBlocks'
  | 'velocityNeedsReview'
  | 'rfiBlocked'

/** A guard: a pure, synchronous predicate of the context, the event, the policy and the current status. */
export type PayoutGuard = (
  context: PayoutContext,
  event: PayoutEvent,
  config: ResolvedPayoutConfig,
  status: PayoutStatus,
) => boolean

const isRiskScored = (event: PayoutEvent): event is Extract<PayoutEvent, { type: 'RISK_SCORED' }> =>
  event.type === 'RISK_SCORED'

/**
 * The machine's named guards, as plain functions. XState runs them through `setup`; the compiled
 * transition table calls them directly.
 *
 * @example
 * import { payoutGuards, defaultPayoutConfig } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(payoutGuards.isCancellable({} as never, {} as never, defaultPayoutConfig, 'created'), true)
 * assert.equal(payoutGuards.isCancellable({} as never, {} as never, defaultPayoutConfig, 'approved'), false)
 */
export const payoutGuards: { readonly [K in PayoutGuardName]: PayoutGuard } = {
  /** No RFI is open, responded to or escalated: the reviewer may decide. */
  noOpenRfi: (context) =>
    context.rfi === null || context.rfi.status === 'cleared' || context.rfi.status === 'blocked',
  /** The approving checker is identified and is not the maker. */
  checkerIsNotMaker: (context, event) => event.actor.id !== undefined && event.actor.id !== context.makerId,
  /** The payout is in a status it can still be cancelled from. */
  isCancellable: (_context, _event, _config, status) => cancellableStatuses.has(status),
  /** Late returns are on and this return is no later than the window after completion. */
  insideLateReturnWindow: (context, event, config) =>
    config.lateReturnWindowMs !== null &&
    context.completedAt !== null &&
    event.occurredAt - context.completedAt <= config.lateReturnWindowMs,
  /** The risk score's tier is at or above the review tier. */
  riskAtOrAboveReviewTier: (_context, event, config) =>
    isRiskScored(event) && isTierAtLeast(config.reviewTier)(tierOf(event.rawScore, config.tierBands)),
  /** Maker-checker is off: passing the checks approves the payout. */
  makerCheckerOff: (_context, _event, config) => !config.makerChecker,
  /** The velocity verdict is `block`. */
  velocityBlocks: (_context, event) => event.type === 'VELOCITY_EVALUATED' && event.verdict === 'block',
  /** The velocity verdict is `review`. */
  velocityNeedsReview: (_context, event) => event.type === 'VELOCITY_EVALUATED' && event.verdict === 'review',
  /** The RFI was resolved with outcome `blocked`. */
  rfiBlocked: (_context, event) => event.type === 'RFI_RESOLVED' && event.outcome === 'blocked',
}

// ---------------------------------------------------------------- context updates

/** The name of one of the machine's actions. */
export type PayoutUpdateName =
  | 'recordVelocity'
  | 'recordRisk'
  | 'openRfi'
  | 'respondRfi'
  | 'escalateRfi'
  | 'resolveRfi'
  | 'markCompleted'

/** A context update: pure, from the context, the event and the policy to the next context. */
export type PayoutUpdate = (
  context: PayoutContext,
  event: PayoutEvent,
  config: ResolvedPayoutConfig,
) => PayoutContext

const rfiWith = (context: PayoutContext, status: RfiStatus): PayoutContext =>
  context.rfi === null ? context : { ...context, rfi: { id: context.rfi.id, status } }

/**
 * The machine's named actions, as plain context updates. XState runs them as `assign` actions;
 * the compiled transition table calls them directly.
 *
 * @example
 * import { payoutUpdates, defaultPayoutConfig, type PayoutContext } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * const context = { payoutId: 'pay_1', rfi: null, rfiCount: 0 } as unknown as PayoutContext
 * const opened = payoutUpdates.openRfi(context, {} as never, defaultPayoutConfig)
 * assert.equal(opened.rfi?.status, 'open')
 * assert.match(opened.rfi?.id ?? '', /^rfi_[0-9a-f]{32}$/)
 */
export const payoutUpdates: { readonly [K in PayoutUpdateName]: PayoutUpdate } = {
  recordVelocity: (context, event) =>
    event.type === 'VELOCITY_EVALUATED' ? { ...context, velocity: event.verdict } : context,
  recordRisk: (context, event, config) =>
    isRiskScored(event)
      ? {
          ...context,
          risk: {
            rawScore: event.rawScore,
            tier: tierOf(event.rawScore, config.tierBands),
            evaluationId: event.evaluationId,
          },
        }
      : context,
  openRfi: (context) => ({
    ...context,
    rfiCount: context.rfiCount + 1,
    rfi: {
      id: deriveIdFast('rfi_', [context.payoutId, 'rfi', context.rfiCount + 1]) as RfiId,
      status: 'open',
    },
  }),
  respondRfi: (context) => rfiWith(context, 'responded'),
  escalateRfi: (context) => rfiWith(context, 'escalated'),
  resolveRfi: (context, event) => (event.type === 'RFI_RESOLVED' ? rfiWith(context, event.outcome) : context),
  markCompleted: (context, event) => ({ ...context, completedAt: event.occurredAt }),
}

// ---------------------------------------------------------------- the machine

type ContextGuard = (args: { readonly context: PayoutContext; readonly event: MachineEvent }) => boolean

const viaXState = (name: Exclude<PayoutGuardName, 'isCancellable'>): ContextGuard => {
  const guard: PayoutGuard = payoutGuards[name]
  return ({ context, event }) => guard(context, event, event.config, 'created')
}

const assigner = (name: PayoutUpdateName) => {
  const update: PayoutUpdate = payoutUpdates[name]
  return assign<PayoutContext, MachineEvent, undefined, MachineEvent, never>(({ context, event }) =>
    update(context, event, event.config),
  )
}

const riskDecision = [
  { guard: 'riskAtOrAboveReviewTier', target: '#payout.manual_review', actions: 'recordRisk' },
  { guard: 'makerCheckerOff', target: '#payout.approved', actions: 'recordRisk' },
  { target: '#payout.pending_approval.awaiting_checker', actions: 'recordRisk' },
] as const

const rfiResolution = [
  { guard: 'rfiBlocked', target: '#payout.cancelled', actions: 'resolveRfi' },
  { target: 'awaiting_decision', actions: 'resolveRfi' },
] as const

/**
 * The payout machine. Drive it with XState's pure `initialTransition` / `transition` (events are
 * payout events plus `config`), or — faster, with audit records and webhooks — with
 * `startPayout` / `applyPayoutEvent`.
 *
 * @example
 * import { payoutMachine, defaultPayoutConfig, startPayout } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const created = startPayout({ payoutId: 'pay_1', eventId: 'c', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(created))
 * const context = { ...created.right.snapshot.context, completedAt: 0 }
 * const completed = payoutMachine.resolveState({ value: 'completed', context })
 * assert.ok(completed.hasTag('terminal'))
 * const returned = { type: 'RAIL_RETURNED', eventId: 'r', occurredAt: 1, actor: { type: 'rail' } } as const
 * assert.ok(!completed.can({ ...returned, config: defaultPayoutConfig }))
 * assert.ok(completed.can({ ...returned, config: { ...defaultPayoutConfig, lateReturnWindowMs: 60_000 } }))
 */
export const payoutMachine = /* @__PURE__ */ setup({
  types: {
    context: {} as PayoutContext,
    events: {} as MachineEvent,
    input: {} as PayoutContext,
  },
  guards: {
    noOpenRfi: /* @__PURE__ */ viaXState('noOpenRfi'),
    checkerIsNotMaker: /* @__PURE__ */ viaXState('checkerIsNotMaker'),
    isCancellable: /* @__PURE__ */ or(
      /* @__PURE__ */ [...cancellableStatuses].map((s) => stateIn(`#payout.${s}`)),
    ),
    insideLateReturnWindow: /* @__PURE__ */ viaXState('insideLateReturnWindow'),
    riskAtOrAboveReviewTier: /* @__PURE__ */ viaXState('riskAtOrAboveReviewTier'),
    makerCheckerOff: /* @__PURE__ */ viaXState('makerCheckerOff'),
    velocityBlocks: /* @__PURE__ */ viaXState('velocityBlocks'),
    velocityNeedsReview: /* @__PURE__ */ viaXState('velocityNeedsReview'),
    rfiBlocked: /* @__PURE__ */ viaXState('rfiBlocked'),
  },
  actions: {
    recordVelocity: /* @__PURE__ */ assigner('recordVelocity'),
    recordRisk: /* @__PURE__ */ assigner('recordRisk'),
    openRfi: /* @__PURE__ */ assigner('openRfi'),
    respondRfi: /* @__PURE__ */ assigner('respondRfi'),
    escalateRfi: /* @__PURE__ */ assigner('escalateRfi'),
    resolveRfi: /* @__PURE__ */ assigner('resolveRfi'),
    markCompleted: /* @__PURE__ */ assigner('markCompleted'),
  },
}).createMachine({
  id: 'payout',
  context: ({ input }) => input,
  initial: 'created',
  on: {
    CANCEL: { guard: 'isCancellable', target: '.cancelled' },
  },
  states: {
    created: {
      on: { SUBMITTED: 'pending_screening' },
    },
    pending_screening: {
      on: {
        SCREENING_CLEARED: 'pending_approval',
        SCREENING_HIT: 'screening_failed',
        SCREENING_POSSIBLE_MATCH: 'manual_review',
      },
    },
    screening_failed: { type: 'final', tags: ['terminal'] },
    pending_approval: {
      initial: 'awaiting_velocity',
      states: {
        awaiting_velocity: {
          on: {
            VELOCITY_EVALUATED: [
              { guard: 'velocityBlocks', target: '#payout.velocity_blocked', actions: 'recordVelocity' },
              { guard: 'velocityNeedsReview', target: '#payout.manual_review', actions: 'recordVelocity' },
              { target: 'awaiting_risk_score', actions: 'recordVelocity' },
            ],
          },
        },
        awaiting_risk_score: {
          on: {
            RISK_SCORED: [...riskDecision],
            ENGINE_UNAVAILABLE: '#payout.pending_engine_review',
          },
        },
        awaiting_checker: {
          on: { APPROVED: { guard: 'checkerIsNotMaker', target: '#payout.approved' } },
        },
      },
    },
    pending_engine_review: {
      on: { RISK_SCORED: [...riskDecision] },
    },
    manual_review: {
      initial: 'awaiting_decision',
      on: {
        REVIEW_REJECTED: 'cancelled',
      },
      states: {
        awaiting_decision: {
          on: {
            // only here: in the rfi_* states an RFI is open, and the approval is refused (rfi_open)
            REVIEW_APPROVED: { guard: 'noOpenRfi', target: '#payout.approved' },
            RFI_OPENED: { target: 'rfi_open', actions: 'openRfi' },
          },
        },
        rfi_open: {
          on: {
            RFI_RESPONDED: { target: 'rfi_responded', actions: 'respondRfi' },
            RFI_ESCALATED: { target: 'rfi_escalated', actions: 'escalateRfi' },
            RFI_RESOLVED: [...rfiResolution],
          },
        },
        rfi_responded: {
          on: {
            RFI_ESCALATED: { target: 'rfi_escalated', actions: 'escalateRfi' },
            RFI_RESOLVED: [...rfiResolution],
          },
        },
        rfi_escalated: {
          on: {
            RFI_RESPONDED: { target: 'rfi_responded', actions: 'respondRfi' },
            RFI_RESOLVED: [...rfiResolution],
          },
        },
      },
    },
    approved: {
      on: { RAIL_SUBMITTED: 'processing' },
    },
    processing: {
      on: { RAIL_REJECTED: 'failed', RAIL_DISPATCHED: 'sent' },
    },
    sent: {
      on: {
        RAIL_SETTLED: { target: 'completed', actions: 'markCompleted' },
        RAIL_FAILED: 'failed',
        RAIL_RETURNED: 'returned',
      },
    },
    completed: {
      tags: ['terminal'],
      on: { RAIL_RETURNED: { guard: 'insideLateReturnWindow', target: 'returned' } },
    },
    failed: { type: 'final', tags: ['terminal'] },
    returned: { type: 'final', tags: ['terminal'] },
    cancelled: { type: 'final', tags: ['terminal'] },
    velocity_blocked: { type: 'final', tags: ['terminal'] },
  },
})
