/**
 * The velocity records in Redis: a `VelocityRecordStore` of `@payout-kernel/velocity` for one
 * merchant, that runs each keyed decision (`evaluateAndRecordStep`, `releaseStep`) as one `MGET`
 * per `Read` of the step and one compare-and-set script for all its writes: two round trips for
 * evaluate-and-record, three for a release (it reads its own record, then what it counted).
 *
 * Velocity rules are merchant-scoped: every usage key names the merchant (`u/<tracker>/<merchant>…`)
 * and a payout's own record (`p/<id>`) is kept in its merchant's slot, so every key of a decision
 * carries the merchant's hash tag. A store is one merchant's (`merchantId`): evaluate a payout and
 * release it through the store of the payout's merchant. A usage key of another merchant is
 * refused (a `ValidationError`), never read from another slot.
 *
 * Contention: velocity's hot key is by design — every payout of a merchant writes that merchant's
 * usage rows. Redis has no row locks to queue the contenders on, so a decision whose record moved
 * runs again from its first read, after a short random pause that grows with the attempts (so the
 * contenders spread out), up to `maxAttempts` (default 64) times; then it fails closed
 * (`VelocityStoreUnavailable`, reason `contention`). One contender wins every round, so the hot
 * key always moves on.
 *
 * Fail closed: an unreachable server, a timeout, an unexpected error or running out of attempts
 * resolve to `VelocityStoreUnavailable` with nothing written by that attempt — never an allow. A
 * write whose answer was lost (the connection dropped, the client timed out) may have landed:
 * then the payout counts although the decision answered an error, so limits err on the side of
 * refusing. A stored record that does not decode is a `ValidationError` naming its key and field.
 */
import { type ValidationError, type ValidationProblem, withinField } from '@payout-kernel/core'
import {
  decodeVelocityRecord,
  runStep,
  type VelocityReads,
  type VelocityRecord,
  type VelocityRecordStore,
  type VelocityStoreError,
  type VelocityWrite,
  velocityRecordExpiry,
} from '@payout-kernel/velocity'
import * as E from '#fp-ts/Either'
import { counterTtl, velocityTtl } from './internal/Expiry.js'
import { deleteIfLua, writeLua } from './internal/Lua.js'
import { parseRecord, scanKeys } from './internal/Records.js'
import { script } from './internal/Script.js'
import { checkPrefix, slotKeys } from './internal/Slots.js'
import type { RedisCommands } from './RedisClient.js'

// ---------------------------------------------------------------- model

/**
 * Options of `redisVelocityRecords`: the merchant whose records the store holds (required), the
 * key prefix (default `pk:`), how many times a decision runs before it gives up on lost races
 * (default 64), the margin added to every TTL (default 60,000 ms) and the clients `prune` scans
 * (default the client; on a Cluster, the master holding the merchant's slot will do).
 *
 * @example
 * import type { RedisVelocityOptions } from '@payout-kernel/store-redis'
 * import assert from 'node:assert/strict'
 *
 * const options: RedisVelocityOptions = { merchantId: 'mer_1', maxAttempts: 16 }
 * assert.equal(options.maxAttempts, 16)
 */
export interface RedisVelocityOptions {
  readonly merchantId: string
  readonly prefix?: string
  readonly maxAttempts?: number
  readonly expiryMarginMs?: number
  readonly scanClients?: ReadonlyArray<RedisCommands>
}

/**
 * The Redis velocity store: a `VelocityRecordStore`, plus `attempts` (how many decisions it ran
 * and how many times it ran one again after a lost race, since it was made).
 *
 * @example
 * import type { RedisVelocityRecords } from '@payout-kernel/store-redis'
 * import assert from 'node:assert/strict'
 *
 * const counts: ReturnType<RedisVelocityRecords['attempts']> = { decisions: 3, retries: 1 }
 * assert.equal(counts.retries, 1)
 */
export interface RedisVelocityRecords extends VelocityRecordStore {
  /** How many decisions the store ran, and how many times it ran one again after a lost race. */
  readonly attempts: () => { readonly decisions: number; readonly retries: number }
}

// ---------------------------------------------------------------- errors

type Reason = Extract<VelocityStoreError, { _tag: 'VelocityStoreUnavailable' }>['reason']

const reasonOf = (e: unknown): Reason => {
  const message = e instanceof Error ? e.message : String(e)
  const code = String((e as { code?: unknown } | null)?.code ?? '')
  if (/timed? ?out/i.test(message) || code === 'ETIMEDOUT') return 'timeout'
  if (
    ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE'].includes(code) ||
    /connect|closed|writeable|LOADING|MaxRetriesPerRequest/i.test(message)
  )
    return 'unreachable'
  return 'failure'
}

const unavailable = (reason: Reason, message: string, attempts: number): VelocityStoreError => ({
  _tag: 'VelocityStoreUnavailable',
  reason,
  message,
  attempts,
})

// ---------------------------------------------------------------- scripts

const writeScript = script(writeLua)
const deleteIfScript = script(deleteIfLua)

/** A random whole number of milliseconds below `n` (Web Crypto: contenders must not pause alike). */
const jitter = (n: number): number => (globalThis.crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) % n

const pause = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, attempt <= 2 ? 0 : jitter(2 ** Math.min(attempt - 2, 5))))

// ---------------------------------------------------------------- constructors

/**
 * A `VelocityRecordStore` on Redis for one merchant's payouts. The records' TTLs follow their
 * windows (a calendar period's row: the period; a rolling row: the window from its latest event;
 * a payout's own record: while some window counts it; a lifetime window's totals: none) plus
 * `expiryMarginMs`. `prune(now)` deletes what expired by the policy's clock (it scans the
 * merchant's keys).
 *
 * @example
 * import { redisVelocityRecords, type RedisCommands } from '@payout-kernel/store-redis'
 * import { evaluateAndRecordStep, parseRuleSet, payout } from '@payout-kernel/velocity'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * // No server here: a client that times out, as a stalled one does.
 * const stalled: RedisCommands = {
 *   evalsha: async () => { throw new Error('Command timed out') },
 *   eval: async () => { throw new Error('Command timed out') },
 *   mget: async () => { throw new Error('Command timed out') },
 *   scan: async () => { throw new Error('Command timed out') },
 * }
 * const store = redisVelocityRecords(stalled, { merchantId: 'mer_1' })
 * const rs = parseRuleSet({ version: 1, rules: [{ id: 'daily', name: 'Daily cap', kind: 'max_daily_amount',
 *   action: 'block', enabled: true, threshold: '1000.00', currency: 'USD' }] })
 * const p = payout({ id: 'pay_1', merchantId: 'mer_1', beneficiaryId: 'ben_1', instrumentId: 'ins_1',
 *   instrumentType: 'bank_account', destinationCountry: 'PH', amount: '10.00', currency: 'USD', createdAt: Date.UTC(2026, 0, 1, 9) })
 * assert.ok(E.isRight(rs) && E.isRight(p))
 * const answer = await store.run(evaluateAndRecordStep(rs.right, p.right))
 * assert.ok(E.isLeft(answer) && answer.left._tag === 'VelocityStoreUnavailable' && answer.left.reason === 'timeout')
 */
export const redisVelocityRecords = (
  redis: RedisCommands,
  options: RedisVelocityOptions,
): RedisVelocityRecords => {
  const prefix = checkPrefix(options.prefix ?? 'pk:')
  const merchantId = options.merchantId
  if (/[{}/]/.test(merchantId))
    throw new TypeError(`a merchant id cannot hold a brace or a slash: ${merchantId}`)
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 64))
  const margin = Math.max(0, options.expiryMarginMs ?? 60_000)
  const scanClients = options.scanClients ?? [redis]
  const s = slotKeys(prefix, merchantId)
  let decisions = 0
  let retries = 0

  /** A key of this merchant's slot, or the problem with it. */
  const problemOf = (key: string): ValidationProblem | null => {
    if (key.startsWith('p/')) return null
    const owner = key.startsWith('u/') ? key.split('/')[2] : undefined
    return owner === merchantId
      ? null
      : { field: key, message: `is not a record of ${merchantId} (a store holds one merchant's records)` }
  }

  const read = async (keys: ReadonlyArray<string>): Promise<E.Either<VelocityStoreError, VelocityReads>> => {
    const misplaced = keys.map(problemOf).filter((p): p is ValidationProblem => p !== null)
    if (misplaced.length > 0) return E.left({ _tag: 'ValidationError', problems: misplaced })
    const raws = await redis.mget(...keys.map(s.velocity))
    const out = new Map<string, { version: number; value: VelocityRecord } | null>()
    const problems: ValidationProblem[] = []
    for (const [i, key] of keys.entries()) {
      const raw = raws[i] ?? null
      if (raw === null) {
        out.set(key, null)
        continue
      }
      const parsed = parseRecord(raw)
      if (E.isLeft(parsed)) {
        problems.push(...withinField(key)(parsed.left).problems)
        continue
      }
      const decoded = decodeVelocityRecord(parsed.right.json)
      if (E.isLeft(decoded)) problems.push(...withinField(key)(decoded.left).problems)
      else out.set(key, { version: parsed.right.version, value: decoded.right })
    }
    const invalid: ValidationError = { _tag: 'ValidationError', problems }
    return problems.length > 0 ? E.left(invalid) : E.right(out)
  }

  /** Applies the writes if none of their records moved: true, or false (nothing written). */
  const apply = async (writes: ReadonlyArray<VelocityWrite>): Promise<boolean> => {
    const effective = writes.filter((w) => !(w.expected === null && w.value === null))
    if (effective.length === 0) return true
    const ttls = effective.map((w) => (w.value === null ? null : velocityTtl(w.value, margin)))
    const answer = await writeScript(
      redis,
      [s.counter, s.quota(merchantId), s.admissions(merchantId), ...effective.map((w) => s.velocity(w.key))],
      [
        String(counterTtl(ttls)),
        '0',
        '',
        '0',
        '0',
        '0',
        '0',
        ...effective.flatMap((w, i) => [
          w.expected === null ? '' : String(w.expected),
          w.value === null ? '' : JSON.stringify(w.value),
          ttls[i] == null ? '' : String(ttls[i]),
        ]),
      ],
    )
    if (answer !== 0 && answer !== 1) throw new Error(`velocity write answered ${JSON.stringify(answer)}`)
    return answer === 1
  }

  const run: VelocityRecordStore['run'] = async (step) => {
    decisions++
    for (let attempt = 1; ; attempt++) {
      try {
        const walked = await runStep(step, read)
        if (E.isLeft(walked)) return walked
        if (await apply(walked.right.writes)) return E.right(walked.right.result)
      } catch (e) {
        return E.left(unavailable(reasonOf(e), e instanceof Error ? e.message : String(e), attempt))
      }
      if (attempt >= maxAttempts)
        return E.left(unavailable('contention', `a record moved under each of ${attempt} attempts`, attempt))
      retries++
      await pause(attempt)
    }
  }

  return {
    run,
    prune: async (now) => {
      let pruned = 0
      try {
        await scanKeys(scanClients, `${s.velocity('')}*`, async (client, keys) => {
          const raws = await client.mget(...keys)
          await Promise.all(
            keys.map(async (key, i) => {
              const raw = raws[i]
              if (raw === null || raw === undefined) return
              const parsed = parseRecord(raw)
              if (E.isLeft(parsed)) return
              const decoded = decodeVelocityRecord(parsed.right.json)
              if (E.isLeft(decoded)) return
              const expiry = velocityRecordExpiry(decoded.right)
              if (expiry !== null && expiry <= now)
                pruned += Number(await deleteIfScript(client, [key], [String(parsed.right.version)]))
            }),
          )
        })
        return E.right(pruned)
      } catch (e) {
        return E.left(unavailable(reasonOf(e), e instanceof Error ? e.message : String(e), 1))
      }
    },
    attempts: () => ({ decisions, retries }),
  }
}
