/**
 * A model-based command set for a service that embeds the rescore policy behind
 * `POST /v1/beneficiaries/{id}/rescore`: fast-check posts requests, moves a clock, and answers or
 * fails the engine calls the service makes, while the library's own `decideRescore`,
 * `completeRescore` and `failRescore` run beside it; every response must be the same, byte for byte.
 */
import {
  completeRescore,
  decideRescore,
  defaultRescoreConfig,
  failRescore,
  initialRescoreState,
  type RescoreConfig,
  type RescoreLease,
  type RescoreRequest,
  type RescoreResponse,
  type RescoreState,
} from '@payout-kernel/rescore-policy'
import { arbRescoreRequest, type RescoreRequestPools } from '@payout-kernel/rescore-policy/testing'
import fc from 'fast-check'
import * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- model

/** The engine's answer to a rescore, as the fake engine hands it to the service. */
export interface EngineEvaluation {
  readonly current: { readonly evaluationId: string; readonly rawScore: number }
  readonly previous: { readonly evaluationId: string; readonly rawScore: number } | null
}

/** An engine call the service made and the command set has not answered yet. */
interface PendingCall {
  readonly beneficiaryId: string
  readonly resolve: (answer: EngineEvaluation) => void
  readonly reject: (error: Error) => void
}

/**
 * The fake engine and clock the command set hands to the service under test: the service calls
 * `engine.rescore(beneficiaryId)` where it would call the real engine, and reads `clock()` for now.
 */
export interface RescoreHarness {
  /** The fake engine: call it where the service would start a Payee-pillar rescore. */
  readonly engine: {
    /** Starts a rescore of the beneficiary; settles when the command set answers or fails it. */
    rescore(beneficiaryId: string): Promise<EngineEvaluation>
  }
  /** The test's clock, in epoch milliseconds: the service reads it for every `now`. */
  readonly clock: () => number
}

/** The service under test: it answers one request (awaiting the engine when it starts a rescore). */
export interface RescoreServiceUnderTest {
  /** Handles one request to `POST /v1/beneficiaries/{id}/rescore` and resolves to the response it sends. */
  post(request: RescoreRequest): Promise<RescoreResponse>
}

/** The model: the policy's state, the clock, the rescores started and not yet answered. */
export interface RescoreModel {
  state: RescoreState
  now: number
  readonly config: RescoreConfig
  readonly pending: Array<{ readonly lease: RescoreLease; readonly response: Promise<RescoreResponse> }>
  readonly calls: PendingCall[]
}

/** A command of the rescore command set. */
export type RescoreCommand = fc.AsyncCommand<RescoreModel, RescoreServiceUnderTest>

const same = (actual: RescoreResponse, expected: RescoreResponse, what: string): void => {
  const a = JSON.stringify(actual)
  const e = JSON.stringify(expected)
  if (a !== e) throw new Error(`${what}: the service answered ${a}, the policy ${e}`)
}

/**
 * Lets the service run until it waits on something the command set controls: a macrotask turn
 * (every runtime has `setTimeout`), so the service's own store round-trips complete first.
 */
const settle = (): Promise<void> => {
  const timer = (globalThis as { setTimeout?: (f: () => void, ms: number) => unknown }).setTimeout
  return new Promise<void>((resolve) => (timer ? timer(resolve, 0) : Promise.resolve().then(resolve)))
}

// ---------------------------------------------------------------- commands

class Post implements RescoreCommand {
  constructor(readonly request: RescoreRequest) {}
  check = () => true
  async run(model: RescoreModel, real: RescoreServiceUnderTest): Promise<void> {
    const decision = decideRescore(model.state, this.request, model.now, model.config)
    model.state = decision.state
    const calls = model.calls.length
    const response = real.post(this.request)
    const [effect] = decision.effects
    await settle()
    if (decision.response !== null) {
      if (model.calls.length > calls)
        throw new Error(
          `the service called the engine; the policy answered ${JSON.stringify(decision.response)}`,
        )
      same(await response, decision.response, 'answer')
      return
    }
    if (effect === undefined) throw new Error('the policy gave neither a response nor an effect')
    if (model.calls.length !== calls + 1 || model.calls[calls]?.beneficiaryId !== effect.beneficiaryId)
      throw new Error(
        `the policy started a rescore of ${effect.beneficiaryId}; the service did not call the engine for it`,
      )
    model.pending.push({ lease: effect.lease, response })
  }
  toString = () => `Post(${fc.stringify(this.request)})`
}

class EngineAnswers implements RescoreCommand {
  constructor(
    readonly index: number,
    readonly evaluation: EngineEvaluation | 'fails',
  ) {}
  check = (model: Readonly<RescoreModel>) => model.pending.length > 0
  async run(model: RescoreModel, _real: RescoreServiceUnderTest): Promise<void> {
    const i = this.index % model.pending.length
    const [pending] = model.pending.splice(i, 1)
    const [call] = model.calls.splice(i, 1)
    if (pending === undefined || call === undefined) return
    const settled =
      this.evaluation === 'fails'
        ? failRescore(model.state, { lease: pending.lease }, model.now, model.config)
        : completeRescore(model.state, { lease: pending.lease, ...this.evaluation }, model.now, model.config)
    if (E.isLeft(settled))
      throw new Error(`the policy refused the engine's answer: ${JSON.stringify(settled.left)}`)
    model.state = settled.right.state
    if (this.evaluation === 'fails') call.reject(new Error('engine unavailable'))
    else call.resolve(this.evaluation)
    same(await pending.response, settled.right.response, 'after the engine answered')
  }
  toString = () => `EngineAnswers(${this.index}, ${fc.stringify(this.evaluation)})`
}

class Tick implements RescoreCommand {
  constructor(readonly ms: number) {}
  check = () => true
  async run(model: RescoreModel): Promise<void> {
    model.now += this.ms
  }
  toString = () => `Tick(${this.ms})`
}

const arbEvaluation: fc.Arbitrary<EngineEvaluation> = fc.record({
  current: fc.record({
    evaluationId: fc.nat(999).map((n) => `eval_${n}`),
    rawScore: fc.integer({ min: 0, max: 1000 }),
  }),
  previous: fc.option(
    fc.record({
      evaluationId: fc.nat(999).map((n) => `eval_${n}`),
      rawScore: fc.integer({ min: 0, max: 1000 }),
    }),
    { nil: null },
  ),
})

/**
 * The command set: requests from small pools (so keys, beneficiaries and merchants meet again),
 * engine answers and failures for rescores in flight, and clock steps from a millisecond to past
 * the cooldown.
 *
 * @example
 * import { rescoreCommands } from '@payout-kernel/testkit'
 * import fc from 'fast-check'
 * import assert from 'node:assert/strict'
 *
 * const [commands] = fc.sample(rescoreCommands({ maxCommands: 8 }), 1)
 * assert.ok(commands !== undefined && [...commands].length <= 8)
 */
export const rescoreCommands = (
  options: { readonly maxCommands?: number; readonly pools?: RescoreRequestPools } = {},
): fc.Arbitrary<Iterable<RescoreCommand>> =>
  fc.commands(
    [
      arbRescoreRequest(options.pools).map((r) => new Post(r)),
      arbRescoreRequest(options.pools).map((r) => new Post(r)),
      fc
        .tuple(fc.nat(), fc.oneof(arbEvaluation, fc.constant<'fails'>('fails')))
        .map(([i, e]) => new EngineAnswers(i, e)),
      fc
        .oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 400_000 }))
        .map((ms) => new Tick(ms)),
    ],
    { maxCommands: options.maxCommands ?? 40 },
  )

/**
 * A property: for any command sequence, the service built by `makeService` (given the fake engine
 * and clock) answers every request exactly as the rescore policy does.
 *
 * @example
 * import { rescoreServiceProperty } from '@payout-kernel/testkit'
 * import { completeRescoreWith, decideRescoreWith, defaultRescoreConfig, failRescoreWith, inMemoryRescoreStore } from '@payout-kernel/rescore-policy'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * // The service of docs/rescore.md: the policy over an in-memory compare-and-set store.
 * await fc.assert(
 *   rescoreServiceProperty(({ engine, clock }) => {
 *     const store = inMemoryRescoreStore()
 *     const config = defaultRescoreConfig
 *     return {
 *       post: async (request) => {
 *         const answer = await decideRescoreWith(store, request, clock(), config)
 *         if (answer.response !== null) return answer.response
 *         const lease = answer.effects[0].lease
 *         const settled = await engine.rescore(lease.beneficiaryId).then(
 *           (evaluation) => completeRescoreWith(store, { lease, ...evaluation }, clock(), config),
 *           () => failRescoreWith(store, { lease }, clock(), config),
 *         )
 *         if (E.isLeft(settled)) throw new Error('refused')
 *         return settled.right
 *       },
 *     }
 *   }),
 *   { numRuns: 20 },
 * )
 */
export const rescoreServiceProperty = (
  makeService: (harness: RescoreHarness) => RescoreServiceUnderTest | Promise<RescoreServiceUnderTest>,
  options: {
    readonly maxCommands?: number
    readonly config?: RescoreConfig
    readonly pools?: RescoreRequestPools
  } = {},
): fc.IAsyncProperty<[Iterable<RescoreCommand>]> =>
  fc.asyncProperty(rescoreCommands(options), async (commands) => {
    const model: RescoreModel = {
      state: initialRescoreState(),
      now: Date.UTC(2026, 0, 1),
      config: options.config ?? defaultRescoreConfig,
      pending: [],
      calls: [],
    }
    const harness: RescoreHarness = {
      clock: () => model.now,
      engine: {
        rescore: (beneficiaryId) =>
          new Promise<EngineEvaluation>((resolve, reject) => {
            model.calls.push({ beneficiaryId, resolve, reject })
          }),
      },
    }
    const real = await makeService(harness)
    await fc.asyncModelRun(() => ({ model, real }), commands)
  })
