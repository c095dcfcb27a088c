/**
 * A DPoP proof's `jti` is used once: the replay check as a keyed decision. It reads one record,
 * the `jti` of the key (`dpopReplayKeyOf`), and writes it back conditionally, so many instances
 * of a service share one store (`inMemoryDpopReplayStore` here; PostgreSQL in
 * `@payout-kernel/store-postgres`) and of two requests with one proof exactly one passes.
 *
 * The record is scoped by the key's thumbprint: a client can only make proofs with its own key,
 * so scoping costs nothing against replay, and one client cannot use up another's `jti` values.
 * A seen `jti` is kept for `windowMs` (5 minutes) from when it was first seen, which outlasts the
 * time its proof is acceptable at all: a proof accepted at `now` has `iat ≥ now − 60 s`, so it can
 * pass the `iat` check only until `now + 60 s`. `verifyDpopRequest` keeps that true for any `iat`
 * tolerance configured, by remembering a `jti` at least twice the tolerance (and a millisecond).
 */
import {
  type ConditionalWrite,
  decodeWith,
  guardDecoder,
  type ValidationError,
  type Versioned,
} from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import {
  confirmsDpopKey,
  type DpopOptions,
  type DpopProof,
  type DpopRefusal,
  type DpopRequest,
  defaultDpopOptions,
  dpopRefusal,
  verifyDpopProof,
} from './Dpop.js'
import { memoryRecords } from './internal/memoryRecords.js'

// ---------------------------------------------------------------- model

/**
 * The record a replay decision reads: a proof's `jti` under its key's thumbprint.
 *
 * @example
 * import { dpopReplayKeyOf } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(dpopReplayKeyOf({ jkt: 'k', jti: 'j-1', iat: 0 }), { jkt: 'k', jti: 'j-1' })
 */
export interface DpopReplayKey {
  /** The key's thumbprint. */
  readonly jkt: string
  /** The proof's id. */
  readonly jti: string
}

/**
 * A seen `jti`: when it was first seen and until when a proof with it is a replay (epoch ms).
 *
 * @example
 * import type { DpopReplayRecord } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const seen: DpopReplayRecord = { seenAt: 0, expiresAt: 300_000 }
 * assert.equal(seen.expiresAt - seen.seenAt, 300_000)
 */
export interface DpopReplayRecord {
  /** When the `jti` was first seen. */
  readonly seenAt: number
  /** Until when a proof with it is refused; at or past it the record counts as absent. */
  readonly expiresAt: number
}

/**
 * How long a seen `jti` is remembered, in ms (at least twice the `iat` tolerance).
 *
 * @example
 * import { defaultDpopReplayConfig } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(defaultDpopReplayConfig.windowMs, 300_000)
 */
export interface DpopReplayConfig {
  /** How long a seen `jti` is remembered, in ms. */
  readonly windowMs: number
}

/**
 * The default: a `jti` is remembered 5 minutes.
 *
 * @example
 * import { defaultDpopReplayConfig } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(defaultDpopReplayConfig, { windowMs: 300_000 })
 */
export const defaultDpopReplayConfig: DpopReplayConfig = /* @__PURE__ */ Object.freeze({ windowMs: 300_000 })

/**
 * A replay decision: `fresh` (the proof may pass once the write lands) or `replay`, and the write.
 *
 * @example
 * import { decideDpopReplay, defaultDpopReplayConfig, type DpopReplayDecision } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const d: DpopReplayDecision = decideDpopReplay(null, 0, defaultDpopReplayConfig)
 * assert.equal(d.answer, 'fresh')
 */
export interface DpopReplayDecision {
  /** Whether the `jti` is new. */
  readonly answer: 'fresh' | 'replay'
  /** What to write for the answer to hold (`null`: nothing). */
  readonly write: ConditionalWrite<DpopReplayRecord> | null
}

/**
 * Where seen `jti` values live: `read` gives a key's record and version (`null`: none), `write`
 * applies a write only if the record is still at the version expected (`false`: lost the race,
 * nothing written), `prune` deletes records expired at `now`. Any of them rejects when the store
 * is down.
 *
 * @example
 * import { inMemoryDpopReplayStore, type DpopReplayStore } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const store: DpopReplayStore = inMemoryDpopReplayStore()
 * const key = { jkt: 'k', jti: 'j-1' }
 * assert.equal(await store.write(key, { expected: null, value: { seenAt: 0, expiresAt: 10 } }), true)
 * assert.equal(await store.write(key, { expected: null, value: { seenAt: 0, expiresAt: 10 } }), false)
 * assert.equal(await store.prune(10), 1)
 */
export interface DpopReplayStore {
  /** The record of a key with its version, `null` when there is none. */
  readonly read: (key: DpopReplayKey) => Promise<Versioned<DpopReplayRecord> | null>
  /** Applies a write if the record is still at the version expected. */
  readonly write: (key: DpopReplayKey, write: ConditionalWrite<DpopReplayRecord>) => Promise<boolean>
  /** Deletes the records expired at `now`; resolves to how many. */
  readonly prune: (now: number) => Promise<number>
}

// ---------------------------------------------------------------- constructors and codecs

/**
 * The record a proof's replay check reads.
 *
 * @example
 * import { dpopReplayKeyOf } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(dpopReplayKeyOf({ jkt: 'k', jti: 'j-1', iat: 0 }).jti, 'j-1')
 */
export const dpopReplayKeyOf = (proof: DpopProof): DpopReplayKey => ({ jkt: proof.jkt, jti: proof.jti })

const Millis = /* @__PURE__ */ t.refinement(t.number, Number.isSafeInteger, 'EpochMillis')
const decodeRecord = /* @__PURE__ */ decodeWith(
  /* @__PURE__ */ t.type({ seenAt: Millis, expiresAt: Millis }, 'DpopReplayRecord'),
)

/**
 * Decodes a seen-`jti` record read back from a store: only its own fields, or a
 * `ValidationError` naming the field.
 *
 * @example
 * import { decodeDpopReplayRecord } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * assert.deepEqual(decodeDpopReplayRecord({ seenAt: 0, expiresAt: 5, extra: 1 }), E.right({ seenAt: 0, expiresAt: 5 }))
 * assert.ok(E.isLeft(decodeDpopReplayRecord({ seenAt: 0 })))
 */
export const decodeDpopReplayRecord = /* @__PURE__ */ guardDecoder(
  (u: unknown): E.Either<ValidationError, DpopReplayRecord> =>
    E.map((r: DpopReplayRecord) => ({ seenAt: r.seenAt, expiresAt: r.expiresAt }))(decodeRecord(u)),
)

// ---------------------------------------------------------------- operations

/**
 * Decides whether a proof's `jti` is new at `now`: a live record is a replay (nothing written);
 * none, or an expired one, is fresh, and the write records it until `now + windowMs`.
 *
 * @example
 * import { decideDpopReplay, defaultDpopReplayConfig } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const first = decideDpopReplay(null, 1_000, defaultDpopReplayConfig)
 * assert.deepEqual(first.write, { expected: null, value: { seenAt: 1_000, expiresAt: 301_000 } })
 * const again = decideDpopReplay({ version: 1, value: { seenAt: 1_000, expiresAt: 301_000 } }, 2_000, defaultDpopReplayConfig)
 * assert.deepEqual(again, { answer: 'replay', write: null })
 */
export const decideDpopReplay = (
  read: Versioned<DpopReplayRecord> | null,
  now: number,
  config: DpopReplayConfig,
): DpopReplayDecision =>
  read !== null && read.value.expiresAt > now
    ? { answer: 'replay', write: null }
    : {
        answer: 'fresh',
        write: { expected: read?.version ?? null, value: { seenAt: now, expiresAt: now + config.windowMs } },
      }

/**
 * The in-memory replay store: the `DpopReplayStore` contract, and how many records it holds.
 *
 * @example
 * import { inMemoryDpopReplayStore, type InMemoryDpopReplayStore } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const store: InMemoryDpopReplayStore = inMemoryDpopReplayStore()
 * assert.equal(store.size(), 0)
 */
export interface InMemoryDpopReplayStore extends DpopReplayStore {
  /** How many records the store holds (live or not yet pruned). */
  readonly size: () => number
}

/**
 * A replay store in one process's memory: for tests and single-instance services, and the
 * reference the database stores are held to. `size` says how many records it holds.
 *
 * @example
 * import { checkDpopReplayIn, inMemoryDpopReplayStore } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryDpopReplayStore()
 * const proof = { jkt: 'k', jti: 'j-1', iat: 0 }
 * assert.ok(E.isRight(await checkDpopReplayIn(store, proof, 0)))
 * assert.equal(store.size(), 1)
 */
export const inMemoryDpopReplayStore = (): InMemoryDpopReplayStore =>
  memoryRecords<DpopReplayKey, DpopReplayRecord>((key) => `${key.jkt.length}:${key.jkt}${key.jti}`)

/**
 * Checks a verified proof's `jti` against a shared store at `now`: the proof when it is new (and
 * now recorded), a `replay` refusal when it was seen, or an `unavailable` refusal (answer 503)
 * when the store failed or the decision lost its race `attempts` times (8 by default). Fails
 * closed: a proof never passes unrecorded.
 *
 * @example
 * import { checkDpopReplayIn, inMemoryDpopReplayStore } from '@payout-kernel/request-auth'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const store = inMemoryDpopReplayStore()
 * const proof = { jkt: 'k', jti: 'j-1', iat: 0 }
 * const [a, b] = await Promise.all([checkDpopReplayIn(store, proof, 0), checkDpopReplayIn(store, proof, 0)])
 * assert.deepEqual([a, b].map((x) => (E.isRight(x) ? 'passed' : x.left.reason)).sort(), ['passed', 'replay'])
 * assert.ok(E.isRight(await checkDpopReplayIn(store, proof, 300_000))) // remembered 5 minutes
 */
export const checkDpopReplayIn = async (
  store: DpopReplayStore,
  proof: DpopProof,
  now: number,
  config: DpopReplayConfig = defaultDpopReplayConfig,
  attempts = 8,
): Promise<E.Either<DpopRefusal, DpopProof>> => {
  if (!Number.isSafeInteger(now))
    return E.left(dpopRefusal('unavailable', 'the replay check needs now in whole epoch milliseconds'))
  // A window that is not a positive whole number would record nothing that lasts: fail closed.
  if (!Number.isSafeInteger(config?.windowMs) || !(config.windowMs > 0))
    return E.left(dpopRefusal('unavailable', 'the replay window is not a positive number of milliseconds'))
  const key = dpopReplayKeyOf(proof)
  try {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const decided = decideDpopReplay(await store.read(key), now, config)
      if (decided.write === null) return E.left(dpopRefusal('replay', 'the proof jti was already used'))
      if (await store.write(key, decided.write)) return E.right(proof)
    }
  } catch {
    return E.left(dpopRefusal('unavailable', 'the replay store failed'))
  }
  return E.left(dpopRefusal('unavailable', 'the replay check kept losing its race'))
}

/**
 * What a request's DPoP check needs besides the proof: the replay store, the access token's
 * `cnf` claim (absent on the token endpoint, where no token exists yet), and the options.
 *
 * @example
 * import { inMemoryDpopReplayStore, type DpopCheck } from '@payout-kernel/request-auth'
 * import assert from 'node:assert/strict'
 *
 * const check: DpopCheck = { store: inMemoryDpopReplayStore(), cnf: { jkt: 'k' } }
 * assert.ok(check.cnf !== undefined)
 */
export interface DpopCheck {
  /** Where seen `jti` values live. */
  readonly store: DpopReplayStore
  /** The access token's `cnf` claim; absent when the request has no token. */
  readonly cnf?: unknown
  /** How proofs are checked (default `defaultDpopOptions`). */
  readonly options?: DpopOptions
  /** How long a `jti` is remembered (default `defaultDpopReplayConfig`). */
  readonly replay?: DpopReplayConfig
}

/**
 * The whole DPoP check of a request, in the order that costs least when it fails: the proof
 * (`verifyDpopProof`), then the token's key binding (`confirmsDpopKey`, when the request carries a
 * token), then the replay check (`checkDpopReplayIn`), which records the `jti` only for a proof
 * that passed everything else.
 *
 * @example
 * import { dpopAccessTokenHash, inMemoryDpopReplayStore, verifyDpopRequest } from '@payout-kernel/request-auth'
 * import { signDpopProof } from '@payout-kernel/request-auth/testing'
 * import * as E from '#fp-ts/Either'
 * import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
 * import assert from 'node:assert/strict'
 *
 * const keys = await generateKeyPair('Ed25519')
 * const jkt = await calculateJwkThumbprint(await exportJWK(keys.publicKey))
 * const now = 1_700_000_000_000
 * const request = { method: 'POST', url: 'https://api.example.com/v1/payouts', accessToken: 'at_1' }
 * const proof = await signDpopProof(keys, { htm: 'POST', htu: request.url, iat: now / 1000, jti: 'j-1', accessToken: 'at_1' })
 * const check = { store: inMemoryDpopReplayStore(), cnf: { jkt } }
 * assert.ok(E.isRight(await verifyDpopRequest(proof, request, now, check)))
 * const replayed = await verifyDpopRequest(proof, request, now + 1_000, check)
 * assert.ok(E.isLeft(replayed) && replayed.left.reason === 'replay')
 */
export const verifyDpopRequest = async (
  proof: unknown,
  request: DpopRequest,
  now: number,
  check: DpopCheck,
): Promise<E.Either<DpopRefusal, DpopProof>> => {
  const options = check?.options ?? defaultDpopOptions
  const verified = await verifyDpopProof(proof, request, now, options)
  if (E.isLeft(verified)) return verified
  // A proof that verified came with a request object (it has the method and the URL).
  if (request.accessToken !== undefined) {
    const bound = confirmsDpopKey(verified.right, check?.cnf)
    if (E.isLeft(bound)) return bound
  }
  if (check?.store === undefined) return E.left(dpopRefusal('unavailable', 'no replay store was given'))
  return checkDpopReplayIn(
    check.store,
    verified.right,
    now,
    replayWindowFor(check.replay ?? defaultDpopReplayConfig, options),
  )
}

/**
 * The replay window a request check uses: the one configured, but never less than twice the
 * `iat` tolerance and a millisecond. A proof accepted at `now` has `iat` no earlier than
 * `now − tolerance`, so it stays acceptable until at most `now + 2 × tolerance`; its `jti` is
 * remembered past that, so no `iat` tolerance can make a replay pass after the record expires.
 */
const replayWindowFor = (replay: DpopReplayConfig, options: DpopOptions): DpopReplayConfig => ({
  windowMs: Math.max(replay.windowMs, 2 * options.iatToleranceMs + 1),
})
