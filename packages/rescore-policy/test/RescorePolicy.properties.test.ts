// Invariants a service relies on: Retry-After is honoured exactly, a clock stepping backwards
// never grants extra quota, no window ever admits more than N, and nothing throws on garbage.
import { fc, test } from '@fast-check/vitest'
import { arbGarbage } from '@payout-kernel/core/testing'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  completeRescore,
  decideRescore,
  decodeRescoreConfig,
  defaultRescoreConfig,
  failRescore,
  initialRescoreState,
  merchantQuotaLimit,
  pruneRescoreState,
  type RescoreConfig,
  type RescoreDecision,
  type RescoreRequest,
  type RescoreState,
} from '../src/index.js'
import {
  arbClockStep,
  arbEngineEvaluation,
  arbRescoreConfig,
  arbRescoreRequest,
} from '../src/testing/index.js'

const t0 = Date.UTC(2026, 0, 1)

const codeOf = (d: RescoreDecision): string =>
  d.response === null
    ? 'start'
    : 'error' in d.response.body
      ? d.response.body.error.code
      : String(d.response.status)

/** Counts against the quota: every answer after the quota check. */
const counted = (d: RescoreDecision): boolean =>
  ![
    'rescore_not_configured',
    'missing_idempotency_key',
    'invalid_idempotency_key',
    'validation_error',
    'rate_limit_exceeded',
  ].includes(codeOf(d))

interface Run {
  readonly state: RescoreState
  readonly now: number
  readonly latest: number
  readonly decisions: ReadonlyArray<{
    readonly request: RescoreRequest
    readonly at: number
    readonly decision: RescoreDecision
  }>
}

/** Plays steps (clock step, request, and whether to complete what it started) on the policy. */
const play = (
  config: RescoreConfig,
  steps: ReadonlyArray<readonly [number, RescoreRequest, boolean]>,
  evaluation = { current: { evaluationId: 'eval_1', rawScore: 500 }, previous: null },
): Run => {
  let state = initialRescoreState()
  let now = t0
  let latest = t0
  const decisions: Run['decisions'][number][] = []
  for (const [step, request, complete] of steps) {
    now += step
    latest = Math.max(latest, now)
    const decision = decideRescore(state, request, now, config)
    decisions.push({ request, at: now, decision })
    state = decision.state
    if (decision.response === null && complete) {
      const done = completeRescore(state, { lease: decision.effects[0].lease, ...evaluation }, now, config)
      if (E.isLeft(done)) throw new Error('bad outcome')
      state = done.right.state
    }
  }
  return { state, now, latest, decisions }
}

const arbSteps = (backwards: boolean) =>
  fc.array(fc.tuple(arbClockStep({ backwards }), arbRescoreRequest(), fc.boolean()), { maxLength: 40 })

describe('Retry-After', () => {
  test.prop([arbRescoreConfig, arbSteps(false)], { numRuns: 1000 })(
    'a request made exactly Retry-After seconds later is not refused by the same limit; one second earlier it is',
    (config, steps) => {
      const run = play(config, steps)
      const last = run.decisions[run.decisions.length - 1]
      if (last === undefined || last.decision.response?.status !== 429) return
      const code = codeOf(last.decision)
      const seconds = Number(last.decision.response.headers['Retry-After'])
      expect(Number.isInteger(seconds) && seconds >= 1).toBe(true)
      const later = decideRescore(run.state, last.request, last.at + seconds * 1000, config)
      expect(codeOf(later)).not.toBe(code)
      // Earlier, the same limit still refuses (or the merchant quota, checked first, does).
      if (seconds > 1)
        expect([code, 'rate_limit_exceeded']).toContain(
          codeOf(decideRescore(run.state, last.request, last.at + (seconds - 1) * 1000, config)),
        )
    },
  )
})

describe('merchant quota', () => {
  test.prop([arbRescoreConfig, arbSteps(true)], { numRuns: 1000 })(
    'no window of the quota length ever holds more than N admissions (policy time never goes back)',
    (config, steps) => {
      const run = play(config, steps)
      const admitted = new Map<string, number[]>()
      for (const { request, at, decision } of run.decisions) {
        if (!counted(decision)) continue
        const times = admitted.get(request.merchantId) ?? []
        times.push(Math.max(at, ...times)) // the quota's clock: never before an earlier admission
        admitted.set(request.merchantId, times)
      }
      for (const [merchant, times] of admitted) {
        const n = merchantQuotaLimit(config, merchant)
        for (const t of times)
          expect(times.filter((u) => u > t - config.quota.windowMs && u <= t).length).toBeLessThanOrEqual(n)
      }
    },
  )

  test.prop([arbRescoreConfig, arbSteps(true), fc.nat(), arbRescoreRequest()], { numRuns: 1000 })(
    'a clock stepped backwards never grants quota the latest time would not',
    (config, steps, back, probe) => {
      const run = play(config, steps)
      const earlier = run.latest - (back % (2 * config.quota.windowMs + 1))
      const atLatest = decideRescore(run.state, probe, run.latest, config)
      const atEarlier = decideRescore(run.state, probe, earlier, config)
      const remaining = (d: RescoreDecision) =>
        Number(d.response?.headers['X-RateLimit-Remaining'] ?? Number.NaN)
      if (codeOf(atLatest) === 'rate_limit_exceeded') expect(codeOf(atEarlier)).toBe('rate_limit_exceeded')
      if (atLatest.response !== null && atEarlier.response !== null)
        expect(remaining(atEarlier)).toBeLessThanOrEqual(remaining(atLatest))
    },
  )
})

describe('pruning', () => {
  test.prop([arbRescoreConfig, arbSteps(false), arbClockStep(), arbRescoreRequest()], { numRuns: 1000 })(
    'pruning at the current time changes no later answer, and leaves nothing once everything expired',
    (config, steps, step, probe) => {
      const run = play(config, steps)
      const pruned = pruneRescoreState(run.state, run.now, config)
      const later = run.now + step
      expect(decideRescore(pruned, probe, later, config).response).toEqual(
        decideRescore(run.state, probe, later, config).response,
      )
      const forever =
        run.now + config.idempotencyRetentionMs + config.cooldownMs + config.leaseMs + config.quota.windowMs
      const empty = pruneRescoreState(run.state, forever, config)
      expect([empty.quotas.size, empty.keys.size, empty.beneficiaries.size]).toEqual([0, 0, 0])
    },
  )
})

describe('hostile input', () => {
  const arbHostileRequest = fc.oneof(
    arbGarbage,
    fc.record({
      merchantId: fc.oneof(fc.constant('mer_a'), arbGarbage),
      method: fc.oneof(fc.constant('POST'), arbGarbage),
      path: fc.oneof(fc.constant('/v1/beneficiaries/ben_1/rescore'), arbGarbage),
      beneficiaryId: fc.oneof(fc.constant('ben_1'), arbGarbage),
      headers: fc.oneof(
        fc.constant({ 'Idempotency-Key': 'k' }),
        fc.dictionary(
          fc.constantFrom('Idempotency-Key', 'idempotency-key', 'IDEMPOTENCY-KEY', 'x'),
          arbGarbage,
        ),
        arbGarbage,
      ),
      body: arbGarbage,
      engine: fc.oneof(
        fc.constant({ configured: true, profileExists: true, locked: false }),
        fc.record({ configured: arbGarbage, profileExists: fc.boolean(), locked: arbGarbage }),
        arbGarbage,
      ),
    }),
  )

  test.prop([arbHostileRequest], { numRuns: 10_000 })(
    'decideRescore never throws: every answer has a known status and the rate-limit headers',
    (request) => {
      const d = decideRescore(initialRescoreState(), request as RescoreRequest, t0, defaultRescoreConfig)
      if (d.response === null) {
        expect(d.effects).toHaveLength(1)
        return
      }
      expect([202, 400, 404, 409, 422, 429, 501]).toContain(d.response.status)
      expect(Object.keys(d.response.headers)).toEqual(
        expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']),
      )
      expect(() => JSON.stringify(d.response?.body)).not.toThrow()
    },
  )

  test.prop([arbGarbage], { numRuns: 10_000 })(
    'completeRescore and failRescore turn garbage into a ValidationError, never a throw',
    (u) => {
      const c = completeRescore(initialRescoreState(), u as never, t0, defaultRescoreConfig)
      const f = failRescore(initialRescoreState(), u as never, t0, defaultRescoreConfig)
      expect(E.isLeft(c)).toBe(true)
      expect(E.isLeft(f)).toBe(true)
      if (E.isLeft(c)) expect(c.left.problems.length).toBeGreaterThan(0)
    },
  )

  test.prop(
    [arbEngineEvaluation, fc.constantFrom('current.rawScore', 'lease.startedAt', 'lease.beneficiaryId')],
    {
      numRuns: 300,
    },
  )('a bad outcome names the bad field', (evaluation, field) => {
    const lease = {
      merchantId: 'mer_a',
      idempotencyKey: 'k',
      beneficiaryId: field === 'lease.beneficiaryId' ? 'pay_1' : 'ben_1',
      fingerprint: 'f',
      startedAt: field === 'lease.startedAt' ? 1.5 : t0,
      expiresAt: t0 + 1,
    }
    const current =
      field === 'current.rawScore' ? { ...evaluation.current, rawScore: 1001 } : evaluation.current
    const c = completeRescore(
      initialRescoreState(),
      { lease, current, previous: evaluation.previous },
      t0,
      defaultRescoreConfig,
    )
    expect(E.isLeft(c) && c.left.problems.map((p) => p.field)).toEqual([field])
  })

  test.prop([arbGarbage], { numRuns: 10_000 })('decodeRescoreConfig refuses garbage with a Left', (u) => {
    const decoded = decodeRescoreConfig(u)
    if (E.isLeft(decoded)) expect(decoded.left.problems.length).toBeGreaterThan(0)
    else expect(u).toEqual(decoded.right)
  })

  test.prop([arbRescoreConfig], { numRuns: 1000 })(
    'generated configurations decode as they are',
    (config) => {
      expect(decodeRescoreConfig(config)).toEqual(E.right(config))
    },
  )

  test.prop(
    [
      arbRescoreConfig,
      fc.constantFrom(
        'cooldownMs',
        'leaseMs',
        'idempotencyRetentionMs',
        'quota.windowMs',
        'quota.requestsPerWindow',
      ),
      fc.oneof(fc.constant(0), fc.integer({ max: -1 }), fc.double({ noInteger: true }), fc.string()),
    ],
    { numRuns: 1000 },
  )('a non-positive or fractional duration or count is refused and named', (config, field, bad) => {
    const broken = field.startsWith('quota.')
      ? { ...config, quota: { ...config.quota, [field.slice(6)]: bad } }
      : { ...config, [field]: bad }
    const decoded = decodeRescoreConfig(broken)
    expect(E.isLeft(decoded) && decoded.left.problems.map((p) => p.field)).toEqual([field])
  })
})
