// Many instances, one truth: 4 worker processes send thousands of rescore requests with shared
// keys and beneficiaries to one Redis server, in each layout. Never two rescores of one
// beneficiary in flight, never more than the limit admitted per merchant in any rolling window,
// one start per key, every replay byte-identical. Then a private server is shut down in the
// middle of a run (`SHUTDOWN NOSAVE`) and started again: fail-closed answers while it is down;
// with an append-only file nothing is admitted twice afterwards, and without persistence the
// restart loses what the many-instances guide says it loses. Server only: `.ci/run` starts one.
import {
  completeRescoreIn,
  decideRescoreIn,
  defaultRescoreConfig,
  type RescoreConfig,
} from '@payout-kernel/rescore-policy'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import { connectRedis, type RedisRescoreLayout, redisRescoreRecords } from '../src/index.js'
import { runWorkers } from './processes.js'
import { databaseOf, onRedis, openRedis, ready, redisRequired, type TestRedis, versionOf } from './redis.js'
import type { RescoreWorkerResult } from './rescore.worker.js'
import { type PrivateRedis, serverBin, startPrivateRedis } from './server.js'

const onServer = onRedis()

test('the Redis suites ran here, or the run says why not', ({ task }) => {
  databaseOf(
    task.meta,
    onServer
      ? 'Redis server (store-redis race and fault suites)'
      : 'Redis: store-redis suites NOT run (REDIS_URL unset)',
  )
  // Without a server (plain `npm test`) these suites cannot run; `.ci/run` starts one and requires it.
  if (!onServer) expect(redisRequired).toBe(false)
  else expect(serverBin).not.toBeNull()
})

const config: RescoreConfig = {
  quota: {
    ...defaultRescoreConfig.quota,
    requestsPerWindow: 150 as RescoreConfig['quota']['requestsPerWindow'],
    windowMs: 1_000 as RescoreConfig['quota']['windowMs'],
  },
  cooldownMs: 20 as RescoreConfig['cooldownMs'],
  leaseMs: 120_000 as RescoreConfig['leaseMs'],
  idempotencyRetentionMs: 600_000 as RescoreConfig['idempotencyRetentionMs'],
}

const layouts: ReadonlyArray<RedisRescoreLayout> = onServer ? ['per-merchant', 'one-slot'] : []

describe.each(layouts)('4 processes, one server (%s): the rescore invariants hold exactly', (layout) => {
  let db: TestRedis
  let prefix = ''
  let results: RescoreWorkerResult[] = []
  beforeAll(async () => {
    db = await openRedis()
    prefix = db.prefix()
    results = await runWorkers<RescoreWorkerResult>(
      new URL('./rescore.worker.ts', import.meta.url),
      [1, 2, 3, 4].map((seed) => ({
        url: process.env.REDIS_URL,
        prefix,
        layout,
        seed,
        requests: 1_500,
        keys: 600,
        beneficiaries: 12,
        config,
      })),
    )
  }, 600_000)
  afterAll(async () => {
    await db?.close()
  })

  test('the workers ran and the store never failed them', ({ task }) => {
    databaseOf(task.meta, `${db.version} (${layout})`)
    const total = results.reduce((n, r) => n + r.starts.length, 0)
    process.stdout.write(
      `store-redis: rescore race on ${db.version} (${layout}): 6,000 requests from 4 processes, ${total} rescores; answers ${JSON.stringify(
        results.reduce<Record<string, number>>((acc, r) => {
          for (const [k, v] of Object.entries(r.statuses)) acc[k] = (acc[k] ?? 0) + v
          return acc
        }, {}),
      )}\n`,
    )
    expect(results).toHaveLength(4)
    expect(results.reduce((n, r) => n + r.unavailable, 0)).toBe(0)
    expect(total).toBeGreaterThan(50)
  })

  test('never two rescores of one beneficiary in flight', () => {
    expect(results.reduce((n, r) => n + r.overlaps, 0)).toBe(0)
  })

  test('one start per key', () => {
    const starts = results.flatMap((r) => r.starts)
    expect(new Set(starts).size).toBe(starts.length)
  })

  test('never more than the limit admitted per merchant in any rolling window', async () => {
    const limit = config.quota.requestsPerWindow
    const byMerchant = new Map<string, number[]>()
    for (const [m, t] of results.flatMap((r) => r.admissions))
      byMerchant.set(m, [...(byMerchant.get(m) ?? []), t])
    let windowsFull = 0
    for (const [m, unsorted] of byMerchant) {
      const times = [...unsorted].sort((a, b) => a - b)
      // The log's length is the number of admissions appended to it: the workers saw them all.
      const tag = layout === 'one-slot' ? 'rescore' : m
      expect(Number(await db.redis.hget(`${prefix}{${tag}}:q:${m}`, 'len'))).toBe(times.length)
      for (let i = 0; i + limit < times.length; i++) {
        // limit + 1 admissions within less than a window would be one too many.
        expect((times[i + limit] as number) - (times[i] as number)).toBeGreaterThanOrEqual(
          config.quota.windowMs,
        )
        if ((times[i + limit] as number) - (times[i] as number) < config.quota.windowMs + 50) windowsFull++
      }
    }
    // Every admission the workers counted is in the log, and nothing else is.
    expect(results.reduce((n, r) => n + r.admissions.length, 0)).toBe(
      results.reduce((n, r) => n + r.counted, 0),
    )
    expect(windowsFull).toBeGreaterThan(0) // the limit was reached, or this proves nothing
  })

  test('every replay is byte-identical to the first answer', () => {
    const first = new Map<string, string>()
    let replays = 0
    for (const [key, body] of results.flatMap((r) => r.verdicts)) {
      const seen = first.get(key)
      if (seen === undefined) first.set(key, body)
      else {
        replays++
        expect(body).toBe(seen)
      }
    }
    expect(replays).toBeGreaterThan(0)
  })

  test('at most 2 round trips per uncontended decision', () => {
    // Each worker: two scripts per decision that writes, one per answer that writes nothing,
    // plus the retries of contended decisions; counted, not assumed.
    const decisions = results.reduce((n, r) => n + 1_500 + r.starts.length, 0)
    const trips = results.reduce((n, r) => n + r.roundTrips, 0)
    process.stdout.write(
      `store-redis (${layout}): ${trips} store round trips for ${decisions} decisions (${(trips / decisions).toFixed(2)} each, retries included)\n`,
    )
    expect(trips / decisions).toBeLessThan(4)
  })
})

/** The run of the Postgres fault test: before, during the shutdown, while down, after the restart. */
const outage = async (server: PrivateRedis) => {
  const redis = connectRedis(server.url, { commandTimeout: 1_000 })
  redis.on('error', () => {})
  await ready(redis)
  const version = await versionOf(redis)
  const store = redisRescoreRecords(redis, { config })
  const starts = new Map<string, number>()
  const answers: string[] = []
  const send = async (i: number, phase: string) => {
    // Keys repeat across the phases: a request retried after the outage is the same request.
    const key = `k-${i % 60}`
    const beneficiaryId = `ben_${i % 60}`
    const a = await decideRescoreIn(
      store,
      {
        merchantId: 'mer_acme',
        method: 'POST',
        path: `/v1/beneficiaries/${beneficiaryId}/rescore`,
        beneficiaryId,
        headers: { 'Idempotency-Key': key },
        engine: { configured: true, profileExists: true, locked: false },
      },
      Date.now(),
      config,
    )
    answers.push(`${phase}:${a.response === null ? 'start' : a.response.status}`)
    if (a.response === null) {
      starts.set(key, (starts.get(key) ?? 0) + 1)
      const done = await completeRescoreIn(
        store,
        { lease: a.effects[0].lease, current: { evaluationId: 'eval_1', rawScore: 500 }, previous: null },
        Date.now(),
        config,
      )
      if (E.isLeft(done)) throw new Error('refused')
    }
  }
  for (let i = 0; i < 30; i++) await send(i, 'before')
  // Shut down while requests are on the wire: each either landed before or fails closed.
  const during = Promise.all(Array.from({ length: 20 }, (_, j) => send(30 + j, 'during')))
  await server.shutdown()
  await during
  for (let i = 50; i < 60; i++) await send(i, 'down')
  await server.start()
  await ready(redis)
  for (let i = 0; i < 180; i++) await send(i, 'after')
  redis.disconnect()
  const tally = answers.reduce<Record<string, number>>((acc, a) => {
    acc[a] = (acc[a] ?? 0) + 1
    return acc
  }, {})
  return { version, starts, answers, tally }
}

if (onServer)
  describe('the server shut down mid-run (SHUTDOWN NOSAVE) and started again', () => {
    const servers: PrivateRedis[] = []
    afterAll(() => {
      for (const s of servers) s.destroy()
    })

    test('with an append-only file (appendfsync always): fail-closed answers while it is down, nothing admitted twice', async ({
      task,
    }) => {
      const server = await startPrivateRedis('aof')
      servers.push(server)
      const { version, starts, answers, tally } = await outage(server)
      databaseOf(task.meta, `${version} (private, appendfsync always, shut down and restarted)`)
      expect(answers.filter((a) => a.startsWith('down:'))).toEqual(Array(10).fill('down:503'))
      // While it went down, nothing but a real answer or a 503: never an answer the store did not back.
      for (const a of answers.filter((x) => x.startsWith('during:')))
        expect(a).toMatch(/^during:(start|503)$/)
      process.stdout.write(
        `store-redis: SHUTDOWN NOSAVE mid-run, append-only file: ${JSON.stringify(tally)}\n`,
      )
      // Every key started at most once over the whole run: the outage admitted nothing twice
      // (a rescore whose completion was lost keeps its lease, so its key answers 409, not a start).
      expect([...starts.values()].every((n) => n === 1)).toBe(true)
      // The keys completed before the outage replay after it: the file kept them.
      expect(answers.filter((a) => a === 'after:200').length).toBeGreaterThan(0)
      expect(answers.filter((a) => a === 'after:start').length).toBeGreaterThan(0)
    }, 120_000)

    test('without persistence: fail closed while down, and the restart forgets the keys (as documented)', async ({
      task,
    }) => {
      const server = await startPrivateRedis('none')
      servers.push(server)
      const { version, starts, answers, tally } = await outage(server)
      databaseOf(task.meta, `${version} (private, no persistence, shut down and restarted)`)
      expect(answers.filter((a) => a.startsWith('down:'))).toEqual(Array(10).fill('down:503'))
      for (const a of answers.filter((x) => x.startsWith('during:')))
        expect(a).toMatch(/^during:(start|503)$/)
      process.stdout.write(`store-redis: SHUTDOWN NOSAVE mid-run, no persistence: ${JSON.stringify(tally)}\n`)
      // What the guide says a restart without persistence loses: the keys completed before it
      // start again (no replay), the quota log starts empty. Nothing twice while it is up.
      expect(starts.get('k-0')).toBe(2)
      expect(answers.filter((a) => a === 'after:200').length).toBeGreaterThan(0) // replays of after's own
    }, 120_000)
  })
