// The payout store contract, run on the in-memory store, PGlite and (when there is one) a real
// PostgreSQL server; then what only a database can show: a failure between the statements of one
// event leaves nothing behind, a store down or timing out is an error value, and two processes
// racing on the same payouts end exactly where a serial run ends.

import { fc } from '@fast-check/vitest'
import type { EpochMillis, PayoutId, WebhookEventId } from '@payout-kernel/core'
import {
  type AuditRecord,
  applyPayoutEvent,
  inMemoryPayoutStore,
  type PayoutConfig,
  type PayoutSnapshot,
  type PayoutStep,
  type PayoutStore,
  type PayoutStoreRefusal,
  type StartPayoutInput,
  startPayout,
  type WebhookEnvelope,
  type WebhookEvent,
} from '@payout-kernel/payout-machine'
import { arbPayoutEventStream, arbPayoutLifecycle } from '@payout-kernel/payout-machine/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import { postgresPayoutStore } from '../src/PayoutStore.js'
import { pgSql, type Sql, type SqlTransaction } from '../src/Sql.js'
import { type DatabaseKind, databaseKinds, openDatabase, serverUrl, type TestDatabase } from './databases.js'
import type { PayoutJob, PayoutWorkerResult } from './payout.worker.js'
import { runWorkers } from './processes.js'

type StoreKind = 'memory' | DatabaseKind

const kinds: ReadonlyArray<StoreKind> = ['memory', ...databaseKinds()]

interface OpenStore {
  readonly store: PayoutStore
  readonly db: TestDatabase | null
  readonly close: () => Promise<void>
}

const openStore = async (kind: StoreKind): Promise<OpenStore> => {
  if (kind === 'memory') return { store: inMemoryPayoutStore(), db: null, close: async () => {} }
  const db = await openDatabase(kind)
  return { store: postgresPayoutStore(db.sql), db, close: db.close }
}

/** Random streams per kind: the server and PGlite run a transaction per event. */
const streamRuns: Record<StoreKind, number> = { memory: 300, pglite: 60, server: 60 }

let payouts = 0
/** A payout id of its own for each run, so that runs can share one database. */
const fresh = (start: StartPayoutInput): StartPayoutInput => ({
  ...start,
  payoutId: `${start.payoutId}z${payouts++}` as PayoutId,
})

const at = (ms: number) => ms as EpochMillis

/** The reference: today's pure chain over the same inputs. */
const serial = (start: StartPayoutInput, inputs: ReadonlyArray<unknown>, config: PayoutConfig) => {
  const started = startPayout(start)
  if (E.isLeft(started)) throw new Error(`start refused: ${started.left.message}`)
  let snapshot: PayoutSnapshot = started.right.snapshot
  const steps: PayoutStep[] = [started.right]
  const results = inputs.map((input) => {
    const result = applyPayoutEvent(snapshot, input, config)
    if (E.isRight(result)) {
      snapshot = result.right.snapshot
      steps.push(result.right)
    }
    return result
  })
  return {
    results,
    final: snapshot,
    audit: steps.flatMap((s) => s.auditRecords),
    webhooks: steps.flatMap((s) => s.webhookEvents),
  }
}

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected a value, got ${JSON.stringify(e.left)}`)
  return e.right
}

const tagOf = (e: E.Either<PayoutStoreRefusal, unknown>): string =>
  E.isRight(e) ? 'accepted' : e.left._tag === 'PayoutRejection' ? e.left.reason : e.left._tag

const bodies = (envelopes: ReadonlyArray<WebhookEnvelope>): WebhookEvent[] =>
  envelopes.map((w) => JSON.parse(w.body))

const submitted = (eventId: string, occurredAt: number) => ({
  type: 'SUBMITTED',
  eventId,
  occurredAt,
  actor: { type: 'system' },
})

const startOf = (payoutId: string, occurredAt = 0) => ({
  payoutId,
  eventId: `c${payoutId}`,
  occurredAt,
  actor: { type: 'system' },
})

/** A payout taken through a few webhooks: created, pending_screening, pending_approval, manual_review. */
const threeMore = (payoutId: string) => [
  submitted(`s${payoutId}`, 1),
  { type: 'SCREENING_CLEARED', eventId: `k${payoutId}`, occurredAt: 2, actor: { type: 'system' } },
  {
    type: 'VELOCITY_EVALUATED',
    eventId: `v${payoutId}`,
    occurredAt: 3,
    actor: { type: 'system' },
    verdict: 'review',
  },
]

// ---------------------------------------------------------------- the contract, on every store

describe.each(kinds)('the payout store contract on %s', (kind) => {
  let open: OpenStore
  beforeAll(async () => {
    open = await openStore(kind)
    if (open.db !== null) process.stdout.write(`payout store suite on ${open.db.version}\n`)
  })
  afterAll(async () => {
    await open.close()
  })

  test('random event streams give the answers, snapshot, audit trail and webhooks of the pure chain', async () => {
    let clock = 1_000
    await fc.assert(
      fc.asyncProperty(arbPayoutEventStream(), async ({ config, start: generated, items }) => {
        const start = fresh(generated)
        const inputs = items.map((i) => (i.kind === 'event' ? i.event : i.value))
        const reference = serial(start, inputs, config)
        const store = open.store
        expect(tagOf(await store.start(start))).toBe('accepted')
        const results: Array<E.Either<PayoutStoreRefusal, PayoutStep>> = []
        for (const input of inputs) results.push(await store.apply(start.payoutId, input, config))
        expect(results).toEqual(reference.results)
        const stored = right(await store.read(start.payoutId))
        expect(stored?.value).toEqual(reference.final)
        expect(right(await store.auditTrail(start.payoutId))).toEqual(reference.audit)
        // the outbox holds the webhooks of this payout, in seq order; drain it for the next run
        clock += 1_000
        const claimed = right(await store.claimWebhooks({ limit: 10_000, at: at(clock), leaseMs: 100 }))
        const mine = claimed.filter((w) => w.payoutId === start.payoutId)
        expect(bodies(mine)).toEqual(reference.webhooks)
        expect(
          right(
            await store.markDelivered(
              claimed.map((w) => w.id),
              at(clock),
            ),
          ),
        ).toBe(claimed.length)
      }),
      { numRuns: streamRuns[kind] },
    )
  })

  test('a start is refused when the payout exists: the same creation is a duplicate, another one a conflict', async () => {
    const store = open.store
    const start = startOf('pay_startedtwice')
    expect(tagOf(await store.start(start))).toBe('accepted')
    expect(tagOf(await store.start(start))).toBe('duplicate_event')
    expect(tagOf(await store.start({ ...start, eventId: 'another' }))).toBe('PayoutAlreadyExists')
    expect(tagOf(await store.start({ ...start, payoutId: 'ben_1' }))).toBe('invalid_event')
    expect(right(await store.auditTrail('pay_startedtwice' as PayoutId)).map((r) => r.seq)).toEqual([1])
  })

  test('an event for a payout the store does not hold is PayoutNotFound, and writes nothing', async () => {
    const store = open.store
    const id = 'pay_nobody' as PayoutId
    expect(tagOf(await store.apply(id, submitted('e1', 1)))).toBe('PayoutNotFound')
    expect(right(await store.read(id))).toBeNull()
    expect(right(await store.auditTrail(id))).toEqual([])
  })

  test('a refused event writes nothing: same version, same trail', async () => {
    const store = open.store
    const id = 'pay_refused' as PayoutId
    right(await store.start(startOf(id)))
    const before = right(await store.read(id))
    const refusal = await store.apply(id, {
      type: 'RAIL_SETTLED',
      eventId: 'r1',
      occurredAt: 5,
      actor: { type: 'rail' },
    })
    expect(tagOf(refusal)).toBe('not_allowed_in_state')
    expect(right(await store.read(id))).toEqual(before)
    expect(right(await store.auditTrail(id)).length).toBe(1)
  })

  test('racing events for one payout in one process: each applied once, the trail gapless', async () => {
    const store = open.store
    const id = 'pay_racing' as PayoutId
    right(await store.start(startOf(id)))
    // the same event from four callers at once, then four different events at once
    const same = await Promise.all([1, 2, 3, 4].map(() => store.apply(id, submitted('s', 1))))
    expect(same.map(tagOf).sort()).toEqual([
      'accepted',
      'duplicate_event',
      'duplicate_event',
      'duplicate_event',
    ])
    const cancels = await Promise.all(
      [1, 2, 3].map((n) =>
        store.apply(id, { type: 'CANCEL', eventId: `x${n}`, occurredAt: 2, actor: { type: 'ops' } }),
      ),
    )
    expect(cancels.map(tagOf).sort()).toEqual([
      'accepted',
      'payout_not_cancellable',
      'payout_not_cancellable',
    ])
    const trail = right(await store.auditTrail(id))
    expect(trail.map((r) => [r.seq, r.status])).toEqual([
      [1, 'created'],
      [2, 'pending_screening'],
      [3, 'cancelled'],
    ])
  })

  describe('the outbox', () => {
    let outbox: OpenStore
    beforeAll(async () => {
      outbox = await openStore(kind)
    })
    afterAll(async () => {
      await outbox.close()
    })

    test('hands a payout out in seq order, from its first undelivered webhook; batches in write order; leases; prunes', async () => {
      const store = outbox.store
      // two payouts, their webhooks written interleaved: a1 b1 a2 b2 a3 b3 a4 b4
      right(await store.start(startOf('pay_a')))
      right(await store.start(startOf('pay_b')))
      const [a, b] = [threeMore('pay_a'), threeMore('pay_b')]
      for (let i = 0; i < 3; i++) {
        right(await store.apply('pay_a' as PayoutId, a[i]))
        right(await store.apply('pay_b' as PayoutId, b[i]))
      }
      const names = (ws: ReadonlyArray<WebhookEnvelope>) => ws.map((w) => `${w.payoutId.slice(4)}${w.seq}`)

      // a batch of 3: the first three written, each payout from its first webhook
      const first = right(await store.claimWebhooks({ limit: 3, at: at(100), leaseMs: 50 }))
      expect(names(first)).toEqual(['a1', 'b1', 'a2'])
      expect(first.map((w) => JSON.parse(w.body).id)).toEqual(first.map((w) => w.id))

      // another reader, while those are leased: neither payout is handed out (a3 waits for a1, a2;
      // b2 waits for b1), not even their later webhooks
      expect(names(right(await store.claimWebhooks({ limit: 10, at: at(120), leaseMs: 50 })))).toEqual([])

      // the first reader delivers a1 only; b1 and a2 stay leased until 150
      expect(right(await store.markDelivered([first[0]?.id as WebhookEventId], at(130)))).toBe(1)
      expect(names(right(await store.claimWebhooks({ limit: 10, at: at(140), leaseMs: 50 })))).toEqual([])

      // the lease lapses: handed out again (at least once), each payout from its first undelivered
      const again = right(await store.claimWebhooks({ limit: 10, at: at(150), leaseMs: 50 }))
      expect(names(again)).toEqual(['b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4'])
      expect(
        right(
          await store.markDelivered(
            again.map((w) => w.id),
            at(160),
          ),
        ),
      ).toBe(7)
      expect(
        right(
          await store.markDelivered(
            again.map((w) => w.id),
            at(161),
          ),
        ),
      ).toBe(0)
      expect(names(right(await store.claimWebhooks({ limit: 10, at: at(500), leaseMs: 50 })))).toEqual([])

      // new webhooks after delivery: handed out on their own
      right(
        await store.apply('pay_b' as PayoutId, {
          type: 'CANCEL',
          eventId: 'xb',
          occurredAt: 9,
          actor: { type: 'ops' },
        }),
      )
      const later = right(await store.claimWebhooks({ limit: 10, at: at(600), leaseMs: 50 }))
      expect(names(later)).toEqual(['b5'])
      expect(later[0]?.type).toBe('payout.cancelled')

      // prune: rows delivered before at − retention go, undelivered and recent ones stay
      expect(right(await store.pruneDelivered(at(160), 0))).toBe(1) // a1, delivered at 130
      expect(right(await store.pruneDelivered(at(1_160), 1_000))).toBe(0) // the rest were delivered at 160
      expect(right(await store.pruneDelivered(at(1_161), 1_000))).toBe(7)
      expect(names(right(await store.claimWebhooks({ limit: 10, at: at(700), leaseMs: 50 })))).toEqual(['b5'])
    })

    test('several readers at once: disjoint batches, never two webhooks of one payout out of order', async () => {
      const store = outbox.store
      // drain what the previous test left
      const left = right(await store.claimWebhooks({ limit: 1_000, at: at(10_000), leaseMs: 1 }))
      right(
        await store.markDelivered(
          left.map((w) => w.id),
          at(10_000),
        ),
      )

      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ payout: fc.nat({ max: 5 }), readers: fc.integer({ min: 1, max: 4 }) }), {
            minLength: 1,
            maxLength: 12,
          }),
          fc.integer({ min: 1, max: 6 }),
          async (plan, limit) => {
            const run = payouts++
            const ids = [0, 1, 2, 3, 4, 5].map((p) => `pay_r${run}p${p}` as PayoutId)
            const next = ids.map(() => 0)
            const delivered = new Map<string, number[]>(ids.map((id) => [id, []]))
            let clock = 20_000 + run * 10_000
            for (const { payout, readers } of plan) {
              // write one more webhook for this payout (the start, then a few events), then read
              const id = ids[payout] as PayoutId
              const n = next[payout] ?? 0
              const event = n === 0 ? startOf(id) : threeMore(id)[n - 1]
              if (event !== undefined) {
                right(n === 0 ? await store.start(event) : await store.apply(id, event))
                next[payout] = n + 1
              }
              clock += 1
              const batches = await Promise.all(
                Array.from({ length: readers }, () =>
                  store.claimWebhooks({ limit, at: at(clock), leaseMs: 1_000_000 }),
                ),
              )
              const all = batches.flatMap((b) => right(b)).filter((w) => delivered.has(w.payoutId))
              // disjoint: no webhook handed to two readers, no payout to two readers
              expect(new Set(all.map((w) => w.id)).size).toBe(all.length)
              const owners = new Map<string, number>()
              batches.forEach((b, r) => {
                for (const w of right(b)) {
                  expect(owners.get(w.payoutId) ?? r).toBe(r)
                  owners.set(w.payoutId, r)
                }
              })
              // each reader delivers its batch, in order; a payout's seqs only ever grow, gapless
              for (const batch of batches) {
                const ws = right(batch)
                for (const w of ws) {
                  const seen = delivered.get(w.payoutId) ?? []
                  expect(w.seq).toBe(seen.length + 1)
                  seen.push(w.seq)
                }
                right(
                  await store.markDelivered(
                    ws.map((w) => w.id),
                    at(clock),
                  ),
                )
              }
            }
            // in the end every webhook is delivered exactly once
            clock += 1
            const rest = right(await store.claimWebhooks({ limit: 1_000, at: at(clock), leaseMs: 1 }))
            for (const w of rest.filter((r) => delivered.has(r.payoutId)))
              delivered.get(w.payoutId)?.push(w.seq)
            right(
              await store.markDelivered(
                rest.map((w) => w.id),
                at(clock),
              ),
            )
            ids.forEach((id, p) => {
              expect(delivered.get(id)).toEqual(Array.from({ length: next[p] ?? 0 }, (_, i) => i + 1))
            })
          },
        ),
        { numRuns: kind === 'memory' ? 200 : 25 },
      )
    })
  })
})

// ---------------------------------------------------------------- only a database shows these

const databases = databaseKinds()

/** The same database, with one kind of statement failing on purpose inside the transaction. */
const failingOn = (sql: Sql, statement: RegExp): Sql => ({
  ...sql,
  transaction: (body) =>
    sql.transaction((tx) => {
      const wrapped: SqlTransaction = {
        exec: tx.exec,
        query: (text, params) =>
          statement.test(text)
            ? Promise.reject(new Error(`injected failure: ${statement}`))
            : tx.query(text, params),
      }
      return body(wrapped)
    }),
})

describe.each(databases)('all of one event or nothing, on %s', (kind) => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await openDatabase(kind)
  })
  afterAll(async () => {
    await db.close()
  })

  const outboxRows = async (payoutId: string): Promise<number> =>
    Number(
      (
        await db.sql.query<{ n: number }>(
          'select count(*)::int as n from payout_outbox where payout_id = $1',
          [payoutId],
        )
      )[0]?.n,
    )

  test.each([
    ['the outbox insert', /insert into payout_outbox/],
    ['the audit insert', /insert into payout_audit/],
    ['the snapshot update', /update payout_snapshot/],
  ])('a failure at %s leaves no snapshot change, no audit row, no outbox row', async (_name, statement) => {
    const id = `pay_atomic${payouts++}` as PayoutId
    const store = postgresPayoutStore(db.sql)
    right(await store.start(startOf(id)))
    const before = right(await store.read(id))
    const failing = postgresPayoutStore(failingOn(db.sql, statement))
    const result = await failing.apply(id, submitted('s1', 1))
    expect(E.isLeft(result) && result.left._tag).toBe('PayoutStoreUnavailable')
    expect(right(await store.read(id))).toEqual(before)
    expect(right(await store.auditTrail(id)).map((r) => r.seq)).toEqual([1])
    expect(await outboxRows(id)).toBe(1)
    // and the event applies once the fault is gone: a retry is safe
    expect(tagOf(await store.apply(id, submitted('s1', 1)))).toBe('accepted')
    expect(await outboxRows(id)).toBe(2)
  })

  test('a failure raised by the database itself (a trigger on the outbox) rolls back the whole event', async () => {
    const id = `pay_trigger${payouts++}`
    await db.sql.query(`create or replace function payout_outbox_refuse() returns trigger language plpgsql as $$
      begin if new.payout_id = '${id}' and new.seq > 1 then raise exception 'outbox refused'; end if; return new; end $$`)
    await db.sql.query(
      'create trigger payout_outbox_refuse before insert on payout_outbox for each row execute function payout_outbox_refuse()',
    )
    try {
      const store = postgresPayoutStore(db.sql)
      right(await store.start(startOf(id)))
      const before = right(await store.read(id as PayoutId))
      const result = await store.apply(id as PayoutId, submitted('s1', 1))
      expect(E.isLeft(result) && result.left._tag).toBe('PayoutStoreUnavailable')
      expect(right(await store.read(id as PayoutId))).toEqual(before)
      expect(right(await store.auditTrail(id as PayoutId)).length).toBe(1)
      expect(await outboxRows(id)).toBe(1)
    } finally {
      await db.sql.query('drop trigger payout_outbox_refuse on payout_outbox')
    }
  })

  test('a store that keeps losing the race answers PayoutStoreContended after its attempts', async () => {
    const id = `pay_lost${payouts++}` as PayoutId
    right(await postgresPayoutStore(db.sql).start(startOf(id)))
    // every snapshot update finds the version moved (as if another writer always got there first)
    const moving: Sql = {
      ...db.sql,
      transaction: (body) =>
        db.sql.transaction((tx) =>
          body({
            exec: tx.exec,
            query: (text, params) =>
              /update payout_snapshot/.test(text)
                ? tx.query(`${text.replace('version = $4', 'false and $4::bigint = 0')}`, params)
                : tx.query(text, params),
          }),
        ),
    }
    const result = await postgresPayoutStore(moving, { attempts: 3 }).apply(id, submitted('s1', 1))
    expect(result).toEqual(E.left({ _tag: 'PayoutStoreContended', attempts: 3 }))
    expect(right(await postgresPayoutStore(db.sql).auditTrail(id)).length).toBe(1)
  })

  test('audit rows read back that are not audit records are PayoutStoreCorrupt, naming the field', async () => {
    const id = `pay_corrupt${payouts++}`
    const store = postgresPayoutStore(db.sql)
    right(await store.start(startOf(id)))
    await db.sql.query(
      `update payout_audit set record = jsonb_set(record, '{status}', '"paid"') where payout_id = $1`,
      [id],
    )
    const trail = await store.auditTrail(id as PayoutId)
    expect(
      E.isLeft(trail) && trail.left._tag === 'PayoutStoreCorrupt' && trail.left.error.problems[0]?.field,
    ).toBe('status')
    await db.sql.query(
      `update payout_snapshot set snapshot = jsonb_set(snapshot, '{state}', '"draft"') where payout_id = $1`,
      [id],
    )
    const applied = await store.apply(id as PayoutId, submitted('s1', 1))
    expect(
      E.isLeft(applied) &&
        applied.left._tag === 'PayoutStoreCorrupt' &&
        applied.left.error.problems[0]?.field,
    ).toBe('snapshot.value.state')
  })
})

describe('a store that is down is an error value, never a throw', () => {
  const down: Sql = {
    query: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    transaction: () =>
      Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    serverVersion: () => Promise.reject(new Error('down')),
  }
  const store = postgresPayoutStore(down)
  const id = 'pay_down' as PayoutId

  test('every operation resolves to PayoutStoreUnavailable', async () => {
    const answers = [
      await store.start(startOf(id)),
      await store.apply(id, submitted('s', 1)),
      await store.read(id),
      await store.auditTrail(id),
      await store.claimWebhooks({ limit: 1, at: at(0), leaseMs: 1 }),
      await store.markDelivered(['evt_1' as WebhookEventId], at(0)),
      await store.pruneDelivered(at(0), 0),
    ]
    for (const answer of answers) expect(E.isLeft(answer) && answer.left._tag).toBe('PayoutStoreUnavailable')
  })
})

// ---------------------------------------------------------------- on the server only

// No server, no suite (databases.ts prints so, and fails when .ci/run asked for one).
describe.each(databases.filter((k) => k === 'server'))('on the PostgreSQL %s', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await openDatabase('server')
    process.stdout.write(`payout store server tests on ${db.version}\n`)
  })
  afterAll(async () => {
    await db.close()
  })

  test('a server that refuses connections is PayoutStoreUnavailable', async () => {
    const pool = new pg.Pool({
      connectionString: 'postgresql://postgres@127.0.0.1:1/postgres',
      connectionTimeoutMillis: 500,
    })
    pool.on('error', () => {})
    const store = postgresPayoutStore(pgSql(pool))
    const result = await store.apply('pay_x' as PayoutId, submitted('s', 1))
    expect(E.isLeft(result) && result.left._tag).toBe('PayoutStoreUnavailable')
    await pool.end()
  })

  test('a payout locked elsewhere past the lock timeout: contended, nothing written; applies once released', async () => {
    const id = `pay_locked${payouts++}` as PayoutId
    const store = postgresPayoutStore(db.sql, { lockTimeoutMs: 100, attempts: 2 })
    right(await store.start(startOf(id)))
    const holder = new pg.Client({ connectionString: db.url ?? undefined })
    await holder.connect()
    await holder.query('begin')
    await holder.query('select 1 from payout_snapshot where payout_id = $1 for update', [id])
    const result = await store.apply(id, submitted('s1', 1))
    expect(result).toEqual(E.left({ _tag: 'PayoutStoreContended', attempts: 2 }))
    await holder.query('rollback')
    await holder.end()
    expect(right(await store.auditTrail(id)).length).toBe(1)
    expect(tagOf(await store.apply(id, submitted('s1', 1)))).toBe('accepted')
  })

  test('a statement past the statement timeout: unavailable, nothing written', async () => {
    const id = `pay_slow${payouts++}`
    await db.sql.query(`create or replace function payout_audit_slow() returns trigger language plpgsql as $$
      begin if new.payout_id = '${id}' then perform pg_sleep(0.5); end if; return new; end $$`)
    await db.sql.query(
      'create trigger payout_audit_slow before insert on payout_audit for each row execute function payout_audit_slow()',
    )
    try {
      const store = postgresPayoutStore(db.sql, { statementTimeoutMs: 100 })
      const result = await store.start(startOf(id))
      expect(E.isLeft(result) && result.left._tag).toBe('PayoutStoreUnavailable')
      expect(right(await store.read(id as PayoutId))).toBeNull()
    } finally {
      await db.sql.query('drop trigger payout_audit_slow on payout_audit')
    }
  })

  test('events for the same payouts from 2 processes at random: each applied once, status and trail of the serial run', async () => {
    const lifecycles = fc.sample(arbPayoutLifecycle(), { numRuns: 60, seed: 17 })
    const pauses = fc.sample(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 40, maxLength: 40 }), {
      numRuns: 2 * lifecycles.length,
      seed: 71,
    })
    const jobs = lifecycles.map(
      ({ config, start, events }, i): PayoutJob & { readonly reference: ReturnType<typeof serial> } => {
        const own = { ...start, payoutId: `pay_race${i}x${start.payoutId.slice(4)}` as PayoutId }
        return {
          payoutId: own.payoutId,
          start: own,
          events,
          config,
          pauses: [],
          reference: serial(own, events, config),
        }
      },
    )
    const url = db.url ?? serverUrl ?? ''
    const startAt = Date.now() + 3_000
    const results = await runWorkers<PayoutWorkerResult>(
      new URL('./payout.worker.ts', import.meta.url),
      [0, 1].map((w) => ({
        url,
        startAt,
        jobs: jobs.map(({ reference: _reference, ...job }, i) => ({
          ...job,
          pauses: pauses[2 * i + w] ?? [],
        })),
      })),
    )
    expect(results.flatMap((r) => r.refused)).toEqual([])
    const store = postgresPayoutStore(db.sql)
    let contested = 0
    for (const job of jobs) {
      const byWorker = results.map((r) => r.applied[job.payoutId] ?? [])
      // each event (and the start) applied by exactly one of the two; the other saw a duplicate
      const all = ['start', ...job.events.map((e) => e.eventId)]
      expect([...(byWorker[0] ?? []), ...(byWorker[1] ?? [])].sort()).toEqual([...all].sort())
      if ((byWorker[0]?.length ?? 0) > 0 && (byWorker[1]?.length ?? 0) > 0) contested++
      // the payout ends where the serial run ends, with the serial run's audit trail and webhooks
      expect(right(await store.read(job.payoutId as PayoutId))?.value).toEqual(job.reference.final)
      const trail: ReadonlyArray<AuditRecord> = right(await store.auditTrail(job.payoutId as PayoutId))
      expect(trail).toEqual(job.reference.audit)
      expect(trail.map((r) => r.seq)).toEqual(trail.map((_, i) => i + 1))
      const rows = await db.sql.query<{ body: string }>(
        'select body from payout_outbox where payout_id = $1 order by seq',
        [job.payoutId],
      )
      expect(rows.map((r) => JSON.parse(r.body))).toEqual(job.reference.webhooks)
    }
    process.stdout.write(
      `payout race: ${jobs.length} payouts, ${jobs.reduce((n, j) => n + j.events.length + 1, 0)} events from 2 processes, ` +
        `${contested} payouts advanced by both, ${results.reduce((n, r) => n + r.retried, 0)} store errors retried\n`,
    )
    // the race was a race: both processes applied events of the same payouts
    expect(contested).toBeGreaterThan(0)
  })
})
