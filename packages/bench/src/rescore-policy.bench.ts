// Rescore decisions per second: @payout-kernel/rescore-policy's decideRescore (merchant quota as an
// exact sliding log + idempotency + in-flight lease + cooldown, returning a new persistent state)
// against the peer a service author would assemble for the same job (rescoreComposite.ts:
// rate-limiter-flexible's RateLimiterMemory for the quota and for the cooldown, Maps for the keys
// and leases), on the same stream, in the same run; and, for scale, against a lone
// RateLimiterMemory.consume(). Then the state's size per merchant and per beneficiary.
// Fairness: both loops walk the same request stream, one decision or one consume() per item; the
// baseline is awaited as a caller would, and its limit is set so high that it always takes its
// admit path (as the candidate does here: no merchant reaches its quota at 1,000 decisions per
// second of policy time); the candidate's loop does nothing but decideRescore and keep the state.
// Then the floor (rescoreFloor.ts): the same table as plain mutable Maps, checked to answer the
// stream as decideRescore does, against the same baseline: how fast the table itself can go.
// Sizes: RESCORE_MERCHANTS (100), RESCORE_BENEFICIARIES (10000), RESCORE_KEYS (50000),
// RESCORE_BATCH (1000 decisions per timed call), RESCORE_MEMORY_N (10000).
import {
  completeRescore,
  decideRescore,
  defaultRescoreConfig,
  initialRescoreState,
  type PositiveCount,
  type PositiveMillis,
  type RescoreConfig,
  type RescoreRequest,
  type RescoreState,
  rescoreStateSize,
} from '@payout-kernel/rescore-policy'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import * as E from '#fp-ts/Either'
import { compare, heapUsed } from './harness.js'
import { RescoreComposite } from './rescoreComposite.js'
import { RescoreFloor } from './rescoreFloor.js'

const merchants = Number(process.env.RESCORE_MERCHANTS ?? 100)
const beneficiaries = Number(process.env.RESCORE_BENEFICIARIES ?? 10_000)
const keys = Number(process.env.RESCORE_KEYS ?? 50_000)
const batch = Number(process.env.RESCORE_BATCH ?? 1000)
const memoryN = Number(process.env.RESCORE_MEMORY_N ?? 10_000)

const lcg = (seed: number) => {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}
const rnd = lcg(20260101)
const int = (n: number): number => Math.floor(rnd() * n)

// Tiers 1, 2, 5, 10, 20 spread over the merchants; 1,000 per rolling minute × tier.
const tiers = [1, 2, 5, 10, 20] as const
const merchantIds = Array.from({ length: merchants }, (_, i) => `mer_${i}`)
const config: RescoreConfig = {
  ...defaultRescoreConfig,
  quota: {
    ...defaultRescoreConfig.quota,
    merchantTiers: Object.fromEntries(merchantIds.map((m, i) => [m, tiers[i % tiers.length] ?? 1])),
  },
}

// A stream of requests: each beneficiary belongs to one merchant; keys are reused (retries), so the
// mix holds starts, 202s, cooldown 429s, idempotency 409s and the odd 404 / lock.
const stream: RescoreRequest[] = Array.from({ length: 100_000 }, () => {
  const b = int(beneficiaries)
  const merchantId = merchantIds[b % merchants] ?? 'mer_0'
  const roll = rnd()
  return {
    merchantId,
    method: 'POST',
    path: `/v1/beneficiaries/ben_${b}/rescore`,
    beneficiaryId: `ben_${b}`,
    headers: { 'Idempotency-Key': `key-${b}-${int(Math.max(1, Math.floor(keys / beneficiaries)))}` },
    engine: { configured: true, profileExists: roll > 0.01, locked: roll > 0.995 },
  }
})

const stepMs = 1 // simulated time between decisions: 1,000 decisions per second of policy time

/** Heap after a full collection plus typed-array backing stores (the quota logs keep their times there). */
const inUse = (): number => heapUsed() + process.memoryUsage().arrayBuffers

export async function main(): Promise<void> {
  // Memory first, while the heap holds nothing else of this module.
  // ---- memory
  const request = (m: string, b: number, key: string, profileExists = true): RescoreRequest => ({
    merchantId: m,
    method: 'POST',
    path: `/v1/beneficiaries/ben_${b}/rescore`,
    beneficiaryId: `ben_${b}`,
    headers: { 'Idempotency-Key': key },
    engine: { configured: true, profileExists, locked: false },
  })
  const big: RescoreConfig = {
    ...config,
    quota: {
      ...config.quota,
      requestsPerWindow: 1_000_000 as PositiveCount,
      windowMs: 60_000 as PositiveMillis,
    },
  }
  const t = Date.UTC(2026, 0, 1)

  // Per merchant: one admission each (a 404 stores nothing else).
  const requests = Array.from({ length: memoryN }, (_, n) => request(`mer_m${n}`, n, `k${n}`, false))
  let s: RescoreState = initialRescoreState()
  const h0 = inUse()
  for (const r of requests) s = decideRescore(s, r, t, big).state
  const perMerchant = (inUse() - h0) / memoryN

  // Per admission in one busy merchant's log (10× more admissions, all inside the window).
  const busy = Array.from({ length: 10 * memoryN }, (_, n) => request('mer_busy', n, `k${n}`, false))
  let q: RescoreState = decideRescore(
    initialRescoreState(),
    request('mer_busy', 0, 'warm', false),
    t,
    big,
  ).state
  const h1 = inUse()
  for (const [n, r] of busy.entries()) q = decideRescore(q, r, t + n, big).state
  const perAdmission = (inUse() - h1) / busy.length

  // Per beneficiary in flight (lease + in-flight key), then completed (cooldown + stored 200 verdict).
  const starts = Array.from({ length: memoryN }, (_, n) => request('mer_one', n, `k${n}`))
  let f: RescoreState = decideRescore(initialRescoreState(), request('mer_one', 0, 'warm'), t, big).state
  const leases = []
  const h2 = inUse()
  for (const r of starts) {
    const d = decideRescore(f, r, t, big)
    f = d.state
    if (d.response === null) leases.push(d.effects[0].lease)
  }
  const perInFlight = (inUse() - h2) / memoryN
  const h3 = inUse()
  for (const lease of leases) {
    const c = completeRescore(
      f,
      {
        lease,
        current: { evaluationId: 'eval_1', rawScore: 423 },
        previous: { evaluationId: 'eval_0', rawScore: 720 },
      },
      t + 1,
      big,
    )
    if (E.isRight(c)) f = c.right.state
  }
  const perCompleted = perInFlight + (inUse() - h3) / memoryN

  process.stdout.write(
    `\nrescore state size (${memoryN} of each, heap after GC)\n` +
      `  per merchant (log with one admission)           ${perMerchant.toFixed(0)} B\n` +
      `  per admission in a busy merchant's window       ${perAdmission.toFixed(1)} B\n` +
      `  per beneficiary in flight (lease, key, admission) ${perInFlight.toFixed(0)} B\n` +
      `  per beneficiary completed (cooldown + 200 kept)  ${perCompleted.toFixed(0)} B\n`,
  )
  // ---- throughput
  let state: RescoreState = initialRescoreState()
  let now = Date.UTC(2026, 0, 1)
  let i = 0
  const outcomes = new Map<string, number>()
  const decide = () => {
    for (let j = 0; j < batch; j++) {
      const request = stream[i++ % stream.length] as RescoreRequest
      now += stepMs
      const d = decideRescore(state, request, now, config)
      state = d.state
    }
  }
  // Warm the state to a steady mix before timing.
  for (let w = 0; w < 200; w++) decide()
  for (let j = 0; j < 5000; j++) {
    const request = stream[j] as RescoreRequest
    const d = decideRescore(state, request, now, config)
    const code =
      d.response === null
        ? 'start'
        : 'error' in d.response.body
          ? d.response.body.error.code
          : String(d.response.status)
    outcomes.set(code, (outcomes.get(code) ?? 0) + 1)
  }

  const limiter = new RateLimiterMemory({ points: 1_000_000_000, duration: 60 })
  let k = 0
  const consume = async () => {
    for (let j = 0; j < batch; j++) {
      const request = stream[k++ % stream.length] as RescoreRequest
      await limiter.consume(request.merchantId)
    }
  }

  // The same job done by the peer a service author would assemble (rescoreComposite.ts), and by
  // the policy, both completing every rescore they start at once (so cooldowns and replays occur).
  // The peer's quota limiters are set so high they always admit, as the policy's quota is never
  // reached at 1,000 decisions per second of policy time; its cooldown runs on the real clock.
  const verdict = {
    current: { evaluationId: 'eval_1', rawScore: 423 },
    previous: { evaluationId: 'eval_0', rawScore: 720 },
  }
  let full: RescoreState = initialRescoreState()
  let fullNow = Date.UTC(2026, 0, 1)
  let fullAt = 0
  const decideAndComplete = () => {
    for (let j = 0; j < batch; j++) {
      fullNow += stepMs
      const d = decideRescore(full, stream[fullAt++ % stream.length] as RescoreRequest, fullNow, config)
      full = d.state
      if (d.response === null) {
        const c = completeRescore(full, { lease: d.effects[0].lease, ...verdict }, fullNow, config)
        if (E.isRight(c)) full = c.right.state
      }
    }
  }
  const composite = new RescoreComposite(config, 1_000_000_000)
  let compositeNow = Date.UTC(2026, 0, 1)
  let compositeAt = 0
  const compositeRun = async () => {
    for (let j = 0; j < batch; j++) {
      compositeNow += stepMs
      const a = await composite.decide(stream[compositeAt++ % stream.length] as RescoreRequest, compositeNow)
      if (a.start !== undefined) await composite.complete(a.start, '{"pillar":"payee"}')
    }
  }
  for (let w = 0; w < 100; w++) {
    decideAndComplete()
    await compositeRun()
  }

  // The floor answers the stream as decideRescore does (status and headers, checked on every
  // request), then is timed.
  {
    let policy: RescoreState = initialRescoreState()
    const floor = new RescoreFloor(config)
    let agree = 0
    let at = Date.UTC(2026, 0, 1)
    for (const request of stream) {
      at += stepMs
      const d = decideRescore(policy, request, at, config)
      policy = d.state
      const f = floor.decide(request, at)
      const same =
        d.response === null
          ? f === null
          : f !== null &&
            d.response.status === f.status &&
            (
              ['X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After', 'X-Idempotent-Replayed'] as const
            ).every((h) => d.response.headers[h] === f.headers[h])
      if (same) agree++
    }
    process.stdout.write(
      `\nfloor: a mutable, minimal table (rescoreFloor.ts) gives decideRescore's status and rate-limit headers to ${agree.toLocaleString('en-US')} of ${stream.length.toLocaleString('en-US')} requests\n`,
    )
  }
  const floor = new RescoreFloor(config)
  let floorNow = Date.UTC(2026, 0, 1)
  let floorAt = 0
  const floorRun = () => {
    for (let j = 0; j < batch; j++) {
      floorNow += stepMs
      floor.decide(stream[floorAt++ % stream.length] as RescoreRequest, floorNow)
    }
  }
  for (let w = 0; w < 200; w++) floorRun()

  await compare({
    title: `rescore decisions/s, the same job: ${merchants} merchants, ${beneficiaries} beneficiaries, ~${keys} keys, every start completed`,
    baseline: {
      name: 'RateLimiterMemory x2 + Maps (rescoreComposite.ts)',
      run: compositeRun,
      itemsPerRun: batch,
    },
    candidate: { name: 'decideRescore + completeRescore', run: decideAndComplete, itemsPerRun: batch },
    target: '>= 1x',
  })
  await compare({
    title: 'for scale: against a lone fixed-window counter (the earlier baseline; not the same job)',
    baseline: { name: 'rate-limiter-flexible RateLimiterMemory.consume()', run: consume, itemsPerRun: batch },
    candidate: { name: 'decideRescore (quota+idempotency+lease+cooldown)', run: decide, itemsPerRun: batch },
  })
  const size = rescoreStateSize(state)
  process.stdout.write(
    `  mix of outcomes (5,000 decisions at steady state): ${[...outcomes].map(([c, n]) => `${c} ${n}`).join(', ')}\n` +
      `  steady state: ${size.merchants} merchants, ${size.admissions} admissions in window, ${size.idempotencyKeys} keys, ${size.beneficiaries} beneficiaries\n`,
  )

  await compare({
    title:
      'the floor: the same table as plain mutable Maps, no validation, no persistence (a lower bound, not a policy)',
    baseline: { name: 'rate-limiter-flexible RateLimiterMemory.consume()', run: consume, itemsPerRun: batch },
    candidate: { name: 'RescoreFloor.decide (rescoreFloor.ts)', run: floorRun, itemsPerRun: batch },
  })

  // keep the states alive until measured
  if (
    s.quotas.size +
      q.quotas.size +
      f.keys.size +
      requests.length +
      busy.length +
      starts.length +
      leases.length <
    0
  )
    process.stdout.write('')
}
