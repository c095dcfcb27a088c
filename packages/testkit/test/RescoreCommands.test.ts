import {
  completeRescoreWith,
  decideRescoreWith,
  defaultRescoreConfig,
  failRescoreWith,
  inMemoryRescoreStore,
  type RescoreConfig,
  type RescoreResponse,
} from '@payout-kernel/rescore-policy'
import fc from 'fast-check'
import { expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import { type RescoreHarness, type RescoreServiceUnderTest, rescoreServiceProperty } from '../src/index.js'

/** The service of docs/rescore.md: the policy over an in-memory compare-and-set store. */
const service =
  (config: RescoreConfig, options: { readonly retryFailuresWithKey?: boolean } = {}) =>
  ({ engine, clock }: RescoreHarness): RescoreServiceUnderTest => {
    const store = inMemoryRescoreStore()
    return {
      post: async (request): Promise<RescoreResponse> => {
        const answer = await decideRescoreWith(store, request, clock(), config)
        if (answer.response !== null) return answer.response
        const lease = answer.effects[0].lease
        const settled = await engine.rescore(lease.beneficiaryId).then(
          (evaluation) => completeRescoreWith(store, { lease, ...evaluation }, clock(), config),
          // A buggy variant: on an engine failure, pretend it completed with a made-up score.
          () =>
            options.retryFailuresWithKey === false
              ? completeRescoreWith(
                  store,
                  { lease, current: { evaluationId: 'eval_0', rawScore: 0 }, previous: null },
                  clock(),
                  config,
                )
              : failRescoreWith(store, { lease }, clock(), config),
        )
        if (E.isLeft(settled)) throw new Error(JSON.stringify(settled.left))
        return settled.right
      },
    }
  }

test('the documented embedding agrees with the policy on every response', async () => {
  await fc.assert(rescoreServiceProperty(service(defaultRescoreConfig)), { numRuns: 150 })
})

test('the command set catches a service that hides engine failures', async () => {
  const result = await fc.check(
    rescoreServiceProperty(service(defaultRescoreConfig, { retryFailuresWithKey: false })),
    {
      numRuns: 300,
    },
  )
  expect(result.failed).toBe(true)
})

test('the command set catches a service that skips the policy and always starts a rescore', async () => {
  const eager = ({ engine }: RescoreHarness): RescoreServiceUnderTest => ({
    post: async (request) => {
      const evaluation = await engine.rescore(request.beneficiaryId)
      return { status: 200, headers: {}, body: evaluation as never }
    },
  })
  const result = await fc.check(rescoreServiceProperty(eager), { numRuns: 100 })
  expect(result.failed).toBe(true)
})
