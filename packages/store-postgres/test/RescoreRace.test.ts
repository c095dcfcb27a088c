// Many instances, one truth: 4 worker processes send thousands of rescore requests with shared
// keys and beneficiaries to one PostgreSQL server. Never two rescores of one beneficiary in
// flight, never more than the limit admitted per merchant in any rolling window, one start per
// key, every replay byte-identical. Then the server is killed in the middle of a run (`pg_ctl
// stop -m immediate`) and started again: fail-closed answers while it is down, and nothing
// admitted twice afterwards. Server only: `.ci/run` starts one (PAYOUT_KERNEL_PG_URL).
import {
  completeRescoreIn,
  decideRescoreIn,
  defaultRescoreConfig,
  type RescoreConfig,
} from '@payout-kernel/rescore-policy'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import { migrate, pgSql, postgresRescoreRecords } from '../src/index.js'
import { databaseKinds, databaseOf, openDatabase, serverRequired, type TestDatabase } from './databases.js'
import { runWorkers } from './processes.js'
import type { RescoreWorkerResult } from './rescore.worker.js'
import { type PrivateServer, serverBin, startPrivateServer } from './server.js'

const onServer = databaseKinds().includes('server')

test('the server suites ran here, or the run says why not', ({ task }) => {
  databaseOf(
    task.meta,
    onServer ? 'PostgreSQL server (race and fault suites)' : 'no server: race and fault suites NOT run',
  )
  // Without a server (plain `npm test`) these suites cannot run; `.ci/run` starts one and requires it.
  if (!onServer) expect(serverRequired).toBe(false)
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

if (onServer)
  describe('4 processes, one server: the rescore invariants hold exactly', () => {
    let db: TestDatabase
    let results: RescoreWorkerResult[] = []
    let admissions: ReadonlyArray<{ merchant_id: string; admitted_at: number }> = []
    beforeAll(async () => {
      db = await openDatabase('server')
      await db.sql.query('create table race_in_flight (beneficiary_id text primary key)')
      results = await runWorkers<RescoreWorkerResult>(
        new URL('./rescore.worker.ts', import.meta.url),
        [1, 2, 3, 4].map((seed) => ({
          url: db.url,
          seed,
          requests: 1_500,
          keys: 600,
          beneficiaries: 12,
          config,
        })),
      )
      admissions = await db.sql.query(
        'select merchant_id, admitted_at::float8 as admitted_at from rescore_admission order by merchant_id, seq',
      )
    }, 600_000)
    afterAll(async () => {
      await db?.close()
    })

    test('the workers ran and the store never failed them', ({ task }) => {
      databaseOf(task.meta, db.version)
      const total = results.reduce((n, r) => n + r.starts.length, 0)
      process.stdout.write(
        `store-postgres: rescore race on ${db.version}: 6,000 requests from 4 processes, ${total} rescores; answers ${JSON.stringify(
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

    test('never more than the limit admitted per merchant in any rolling window', () => {
      const limit = config.quota.requestsPerWindow
      const byMerchant = new Map<string, number[]>()
      for (const a of admissions)
        byMerchant.set(a.merchant_id, [...(byMerchant.get(a.merchant_id) ?? []), a.admitted_at])
      let windowsFull = 0
      for (const times of byMerchant.values())
        for (let i = 0; i + limit < times.length; i++) {
          // limit + 1 admissions within less than a window would be one too many.
          expect((times[i + limit] as number) - (times[i] as number)).toBeGreaterThanOrEqual(
            config.quota.windowMs,
          )
          if ((times[i + limit] as number) - (times[i] as number) < config.quota.windowMs + 50) windowsFull++
        }
      // Every admission the workers counted is in the log, and nothing else is.
      expect(admissions.length).toBe(results.reduce((n, r) => n + r.counted, 0))
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
      // Each worker: two statements per decision that writes, one per answer that writes nothing,
      // plus the retries of contended decisions; counted, not assumed.
      const decisions = results.reduce((n, r) => n + 1_500 + r.starts.length, 0)
      const trips = results.reduce((n, r) => n + r.roundTrips, 0)
      process.stdout.write(
        `store-postgres: ${trips} store round trips for ${decisions} decisions (${(trips / decisions).toFixed(2)} each, retries included)\n`,
      )
      expect(trips / decisions).toBeLessThan(4)
    })
  })

if (onServer)
  describe('the server killed mid-run and started again', () => {
    let server: PrivateServer
    beforeAll(async () => {
      server = await startPrivateServer()
    }, 120_000)
    afterAll(() => {
      server?.destroy()
    })

    test('fail-closed answers while it is down, and nothing admitted twice afterwards', async ({ task }) => {
      databaseOf(task.meta, `PostgreSQL ${server.version} (private, killed and restarted)`)
      const pool = new pg.Pool({ connectionString: server.url, max: 2, connectionTimeoutMillis: 1_000 })
      pool.on('error', () => {})
      const sql = pgSql(pool)
      await migrate(sql)
      const store = postgresRescoreRecords(sql)
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
      // Killed while requests are on the wire: each either landed before or fails closed.
      const during = Promise.all(Array.from({ length: 20 }, (_, j) => send(30 + j, 'during')))
      server.kill()
      await during
      for (let i = 50; i < 60; i++) await send(i, 'down')
      server.start()
      for (let i = 0; i < 180; i++) await send(i, 'after')
      await pool.end()

      const down = answers.filter((a) => a.startsWith('down:'))
      expect(down).toEqual(Array(10).fill('down:503'))
      // While it died, nothing but a real answer or a 503: never an answer the store did not back.
      for (const a of answers.filter((x) => x.startsWith('during:')))
        expect(a).toMatch(/^during:(start|503)$/)
      process.stdout.write(
        `store-postgres: kill -m immediate mid-run: ${JSON.stringify(
          answers.reduce<Record<string, number>>((acc, a) => {
            acc[a] = (acc[a] ?? 0) + 1
            return acc
          }, {}),
        )}\n`,
      )
      // Every key started at most once over the whole run: the outage admitted nothing twice
      // (a rescore whose completion was lost keeps its lease, so its key answers 409, not a start).
      expect([...starts.values()].every((n) => n === 1)).toBe(true)
      // And the store works again: keys never started before the outage start after it.
      expect(answers.filter((a) => a === 'after:start').length).toBeGreaterThan(0)
    }, 120_000)
  })
