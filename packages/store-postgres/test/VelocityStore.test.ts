// The velocity record store's contract, on every store: the in-memory one of
// @payout-kernel/velocity, PGlite, and the PostgreSQL server when there is one. Random rule sets
// and payout streams (records, releases, pruning) give the in-process ledger's verdicts; decisions
// racing on one merchant never pass a block limit; faults fail closed and leave nothing written.
// Then, on the server only, 4 worker processes pay one merchant and beneficiary near a limit.
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
  velocityKeysOf,
} from '@payout-kernel/velocity'
import { arbHistory, arbRuleSet } from '@payout-kernel/velocity/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import { pgSql, type Sql } from '../src/index.js'
import { postgresVelocityRecords } from '../src/VelocityStore.js'
import { databaseKinds, databaseOf, openDatabase, type TestDatabase } from './databases.js'
import { runWorkers } from './processes.js'
import type { VelocityWorkerResult } from './velocity.worker.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

const t0 = Date.UTC(2026, 0, 15, 9)
const at = (id: string, amount: string, createdAt = t0): Payout =>
  right(
    payout({
      id,
      merchantId: 'mer_race',
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

interface Subject {
  readonly name: string
  /** An empty store, optionally holding raw records (as JSON) first. */
  readonly fresh: (raw?: ReadonlyArray<readonly [string, unknown]>) => Promise<VelocityRecordStore>
  readonly sql: Sql | null
  readonly runs: number
}

const memory: Subject = {
  name: 'in memory',
  fresh: async (raw = []) =>
    inMemoryVelocityStore(raw.map(([k, value]) => [k, { version: 1, value }] as const)),
  sql: null,
  runs: 300,
}

const rowCount = async (sql: Sql): Promise<number> =>
  (await sql.query<{ n: number }>('select count(*)::int as n from velocity_record'))[0]?.n ?? -1

describe.each([memory.name, ...databaseKinds()])('the velocity record store contract: %s', (kind) => {
  let db: TestDatabase | null = null
  let subject: Subject = memory
  beforeAll(async () => {
    if (kind === memory.name) return
    db = await openDatabase(kind as 'pglite' | 'server')
    const sql = db.sql
    subject = {
      name: db.version,
      fresh: async (raw = []) => {
        await sql.query('truncate velocity_record')
        for (const [key, value] of raw)
          await sql.query(
            `insert into velocity_record (key, version, value) values ($1, nextval('velocity_record_version'), $2::jsonb)`,
            [key, JSON.stringify(value)],
          )
        return postgresVelocityRecords(sql)
      },
      sql,
      runs: kind === 'pglite' ? 40 : 60,
    }
    process.stdout.write(`store-postgres: velocity contract on ${db.version}\n`)
  })
  afterAll(async () => {
    await db?.close()
  })

  test('reports the database it runs on', ({ task }) => {
    databaseOf(task.meta, subject.name)
    if (kind !== memory.name) expect(subject.name).toMatch(/PostgreSQL \d+\.\d+/)
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
          const store = await subject.fresh()
          let ledger = emptyLedger(ruleSet)
          for (const [i, p] of history.entries()) {
            const expected = evaluate(ruleSet, ledger, p)
            expect(await store.run(evaluateAndRecordStep(ruleSet, p))).toEqual(expected)
            if (E.isRight(expected) && expected.right.action !== 'block')
              ledger = right(recordPayout(ledger, p))
            const step = script[i] ?? { release: 40, prune: false }
            if (step.release < i) {
              const victim = history[step.release]?.id ?? p.id
              ledger = releasePayout(ledger, victim)
              expect(E.isRight(await store.run(releaseStep(victim)))).toBe(true)
            }
            if (step.prune) expect(E.isRight(await store.prune(p.createdAt))).toBe(true)
          }
        },
      ),
      { numRuns: subject.runs },
    )
  })

  test('decisions racing on one merchant near its limit never pass it, and match a serial run', async () => {
    const store = await subject.fresh()
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
    const store = await subject.fresh()
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
    const store = await subject.fresh()
    expect(right(await store.run(evaluateAndRecordStep(limits, at('pay_1', '10.00'))))).toMatchObject({
      action: 'allow',
    })
    // rows: the day (until midnight), the rolling hour, the lifetime totals, the payout's own record
    expect(await store.prune(t0)).toEqual(E.right(0))
    expect(await store.prune(t0 + 3_600_000)).toEqual(E.right(1)) // the hour's row
    expect(await store.prune(Date.UTC(2026, 0, 16))).toEqual(E.right(1)) // the day's row
    // the lifetime window still counts the payout, so its own record stays for a release
    expect(await store.run(releaseStep('pay_1'))).toEqual(E.right(true))
    if (subject.sql !== null) expect(await rowCount(subject.sql)).toBe(0)
  })

  test('a stored record that does not decode fails closed, naming its key and field', async () => {
    const p = at('pay_1', '10.00')
    const day = velocityKeysOf(limits, p).find((k) => k.kind === 'usage' && k.window === 'calendar')?.id ?? ''
    const store = await subject.fresh([[day, { kind: 'calendar', born: `${t0}/pay_0`, count: 'lots' }]])
    const answer = await store.run(evaluateAndRecordStep(limits, p))
    expect(E.isLeft(answer) && answer.left._tag === 'ValidationError').toBe(true)
    if (E.isLeft(answer) && answer.left._tag === 'ValidationError')
      expect(answer.left.problems.map((x) => x.field)).toContain(`${day}.count`)
    if (subject.sql !== null) expect(await rowCount(subject.sql)).toBe(1) // nothing else written
  })

  if (kind !== memory.name) {
    /** The subject's Sql with the write statement failing as `fail` says (attempt number from 1). */
    const failingWrites = (sql: Sql, fail: (attempt: number) => Error | null): Sql => {
      let attempt = 0
      return {
        ...sql,
        transaction: (body) =>
          sql.transaction((tx) =>
            body({
              ...tx,
              query: async (text, params) => {
                if (text.includes('jsonb_to_recordset')) {
                  const e = fail(++attempt)
                  if (e !== null) throw e
                }
                return tx.query(text, params)
              },
            }),
          ),
      }
    }
    const coded = (code: string, message: string) => Object.assign(new Error(message), { code })

    test('a lost race is run again; losing every time is an error value and nothing is written', async () => {
      await subject.fresh()
      const sql = subject.sql as Sql
      const once = postgresVelocityRecords(
        failingWrites(sql, (n) => (n === 1 ? coded('40001', 'could not serialize access') : null)),
      )
      expect(right(await once.run(evaluateAndRecordStep(limits, at('pay_1', '10.00')))).action).toBe('allow')
      expect(once.attempts()).toEqual({ transactions: 2, retries: 1 })
      await subject.fresh()
      const always = postgresVelocityRecords(
        failingWrites(sql, () => coded('40001', 'could not serialize access')),
        { maxAttempts: 3 },
      )
      const answer = await always.run(evaluateAndRecordStep(limits, at('pay_2', '10.00')))
      expect(answer).toMatchObject({
        _tag: 'Left',
        left: { _tag: 'VelocityStoreUnavailable', reason: 'contention', attempts: 3 },
      })
      expect(await rowCount(sql)).toBe(0)
    })

    test('a failure in the middle of a decision rolls it back whole: an error value, never an allow', async () => {
      await subject.fresh()
      const sql = subject.sql as Sql
      const broken = postgresVelocityRecords(
        failingWrites(sql, () => coded('57014', 'canceling statement due to statement timeout')),
      )
      const answer = await broken.run(evaluateAndRecordStep(limits, at('pay_1', '10.00')))
      expect(answer).toMatchObject({
        _tag: 'Left',
        left: { _tag: 'VelocityStoreUnavailable', reason: 'timeout' },
      })
      expect(await rowCount(sql)).toBe(0)
    })
  }
})

describe('an unreachable server', () => {
  test('answers an error value, never an allow', async () => {
    // a port nothing listens on: bind one, note it, close it
    const net = await import('node:net')
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const address = s.address()
        s.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 1))
      })
    })
    const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'postgres', connectionTimeoutMillis: 1_000 })
    pool.on('error', () => {})
    const store = postgresVelocityRecords(pgSql(pool))
    const answer = await store.run(evaluateAndRecordStep(limits, at('pay_1', '10.00')))
    expect(answer).toMatchObject({
      _tag: 'Left',
      left: { _tag: 'VelocityStoreUnavailable', reason: 'unreachable' },
    })
    expect(await store.prune(t0)).toMatchObject({ _tag: 'Left' })
    await pool.end()
  })
})

// ---------------------------------------------------------------- the race, on the server

if (databaseKinds().includes('server'))
  describe('4 processes pay one merchant and beneficiary near its limit on one server', () => {
    let db: TestDatabase
    let results: VelocityWorkerResult[] = []
    const perWorker = 150
    const payouts = [0, 1, 2, 3].map((w) =>
      Array.from({ length: perWorker }, (_, i) => {
        const cents = 500 + ((w * 7 + i * 13) % 29) * 100 + ((w * 31 + i * 17) % 100)
        return at(`pay_w${w}n${i}`, `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`)
      }),
    )
    beforeAll(async () => {
      db = await openDatabase('server')
      results = await runWorkers<VelocityWorkerResult>(
        new URL('./velocity.worker.ts', import.meta.url),
        payouts.map((list) => ({
          url: db.url,
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
      expect(errors).toEqual([]) // the locks queue the contenders: nobody runs out of retries
      // the commit order: the own records' versions come from one sequence
      const rows = await db.sql.query<{ id: string }>(
        `select value->>'id' as id from velocity_record where key like 'p/%' order by version`,
      )
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
      const transactions = results.reduce((s, r) => s + r.transactions, 0)
      const retries = results.reduce((s, r) => s + r.retries, 0)
      process.stdout.write(
        `store-postgres: velocity race on ${db.version}: ${all.length} decisions, ${admitted.length} admitted (${serial.admitted} minor units of 100000), ${transactions} transactions, ${retries} retries, the commit order switching worker ${switches} times\n`,
      )
    })
  })
