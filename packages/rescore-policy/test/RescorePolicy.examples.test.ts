// Pinned examples: one per row of the DOMAIN.md §6 table, and the check order where several hold.

import { describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  completeRescore,
  decideRescore,
  defaultRescoreConfig,
  failRescore,
  initialRescoreState,
  type RescoreConfig,
  type RescoreDecision,
  type RescoreRequest,
  type RescoreState,
} from '../src/index.js'

const t0 = Date.UTC(2026, 0, 1)
const config: RescoreConfig = {
  ...defaultRescoreConfig,
  quota: {
    ...defaultRescoreConfig.quota,
    requestsPerWindow: 2 as RescoreConfig['quota']['requestsPerWindow'],
  },
}

const request = (over: Partial<RescoreRequest> & { key?: string | null } = {}): RescoreRequest => {
  const { key = 'k-1', ...rest } = over
  const beneficiaryId = rest.beneficiaryId ?? 'ben_1'
  return {
    merchantId: 'mer_acme',
    method: 'POST',
    path: `/v1/beneficiaries/${beneficiaryId}/rescore`,
    beneficiaryId,
    headers: key === null ? {} : { 'Idempotency-Key': key },
    engine: { configured: true, profileExists: true, locked: false },
    ...rest,
  }
}

const code = (d: RescoreDecision): string | number | null =>
  d.response === null ? null : 'error' in d.response.body ? d.response.body.error.code : d.response.status

const started = (state: RescoreState, r: RescoreRequest, now: number) => {
  const d = decideRescore(state, r, now, config)
  if (d.response !== null) throw new Error(`expected a start, got ${d.response.status}`)
  return d
}

const completed = (state: RescoreState, r: RescoreRequest, now: number, done: number): RescoreState => {
  const d = started(state, r, now)
  const c = completeRescore(
    d.state,
    { lease: d.effects[0].lease, current: { evaluationId: 'eval_2', rawScore: 423 } },
    done,
    config,
  )
  if (E.isLeft(c)) throw new Error('bad outcome')
  return c.right.state
}

describe('each row of the table', () => {
  test('start, then 200 with the verdict, stored and replayed with X-Idempotent-Replayed', () => {
    const d = started(initialRescoreState(), request(), t0)
    expect(d.effects).toEqual([
      {
        _tag: 'StartEngineRescore',
        beneficiaryId: 'ben_1',
        pillar: 'payee',
        reason: 'ops_review',
        lease: {
          merchantId: 'mer_acme',
          idempotencyKey: 'k-1',
          beneficiaryId: 'ben_1',
          fingerprint: '{"beneficiary_id":"ben_1","method":"POST","path":"/v1/beneficiaries/ben_1/rescore"}',
          startedAt: t0,
          expiresAt: t0 + 30_000,
        },
      },
    ])
    const c = completeRescore(
      d.state,
      { lease: d.effects[0].lease, current: { evaluationId: 'eval_2', rawScore: 423 }, previous: null },
      t0 + 700,
      config,
    )
    if (E.isLeft(c)) throw new Error('bad outcome')
    expect(c.right.response).toEqual({
      status: 200,
      headers: {
        'Content-Type': 'application/json',
        'X-RateLimit-Limit': '2',
        'X-RateLimit-Remaining': '1',
        'X-RateLimit-Reset': '60',
      },
      body: {
        pillar: 'payee',
        resource_id: 'ben_1',
        new_evaluation_id: 'eval_2',
        new_trust_score: 0.577,
        new_tier: 'MEDIUM',
        new_score: 423,
        previous_score: null,
      },
    })
    const replay = decideRescore(c.right.state, request({ body: { anything: 1 } }), t0 + 1000, config)
    expect(replay.response?.status).toBe(200)
    expect(JSON.stringify(replay.response?.body)).toBe(JSON.stringify(c.right.response.body))
    expect(replay.response?.headers['X-Idempotent-Replayed']).toBe('true')
    expect(replay.response?.headers['X-RateLimit-Remaining']).toBe('0')
  })

  test('202 in flight for another key, with no Cache-Control', () => {
    const d = started(initialRescoreState(), request(), t0)
    const other = decideRescore(d.state, request({ key: 'k-2' }), t0 + 5, config)
    expect(other.response).toEqual({
      status: 202,
      headers: {
        'Content-Type': 'application/json',
        'X-RateLimit-Limit': '2',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '60',
      },
      body: { status: 'in_flight' },
    })
  })

  test('429 rescore_rate_limited during the cooldown, Retry-After rounded up and honoured exactly', () => {
    const s = completed(initialRescoreState(), request(), t0, t0 + 1500)
    const wide = {
      ...config,
      quota: { ...config.quota, requestsPerWindow: 100 as RescoreConfig['quota']['requestsPerWindow'] },
    }
    const d = decideRescore(s, request({ key: 'k-2' }), t0 + 2000, wide)
    expect(d.response?.status).toBe(429)
    expect(code(d)).toBe('rescore_rate_limited')
    // cooldown ends at t0 + 1500 + 300000; 299500 ms left → 300 s
    expect(d.response?.headers['Retry-After']).toBe('300')
    expect(d.response?.headers['Cache-Control']).toBe('no-store')
    expect(code(decideRescore(s, request({ key: 'k-2' }), t0 + 2000 + 300_000, wide))).toBe(null)
  })

  test('409 beneficiary_scoring_locked, stored and replayed', () => {
    const locked = request({ engine: { configured: true, profileExists: true, locked: true } })
    const d = decideRescore(initialRescoreState(), locked, t0, config)
    expect(d.response?.status).toBe(409)
    expect(d.response?.body).toEqual({
      error: {
        code: 'beneficiary_scoring_locked',
        message: 'the beneficiary is permanently locked; do not retry',
      },
    })
    expect(d.response?.headers['Cache-Control']).toBeUndefined()
    // replayed even once the engine would say otherwise
    const again = decideRescore(d.state, request(), t0 + 1, config)
    expect([again.response?.status, again.response?.headers['X-Idempotent-Replayed']]).toEqual([409, 'true'])
    expect(again.response?.body).toEqual(d.response?.body)
  })

  test('404 engine_beneficiary_not_found, not stored', () => {
    const d = decideRescore(
      initialRescoreState(),
      request({ engine: { configured: true, profileExists: false, locked: false } }),
      t0,
      config,
    )
    expect([d.response?.status, code(d), d.response?.headers['Cache-Control']]).toEqual([
      404,
      'engine_beneficiary_not_found',
      'no-store',
    ])
    expect(d.state.keys.size).toBe(0)
    expect(code(decideRescore(d.state, request(), t0 + 1, config))).toBe(null)
  })

  test('501 rescore_not_configured, counts nothing', () => {
    const d = decideRescore(
      initialRescoreState(),
      request({ engine: { configured: false, profileExists: false, locked: false } }),
      t0,
      config,
    )
    expect([d.response?.status, code(d), d.response?.headers['Cache-Control']]).toEqual([
      501,
      'rescore_not_configured',
      'no-store',
    ])
    expect(d.response?.headers['X-RateLimit-Remaining']).toBe('2')
    expect(d.state).toBe(initialRescoreState())
  })

  test('429 rate_limit_exceeded once the merchant quota is spent, Retry-After to the exact slot', () => {
    let s = initialRescoreState()
    s = decideRescore(s, request({ key: 'a', beneficiaryId: 'ben_1' }), t0, config).state
    s = decideRescore(s, request({ key: 'b', beneficiaryId: 'ben_2' }), t0 + 10_500, config).state
    const d = decideRescore(s, request({ key: 'c', beneficiaryId: 'ben_3' }), t0 + 20_000, config)
    expect([d.response?.status, code(d)]).toEqual([429, 'rate_limit_exceeded'])
    expect(d.response?.headers).toEqual({
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'Retry-After': '40',
      'X-RateLimit-Limit': '2',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '40',
    })
    expect(code(decideRescore(s, request({ key: 'c', beneficiaryId: 'ben_3' }), t0 + 59_999, config))).toBe(
      'rate_limit_exceeded',
    )
    expect(code(decideRescore(s, request({ key: 'c', beneficiaryId: 'ben_3' }), t0 + 60_000, config))).toBe(
      null,
    )
  })

  test('the tier multiplies the quota', () => {
    const tiered = { ...config, quota: { ...config.quota, merchantTiers: { mer_acme: 5 as const } } }
    const d = decideRescore(initialRescoreState(), request(), t0, tiered)
    expect(d.state.quotas.size).toBe(1)
    const next = decideRescore(d.state, request({ key: 'k-2' }), t0, tiered)
    expect(next.response?.headers['X-RateLimit-Limit']).toBe('10')
    expect(next.response?.headers['X-RateLimit-Remaining']).toBe('8')
  })

  test('400 missing_idempotency_key and invalid_idempotency_key', () => {
    expect(code(decideRescore(initialRescoreState(), request({ key: null }), t0, config))).toBe(
      'missing_idempotency_key',
    )
    expect(code(decideRescore(initialRescoreState(), request({ key: '   ' }), t0, config))).toBe(
      'missing_idempotency_key',
    )
    const long = decideRescore(initialRescoreState(), request({ key: 'x'.repeat(256) }), t0, config)
    expect([long.response?.status, code(long)]).toEqual([400, 'invalid_idempotency_key'])
    expect(code(decideRescore(initialRescoreState(), request({ key: 'x'.repeat(255) }), t0, config))).toBe(
      null,
    )
    expect(code(decideRescore(initialRescoreState(), request({ key: 'tab\tkey' }), t0, config))).toBe(
      'invalid_idempotency_key',
    )
  })

  test('422 validation_error for an id that is not a beneficiary id', () => {
    const d = decideRescore(initialRescoreState(), request({ beneficiaryId: 'pay_1' }), t0, config)
    expect(d.response?.status).toBe(422)
    expect(d.response?.body).toEqual({
      error: {
        code: 'validation_error',
        message: 'id: must be a beneficiary id (ben_…), got "pay_1"',
        details: [{ field: 'id', message: 'must be a beneficiary id (ben_…), got "pay_1"' }],
      },
    })
  })

  test('409 idempotency_conflict and idempotency_in_flight', () => {
    const d = started(initialRescoreState(), request(), t0)
    expect(code(decideRescore(d.state, request(), t0 + 1, config))).toBe('idempotency_in_flight')
    expect(code(decideRescore(d.state, request({ beneficiaryId: 'ben_2' }), t0 + 1, config))).toBe(
      'idempotency_conflict',
    )
  })

  test('a failed engine call frees the lease and the key, and spends no cooldown', () => {
    const d = started(initialRescoreState(), request(), t0)
    const f = failRescore(d.state, { lease: d.effects[0].lease }, t0 + 100, config)
    if (E.isLeft(f)) throw new Error('bad failure')
    expect([
      f.right.response.status,
      'error' in f.right.response.body && f.right.response.body.error.code,
    ]).toEqual([502, 'engine_unavailable'])
    expect(code(decideRescore(f.right.state, request(), t0 + 200, config))).toBe(null)
  })

  // Found by the model test (a CI run, seed 629386293): the verdict came back just as the key's
  // retention ended; an instance whose clock is a little behind must replay it, not answer 409.
  test('a verdict that arrives as the key expires is still replayed by an instance whose clock is behind', () => {
    const ms = 1_000 as RescoreConfig['leaseMs']
    const short: RescoreConfig = { ...config, leaseMs: ms, idempotencyRetentionMs: ms }
    const d = decideRescore(initialRescoreState(), request(), t0, short)
    const lease = d.effects[0]?.lease
    if (lease === undefined) throw new Error('no rescore started')
    const done = completeRescore(
      d.state,
      { lease, current: { evaluationId: 'eval_2', rawScore: 423 }, previous: null },
      t0 + 1_000,
      short,
    )
    if (E.isLeft(done)) throw new Error('bad completion')
    const behind = decideRescore(done.right.state, request(), t0 + 999, short)
    expect([behind.response?.status, behind.response?.headers['X-Idempotent-Replayed']]).toEqual([
      200,
      'true',
    ])
    expect(behind.response?.body).toEqual(done.right.response.body)
    // By the completing instance's own clock the key is gone: a new use starts (after the cooldown).
    expect(code(decideRescore(done.right.state, request(), t0 + 1_000 + config.cooldownMs, short))).toBe(null)
  })

  test('a lapsed lease lets a new rescore start', () => {
    const d = started(initialRescoreState(), request(), t0)
    expect(code(decideRescore(d.state, request({ key: 'k-2' }), t0 + 29_999, config))).toBe(202)
    expect(code(decideRescore(d.state, request({ key: 'k-2' }), t0 + 30_000, config))).toBe(null)
  })
})

describe('check order when several rows hold', () => {
  const everythingWrong = request({
    key: null,
    beneficiaryId: 'nope',
    engine: { configured: false, profileExists: false, locked: true },
  })
  test('501 before 400 before 422', () => {
    expect(code(decideRescore(initialRescoreState(), everythingWrong, t0, config))).toBe(
      'rescore_not_configured',
    )
    const configured = {
      ...everythingWrong,
      engine: { configured: true, profileExists: false, locked: true },
    }
    expect(code(decideRescore(initialRescoreState(), configured, t0, config))).toBe('missing_idempotency_key')
    expect(
      code(
        decideRescore(
          initialRescoreState(),
          { ...configured, headers: { 'Idempotency-Key': 'k' } },
          t0,
          config,
        ),
      ),
    ).toBe('validation_error')
  })

  test('merchant quota before idempotency, 404, lock, in flight and cooldown', () => {
    let s = completed(initialRescoreState(), request(), t0, t0 + 10)
    s = decideRescore(s, request({ key: 'k-2' }), t0 + 20, config).state // spends the 2nd slot (cooldown 429)
    const replay = decideRescore(s, request(), t0 + 30, config)
    expect(code(replay)).toBe('rate_limit_exceeded')
  })

  test('idempotency replay before 404 and the lock', () => {
    const s = completed(initialRescoreState(), request(), t0, t0 + 10)
    const d = decideRescore(
      s,
      request({ engine: { configured: true, profileExists: false, locked: true } }),
      t0 + 20,
      config,
    )
    expect([d.response?.status, d.response?.headers['X-Idempotent-Replayed']]).toEqual([200, 'true'])
  })

  test('404 before the lock, the lock before in flight, in flight before cooldown', () => {
    const wide = {
      ...config,
      leaseMs: 1_000_000 as RescoreConfig['leaseMs'],
      quota: { ...config.quota, requestsPerWindow: 100 as RescoreConfig['quota']['requestsPerWindow'] },
    }
    const cooled = completed(initialRescoreState(), request(), t0, t0 + 10)
    const running = decideRescore(cooled, request({ key: 'x' }), t0 + 400_000, wide)
    expect(code(running)).toBe(null)
    const s = running.state
    const ask = (engine: RescoreRequest['engine']) =>
      code(decideRescore(s, request({ key: 'new', engine }), t0 + 400_001, wide))
    expect(ask({ configured: true, profileExists: false, locked: true })).toBe('engine_beneficiary_not_found')
    expect(ask({ configured: true, profileExists: true, locked: true })).toBe('beneficiary_scoring_locked')
    expect(ask({ configured: true, profileExists: true, locked: false })).toBe(202)
    // in flight and cooling down at once: 202 wins
    const both = completed(initialRescoreState(), request(), t0, t0 + 10)
    const inFlight = {
      ...both,
      beneficiaries: started(both, request({ key: 'y' }), t0 + 400_000).state.beneficiaries,
    }
    expect(code(decideRescore(inFlight, request({ key: 'z' }), t0 + 20, wide))).toBe(202)
  })
})
