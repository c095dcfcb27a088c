/**
 * Scripts of rescore traffic — requests as the clock moves (sometimes backwards), engine answers
 * and failures of the rescores started, workers that die and leave their lease, pruning — and two
 * ways to play one: on the whole-state policy, and against a `RescoreRecordStore`. A store that
 * gives the same answers on every script decides as the policy does; the database stores are
 * tested that way, and so can a team's own store be.
 */

import fc from 'fast-check'
import * as E from '#fp-ts/Either'
import type { RescoreConfig } from '../RescoreConfig.js'
import { completeRescore, decideRescore, failRescore, type StartEngineRescore } from '../RescorePolicy.js'
import {
  completeRescoreIn,
  decideRescoreIn,
  failRescoreIn,
  type RescoreRecordStore,
} from '../RescoreRecords.js'
import type { RescoreRequest } from '../RescoreRequest.js'
import type { RescoreResponse } from '../RescoreResponse.js'
import { initialRescoreState, pruneRescoreState } from '../RescoreState.js'
import { arbClockStep, arbEngineEvaluation, arbRescoreRequest } from './arbitraries.js'

/**
 * One step of a script: a clock step (ms) and then a request, the settlement of one of the
 * rescores started and not yet settled (`pick` chooses which, modulo how many there are; a
 * worker that dies settles nothing), or a prune.
 *
 * @example
 * import type { RescoreScriptStep } from '@payout-kernel/rescore-policy/testing'
 * import assert from 'node:assert/strict'
 *
 * const step: RescoreScriptStep = { clock: 1000, action: { _tag: 'Prune' } }
 * assert.equal(step.action._tag, 'Prune')
 */
export interface RescoreScriptStep {
  readonly clock: number
  readonly action:
    | { readonly _tag: 'Request'; readonly request: RescoreRequest }
    | {
        readonly _tag: 'Complete'
        readonly pick: number
        readonly current: { readonly evaluationId: string; readonly rawScore: number }
        readonly previous: { readonly evaluationId: string; readonly rawScore: number } | null
      }
    | { readonly _tag: 'Fail'; readonly pick: number }
    | { readonly _tag: 'Die'; readonly pick: number }
    | { readonly _tag: 'Prune' }
}

/**
 * What a script's steps answered, in order: a response, `'start'` for a rescore started (with its
 * lease), `'settled-invalid'` for a settlement refused, or `'-'` for a step with no answer.
 *
 * @example
 * import type { RescoreScriptAnswer } from '@payout-kernel/rescore-policy/testing'
 * import assert from 'node:assert/strict'
 *
 * const a: RescoreScriptAnswer = '-'
 * assert.equal(a, '-')
 */
export type RescoreScriptAnswer =
  | RescoreResponse
  | { readonly start: StartEngineRescore['lease'] }
  | 'settled-invalid'
  | '-'

/**
 * Scripts of `length` steps (20 by default) over the request pools of `arbRescoreRequest`, so
 * keys, beneficiaries and merchants collide, with clock steps that sometimes go backwards.
 *
 * @example
 * import { arbRescoreScript } from '@payout-kernel/rescore-policy/testing'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbRescoreScript(), (script) => script.length <= 20))
 */
export const arbRescoreScript = (maxLength = 20): fc.Arbitrary<ReadonlyArray<RescoreScriptStep>> =>
  fc.array(
    fc.record({
      clock: arbClockStep({ backwards: true }),
      action: fc.oneof(
        {
          weight: 8,
          arbitrary: arbRescoreRequest().map((request) => ({ _tag: 'Request' as const, request })),
        },
        {
          weight: 3,
          arbitrary: fc.tuple(fc.nat(), arbEngineEvaluation).map(([pick, e]) => ({
            _tag: 'Complete' as const,
            pick,
            current: e.current,
            previous: e.previous,
          })),
        },
        { weight: 1, arbitrary: fc.nat().map((pick) => ({ _tag: 'Fail' as const, pick })) },
        { weight: 1, arbitrary: fc.nat().map((pick) => ({ _tag: 'Die' as const, pick })) },
        { weight: 1, arbitrary: fc.constant({ _tag: 'Prune' as const }) },
      ),
    }),
    { maxLength },
  )

const t0 = Date.UTC(2026, 0, 1)

/** Plays a script: `decide`, `settle` and `prune` are one form of the policy. */
const play = async (
  script: ReadonlyArray<RescoreScriptStep>,
  form: {
    readonly decide: (request: RescoreRequest, now: number) => Promise<RescoreScriptAnswer>
    readonly complete: (
      step: RescoreScriptStep['action'] & { _tag: 'Complete' },
      lease: StartEngineRescore['lease'],
      now: number,
    ) => Promise<RescoreScriptAnswer>
    readonly fail: (lease: StartEngineRescore['lease'], now: number) => Promise<RescoreScriptAnswer>
    readonly prune: (now: number) => Promise<void>
  },
): Promise<RescoreScriptAnswer[]> => {
  const answers: RescoreScriptAnswer[] = []
  const started: StartEngineRescore['lease'][] = []
  let now = t0
  let latest = t0
  // Pruning promises the answers from its time on: after a prune the clock never goes back before it.
  let floor = t0 - 1_000_000
  for (const { clock, action } of script) {
    now = Math.max(now + clock, floor)
    latest = Math.max(latest, now)
    switch (action._tag) {
      case 'Request': {
        const answer = await form.decide(action.request, now)
        if (typeof answer === 'object' && 'start' in answer) started.push(answer.start)
        answers.push(answer)
        break
      }
      case 'Prune':
        await form.prune(latest)
        floor = latest
        answers.push('-')
        break
      default: {
        if (started.length === 0) {
          answers.push('-')
          break
        }
        const [lease] = started.splice(action.pick % started.length, 1)
        if (lease === undefined || action._tag === 'Die') answers.push('-')
        else if (action._tag === 'Complete') answers.push(await form.complete(action, lease, now))
        else answers.push(await form.fail(lease, now))
      }
    }
  }
  return answers
}

const settled = (r: E.Either<unknown, RescoreResponse>): RescoreScriptAnswer =>
  E.isLeft(r) ? 'settled-invalid' : r.right

/**
 * A script's answers on the whole-state policy (`decideRescore`, `completeRescore`, `failRescore`,
 * `pruneRescoreState`), the reference.
 *
 * @example
 * import { defaultRescoreConfig } from '@payout-kernel/rescore-policy'
 * import { playRescoreScript } from '@payout-kernel/rescore-policy/testing'
 * import assert from 'node:assert/strict'
 *
 * const request = {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }
 * const answers = await playRescoreScript([{ clock: 0, action: { _tag: 'Request', request } }], defaultRescoreConfig)
 * assert.equal(answers.length, 1)
 */
export const playRescoreScript = async (
  script: ReadonlyArray<RescoreScriptStep>,
  config: RescoreConfig,
): Promise<RescoreScriptAnswer[]> => {
  let state = initialRescoreState()
  return play(script, {
    decide: async (request, now) => {
      const d = decideRescore(state, request, now, config)
      state = d.state
      return d.response === null ? { start: d.effects[0].lease } : d.response
    },
    complete: async (step, lease, now) => {
      const r = completeRescore(state, { lease, current: step.current, previous: step.previous }, now, config)
      if (E.isRight(r)) state = r.right.state
      return settled(E.map((s: { response: RescoreResponse }) => s.response)(r))
    },
    fail: async (lease, now) => {
      const r = failRescore(state, { lease }, now, config)
      if (E.isRight(r)) state = r.right.state
      return settled(E.map((s: { response: RescoreResponse }) => s.response)(r))
    },
    prune: async (now) => {
      state = pruneRescoreState(state, now, config)
    },
  })
}

/**
 * A script's answers against a record store (`decideRescoreIn`, `completeRescoreIn`,
 * `failRescoreIn`, `store.prune`): equal to `playRescoreScript`'s for a store that keeps its
 * contract.
 *
 * @example
 * import { defaultRescoreConfig, inMemoryRescoreRecords } from '@payout-kernel/rescore-policy'
 * import { arbRescoreScript, playRescoreScript, playRescoreScriptIn } from '@payout-kernel/rescore-policy/testing'
 * import assert from 'node:assert/strict'
 * import fc from 'fast-check'
 *
 * await fc.assert(fc.asyncProperty(arbRescoreScript(), async (script) => {
 *   assert.deepEqual(
 *     await playRescoreScriptIn(inMemoryRescoreRecords(), script, defaultRescoreConfig),
 *     await playRescoreScript(script, defaultRescoreConfig),
 *   )
 * }), { numRuns: 20 })
 */
export const playRescoreScriptIn = (
  store: RescoreRecordStore,
  script: ReadonlyArray<RescoreScriptStep>,
  config: RescoreConfig,
): Promise<RescoreScriptAnswer[]> =>
  play(script, {
    decide: async (request, now) => {
      const a = await decideRescoreIn(store, request, now, config)
      return a.response === null ? { start: a.effects[0].lease } : a.response
    },
    complete: async (step, lease, now) =>
      settled(
        await completeRescoreIn(
          store,
          { lease, current: step.current, previous: step.previous },
          now,
          config,
        ),
      ),
    fail: async (lease, now) => settled(await failRescoreIn(store, { lease }, now, config)),
    prune: async (now) => {
      await store.prune(now, config)
    },
  })
