// The velocity record store's contract on Redis, as on every store: the in-memory one of
// @payout-kernel/velocity, and the Redis server named by REDIS_URL. The PostgreSQL store's suite
// with its assertions unchanged; the one change is where a decision runs: a Redis velocity store
// holds one merchant's records (one hash slot), so each payout is evaluated and released through
// its merchant's store, and a prune runs on each merchant's. Random rule sets and payout streams
// (records, releases, pruning) give the in-process ledger's verdicts; decisions racing on one
// merchant never pass a block limit; faults fail closed and leave nothing written. Then 4 worker
// processes pay one merchant and beneficiary near a limit.
import { fc } from '@fast-check/vitest'
import {
  emptyLedger,
  encodePayout,
  encodeRuleSet,
  evaluate,
  evaluateAndRecordStep,
  inMemoryVelocityStore,
  type Payout,
  parseRuleSet,
  payout,
  type RuleSet,
  recordPayout,
  releasePayout,
  releaseStep,
  type VelocityRecordStore,
  type VelocityStoreError,
  velocityKeysOf,
} from '@payout-kernel/velocity'
import { arbHistory, arbRuleSet } from '@payout-kernel/velocity/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import { connectRedis, type RedisCommands, redisVelocityRecords } from '../src/index.js'
import { runWorkers } from './processes.js'
import { databaseOf, onRedis, openRedis, ready, type TestRedis } from './redis.js'
import type { VelocityWorkerResult } from './velocity.worker.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

const t0 = Date.UTC(2026, 0, 15, 9)
const at = (id: string, amount: string, createdAt = t0, merchantId = 'mer_race'): Payout =>
  right(
    payout({
      id,
      merchantId,
      beneficiaryId: 'ben_1',
      instrumentId: 'ins_1',
      instrumentType: 'bank_account',
      destinationCountry: 'PH',
      amount,
      currency: 'USD',
      createdAt,
    }),
  )

/** A daily amount cap (block), a rolling hourly count per beneficiary (block), a disabled lifetime cap. */
const limits = right(
  parseRuleSet({
    version: 3,
    rules: [
      {
        id: 'daily',
        name: 'Daily cap',
        kind: 'max_daily_amount',
        action: 'block',
        enabled: true,
        threshold: '1000.00',
        currency: 'USD',
      },
      {
        id: 'hourly',
        name: 'Hourly count',
        kind: 'max_count_per_beneficiary',
        action: 'block',
        enabled: true,
        threshold: 60,
        window: { type: 'rolling', seconds: 3600 },
      },
      {
        id: 'ever',
        name: 'Lifetime',
        kind: 'max_amount_per_beneficiary',
        action: 'block',
        enabled: false,
        threshold: '1.00',
        currency: 'USD',
      },
    ],
  }),
)

/** The verdicts a serial run gives, in the given order, on a fresh ledger (and the admitted sum). */
const serially = (ruleSet: RuleSet, payouts: ReadonlyArray<Payout>) => {
  let ledger = emptyLedger(ruleSet)
  const actions: string[] = []
  let admitted = 0n
  for (const p of payouts) {
    const v = right(evaluate(ruleSet, ledger, p))
    actions.push(v.action)
    if (v.action === 'block') continue
    ledger = right(recordPayout(ledger, p))
    admitted += p.amount.minor
  }
  return { actions, admitted, ledger }
}

/** The stores of a run: the one a merchant's decisions go to, and a prune of all of them. */
interface Stores {
  readonly of: (merchantId: string) => VelocityRecordStore
  readonly prune: (now: number) => Promise<E.Either<VelocityStoreError, number>>
  /** How many records are kept, when the store can say. */
  readonly size: () => Promise<number | null>
}

interface Subject {
  readonly name: string
  /** Empty stores, optionally holding raw records (merchant, key, JSON) first. */
  readonly fresh: (raw?: ReadonlyArray<readonly [string, string, unknown]>) => Promise<Stores>
  readonly runs: number
}

const merchants = ['mer_a', 'mer_b', 'mer_race']

const memory: Subject = {
  name: 'in memory',
  fresh: async (raw = []) => {
    const store = inMemoryVelocityStore(raw.map(([, k, value]) => [k, { version: 1, value }] as const))
    return { of: () => store, prune: (now) => store.prune(now), size: async () => store.records().size }
  },
  runs: 300,
}

const onServer = onRedis()

describe.each([memory.name, ...(onServer ? ['redis'] : [])])(
  'the velocity record store contract: %s',
  (kind) => {
    let db: TestRedis | null = null
    let subject: Subject = memory
    beforeAll(async () => {
      if (kind === memory.name) return
      const opened = await openRedis()
      db = opened
      subject = {
        name: opened.version,
        fresh: async (raw = []) => {
          const prefix = opened.prefix()
          for (const [m, key, value] of raw)
            await opened.redis.set(`${prefix}{${m}}:v:${key}`, `1:${JSON.stringify(value)}`)
          const stores = new Map(
            merchants.map((m) => [m, redisVelocityRecords(opened.redis, { merchantId: m, prefix })]),
          )
          const of = (m: string) => {
            const s = stores.get(m)
            if (s === undefined) throw new Error(`no store for ${m}`)
            return s
          }
          return {
            of,
            prune: async (now) => {
              let n = 0
              for (const s of stores.values()) {
                const r = await s.prune(now)
                if (E.isLeft(r)) return r
                n += r.right
              }
              return E.right(n)
            },
            size: async () => (await opened.redis.keys(`${prefix}*:v:*`)).length,
          }
        },
        runs: 300,
      }
      process.stdout.write(`store-redis: velocity contract on ${opened.version}\n`)
    })
    afterAll(async () => {
      await db?.close()
    })

    test('reports the server it runs on', ({ task }) => {
      databaseOf(task.meta, subject.name)
      if (kind !== memory.name) expect(subject.name).toMatch(/^Redis \d+\.\d+/)
    })

    test('random rule sets and streams with releases and pruning give the ledger’s verdicts', async () => {
      await fc.assert(
        fc.asyncProperty(
          arbRuleSet(5),
          arbHistory(20),
          fc.array(fc.record({ release: fc.nat({ max: 40 }), prune: fc.boolean() }), {
            minLength: 20,
            maxLength: 20,
          }),
          async (ruleSet, history, script) => {
            const stores = await subject.fresh()
            let ledger = emptyLedger(ruleSet)
            for (const [i, p] of history.entries()) {
              const expected = evaluate(ruleSet, ledger, p)
              expect(await stores.of(p.merchantId).run(evaluateAndRecordStep(ruleSet, p))).toEqual(expected)
              if (E.isRight(expected) && expected.right.action !== 'block')
                ledger = right(recordPayout(ledger, p))
              const step = script[i] ?? { release: 40, prune: false }
              if (step.release < i) {
                const victim = history[step.release] ?? p
                ledger = releasePayout(ledger, victim.id)
                expect(E.isRight(await stores.of(victim.merchantId).run(releaseStep(victim.id)))).toBe(true)
              }
              if (step.prune) expect(E.isRight(await stores.prune(p.createdAt))).toBe(true)
            }
          },
        ),
        { numRuns: subject.runs },
      )
    })

    test('decisions racing on one merchant near its limit never pass it, and match a serial run', async () => {
      const store = (await subject.fresh()).of('mer_race')
      const payouts = Array.from({ length: 40 }, (_, i) => at(`pay_${i}`, `${60 + ((i * 37) % 50)}.00`))
      const answers = await Promise.all(payouts.map((p) => store.run(evaluateAndRecordStep(limits, p))))
      const admitted = payouts.filter((_, i) => {
        const a = answers[i]
        return a !== undefined && E.isRight(a) && a.right.action !== 'block'
      })
      expect(answers.every(E.isRight)).toBe(true)
      const sum = admitted.reduce((s, p) => s + p.amount.minor, 0n)
      expect(sum).toBeLessThanOrEqual(100_000n)
      // the admitted ones, in any order, are what a serial run admits; none blocked would still fit
      const serial = serially(limits, admitted)
      expect(serial.actions.every((a) => a !== 'block')).toBe(true)
      for (const p of payouts.filter((p) => !admitted.includes(p)))
        expect(right(evaluate(limits, serial.ledger, p)).action).toBe('block')
    })

    test('a release gives the usage back; an unknown or released id changes nothing', async () => {
      const store = (await subject.fresh()).of('mer_race')
      const big = at('pay_1', '900.00')
      const next = at('pay_2', '200.00', t0 + 1)
      expect(right(await store.run(evaluateAndRecordStep(limits, big))).action).toBe('allow')
      expect(right(await store.run(evaluateAndRecordStep(limits, next))).action).toBe('block')
      expect(await store.run(releaseStep('pay_1'))).toEqual(E.right(true))
      expect(await store.run(releaseStep('pay_1'))).toEqual(E.right(false))
      expect(await store.run(releaseStep('pay_404'))).toEqual(E.right(false))
      expect(right(await store.run(evaluateAndRecordStep(limits, next))).action).toBe('allow')
    })

    test('prune deletes what has expired and nothing that still counts', async () => {
      const stores = await subject.fresh()
      const store = stores.of('mer_race')
      expect(right(await store.run(evaluateAndRecordStep(limits, at('pay_1', '10.00'))))).toMatchObject({
        action: 'allow',
      })
      // rows: the day (until midnight), the rolling hour, the lifetime totals, the payout's own record
      expect(await stores.prune(t0)).toEqual(E.right(0))
      expect(await stores.prune(t0 + 3_600_000)).toEqual(E.right(1)) // the hour's row
      expect(await stores.prune(Date.UTC(2026, 0, 16))).toEqual(E.right(1)) // the day's row
      // the lifetime window still counts the payout, so its own record stays for a release
      expect(await store.run(releaseStep('pay_1'))).toEqual(E.right(true))
      expect(await stores.size()).toBe(0)
    })

    test('a stored record that does not decode fails closed, naming its key and field', async () => {
      const p = at('pay_1', '10.00')
      const day =
        velocityKeysOf(limits, p).find((k) => k.kind === 'usage' && k.window === 'calendar')?.id ?? ''
      const stores = await subject.fresh([
        ['mer_race', day, { kind: 'calendar', born: `${t0}/pay_0`, count: 'lots' }],
      ])
      const answer = await stores.of('mer_race').run(evaluateAndRecordStep(limits, p))
      expect(E.isLeft(answer) && answer.left._tag === 'ValidationError').toBe(true)
      if (E.isLeft(answer) && answer.left._tag === 'ValidationError')
        expect(answer.left.problems.map((x) => x.field)).toContain(`${day}.count`)
      expect(await stores.size()).toBe(1) // nothing else written
    })
  },
)

if (onServer)
  describe('the Redis velocity store, faults and layout', () => {
    let db: TestRedis
    beforeAll(async () => {
      db = await openRedis()
    })
    afterAll(async () => {
      await db?.close()
    })

    test('a usage key of another merchant is refused, never read from another slot', async ({ task }) => {
      databaseOf(task.meta, db.version)
      const p = at('pay_1', '10.00', t0, 'mer_other')
      const answer = await redisVelocityRecords(db.redis, {
        merchantId: 'mer_race',
        prefix: db.prefix(),
      }).run(evaluateAndRecordStep(limits, p))
      expect(E.isLeft(answer) && answer.left._tag === 'ValidationError').toBe(true)
    })

    test('a lost race is run again; losing every time is an error value and nothing of it is written', async () => {
      const prefix = db.prefix()
      const plain = redisVelocityRecords(db.redis, { merchantId: 'mer_race', prefix })
      // After its first read, another instance records a payout of the same merchant: the first
      // decision's write finds the day's row moved, and the decision runs again.
      let others = 0
      let made = 0
      const racing = (times: number): RedisCommands => ({
        evalsha: (...a) => db.redis.evalsha(...a),
        eval: (...a) => db.redis.eval(...a),
        scan: (...a) => db.redis.scan(...a),
        mget: async (...keys) => {
          const got = await db.redis.mget(...keys)
          if (others < times) {
            others++
            right(await plain.run(evaluateAndRecordStep(limits, at(`pay_other${++made}`, '1.00'))))
          }
          return got
        },
      })
      const once = redisVelocityRecords(racing(1), { merchantId: 'mer_race', prefix })
      expect(right(await once.run(evaluateAndRecordStep(limits, at('pay_1', '10.00')))).action).toBe('allow')
      expect(once.attempts()).toEqual({ decisions: 1, retries: 1 })
      others = 0
      const always = redisVelocityRecords(racing(1_000), { merchantId: 'mer_race', prefix, maxAttempts: 3 })
      const answer = await always.run(evaluateAndRecordStep(limits, at('pay_2', '10.00')))
      expect(answer).toMatchObject({
        _tag: 'Left',
        left: { _tag: 'VelocityStoreUnavailable', reason: 'contention', attempts: 3 },
      })
      expect(await db.redis.exists(`${prefix}{mer_race}:v:p/pay_2`)).toBe(0)
      expect(await db.redis.exists(`${prefix}{mer_race}:v:p/pay_1`)).toBe(1)
    })

    test('a client timeout shorter than a slow script: an error value, never an allow', async () => {
      const prefix = db.prefix()
      const url = process.env.REDIS_URL ?? ''
      const client = connectRedis(url, { commandTimeout: 150 })
      const blocker = connectRedis(url, { commandTimeout: 5_000 })
      await Promise.all([ready(client), ready(blocker)])
      void blocker.eval(
        `local t = redis.call('TIME'); local stop = t[1] * 1000000 + t[2] + 600000
         repeat local n = redis.call('TIME') until n[1] * 1000000 + n[2] >= stop
         return 1`,
        0,
      )
      await new Promise((resolve) => setTimeout(resolve, 20))
      const answer = await redisVelocityRecords(client, { merchantId: 'mer_race', prefix }).run(
        evaluateAndRecordStep(limits, at('pay_1', '10.00')),
      )
      expect(answer).toMatchObject({
        _tag: 'Left',
        left: { _tag: 'VelocityStoreUnavailable', reason: 'timeout' },
      })
      await new Promise((resolve) => setTimeout(resolve, 800))
      // The read timed out, so nothing was decided and nothing written.
      expect(await db.redis.keys(`${prefix}*`)).toEqual([])
      client.disconnect()
      blocker.disconnect()
    })
  })

describe('an unreachable server', () => {
  test('answers an error value, never an allow', async ({ task }) => {
    databaseOf(task.meta, 'none (closed port)')
    const redis = connectRedis('redis://127.0.0.1:9', { connectTimeout: 300, lazyConnect: true })
    redis.on('error', () => {})
    const store = redisVelocityRecords(redis, { merchantId: 'mer_race' })
    const answer = await store.run(evaluateAndRecordStep(limits, at('pay_1', '10.00')))
    expect(answer).toMatchObject({
      _tag: 'Left',
      left: { _tag: 'VelocityStoreUnavailable', reason: 'unreachable' },
    })
    expect(await store.prune(t0)).toMatchObject({ _tag: 'Left' })
    redis.disconnect()
  })
})

// ---------------------------------------------------------------- the race, on the server

if (onServer)
  describe('4 processes pay one merchant and beneficiary near its limit on one server', () => {
    let db: TestRedis
    let prefix = ''
    let results: VelocityWorkerResult[] = []
    const perWorker = 150
    const payouts = [0, 1, 2, 3].map((w) =>
      Array.from({ length: perWorker }, (_, i) => {
        const cents = 500 + ((w * 7 + i * 13) % 29) * 100 + ((w * 31 + i * 17) % 100)
        return at(`pay_w${w}n${i}`, `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`)
      }),
    )
    beforeAll(async () => {
      db = await openRedis()
      prefix = db.prefix()
      results = await runWorkers<VelocityWorkerResult>(
        new URL('./velocity.worker.ts', import.meta.url),
        payouts.map((list) => ({
          url: process.env.REDIS_URL,
          prefix,
          ruleSet: encodeRuleSet(limits),
          payouts: list.map(encodePayout),
          startAt: Date.now() + 4_000,
        })),
      )
    }, 300_000)
    afterAll(async () => {
      await db?.close()
    })

    test('the admitted sum never passes the limit and is what a serial run in commit order admits', async ({
      task,
    }) => {
      databaseOf(task.meta, db.version)
      const all = payouts.flat()
      const byId = new Map(all.map((p) => [p.id as string, p]))
      const answers = new Map(results.flatMap((r) => r.answers))
      expect(answers.size).toBe(all.length)
      const errors = [...answers.values()].filter((a) => a.startsWith('error'))
      expect(errors).toEqual([]) // the retries absorb the contention: nobody runs out of attempts
      // the commit order: the own records' versions come from the slot's one counter
      const keys = await db.redis.keys(`${prefix}{mer_race}:v:p/*`)
      const records = await Promise.all(keys.map(async (k) => (await db.redis.get(k)) ?? ''))
      const rows = records
        .map((r) => ({
          version: Number(r.slice(0, r.indexOf(':'))),
          id: (JSON.parse(r.slice(r.indexOf(':') + 1)) as { id: string }).id,
        }))
        .sort((a, b) => a.version - b.version)
      const admitted = rows.map((r) => byId.get(r.id) as Payout)
      expect(new Set(rows.map((r) => r.id))).toEqual(
        new Set([...answers].filter(([, a]) => a === 'allow' || a === 'review').map(([id]) => id)),
      )
      const serial = serially(limits, admitted)
      expect(serial.actions.every((a) => a === 'allow')).toBe(true)
      expect(serial.admitted).toBeLessThanOrEqual(100_000n)
      // and it admitted as much as a serial run would: no payout it blocked fits after all the others
      for (const [id, a] of answers)
        if (a === 'block')
          expect(right(evaluate(limits, serial.ledger, byId.get(id) as Payout)).action).toBe('block')
      // the workers really raced: the commit order switches between them
      const workerOf = (p: Payout) => p.id.slice(0, p.id.indexOf('n'))
      const switches = admitted.filter(
        (p, i) => i > 0 && workerOf(p) !== workerOf(admitted[i - 1] as Payout),
      ).length
      expect(new Set(admitted.map(workerOf)).size).toBeGreaterThan(1)
      const decisions = results.reduce((s, r) => s + r.decisions, 0)
      const retries = results.reduce((s, r) => s + r.retries, 0)
      process.stdout.write(
        `store-redis: velocity race on ${db.version}: ${all.length} decisions from 4 processes, ${admitted.length} admitted (${serial.admitted} minor units of 100000), ${retries} retries after a lost race (${(retries / decisions).toFixed(2)} per decision), the commit order switching worker ${switches} times\n`,
      )
    })
  })
