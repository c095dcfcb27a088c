/**
 * Running the policy against a shared store: the state lives behind a compare-and-set (a
 * database row with a version column, a Redis key under WATCH, a variable in memory). Each call
 * reads the state and its version, decides, and writes the next state only if the version has not
 * moved; otherwise it decides again on the fresh state. Every answer is therefore one the pure
 * policy gives on some serial order of the requests, however many run at once. A store that fails
 * (or keeps losing the race) fails closed: `503 idempotency_unavailable`.
 */
import type { ValidationError } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import { unavailable } from './internal/Decision.js'
import type { RescoreConfig } from './RescoreConfig.js'
import {
  completeRescore,
  decideRescore,
  failRescore,
  type RescoreFailure,
  type RescoreOutcome,
  type RescoreSettlement,
  type StartEngineRescore,
} from './RescorePolicy.js'
import type { RescoreRequest } from './RescoreRequest.js'
import type { RescoreResponse } from './RescoreResponse.js'
import { initialRescoreState, type RescoreState } from './RescoreState.js'

// ---------------------------------------------------------------- model

/**
 * A state and the version it was stored under.
 *
 * @example
 * import { initialRescoreState, type VersionedRescoreState } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const v: VersionedRescoreState = { version: 0, state: initialRescoreState() }
 * assert.equal(v.version, 0)
 */
export interface VersionedRescoreState {
  readonly version: number
  readonly state: RescoreState
}

/**
 * Where a service keeps the state: read it with its version, and replace it only if the version
 * is still the one read (then the version moves on). Either may reject when the store is down.
 *
 * @example
 * import { inMemoryRescoreStore, type RescoreStore } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const store: RescoreStore = inMemoryRescoreStore()
 * const { version, state } = await store.read()
 * assert.equal(await store.compareAndSet(version, state), true)
 * assert.equal(await store.compareAndSet(version, state), false)
 */
export interface RescoreStore {
  /** Reads the current state and its version. */
  readonly read: () => Promise<VersionedRescoreState>
  /** Writes `next` only if the stored version is still `expectedVersion`; resolves to whether it did. */
  readonly compareAndSet: (expectedVersion: number, next: RescoreState) => Promise<boolean>
}

/** What a service sends or starts, the state having been written to the store. */
export type RescoreAnswer =
  | { readonly response: RescoreResponse; readonly effects: readonly [] }
  | { readonly response: null; readonly effects: readonly [StartEngineRescore] }

// ---------------------------------------------------------------- constructors

/**
 * A store in memory, for one process (and for tests): a variable and a version counter.
 *
 * @example
 * import { inMemoryRescoreStore } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryRescoreStore()
 * assert.equal((await store.read()).version, 0)
 */
export const inMemoryRescoreStore = (initial: RescoreState = initialRescoreState()): RescoreStore => {
  let current: VersionedRescoreState = { version: 0, state: initial }
  return {
    read: async () => current,
    compareAndSet: async (expectedVersion, next) => {
      if (current.version !== expectedVersion) return false
      current = { version: expectedVersion + 1, state: next }
      return true
    },
  }
}

// ---------------------------------------------------------------- operations

const defaultAttempts = 64

/** Reads, steps and writes until the write lands; `undefined` when the store fails or keeps moving. */
const update = async <A>(
  store: RescoreStore,
  step: (state: RescoreState) => { readonly state: RescoreState; readonly result: A },
  attempts: number,
): Promise<A | undefined> => {
  try {
    for (let i = 0; i < attempts; i++) {
      const { version, state } = await store.read()
      const next = step(state)
      if (next.state === state || (await store.compareAndSet(version, next.state))) return next.result
    }
  } catch {
    return undefined
  }
  return undefined
}

/**
 * `decideRescore` against a store: the response to send now, or the rescore to start (its
 * lease is then held in the store). `503 idempotency_unavailable` when the store fails.
 *
 * @example
 * import { decideRescoreWith, defaultRescoreConfig, inMemoryRescoreStore } from '@payout-kernel/rescore-policy'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryRescoreStore()
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const [a, b] = await Promise.all([
 *   decideRescoreWith(store, request, 0, defaultRescoreConfig),
 *   decideRescoreWith(store, { ...request, headers: { 'Idempotency-Key': 'k-2' } }, 0, defaultRescoreConfig),
 * ])
 * // Exactly one of the two starts the rescore; the other is told it is in flight.
 * assert.deepEqual([a.effects.length, b.response?.status], [1, 202])
 */
export const decideRescoreWith = async (
  store: RescoreStore,
  request: RescoreRequest,
  now: number,
  config: RescoreConfig,
  attempts: number = defaultAttempts,
): Promise<RescoreAnswer> => {
  const answer = await update(
    store,
    (state) => {
      const decision = decideRescore(state, request, now, config)
      const result: RescoreAnswer =
        decision.response === null
          ? { response: null, effects: decision.effects }
          : { response: decision.response, effects: decision.effects }
      return { state: decision.state, result }
    },
    attempts,
  )
  return answer ?? { response: unavailable(String(request?.merchantId ?? ''), config), effects: [] }
}

const settleWith = async (
  store: RescoreStore,
  merchantId: string,
  settle: (state: RescoreState) => E.Either<ValidationError, RescoreSettlement>,
  config: RescoreConfig,
  attempts: number,
): Promise<E.Either<ValidationError, RescoreResponse>> => {
  const result = await update<E.Either<ValidationError, RescoreResponse>>(
    store,
    (state) => {
      const settled = settle(state)
      return E.isLeft(settled)
        ? { state, result: settled }
        : { state: settled.right.state, result: E.right(settled.right.response) }
    },
    attempts,
  )
  return result ?? E.right(unavailable(merchantId, config))
}

/**
 * `completeRescore` against a store: the 200 to send (or the `ValidationError` of a bad outcome).
 *
 * @example
 * import { completeRescoreWith, decideRescoreWith, defaultRescoreConfig, inMemoryRescoreStore } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryRescoreStore()
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const started = await decideRescoreWith(store, request, 0, defaultRescoreConfig)
 * assert.ok(started.response === null)
 * const response = await completeRescoreWith(store, { lease: started.effects[0].lease, current: { evaluationId: 'eval_9', rawScore: 120 } }, 800, defaultRescoreConfig)
 * assert.ok(E.isRight(response))
 * assert.equal(response.right.status, 200)
 */
export const completeRescoreWith = (
  store: RescoreStore,
  outcome: RescoreOutcome,
  now: number,
  config: RescoreConfig,
  attempts: number = defaultAttempts,
): Promise<E.Either<ValidationError, RescoreResponse>> =>
  settleWith(
    store,
    String(outcome?.lease?.merchantId ?? ''),
    (state) => completeRescore(state, outcome, now, config),
    config,
    attempts,
  )

/**
 * `failRescore` against a store: the 502 to send, the lease and key freed.
 *
 * @example
 * import { decideRescoreWith, defaultRescoreConfig, failRescoreWith, inMemoryRescoreStore } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryRescoreStore()
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const started = await decideRescoreWith(store, request, 0, defaultRescoreConfig)
 * assert.ok(started.response === null)
 * const response = await failRescoreWith(store, { lease: started.effects[0].lease }, 10, defaultRescoreConfig)
 * assert.deepEqual(E.map((r: { status: number }) => r.status)(response), E.right(502))
 */
export const failRescoreWith = (
  store: RescoreStore,
  failure: RescoreFailure,
  now: number,
  config: RescoreConfig,
  attempts: number = defaultAttempts,
): Promise<E.Either<ValidationError, RescoreResponse>> =>
  settleWith(
    store,
    String(failure?.lease?.merchantId ?? ''),
    (state) => failRescore(state, failure, now, config),
    config,
    attempts,
  )
