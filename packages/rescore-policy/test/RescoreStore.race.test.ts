// Races: many requests, completions and failures run at once against the in-memory
// compare-and-set store, their reads and writes interleaved in every order fc.scheduler picks.
import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  completeRescoreWith,
  decideRescoreWith,
  defaultRescoreConfig,
  failRescoreWith,
  inMemoryRescoreStore,
  type RescoreConfig,
  type RescoreRequest,
  type RescoreResponse,
  type RescoreStore,
} from '../src/index.js'

const t0 = Date.UTC(2026, 0, 1)
const limit = 4

const config: RescoreConfig = {
  quota: {
    ...defaultRescoreConfig.quota,
    requestsPerWindow: limit as RescoreConfig['quota']['requestsPerWindow'],
  },
  cooldownMs: 1 as RescoreConfig['cooldownMs'],
  leaseMs: 1_000_000 as RescoreConfig['leaseMs'],
  idempotencyRetentionMs: 10_000_000 as RescoreConfig['idempotencyRetentionMs'],
}

interface Action {
  readonly merchantId: string
  readonly beneficiaryId: string
  readonly key: string
  readonly at: number
  readonly engineFails: boolean
}

const arbAction: fc.Arbitrary<Action> = fc.record({
  merchantId: fc.constantFrom('mer_a', 'mer_b'),
  beneficiaryId: fc.constantFrom('ben_1', 'ben_2'),
  key: fc.constantFrom('k-1', 'k-2', 'k-3'),
  at: fc.integer({ min: 0, max: 50 }),
  engineFails: fc.boolean(),
})

const requestOf = (a: Action): RescoreRequest => ({
  merchantId: a.merchantId,
  method: 'POST',
  path: `/v1/beneficiaries/${a.beneficiaryId}/rescore`,
  beneficiaryId: a.beneficiaryId,
  headers: { 'Idempotency-Key': a.key },
  engine: { configured: true, profileExists: true, locked: false },
})

const scheduled = (s: fc.Scheduler, store: RescoreStore): RescoreStore => ({
  read: s.scheduleFunction(store.read),
  compareAndSet: s.scheduleFunction(store.compareAndSet),
})

test.prop([fc.scheduler(), fc.array(arbAction, { minLength: 1, maxLength: 10 })], { numRuns: 300 })(
  'under any interleaving: one rescore per beneficiary in flight, at most N admitted, one start per key, replays identical',
  async (s, actions) => {
    const store = scheduled(s, inMemoryRescoreStore())
    const running = new Set<string>() // the engine's view: beneficiaries being rescored
    const starts = new Map<string, number>() // per merchant+key
    const failures = new Map<string, number>()
    const answers: { scope: string; response: RescoreResponse }[] = []
    const stored = new Map<string, string>() // per merchant+key: the 200 as sent

    const run = async (a: Action) => {
      const scope = `${a.merchantId}/${a.key}`
      const answer = await decideRescoreWith(store, requestOf(a), t0 + a.at, config)
      if (answer.response !== null) {
        answers.push({ scope, response: answer.response })
        return
      }
      const [effect] = answer.effects
      expect(running.has(effect.beneficiaryId)).toBe(false)
      running.add(effect.beneficiaryId)
      starts.set(scope, (starts.get(scope) ?? 0) + 1)
      await s.schedule(Promise.resolve('engine answers'))
      running.delete(effect.beneficiaryId)
      if (a.engineFails) {
        failures.set(scope, (failures.get(scope) ?? 0) + 1)
        const r = await failRescoreWith(store, { lease: effect.lease }, t0 + a.at + 1, config)
        if (E.isLeft(r)) throw new Error('bad failure')
      } else {
        const r = await completeRescoreWith(
          store,
          { lease: effect.lease, current: { evaluationId: 'eval_1', rawScore: 423 } },
          t0 + a.at + 1,
          config,
        )
        if (E.isLeft(r)) throw new Error('bad outcome')
        expect(r.right.status).toBe(200)
        stored.set(scope, JSON.stringify({ status: r.right.status, body: r.right.body }))
      }
    }

    await s.waitFor(Promise.all(actions.map(run)))

    // The same key never starts two rescores (a failure frees it for one more).
    for (const [scope, n] of starts) expect(n).toBeLessThanOrEqual(1 + (failures.get(scope) ?? 0))
    // Never more than N admitted per merchant: every answer but 503 and the quota 429 counted (all within 51 ms).
    for (const merchant of ['mer_a', 'mer_b']) {
      const counted =
        answers.filter(
          (x) =>
            x.scope.startsWith(`${merchant}/`) &&
            !(
              'error' in x.response.body &&
              ['rate_limit_exceeded', 'idempotency_unavailable'].includes(x.response.body.error.code)
            ),
        ).length + [...starts].filter(([k]) => k.startsWith(`${merchant}/`)).reduce((n, [, c]) => n + c, 0)
      expect(counted).toBeLessThanOrEqual(limit)
    }
    // A replay is byte-identical to the response it replays.
    for (const { scope, response } of answers)
      if (response.headers['X-Idempotent-Replayed'] === 'true' && response.status === 200)
        expect(JSON.stringify({ status: response.status, body: response.body })).toBe(stored.get(scope))
    expect(answers.some((x) => x.response.status === 503)).toBe(false)
  },
)
