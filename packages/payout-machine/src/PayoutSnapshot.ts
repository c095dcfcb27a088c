/**
 * A payout at rest: its leaf state, its status and the machine context. Snapshots are plain data;
 * they serialise to JSON with the machine version and restore only through a decoder that refuses
 * unknown versions and states.
 */
import {
  describeValue,
  EpochMillis,
  EvaluationId,
  fromDecodeErrors,
  guardDecoder,
  PayoutId,
  RfiId,
  type ValidationError,
  validationError,
} from '@payout-kernel/core'
import { RawRisk, Tier } from '@payout-kernel/trust'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { VelocityAction } from './PayoutEvent.js'
import { type PayoutContext, type PayoutState, payoutMachineVersion, payoutStates } from './PayoutMachine.js'
import { type PayoutStatus, payoutStatuses } from './PayoutStatus.js'

// ---------------------------------------------------------------- model

/** A payout between two events: the leaf state, the status it belongs to, and the machine context. */
export interface PayoutSnapshot {
  readonly state: PayoutState
  readonly status: PayoutStatus
  readonly context: PayoutContext
}

// ---------------------------------------------------------------- operations

/**
 * The status of a payout.
 *
 * @example
 * import { startPayout, statusOf } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'merchant', id: 'u1' } })
 * assert.ok(E.isRight(started))
 * assert.equal(statusOf(started.right.snapshot), 'created')
 */
export const statusOf = (snapshot: PayoutSnapshot): PayoutStatus => snapshot.status

// ---------------------------------------------------------------- codecs

const StateCodec = /* @__PURE__ */ t.keyof(
  /* @__PURE__ */ Object.fromEntries(/* @__PURE__ */ payoutStates.map((s) => [s, null])) as Record<
    PayoutState,
    null
  >,
  'PayoutState',
)

const Nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null])

const NonNegativeInt = /* @__PURE__ */ t.refinement(
  t.number,
  (n) => Number.isSafeInteger(n) && n >= 0,
  'NonNegativeInteger',
)

const ContextCodec = /* @__PURE__ */ t.type({
  payoutId: PayoutId,
  makerId: /* @__PURE__ */ Nullable(t.string),
  velocity: /* @__PURE__ */ Nullable(VelocityAction),
  risk: /* @__PURE__ */ Nullable(
    /* @__PURE__ */ t.type({ rawScore: RawRisk, tier: Tier, evaluationId: EvaluationId }),
  ),
  rfi: /* @__PURE__ */ Nullable(
    /* @__PURE__ */ t.type({
      id: RfiId,
      status: /* @__PURE__ */ t.keyof({
        open: null,
        responded: null,
        escalated: null,
        cleared: null,
        blocked: null,
      }),
    }),
  ),
  rfiCount: NonNegativeInt,
  completedAt: /* @__PURE__ */ Nullable(EpochMillis),
  seq: NonNegativeInt,
  lastOccurredAt: EpochMillis,
  appliedEventIds: /* @__PURE__ */ t.array(t.string),
  visited: /* @__PURE__ */ t.refinement(
    NonNegativeInt,
    (n) => n < 2 ** payoutStatuses.length,
    'StatusBitSet',
  ),
})

/** The serialised form of a snapshot: the machine name and version, the state, the context. */
export interface SerializedPayout {
  readonly machine: 'payout'
  readonly version: number
  readonly state: PayoutState
  readonly context: PayoutContext
}

/**
 * Writes a snapshot as JSON text with the machine version.
 *
 * @example
 * import { serializePayout, startPayout } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(started))
 * const json = JSON.parse(serializePayout(started.right.snapshot))
 * assert.equal(json.machine, 'payout')
 * assert.equal(json.version, 1)
 * assert.equal(json.state, 'created')
 */
export const serializePayout = (snapshot: PayoutSnapshot): string => {
  const serialized: SerializedPayout = {
    machine: 'payout',
    version: payoutMachineVersion,
    state: snapshot.state,
    context: snapshot.context,
  }
  return JSON.stringify(serialized)
}

/**
 * Reads a snapshot back from JSON text (or an already parsed value): the snapshot, or a
 * `ValidationError` naming what is wrong — not JSON, another machine, an unknown `version`, an
 * unknown `state`, a bad `context.*` field.
 *
 * @example
 * import { restorePayout, serializePayout, startPayout } from '@payout-kernel/payout-machine'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const started = startPayout({ payoutId: 'pay_1', eventId: 'c1', occurredAt: 0, actor: { type: 'system' } })
 * assert.ok(E.isRight(started))
 * const json = serializePayout(started.right.snapshot)
 * assert.deepEqual(restorePayout(json), E.right(started.right.snapshot))
 *
 * const future = restorePayout(json.replace('"version":1', '"version":2'))
 * assert.ok(E.isLeft(future) && future.left.problems[0]?.field === 'version')
 * const renamed = restorePayout(json.replace('"state":"created"', '"state":"draft"'))
 * assert.ok(E.isLeft(renamed) && renamed.left.problems[0]?.field === 'state')
 */
export const restorePayout = /* @__PURE__ */ guardDecoder(
  (json: unknown): E.Either<ValidationError, PayoutSnapshot> => {
    let u: unknown = json
    if (typeof json === 'string') {
      try {
        u = JSON.parse(json)
      } catch {
        return E.left(validationError('', 'is not JSON'))
      }
    }
    if (typeof u !== 'object' || u === null || Array.isArray(u))
      return E.left(validationError('', `must be a serialised payout object, got ${describeValue(u)}`))
    const s = u as Record<string, unknown>
    if (s.machine !== 'payout')
      return E.left(validationError('machine', `must be "payout", got ${describeValue(s.machine)}`))
    if (s.version !== payoutMachineVersion)
      return E.left(
        validationError(
          'version',
          `must be ${payoutMachineVersion} (this machine's version), got ${describeValue(s.version)}`,
        ),
      )
    if (!StateCodec.is(s.state))
      return E.left(
        validationError('state', `must be a state of this machine, got ${describeValue(s.state)}`),
      )
    const context = ContextCodec.decode(s.context)
    if (E.isLeft(context)) {
      const e = fromDecodeErrors(context.left)
      return E.left({
        _tag: 'ValidationError',
        problems: e.problems.map((p) => ({ ...p, field: p.field === '' ? 'context' : `context.${p.field}` })),
      })
    }
    const state = s.state
    const status = state.split('.')[0] as PayoutStatus
    return E.right({ state, status, context: context.right as PayoutContext })
  },
)
