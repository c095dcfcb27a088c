// The rescore record store's contract, on every store: the in-memory reference, PGlite, and the
// PostgreSQL server when there is one. Random scripts (requests as the clock moves, completions,
// failures, workers that die, pruning) give the whole-state policy's answers field for field;
// faults fail closed and leave nothing half-written.
import { fc, test } from '@fast-check/vitest'
import {
  completeRescoreIn,
  decideRescoreIn,
  defaultRescoreConfig,
  failRescoreIn,
  inMemoryRescoreRecords,
  type RescoreConfig,
  type RescoreRecordStore,
} from '@payout-kernel/rescore-policy'
import {
  arbRescoreConfig,
  arbRescoreScript,
  playRescoreScript,
  playRescoreScriptIn,
} from '@payout-kernel/rescore-policy/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import { pgSql, postgresRescoreRecords, type Sql } from '../src/index.js'
import { databaseKinds, databaseOf, openDatabase, type TestDatabase } from './databases.js'

const request = (key: string, beneficiaryId = 'ben_1', merchantId = 'mer_acme') => ({
  merchantId,
  method: 'POST',
  path: `/v1/beneficiaries/${beneficiaryId}/rescore`,
  beneficiaryId,
  headers: { 'Idempotency-Key': key },
  engine: { configured: true, profileExists: true, locked: false },
})

const truncate = (sql: Sql) =>
  sql.query('truncate rescore_quota, rescore_admission, rescore_idempotency, rescore_beneficiary')

interface Subject {
  readonly name: string
  readonly fresh: () => Promise<RescoreRecordStore>
  readonly runs: number
}

const memory: Subject = { name: 'in memory', fresh: async () => inMemoryRescoreRecords(), runs: 1_000 }

describe.each([memory.name, ...databaseKinds()])('the rescore record store contract: %s', (kind) => {
  let db: TestDatabase | null = null
  let subject: Subject = memory
  beforeAll(async () => {
    if (kind === memory.name) return
    db = await openDatabase(kind as 'pglite' | 'server')
    const sql = db.sql
    subject = {
      name: db.version,
      fresh: async () => {
        await truncate(sql)
        return postgresRescoreRecords(sql)
      },
      runs: kind === 'pglite' ? 150 : 300,
    }
    process.stdout.write(`store-postgres: rescore contract on ${db.version}\n`)
  })
  afterAll(async () => {
    await db?.close()
  })

  test('reports the database it runs on', ({ task }) => {
    databaseOf(task.meta, subject.name)
    if (kind !== memory.name) expect(subject.name).toMatch(/PostgreSQL \d+\.\d+/)
  })

  test('random scripts give the whole-state answers, field for field', async () => {
    await fc.assert(
      fc.asyncProperty(arbRescoreConfig, arbRescoreScript(30), async (config, script) => {
        const store = await subject.fresh()
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
    await truncate(db.sql)
    let trips = 0
    const counting: Sql = {
      ...db.sql,
      query: (text, params) => {
        trips++
        return db?.sql.query(text, params) ?? Promise.reject(new Error('closed'))
      },
    }
    const store = postgresRescoreRecords(counting)
    const tripsOf = async (run: () => Promise<unknown>) => {
      trips = 0
      await run()
      return trips
    }
    const start = await tripsOf(() => decideRescoreIn(store, request('k-1'), 0, defaultRescoreConfig))
    const inFlight = await tripsOf(() => decideRescoreIn(store, request('k-2'), 1, defaultRescoreConfig))
    const noKey = await tripsOf(() =>
      decideRescoreIn(store, { ...request('k-3'), headers: {} }, 2, defaultRescoreConfig),
    )
    expect({ start, inFlight, noKey }).toEqual({ start: 2, inFlight: 2, noKey: 1 })
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

describe.each(databaseKinds())('faults fail closed: %s', (kind) => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await openDatabase(kind)
  })
  afterAll(async () => {
    await db.close()
  })

  test('a write that fails halfway (a trigger on the beneficiary table) leaves nothing written', async () => {
    await truncate(db.sql)
    await db.sql.query(`create function pk_fail() returns trigger language plpgsql as $$
      begin raise exception 'injected fault'; end $$`)
    await db.sql.query(
      'create trigger pk_fail before insert on rescore_beneficiary for each row execute function pk_fail()',
    )
    try {
      const store = postgresRescoreRecords(db.sql)
      const answer = await decideRescoreIn(store, request('k-1'), 0, defaultRescoreConfig)
      expect(answer.response?.status).toBe(503)
      expect(answer.response?.body).toMatchObject({ error: { code: 'idempotency_unavailable' } })
      // The quota admission and the key were written before the fault, in the same statement: gone.
      expect(await store.counts()).toEqual({
        merchants: 0,
        admissions: 0,
        idempotencyKeys: 0,
        beneficiaries: 0,
      })
    } finally {
      await db.sql.query('drop trigger pk_fail on rescore_beneficiary')
      await db.sql.query('drop function pk_fail()')
    }
  })

  test('a record pruned between the check and the write: the batch rolls back whole and decides again', async () => {
    await truncate(db.sql)
    const store = postgresRescoreRecords(db.sql)
    const first = await decideRescoreIn(store, request('k-1'), 0, defaultRescoreConfig)
    expect(first.response).toBeNull()
    // The next write of the beneficiary finds its row deleted under it (as a prune's delete
    // would, after the version check): the trigger deletes the row and skips the update, once
    // (counted on a sequence, which the rollback does not undo).
    await db.sql.query('create sequence pk_once')
    await db.sql.query(`create function pk_prune() returns trigger language plpgsql as $$
      begin
        if nextval('pk_once') > 1 then return new; end if;
        delete from rescore_beneficiary where beneficiary_id = old.beneficiary_id;
        return null;
      end $$`)
    await db.sql.query(
      'create trigger pk_prune before update on rescore_beneficiary for each row execute function pk_prune()',
    )
    try {
      const lease = first.effects[0]?.lease
      if (lease === undefined) throw new Error('a start without its lease')
      const settled = await completeRescoreIn(
        store,
        { lease, current: { evaluationId: 'eval_1', rawScore: 423 }, previous: null },
        1_000,
        defaultRescoreConfig,
      )
      // The first attempt rolled back whole (the key is still in flight, not half settled); the
      // second read the record as gone and settled against that.
      if (E.isLeft(settled)) throw new Error('a valid outcome was refused')
      expect(settled.right.status).toBe(200)
      expect((await db.sql.query<{ n: number }>('select last_value::int as n from pk_once'))[0]?.n).toBe(2)
      const replay = await decideRescoreIn(store, request('k-1'), 2_000, defaultRescoreConfig)
      expect(replay.response?.body).toEqual(settled.right.body)
    } finally {
      await db.sql.query('drop trigger pk_prune on rescore_beneficiary')
      await db.sql.query('drop function pk_prune()')
      await db.sql.query('drop sequence pk_once')
    }
  })

  test('a corrupted stored record fails closed instead of being trusted', async () => {
    await truncate(db.sql)
    await db.sql.query(
      `insert into rescore_beneficiary values ('ben_1', '{"lease": null, "cooldownUntil": "soon"}', 9e15, nextval('rescore_version'))`,
    )
    const answer = await decideRescoreIn(
      postgresRescoreRecords(db.sql),
      request('k-1'),
      0,
      defaultRescoreConfig,
    )
    expect(answer.response?.status).toBe(503)
  })

  test('losing the race past the attempts is a 503, not a guess', async () => {
    await truncate(db.sql)
    const store = postgresRescoreRecords(db.sql)
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
})

describe('an unreachable server fails closed', () => {
  test('decide and settle answer 503 idempotency_unavailable, and nothing throws', async ({ task }) => {
    databaseOf(task.meta, 'none (closed port)')
    const pool = new pg.Pool({ host: '127.0.0.1', port: 9, connectionTimeoutMillis: 500, max: 1 })
    pool.on('error', () => {})
    const store = postgresRescoreRecords(pgSql(pool))
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
    await pool.end()
  })
})
