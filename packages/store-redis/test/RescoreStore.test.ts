// The rescore record store's contract on Redis, as on every store: the in-memory reference, and
// the Redis server named by REDIS_URL in both layouts. The suite of the PostgreSQL store, with its
// assertions unchanged: random scripts (requests as the clock moves, completions, failures,
// workers that die, pruning) give the whole-state policy's answers field for field — on the
// one-slot layout exactly those scripts; on the per-merchant layout (a beneficiary's record
// scoped by merchant) the same scripts with each beneficiary owned by one merchant, as on the
// platform. Faults fail closed and leave nothing half-written.
import { fc, test } from '@fast-check/vitest'
import {
  completeRescoreIn,
  decideRescoreIn,
  defaultRescoreConfig,
  failRescoreIn,
  inMemoryRescoreRecords,
  type RescoreConfig,
  type RescoreRecordStore,
  type RescoreRequest,
} from '@payout-kernel/rescore-policy'
import {
  arbRescoreConfig,
  arbRescoreScript,
  playRescoreScript,
  playRescoreScriptIn,
  type RescoreScriptStep,
} from '@payout-kernel/rescore-policy/testing'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import { connectRedis, type RedisRescoreLayout, redisRescoreRecords } from '../src/index.js'
import { counting, databaseOf, onRedis, openRedis, ready, type TestRedis } from './redis.js'

const request = (key: string, beneficiaryId = 'ben_1', merchantId = 'mer_acme') => ({
  merchantId,
  method: 'POST',
  path: `/v1/beneficiaries/${beneficiaryId}/rescore`,
  beneficiaryId,
  headers: { 'Idempotency-Key': key },
  engine: { configured: true, profileExists: true, locked: false },
})

/** The script with every beneficiary owned by one merchant: ben_1 of mer_a becomes ben_1a. */
const owned = (script: ReadonlyArray<RescoreScriptStep>): ReadonlyArray<RescoreScriptStep> =>
  script.map((step) => {
    if (step.action._tag !== 'Request') return step
    const r: RescoreRequest = step.action.request
    if (!r.beneficiaryId.startsWith('ben_')) return step
    const id = `${r.beneficiaryId}${r.merchantId.replace(/^mer_/, '')}`
    return {
      ...step,
      action: {
        _tag: 'Request',
        request: { ...r, beneficiaryId: id, path: r.path.replace(`/${r.beneficiaryId}/`, `/${id}/`) },
      },
    }
  })

interface Subject {
  readonly name: string
  readonly fresh: (config?: RescoreConfig) => Promise<RescoreRecordStore>
  readonly runs: number
  /** The scripts this store must answer as the whole-state policy does. */
  readonly scripts: (s: ReadonlyArray<RescoreScriptStep>) => ReadonlyArray<RescoreScriptStep>
}

const memory: Subject = {
  name: 'in memory',
  fresh: async () => inMemoryRescoreRecords(),
  runs: 1_000,
  scripts: (s) => s,
}

const layouts: ReadonlyArray<RedisRescoreLayout> = onRedis() ? ['one-slot', 'per-merchant'] : []

describe.each([memory.name, ...layouts])('the rescore record store contract: %s', (kind) => {
  let db: TestRedis | null = null
  let subject: Subject = memory
  beforeAll(async () => {
    if (kind === memory.name) return
    const layout = kind as RedisRescoreLayout
    const opened = await openRedis()
    db = opened
    subject = {
      name: `${opened.version} (${layout})`,
      fresh: async (config = defaultRescoreConfig) =>
        redisRescoreRecords(opened.redis, { prefix: opened.prefix(), layout, config }),
      runs: 1_000,
      scripts: layout === 'one-slot' ? (s) => s : owned,
    }
    process.stdout.write(`store-redis: rescore contract on ${subject.name}\n`)
  })
  afterAll(async () => {
    await db?.close()
  })

  test('reports the server it runs on', ({ task }) => {
    databaseOf(task.meta, subject.name)
    if (kind !== memory.name) expect(subject.name).toMatch(/^Redis \d+\.\d+/)
  })

  test('random scripts give the whole-state answers, field for field', async () => {
    await fc.assert(
      fc.asyncProperty(arbRescoreConfig, arbRescoreScript(30), async (config, generated) => {
        const script = subject.scripts(generated)
        const store = await subject.fresh(config)
        expect(await playRescoreScriptIn(store, script, config)).toEqual(
          await playRescoreScript(script, config),
        )
      }),
      { numRuns: subject.runs },
    )
  })

  test('a replay is byte-identical to the first answer', async () => {
    const store = await subject.fresh()
    const started = await decideRescoreIn(store, request('k-1'), 0, defaultRescoreConfig)
    expect(started.response).toBeNull()
    const lease = started.effects[0]?.lease
    if (lease === undefined) throw new Error('no lease')
    const done = await completeRescoreIn(
      store,
      {
        lease,
        current: { evaluationId: 'eval_2', rawScore: 423 },
        previous: { evaluationId: 'eval_1', rawScore: 720 },
      },
      900,
      defaultRescoreConfig,
    )
    if (E.isLeft(done)) throw new Error('refused')
    const replay = await decideRescoreIn(store, request('k-1'), 1_000, defaultRescoreConfig)
    expect(JSON.stringify(replay.response?.body)).toBe(JSON.stringify(done.right.body))
    expect(replay.response?.headers['X-Idempotent-Replayed']).toBe('true')
  })

  test('a worker that dies leaves a lease that lapses; a later request starts anew', async () => {
    const store = await subject.fresh()
    const first = await decideRescoreIn(store, request('k-1'), 0, defaultRescoreConfig)
    expect(first.effects).toHaveLength(1)
    // The worker never comes back. While the lease holds: in flight, for any key.
    expect(
      (await decideRescoreIn(store, request('k-2'), 29_999, defaultRescoreConfig)).response?.status,
    ).toBe(202)
    expect(
      (await decideRescoreIn(store, request('k-1'), 29_999, defaultRescoreConfig)).response?.status,
    ).toBe(409)
    // Once it lapses, the same key starts again, and only once.
    const again = await decideRescoreIn(store, request('k-1'), 30_000, defaultRescoreConfig)
    expect(again.effects).toHaveLength(1)
    expect(
      (await decideRescoreIn(store, request('k-3'), 30_001, defaultRescoreConfig)).response?.status,
    ).toBe(202)
  })

  test('an uncontended decision is at most 2 round trips (counted)', async () => {
    if (db === null) {
      // In memory there is no round trip to count.
      expect(kind).toBe(memory.name)
      return
    }
    const count = counting(db.redis)
    const store = redisRescoreRecords(count.client, {
      prefix: db.prefix(),
      layout: kind as RedisRescoreLayout,
    })
    const tripsOf = async (run: () => Promise<unknown>) => {
      count.reset()
      await run()
      return count.trips()
    }
    const start = await tripsOf(() => decideRescoreIn(store, request('k-1'), 0, defaultRescoreConfig))
    const inFlight = await tripsOf(() => decideRescoreIn(store, request('k-2'), 1, defaultRescoreConfig))
    const noKey = await tripsOf(() =>
      decideRescoreIn(store, { ...request('k-3'), headers: {} }, 2, defaultRescoreConfig),
    )
    const lease = (await decideRescoreIn(store, request('k-4', 'ben_2'), 3, defaultRescoreConfig)).effects[0]
      ?.lease
    if (lease === undefined) throw new Error('no start')
    const complete = await tripsOf(() =>
      completeRescoreIn(
        store,
        { lease, current: { evaluationId: 'eval_1', rawScore: 1 }, previous: null },
        4,
        defaultRescoreConfig,
      ),
    )
    process.stdout.write(
      `store-redis (${kind}): round trips per uncontended decision: start ${start}, in flight ${inFlight}, no key ${noKey}, completion ${complete}\n`,
    )
    expect({ start, inFlight, noKey, complete }).toEqual({ start: 2, inFlight: 2, noKey: 1, complete: 2 })
  })

  test('prune keeps the records near the live ones', async () => {
    const store = await subject.fresh()
    for (let i = 0; i < 50; i++) {
      const a = await decideRescoreIn(store, request(`k-${i}`, `ben_${i}`), i * 1_000, defaultRescoreConfig)
      const lease = a.effects[0]?.lease
      if (lease !== undefined) await failRescoreIn(store, { lease }, i * 1_000 + 1, defaultRescoreConfig)
    }
    const before = await store.counts()
    expect(before.admissions).toBe(50)
    const after = await store.prune(49_000, defaultRescoreConfig)
    // The window is 60 s: every admission is still live at 49 s; failures freed keys and leases.
    expect(after).toEqual({ merchants: 1, admissions: 50, idempotencyKeys: 0, beneficiaries: 0 })
    expect(await store.prune(49_000 + 60_000, defaultRescoreConfig)).toEqual({
      merchants: 0,
      admissions: 0,
      idempotencyKeys: 0,
      beneficiaries: 0,
    })
  })
})

if (onRedis())
  describe('the layouts differ only where merchants share a beneficiary id', () => {
    let db: TestRedis
    beforeAll(async () => {
      db = await openRedis()
    })
    afterAll(async () => {
      await db?.close()
    })

    test('one-slot shares the lease across merchants (as in memory); per-merchant keeps one per merchant', async ({
      task,
    }) => {
      databaseOf(task.meta, db.version)
      const answers = async (store: RescoreRecordStore) => {
        const a = await decideRescoreIn(store, request('k-1', 'ben_1', 'mer_a'), 0, defaultRescoreConfig)
        const b = await decideRescoreIn(store, request('k-1', 'ben_1', 'mer_b'), 1, defaultRescoreConfig)
        return [a.response?.status ?? 'start', b.response?.status ?? 'start']
      }
      const reference = await answers(inMemoryRescoreRecords())
      expect(reference).toEqual(['start', 202])
      expect(
        await answers(redisRescoreRecords(db.redis, { prefix: db.prefix(), layout: 'one-slot' })),
      ).toEqual(reference)
      expect(
        await answers(redisRescoreRecords(db.redis, { prefix: db.prefix(), layout: 'per-merchant' })),
      ).toEqual(['start', 'start'])
    })
  })

if (onRedis())
  describe('faults fail closed', () => {
    let db: TestRedis
    beforeAll(async () => {
      db = await openRedis()
    })
    afterAll(async () => {
      await db?.close()
    })

    test('a record of the wrong type (another writer) fails the decision closed and writes nothing', async ({
      task,
    }) => {
      databaseOf(task.meta, db.version)
      const prefix = db.prefix()
      const store = redisRescoreRecords(db.redis, { prefix })
      // Something else wrote a hash where the beneficiary's record goes: the write script's
      // version check fails on it before any write.
      await db.redis.hset(`${prefix}{mer_acme}:b:ben_1`, 'x', '1')
      const answer = await store.read({
        quota: null,
        idempotency: { merchantId: 'mer_acme', idempotencyKey: 'k-1' },
        beneficiaryId: 'ben_2',
      })
      expect(answer.idempotency).toBeNull()
      const decided = await decideRescoreIn(store, request('k-1'), 0, defaultRescoreConfig)
      expect(decided.response?.status).toBe(503)
      expect(decided.response?.body).toMatchObject({ error: { code: 'idempotency_unavailable' } })
      // The quota admission and the key were to be written in the same script: none was (the
      // foreign hash is still there, untouched: it counts as the one beneficiary key).
      expect(await store.counts()).toEqual({
        merchants: 0,
        admissions: 0,
        idempotencyKeys: 0,
        beneficiaries: 1,
      })
      expect(await db.redis.hgetall(`${prefix}{mer_acme}:b:ben_1`)).toEqual({ x: '1' })
    })

    test('a corrupted stored record fails closed instead of being trusted', async () => {
      const prefix = db.prefix()
      await db.redis.set(`${prefix}{mer_acme}:b:ben_1`, '7:{"lease": null, "cooldownUntil": "soon"}')
      const answer = await decideRescoreIn(
        redisRescoreRecords(db.redis, { prefix }),
        request('k-1'),
        0,
        defaultRescoreConfig,
      )
      expect(answer.response?.status).toBe(503)
      await db.redis.set(`${prefix}{mer_acme}:b:ben_1`, 'not a record')
      expect(
        (
          await decideRescoreIn(
            redisRescoreRecords(db.redis, { prefix }),
            request('k-1'),
            0,
            defaultRescoreConfig,
          )
        ).response?.status,
      ).toBe(503)
    })

    test('losing the race past the attempts is a 503, not a guess', async () => {
      const store = redisRescoreRecords(db.redis, { prefix: db.prefix() })
      // Every write loses: another instance moves the quota log between each read and write.
      let others = 0
      const racing: RescoreRecordStore = {
        ...store,
        write: async (w) => {
          await decideRescoreIn(store, request(`other-${++others}`, 'ben_9'), 0, defaultRescoreConfig)
          return store.write(w)
        },
      }
      const answer = await decideRescoreIn(racing, request('k-1'), 0, defaultRescoreConfig, 4)
      expect(answer.response?.status).toBe(503)
      const k1 = await store.read({
        quota: null,
        idempotency: { merchantId: 'mer_acme', idempotencyKey: 'k-1' },
        beneficiaryId: 'ben_1',
      })
      expect([k1.idempotency, k1.beneficiary]).toEqual([null, null])
    })

    test('a client timeout shorter than a slow script: 503, and the key is never started twice', async () => {
      const prefix = db.prefix()
      const url = process.env.REDIS_URL ?? ''
      const client = connectRedis(url, { commandTimeout: 150 })
      const blocker = connectRedis(url, { commandTimeout: 5_000 })
      await Promise.all([ready(client), ready(blocker)])
      // Between the read and the write, another client runs a script for 600 ms: the server runs
      // nothing else meanwhile, so the write waits behind it and the client gives up at 150 ms.
      let slowed = 0
      const slow = redisRescoreRecords(
        {
          evalsha: client.evalsha.bind(client),
          eval: client.eval.bind(client),
          mget: client.mget.bind(client),
          scan: client.scan.bind(client),
        },
        { prefix },
      )
      const slowWrites: RescoreRecordStore = {
        ...slow,
        write: async (w) => {
          if (slowed++ === 0)
            void blocker.eval(
              `local t = redis.call('TIME'); local stop = t[1] * 1000000 + t[2] + 600000
               repeat local n = redis.call('TIME') until n[1] * 1000000 + n[2] >= stop
               return 1`,
              0,
            )
          await new Promise((resolve) => setTimeout(resolve, 20))
          return slow.write(w)
        },
      }
      const answer = await decideRescoreIn(slowWrites, request('k-1'), 0, defaultRescoreConfig)
      expect(answer.response?.status).toBe(503)
      expect(answer.effects).toEqual([])
      await new Promise((resolve) => setTimeout(resolve, 800))
      // The script did run once the server was free: the write landed after the client gave up.
      // The retry of the same request is not a second start: the key is in flight.
      const store = redisRescoreRecords(db.redis, { prefix })
      const retry = await decideRescoreIn(store, request('k-1'), 10, defaultRescoreConfig)
      expect(retry.effects).toEqual([])
      expect(retry.response?.status).toBe(409)
      expect((await store.counts()).admissions).toBe(2) // the lost answer's admission and the retry's
      client.disconnect()
      blocker.disconnect()
    })
  })

describe('an unreachable server fails closed', () => {
  test('decide and settle answer 503 idempotency_unavailable, and nothing throws', async ({ task }) => {
    databaseOf(task.meta, 'none (closed port)')
    const redis = connectRedis('redis://127.0.0.1:9', { connectTimeout: 300, lazyConnect: true })
    redis.on('error', () => {})
    const store = redisRescoreRecords(redis)
    const config: RescoreConfig = defaultRescoreConfig
    const answer = await decideRescoreIn(store, request('k-1'), 0, config)
    expect(answer.response?.status).toBe(503)
    expect(answer.response?.headers['Retry-After']).toBe('1')
    const lease = {
      merchantId: 'mer_acme',
      idempotencyKey: 'k-1',
      beneficiaryId: 'ben_1',
      fingerprint: 'f',
      startedAt: 0,
      expiresAt: 30_000,
    }
    const failed = await failRescoreIn(store, { lease }, 5, config)
    expect(E.map((r: { status: number }) => r.status)(failed)).toEqual(E.right(503))
    redis.disconnect()
  })
})
