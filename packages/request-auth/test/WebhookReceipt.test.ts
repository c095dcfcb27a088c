// A receiver's dedupe on event id: the keyed decision, the in-memory store against a reference that
// reads the history, concurrent duplicates under every interleaving fc.scheduler picks, and the
// runners failing closed.
import { fc, test } from '@fast-check/vitest'
import type { ConditionalWrite } from '@payout-kernel/core'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  completeWebhookReceipt,
  completeWebhookReceiptIn,
  decideWebhookReceipt,
  decodeWebhookReceiptConfig,
  decodeWebhookReceiptRecord,
  defaultWebhookReceiptConfig,
  inMemoryWebhookReceiptStore,
  receiveWebhookIn,
  releaseWebhookReceipt,
  releaseWebhookReceiptIn,
  type WebhookReceiptAnswer,
  type WebhookReceiptConfig,
  type WebhookReceiptKey,
  type WebhookReceiptLease,
  type WebhookReceiptRecord,
  type WebhookReceiptStore,
  webhookReceiptKey,
} from '../src/index.js'

const keyOf = (eventId: string, scope = 'payouts'): WebhookReceiptKey => {
  const key = webhookReceiptKey(scope, eventId)
  if (E.isLeft(key)) throw new Error(`bad test key ${eventId}`)
  return key.right
}

const config: WebhookReceiptConfig = { leaseMs: 100, retentionMs: 1_000 }

// ---------------------------------------------------------------- the decision

describe('decideWebhookReceipt', () => {
  const key = keyOf('evt_1')
  const processing = (receivedAt: number, expiresAt: number) => ({
    version: 3,
    value: { _tag: 'Processing', receivedAt, expiresAt } as const,
  })
  const processed = (processedAt: number, expiresAt: number) => ({
    version: 4,
    value: { _tag: 'Processed', receivedAt: 0, processedAt, expiresAt } as const,
  })

  test('nothing read: accepted, a lease created', () => {
    expect(decideWebhookReceipt(null, key, 10, config)).toEqual({
      answer: { _tag: 'Accepted', lease: { key, receivedAt: 10, leaseUntil: 110 } },
      write: { expected: null, value: { _tag: 'Processing', receivedAt: 10, expiresAt: 110 } },
    })
  })

  test('a live lease: in flight; at its end (exclusive) it counts as absent and is taken over', () => {
    expect(decideWebhookReceipt(processing(10, 110), key, 109, config)).toEqual({
      answer: { _tag: 'InFlight', leaseUntil: 110 },
      write: null,
    })
    expect(decideWebhookReceipt(processing(10, 110), key, 110, config).write).toEqual({
      expected: 3,
      value: { _tag: 'Processing', receivedAt: 110, expiresAt: 210 },
    })
  })

  test('processed: a duplicate until the receipt expires, then accepted again', () => {
    expect(decideWebhookReceipt(processed(50, 1_050), key, 1_049, config)).toEqual({
      answer: { _tag: 'Duplicate', receivedAt: 0, processedAt: 50 },
      write: null,
    })
    expect(decideWebhookReceipt(processed(50, 1_050), key, 1_050, config).answer._tag).toBe('Accepted')
  })

  test('complete writes Processed for the retention (even over a lapsed or taken-over lease), once', () => {
    const lease: WebhookReceiptLease = { key, receivedAt: 10, leaseUntil: 110 }
    const done = { _tag: 'Processed', receivedAt: 10, processedAt: 500, expiresAt: 1_500 } as const
    expect(completeWebhookReceipt(processing(10, 110), lease, 500, config)).toEqual({
      expected: 3,
      value: done,
    })
    expect(completeWebhookReceipt(processing(200, 300), lease, 500, config)).toEqual({
      expected: 3,
      value: done,
    })
    expect(completeWebhookReceipt(null, lease, 500, config)).toEqual({ expected: null, value: done })
    expect(completeWebhookReceipt(processed(50, 1_050), lease, 500, config)).toBeNull()
  })

  test('release deletes only its own lease', () => {
    const lease: WebhookReceiptLease = { key, receivedAt: 10, leaseUntil: 110 }
    expect(releaseWebhookReceipt(processing(10, 110), lease)).toEqual({ expected: 3, value: null })
    expect(releaseWebhookReceipt(processing(110, 210), lease)).toBeNull()
    expect(releaseWebhookReceipt(processed(50, 1_050), lease)).toBeNull()
    expect(releaseWebhookReceipt(null, lease)).toBeNull()
  })

  test('keys and configurations are decoded', () => {
    expect(E.isLeft(webhookReceiptKey('', 'evt_1'))).toBe(true)
    expect(E.isLeft(webhookReceiptKey('a:b', 'evt_1'))).toBe(true)
    expect(E.isLeft(webhookReceiptKey('payouts', 'evt_'))).toBe(true)
    expect(decodeWebhookReceiptConfig(defaultWebhookReceiptConfig)).toEqual(
      E.right(defaultWebhookReceiptConfig),
    )
    expect(E.isLeft(decodeWebhookReceiptConfig({ leaseMs: 1.5, retentionMs: 10 }))).toBe(true)
  })
})

// ---------------------------------------------------------------- records

describe('decodeWebhookReceiptRecord', () => {
  const arbRecord: fc.Arbitrary<WebhookReceiptRecord> = fc.oneof(
    fc.record({
      _tag: fc.constant('Processing' as const),
      receivedAt: fc.integer(),
      expiresAt: fc.integer(),
    }),
    fc.record({
      _tag: fc.constant('Processed' as const),
      receivedAt: fc.integer(),
      processedAt: fc.integer(),
      expiresAt: fc.integer(),
    }),
  )

  test.prop([arbRecord], { numRuns: 1_000 })('every record comes back from its JSON', (record) => {
    expect(decodeWebhookReceiptRecord(JSON.parse(JSON.stringify(record)))).toEqual(E.right(record))
  })

  test.prop(
    [
      fc.oneof(
        fc.anything(),
        arbRecord.chain((r) =>
          fc.constantFrom(...Object.keys(r)).chain((field) =>
            fc
              .oneof(
                fc.string(),
                fc.double().filter((d) => !Number.isInteger(d)),
                fc.constant(null),
              )
              .map((bad) => ({ ...r, [field]: bad })),
          ),
        ),
      ),
    ],
    { numRuns: 10_000 },
  )('10,000 garbage records: a ValidationError naming the field, never a throw', (u) => {
    const decoded = decodeWebhookReceiptRecord(u)
    if (E.isRight(decoded)) expect(decodeWebhookReceiptRecord(decoded.right)).toEqual(decoded)
    else expect(decoded.left.problems.length).toBeGreaterThan(0)
  })
})

// ---------------------------------------------------------------- the store against a reference

/**
 * The reference: what a delivery is, read off the history of what happened to its event (a linear
 * scan; no records, no versions).
 */
interface History {
  readonly accepted: Array<{ lease: WebhookReceiptLease; released: boolean }>
  readonly completed: Array<{ lease: WebhookReceiptLease; at: number }>
}

const referenceAnswer = (h: History, key: WebhookReceiptKey, now: number): WebhookReceiptAnswer => {
  const done = h.completed.find((c) => c.at + config.retentionMs > now)
  if (done !== undefined)
    return { _tag: 'Duplicate', receivedAt: done.lease.receivedAt, processedAt: done.at }
  const lastCompletion = Math.max(-Infinity, ...h.completed.map((c) => c.at))
  const held = h.accepted.find(
    (a) => !a.released && a.lease.leaseUntil > now && a.lease.receivedAt >= lastCompletion,
  )
  if (held !== undefined) return { _tag: 'InFlight', leaseUntil: held.lease.leaseUntil }
  return { _tag: 'Accepted', lease: { key, receivedAt: now, leaseUntil: now + config.leaseMs } }
}

type Step =
  | { readonly kind: 'deliver'; readonly event: number; readonly dt: number }
  | { readonly kind: 'complete' | 'release'; readonly pick: number; readonly dt: number }
  | { readonly kind: 'prune'; readonly dt: number }

/** Clock steps: often none or small, sometimes past a lease (100 ms), now and then past the retention. */
const arbDt = fc.oneof(fc.constant(0), fc.nat({ max: 40 }), fc.nat({ max: 150 }))

const arbStep: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      event: fc.nat({ max: 3 }),
      dt: fc.nat({ max: 150 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('complete' as const, 'release' as const),
      pick: fc.nat(),
      dt: arbDt,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prune' as const), dt: fc.nat({ max: 600 }) }) },
)

describe('the in-memory store against the reference', () => {
  test.prop([fc.array(arbStep, { maxLength: 60 })], { numRuns: 5_000 })(
    'on random streams with clock steps: the same answer for every delivery, leases and retention included',
    async (steps) => {
      const store = inMemoryWebhookReceiptStore()
      const histories = new Map<string, History>()
      const historyOf = (key: WebhookReceiptKey): History => {
        const known = histories.get(key.eventId)
        if (known !== undefined) return known
        const h: History = { accepted: [], completed: [] }
        histories.set(key.eventId, h)
        return h
      }
      const held: WebhookReceiptLease[] = [] // accepted, neither completed nor released yet
      let now = 1_000_000
      for (const step of steps) {
        now += step.dt
        if (step.kind === 'deliver') {
          const key = keyOf(`evt_${step.event}`)
          const h = historyOf(key)
          const expected = referenceAnswer(h, key, now)
          const answer = await receiveWebhookIn(store, key, now, config)
          expect(answer).toEqual(E.right(expected))
          if (expected._tag === 'Accepted') {
            h.accepted.push({ lease: expected.lease, released: false })
            held.push(expected.lease)
          }
        } else if (step.kind === 'prune') await store.prune(now)
        else {
          const lease = held.splice(step.pick % Math.max(1, held.length), 1)[0]
          if (lease === undefined) continue
          const h = historyOf(lease.key)
          if (step.kind === 'complete') {
            expect(E.isRight(await completeWebhookReceiptIn(store, lease, now, config))).toBe(true)
            if (referenceAnswer(h, lease.key, now)._tag !== 'Duplicate') h.completed.push({ lease, at: now })
          } else {
            expect(E.isRight(await releaseWebhookReceiptIn(store, lease))).toBe(true)
            const latest = h.accepted[h.accepted.length - 1]
            const lastCompletion = Math.max(-Infinity, ...h.completed.map((c) => c.at))
            if (latest?.lease === lease && lease.receivedAt >= lastCompletion) latest.released = true
          }
        }
      }
      // Pruning at the end keeps only live records.
      await store.prune(now)
      for (const eventId of ['evt_0', 'evt_1', 'evt_2', 'evt_3']) {
        const record = await store.read(keyOf(eventId))
        if (record !== null) expect(record.value.expiresAt).toBeGreaterThan(now)
      }
    },
  )
})

// ---------------------------------------------------------------- concurrent duplicates

const scheduled = (s: fc.Scheduler, store: WebhookReceiptStore): WebhookReceiptStore => ({
  read: s.scheduleFunction(store.read),
  write: s.scheduleFunction(store.write),
  prune: s.scheduleFunction(store.prune),
})

const longLease: WebhookReceiptConfig = { leaseMs: 1_000_000_000, retentionMs: 2_000_000_000 }

describe('concurrent deliveries', () => {
  test.prop(
    [
      fc.scheduler(),
      fc.array(
        fc.record({
          event: fc.nat({ max: 2 }),
          at: fc.nat({ max: 50 }),
          outcome: fc.constantFrom('ok', 'ok', 'fails'),
        }),
        {
          minLength: 1,
          maxLength: 16,
        },
      ),
    ],
    { numRuns: 1_000 },
  )(
    'under any interleaving: one holder per event at a time, processed at most once, never lost',
    async (s, deliveries) => {
      const store = inMemoryWebhookReceiptStore()
      const shared = scheduled(s, store)
      const processing = new Set<string>()
      const processedCount = new Map<string, number>()
      const accepted = new Map<string, number>()
      const released = new Map<string, number>()
      const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1)

      const deliver = async (d: (typeof deliveries)[number]) => {
        const key = keyOf(`evt_${d.event}`)
        const answer = await receiveWebhookIn(shared, key, d.at, longLease, 64)
        expect(E.isRight(answer)).toBe(true)
        if (E.isLeft(answer) || answer.right._tag !== 'Accepted') return
        // This instance holds the event: nobody else may be processing it.
        expect(processing.has(key.eventId)).toBe(false)
        processing.add(key.eventId)
        bump(accepted, key.eventId)
        await s.schedule(Promise.resolve('processing'))
        processing.delete(key.eventId)
        const lease = answer.right.lease
        if (d.outcome === 'ok') {
          bump(processedCount, key.eventId)
          expect(E.isRight(await completeWebhookReceiptIn(shared, lease, d.at + 1, longLease, 64))).toBe(true)
        } else {
          bump(released, key.eventId)
          expect(E.isRight(await releaseWebhookReceiptIn(shared, lease, 64))).toBe(true)
        }
      }

      await s.waitFor(Promise.all(deliveries.map(deliver)))

      for (const event of [0, 1, 2]) {
        const id = `evt_${event}`
        const processed = processedCount.get(id) ?? 0
        expect(processed).toBeLessThanOrEqual(1)
        // Each acceptance ended in one processing or one release; a release lets the next one in.
        expect(accepted.get(id) ?? 0).toBe(processed + (released.get(id) ?? 0))
        // Never lost: a later delivery is a duplicate exactly when the event was processed.
        const later = await receiveWebhookIn(store, keyOf(id), 1_000, longLease)
        const delivered = deliveries.some((d) => d.event === event)
        expect(E.isRight(later) && later.right._tag).toBe(processed === 1 ? 'Duplicate' : 'Accepted')
        if (!delivered) expect(processed).toBe(0)
      }
    },
  )

  test.prop([fc.scheduler(), fc.array(fc.nat({ max: 3 }), { minLength: 2, maxLength: 20 })], {
    numRuns: 1_000,
  })(
    'concurrent duplicates of events that all succeed: exactly one acceptance per event id',
    async (s, events) => {
      const store = scheduled(s, inMemoryWebhookReceiptStore())
      const answers = await s.waitFor(
        Promise.all(events.map((e) => receiveWebhookIn(store, keyOf(`evt_${e}`), 0, longLease, 64))),
      )
      for (const e of new Set(events)) {
        const mine = answers.filter((_, i) => events[i] === e)
        expect(mine.filter((a) => E.isRight(a) && a.right._tag === 'Accepted')).toHaveLength(1)
        expect(mine.every((a) => E.isRight(a) && a.right._tag !== 'Duplicate')).toBe(true)
      }
    },
  )

  test('scopes are apart: the same event id in two scopes is accepted in each', async () => {
    const store = inMemoryWebhookReceiptStore()
    const a = await receiveWebhookIn(store, keyOf('evt_1', 'endpoint-a'), 0)
    const b = await receiveWebhookIn(store, keyOf('evt_1', 'endpoint-b'), 0)
    expect([a, b].map((x) => E.isRight(x) && x.right._tag)).toEqual(['Accepted', 'Accepted'])
  })
})

// ---------------------------------------------------------------- failing closed

describe('the runners fail closed', () => {
  const key = keyOf('evt_1')
  const lease: WebhookReceiptLease = { key, receivedAt: 0, leaseUntil: 100 }

  test('a store that keeps losing the race: contended after the attempts, nothing accepted', async () => {
    const inner = inMemoryWebhookReceiptStore()
    let writes = 0
    const losing: WebhookReceiptStore = {
      ...inner,
      write: async () => {
        writes++
        return false
      },
    }
    expect(await receiveWebhookIn(losing, key, 0, config, 5)).toEqual(
      E.left({ _tag: 'WebhookReceiptUnavailable', reason: 'contended', attempts: 5 }),
    )
    expect(writes).toBe(5)
    expect(E.isLeft(await completeWebhookReceiptIn(losing, lease, 10, config, 3))).toBe(true)
    expect(inner.size()).toBe(0)
  })

  test('a store that fails: store_failed, for deciding, completing and releasing', async () => {
    const down: WebhookReceiptStore = {
      read: async () => {
        throw new Error('connection refused')
      },
      write: async () => true,
      prune: async () => 0,
    }
    const unavailable = { _tag: 'WebhookReceiptUnavailable', reason: 'store_failed', attempts: 1 }
    expect(await receiveWebhookIn(down, key, 0)).toEqual(E.left(unavailable))
    expect(await completeWebhookReceiptIn(down, lease, 0)).toEqual(E.left(unavailable))
    expect(await releaseWebhookReceiptIn(down, lease)).toEqual(E.left(unavailable))
    const writeFails: WebhookReceiptStore = {
      ...inMemoryWebhookReceiptStore(),
      write: () => Promise.reject(new Error('timeout')),
    }
    expect(await receiveWebhookIn(writeFails, key, 0)).toEqual(E.left(unavailable))
  })

  test.prop([fc.nat({ max: 7 })], { numRuns: 50 })(
    'a race lost a few times and then won: the decision lands',
    async (losses) => {
      const inner = inMemoryWebhookReceiptStore()
      let left = losses
      const flaky: WebhookReceiptStore = {
        ...inner,
        write: async (k, w: ConditionalWrite<WebhookReceiptRecord>) =>
          left-- > 0 ? false : inner.write(k, w),
      }
      const answer = await receiveWebhookIn(flaky, key, 0, config, 8)
      expect(E.isRight(answer) && answer.right._tag).toBe('Accepted')
      expect(inner.size()).toBe(1)
    },
  )

  test('no write needed, no write made: a duplicate reads once', async () => {
    const inner = inMemoryWebhookReceiptStore()
    await inner.write(key, {
      expected: null,
      value: { _tag: 'Processed', receivedAt: 0, processedAt: 1, expiresAt: 500 },
    })
    let writes = 0
    const counting: WebhookReceiptStore = {
      ...inner,
      write: async (k, w) => {
        writes++
        return inner.write(k, w)
      },
    }
    const answer = await receiveWebhookIn(counting, key, 10, config)
    expect(E.isRight(answer) && answer.right._tag).toBe('Duplicate')
    expect(writes).toBe(0)
  })
})
