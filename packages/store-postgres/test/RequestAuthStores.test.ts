// The request-auth stores' contract, run on PGlite and (when there is one) a real PostgreSQL
// server, held to the in-memory stores of @payout-kernel/request-auth: random streams of
// deliveries, completions, releases, prunes and clock steps give the same answers on both, step
// for step; concurrent deliveries of one event accept it once; a store that is down fails closed.

import { fc } from '@fast-check/vitest'
import {
  checkDpopReplayIn,
  completeWebhookReceiptIn,
  type DpopReplayStore,
  defaultWebhookReceiptConfig,
  inMemoryDpopReplayStore,
  inMemoryWebhookReceiptStore,
  receiveWebhookIn,
  releaseWebhookReceiptIn,
  type WebhookReceiptKey,
  type WebhookReceiptLease,
  type WebhookReceiptStore,
  webhookReceiptKey,
} from '@payout-kernel/request-auth'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as E from '#fp-ts/Either'
import { postgresDpopReplays } from '../src/DpopReplayStore.js'
import { pgSql } from '../src/Sql.js'
import { postgresWebhookReceipts } from '../src/WebhookReceiptStore.js'
import { databaseKinds, databaseOf, openDatabase, serverPool, type TestDatabase } from './databases.js'

const config = { leaseMs: 1_000, retentionMs: 5_000 }

const keyOf = (scope: string, n: number): WebhookReceiptKey => {
  const k = webhookReceiptKey(scope, `evt_${n}`)
  if (E.isLeft(k)) throw new Error('a valid key was refused')
  return k.right
}

type Step =
  | { readonly op: 'receive'; readonly event: number; readonly dt: number }
  | { readonly op: 'complete'; readonly lease: number; readonly dt: number }
  | { readonly op: 'release'; readonly lease: number }
  | { readonly op: 'prune'; readonly dt: number }

const arbStep: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('receive' as const), event: fc.nat(5), dt: fc.nat(1_500) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('complete' as const), lease: fc.nat(9), dt: fc.nat(1_500) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), lease: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('prune' as const), dt: fc.nat(3_000) }) },
)

/** Plays a stream on a store; the answers, with nothing store-specific in them. */
const play = async (store: WebhookReceiptStore, scope: string, steps: ReadonlyArray<Step>) => {
  let now = 0
  const leases: WebhookReceiptLease[] = []
  const answers: unknown[] = []
  for (const s of steps) {
    if (s.op === 'receive') {
      now += s.dt
      const a = await receiveWebhookIn(store, keyOf(scope, s.event), now, config)
      if (E.isRight(a) && a.right._tag === 'Accepted') leases.push(a.right.lease)
      answers.push(a)
    } else if (s.op === 'complete') {
      now += s.dt
      const lease = leases[s.lease % Math.max(1, leases.length)]
      answers.push(lease === undefined ? null : await completeWebhookReceiptIn(store, lease, now, config))
    } else if (s.op === 'release') {
      const lease = leases[s.lease % Math.max(1, leases.length)]
      answers.push(lease === undefined ? null : await releaseWebhookReceiptIn(store, lease))
    } else {
      now += s.dt
      answers.push({ pruned: await store.prune(now) })
    }
  }
  return answers
}

type ReplayStep =
  | { readonly key: number; readonly jti: number; readonly dt: number }
  | { readonly prune: true }

const arbReplaySteps = fc.array(
  fc.oneof(
    { weight: 9, arbitrary: fc.record({ key: fc.nat(2), jti: fc.nat(4), dt: fc.nat(120_000) }) },
    { weight: 1, arbitrary: fc.record({ prune: fc.constant(true as const) }) },
  ),
  { minLength: 1, maxLength: 30 },
)

/** Plays proofs through the replay check; the answers. */
const playReplays = async (store: DpopReplayStore, steps: ReadonlyArray<ReplayStep>) => {
  let now = 1_000_000
  const answers: unknown[] = []
  for (const s of steps) {
    if ('prune' in s) answers.push({ pruned: await store.prune(now) })
    else {
      now += s.dt
      answers.push(await checkDpopReplayIn(store, { jkt: `jkt-${s.key}`, jti: `j-${s.jti}`, iat: 0 }, now))
    }
  }
  return answers
}

for (const kind of databaseKinds()) {
  describe(`request-auth stores on ${kind}`, () => {
    let db: TestDatabase
    beforeAll(async () => {
      db = await openDatabase(kind)
    })
    afterAll(async () => {
      await db.close()
    })

    test('webhook receipts: random streams give the in-memory answers, step for step', async ({ task }) => {
      databaseOf(task.meta, db.version)
      let runs = 0
      await fc.assert(
        fc.asyncProperty(fc.array(arbStep, { minLength: 1, maxLength: 30 }), async (steps) => {
          const scope = `s${runs++}`
          // Prune counts every scope's records: each run starts from an empty table.
          await db.sql.query('delete from webhook_receipt')
          const expected = await play(inMemoryWebhookReceiptStore(), scope, steps)
          const actual = await play(postgresWebhookReceipts(db.sql), scope, steps)
          expect(actual).toEqual(expected)
        }),
        { numRuns: kind === 'pglite' ? 60 : 150 },
      )
    })

    test('webhook receipts: concurrent deliveries of one event accept it once', async () => {
      // On the server, through a pool of 8 connections: the deliveries really run at once.
      const pool = kind === 'server' && db.schema !== null ? serverPool(db.schema, 8) : null
      const store = postgresWebhookReceipts(pool === null ? db.sql : pgSql(pool))
      try {
        for (let event = 0; event < 20; event++) {
          const key = keyOf('race', event)
          const answers = await Promise.all(
            Array.from({ length: 8 }, () => receiveWebhookIn(store, key, 0, defaultWebhookReceiptConfig, 32)),
          )
          const tags = answers.map((a) => (E.isRight(a) ? a.right._tag : a.left._tag))
          expect(tags.filter((t) => t === 'Accepted')).toHaveLength(1)
          expect(tags.filter((t) => t !== 'Accepted' && t !== 'InFlight')).toEqual([])
        }
        expect(await store.count()).toBeGreaterThanOrEqual(20)
      } finally {
        await pool?.end()
      }
    })

    test('DPoP replays: random streams give the in-memory answers, step for step', async ({ task }) => {
      databaseOf(task.meta, db.version)
      await fc.assert(
        fc.asyncProperty(arbReplaySteps, async (steps) => {
          await db.sql.query('delete from dpop_replay')
          expect(await playReplays(postgresDpopReplays(db.sql), steps)).toEqual(
            await playReplays(inMemoryDpopReplayStore(), steps),
          )
        }),
        { numRuns: kind === 'pglite' ? 60 : 150 },
      )
    })

    test('DPoP replays: concurrent requests with one proof pass once', async () => {
      const pool = kind === 'server' && db.schema !== null ? serverPool(db.schema, 8) : null
      const store = postgresDpopReplays(pool === null ? db.sql : pgSql(pool))
      try {
        for (let jti = 0; jti < 20; jti++) {
          const proof = { jkt: 'race', jti: `j-${jti}`, iat: 0 }
          const answers = await Promise.all(
            Array.from({ length: 8 }, () => checkDpopReplayIn(store, proof, 0)),
          )
          expect(answers.filter(E.isRight)).toHaveLength(1)
          expect(answers.filter((a) => E.isLeft(a) && a.left.reason === 'replay')).toHaveLength(7)
        }
      } finally {
        await pool?.end()
      }
    })

    test('webhook receipts: a corrupt stored record fails closed', async () => {
      await db.sql.query(
        `insert into webhook_receipt values ('corrupt', 'evt_1', '{"_tag": "Processed"}', 9e15, nextval('request_auth_version'))`,
      )
      const answer = await receiveWebhookIn(postgresWebhookReceipts(db.sql), keyOf('corrupt', 1), 0)
      expect(answer).toEqual(
        E.left({ _tag: 'WebhookReceiptUnavailable', reason: 'store_failed', attempts: 1 }),
      )
    })
  })
}

test('webhook receipts: a store that cannot be reached fails closed', async () => {
  const pool = new pg.Pool({
    connectionString: 'postgresql://nobody@127.0.0.1:1/none',
    connectionTimeoutMillis: 500,
  })
  try {
    const answer = await receiveWebhookIn(postgresWebhookReceipts(pgSql(pool)), keyOf('down', 1), 0)
    expect(answer).toEqual(E.left({ _tag: 'WebhookReceiptUnavailable', reason: 'store_failed', attempts: 1 }))
  } finally {
    await pool.end()
  }
})
