/**
 * The rescore policy's records in Redis: a `RescoreRecordStore` for `decideRescoreIn`,
 * `completeRescoreIn` and `failRescoreIn` of `@payout-kernel/rescore-policy`.
 *
 * One decision is two scripts, so two round trips when uncontended, and both run on the one hash
 * slot of the decision's merchant: the read script reads the merchant's quota position (the
 * first admission inside the window and the one whose leaving frees a slot, found in the sorted
 * set of admissions), the key's record and the beneficiary's; the policy decides in TypeScript;
 * the write script compares the version of every record the decision writes with the one read
 * and, only if none moved, appends the admission and sets or deletes the records, each with its
 * TTL. A record that moved answers "lost": nothing is written and the runner reads and decides
 * again (32 times, then `503 idempotency_unavailable`). A script runs alone on the server, so
 * nothing can move between its check and its writes.
 *
 * Why one generic compare-and-set script rather than `WATCH`/`MULTI`/`EXEC`: `WATCH` needs a
 * connection of its own per decision in flight (it is connection state), and `WATCH`, the reads,
 * `MULTI`…`EXEC` are at least three round trips; the script is one, on a shared, pipelined
 * connection. And why not the decision itself in Lua: the policy would then live twice. Here the
 * scripts hold no policy: they read, and they compare versions and write.
 *
 * Expiry: every write sets its records' TTLs from their own times (a quota log: the window from
 * its latest admission; a key: its lease or its retention; a beneficiary: its lease or its
 * cooldown) plus `expiryMarginMs`, so Redis drops each record soon after it stops mattering and
 * nothing grows without bound. `prune` is not needed for that; it deletes by the policy's own
 * clock what is already dead (and scans every key under the prefix: for maintenance and tests).
 */
import type { ValidationError } from '@payout-kernel/core'
import {
  decodeBeneficiaryRescore,
  decodeIdempotencyRecord,
  defaultRescoreConfig,
  type QuotaLogRead,
  type RescoreConfig,
  type RescoreKeys,
  type RescoreReads,
  type RescoreRecordCounts,
  type RescoreRecordStore,
  type RescoreWrites,
} from '@payout-kernel/rescore-policy'
import * as E from '#fp-ts/Either'
import { counterTtl, rescoreExpiry } from './internal/Expiry.js'
import { deleteIfLua, pruneQuotaLua, rescoreReadLua, writeLua } from './internal/Lua.js'
import { CorruptRecord, kindOf, parseRecord, scanKeys } from './internal/Records.js'
import { script } from './internal/Script.js'
import { checkPrefix, merchantOfKeys, rescoreTag, slotKeys } from './internal/Slots.js'
import type { RedisRescoreLayout } from './KeyLayout.js'
import type { RedisCommands } from './RedisClient.js'

// ---------------------------------------------------------------- model

/**
 * Options of `redisRescoreRecords`: the key prefix (default `pk:`), the layout (default
 * `per-merchant`: see `RedisRescoreLayout`), the configuration whose window and cooldown set the
 * TTLs (default `defaultRescoreConfig`; give the one the runners get — a longer window read from
 * a request is honoured too), the margin added to every TTL (default 60,000 ms: at least the
 * instances' clocks may disagree), and the clients `prune` and `counts` scan (default the client
 * itself; on a Cluster, its masters: `cluster.nodes('master')`).
 *
 * @example
 * import { defaultRescoreConfig } from '@payout-kernel/rescore-policy'
 * import type { RedisRescoreOptions } from '@payout-kernel/store-redis'
 * import assert from 'node:assert/strict'
 *
 * const options: RedisRescoreOptions = { prefix: 'payouts:', layout: 'one-slot', config: defaultRescoreConfig }
 * assert.equal(options.layout, 'one-slot')
 */
export interface RedisRescoreOptions {
  readonly prefix?: string
  readonly layout?: RedisRescoreLayout
  readonly config?: RescoreConfig
  readonly expiryMarginMs?: number
  readonly scanClients?: ReadonlyArray<RedisCommands>
}

// ---------------------------------------------------------------- scripts

const readScript = script(rescoreReadLua)
const writeScript = script(writeLua)
const pruneQuotaScript = script(pruneQuotaLua)
const deleteIfScript = script(deleteIfLua)
const zcardScript = script(`return redis.call('ZCARD', KEYS[1])`)

// ---------------------------------------------------------------- codecs

const int = (s: string, what: string): number => {
  const n = /^-?[0-9]{1,16}$/.test(s) ? Number(s) : Number.NaN
  if (!Number.isSafeInteger(n)) throw new Error(`rescore read: ${what} is not a whole number: ${s}`)
  return n
}
const intOrNull = (s: string, what: string): number | null => (s === '' ? null : int(s, what))

const versioned = <A>(
  what: string,
  raw: string,
  decode: (u: unknown) => E.Either<ValidationError, A>,
): { version: number; value: A } | null => {
  if (raw === '') return null
  const parsed = parseRecord(raw)
  if (E.isLeft(parsed)) throw new CorruptRecord(what, parsed.left)
  const value = decode(parsed.right.json)
  if (E.isLeft(value)) throw new CorruptRecord(what, value.left)
  return { version: parsed.right.version, value: value.right }
}

const noLog: QuotaLogRead = Object.freeze({
  version: null,
  length: 0,
  latest: null,
  first: 0,
  oldest: null,
  freeing: null,
})

const epochMs = (n: number, field: string): string => {
  if (!Number.isSafeInteger(n)) throw new TypeError(`${field} must be whole epoch milliseconds, got ${n}`)
  return String(n)
}

const taggable = (merchantId: string): string => {
  if (/[{}]/.test(merchantId)) throw new TypeError(`a merchant id cannot hold a brace: ${merchantId}`)
  return merchantId
}

// ---------------------------------------------------------------- constructors

/**
 * A `RescoreRecordStore` on Redis (a server, Sentinel's primary, or a Cluster: every decision
 * runs in one hash slot). Reads and writes reject when Redis does — unreachable, a command timed
 * out (`commandTimeout`), a record that does not decode — and the runners then answer `503
 * idempotency_unavailable` (fail closed). Make the client with `connectRedis` (or
 * `recommendedRedisOptions`): a command sent while the connection is down must reject, not wait
 * in a queue, and a write whose answer was lost must not be sent again.
 *
 * Without persistence a restart loses every record: the quota log (a merchant gets a full quota
 * again), the keys (a key used before starts a new rescore; a replay is gone), the leases and
 * cooldowns (a rescore in flight can be started twice). `appendonly yes` with `appendfsync
 * always` keeps all of them (see the many-instances guide).
 *
 * @example
 * import { decideRescoreIn, defaultRescoreConfig } from '@payout-kernel/rescore-policy'
 * import { redisRescoreRecords, type RedisCommands } from '@payout-kernel/store-redis'
 * import assert from 'node:assert/strict'
 *
 * // No server here: a client whose every command fails, as an unreachable one does.
 * const down: RedisCommands = {
 *   evalsha: async () => { throw new Error('Connection is closed.') },
 *   eval: async () => { throw new Error('Connection is closed.') },
 *   mget: async () => { throw new Error('Connection is closed.') },
 *   scan: async () => { throw new Error('Connection is closed.') },
 * }
 * const store = redisRescoreRecords(down)
 * const answer = await decideRescoreIn(store, {
 *   merchantId: 'mer_acme', method: 'POST', path: '/v1/beneficiaries/ben_1/rescore', beneficiaryId: 'ben_1',
 *   headers: { 'Idempotency-Key': 'k-1' }, engine: { configured: true, profileExists: true, locked: false },
 * }, 0, defaultRescoreConfig)
 * assert.equal(answer.response?.status, 503) // fail closed
 */
export const redisRescoreRecords = (
  redis: RedisCommands,
  options: RedisRescoreOptions = {},
): RescoreRecordStore => {
  const prefix = checkPrefix(options.prefix ?? 'pk:')
  const layout = options.layout ?? 'per-merchant'
  const config = options.config ?? defaultRescoreConfig
  const margin = Math.max(0, options.expiryMarginMs ?? 60_000)
  const scanClients = options.scanClients ?? [redis]
  let windowMs = config.quota.windowMs as number
  const slot = (merchantId: string) => slotKeys(prefix, rescoreTag(layout, taggable(merchantId)))
  // A write of a beneficiary alone (a settlement whose key is no longer its own) does not name
  // its merchant: in the per-merchant layout it is the merchant of the latest read of that
  // beneficiary (a settlement reads before it writes). Bounded: oldest entries go first.
  const merchantOfBeneficiary = new Map<string, string>()
  const remember = (beneficiaryId: string, merchantId: string) => {
    merchantOfBeneficiary.delete(beneficiaryId)
    merchantOfBeneficiary.set(beneficiaryId, merchantId)
    if (merchantOfBeneficiary.size > 10_000)
      for (const oldest of merchantOfBeneficiary.keys()) {
        merchantOfBeneficiary.delete(oldest)
        break
      }
  }

  const read = async (keys: RescoreKeys): Promise<RescoreReads> => {
    const merchantId = merchantOfKeys(keys)
    if (merchantId === null) {
      if (keys.beneficiaryId !== null) throw new TypeError('a beneficiary read names no merchant')
      return { quota: null, idempotency: null, beneficiary: null }
    }
    const s = slot(merchantId)
    const q = keys.quota
    if (q !== null) windowMs = Math.max(windowMs, q.windowMs)
    if (keys.beneficiaryId !== null && layout === 'per-merchant') remember(keys.beneficiaryId, merchantId)
    const answer = await readScript(
      redis,
      [
        s.quota(merchantId),
        s.admissions(merchantId),
        keys.idempotency === null
          ? s.counter
          : s.idempotency(keys.idempotency.merchantId, keys.idempotency.idempotencyKey),
        keys.beneficiaryId === null ? s.counter : s.beneficiary(keys.beneficiaryId),
      ],
      [
        q === null ? '0' : '1',
        q === null ? '0' : epochMs(q.now, 'now'),
        q === null ? '0' : String(q.windowMs),
        q === null ? '0' : String(q.limit),
        keys.idempotency === null ? '0' : '1',
        keys.beneficiaryId === null ? '0' : '1',
      ],
    )
    if (!Array.isArray(answer) || answer.length !== 8 || !answer.every((x) => typeof x === 'string'))
      throw new Error(`rescore read answered ${JSON.stringify(answer)}`)
    const [version, length, latest, first, oldest, freeing, key, beneficiary] = answer as string[]
    return {
      quota:
        q === null
          ? null
          : version === ''
            ? noLog
            : {
                version: int(version as string, 'version'),
                length: int(length as string, 'length'),
                latest: intOrNull(latest as string, 'latest'),
                first: int(first as string, 'first'),
                oldest: intOrNull(oldest as string, 'oldest'),
                freeing: intOrNull(freeing as string, 'freeing'),
              },
      idempotency: versioned('idempotency record', key as string, decodeIdempotencyRecord),
      beneficiary: versioned('beneficiary record', beneficiary as string, decodeBeneficiaryRescore),
    }
  }

  const write = async (w: RescoreWrites): Promise<boolean> => {
    const b = w.beneficiary
    const merchantId =
      w.quota?.merchantId ??
      w.idempotency?.merchantId ??
      (b === null
        ? null
        : layout === 'one-slot'
          ? 'rescore'
          : (merchantOfBeneficiary.get(b.beneficiaryId) ?? null))
    if (merchantId === null) {
      if (b === null) return true
      throw new Error(`no read names the merchant of beneficiary ${b.beneficiaryId}: write refused`)
    }
    const s = slot(merchantId)
    const expiry = rescoreExpiry(config, windowMs, margin)
    const keys = [s.counter, s.quota(merchantId), s.admissions(merchantId)]
    const records: string[] = []
    const ttls: number[] = [expiry.quota]
    const k = w.idempotency
    if (k !== null) {
      keys.push(s.idempotency(k.merchantId, k.idempotencyKey))
      const ttl = k.value === null ? null : expiry.idempotency(k.value)
      if (ttl !== null) ttls.push(ttl)
      records.push(
        k.expected === null ? '' : String(k.expected),
        k.value === null ? '' : JSON.stringify(k.value),
        ttl === null ? '' : String(ttl),
      )
    }
    if (b !== null) {
      keys.push(s.beneficiary(b.beneficiaryId))
      const ttl = b.value === null ? null : expiry.beneficiary(b.value)
      if (ttl !== null) ttls.push(ttl)
      records.push(
        b.expected === null ? '' : String(b.expected),
        b.value === null ? '' : JSON.stringify(b.value),
        ttl === null ? '' : String(ttl),
      )
    }
    const q = w.quota
    const answer = await writeScript(redis, keys, [
      String(counterTtl(ttls)),
      q === null ? '0' : '1',
      q?.expected == null ? '' : String(q.expected),
      q === null ? '0' : String(q.head),
      q === null ? '0' : String(q.length),
      q === null ? '0' : epochMs(q.time, 'now'),
      String(expiry.quota),
      ...records,
    ])
    if (answer !== 0 && answer !== 1) throw new Error(`rescore write answered ${JSON.stringify(answer)}`)
    return answer === 1
  }

  const counts = async (): Promise<RescoreRecordCounts> => {
    let merchants = 0
    let admissions = 0
    let idempotencyKeys = 0
    let beneficiaries = 0
    await scanKeys(scanClients, `${prefix}{*`, async (client, keys) => {
      for (const key of keys) {
        const kind = kindOf(prefix, key)?.kind
        if (kind === 'q') merchants++
        else if (kind === 'k') idempotencyKeys++
        else if (kind === 'b') beneficiaries++
        else if (kind === 'a') admissions += Number(await zcardScript(client, [key], []))
      }
    })
    return { merchants, admissions, idempotencyKeys, beneficiaries }
  }

  const pruneRecord = async (client: RedisCommands, key: string, kind: string, now: number) => {
    const [raw] = await client.mget(key)
    if (raw === null || raw === undefined) return
    const parsed = parseRecord(raw)
    if (E.isLeft(parsed)) return // a corrupt record stays for an operator to see; its TTL ends it
    let dead = false
    if (kind === 'k') {
      const r = decodeIdempotencyRecord(parsed.right.json)
      dead =
        E.isRight(r) &&
        (r.right.expiresAt <= now || (r.right._tag === 'InFlight' && r.right.lease.expiresAt <= now))
    } else {
      const r = decodeBeneficiaryRescore(parsed.right.json)
      dead = E.isRight(r) && (r.right.lease?.expiresAt ?? now) <= now && (r.right.cooldownUntil ?? now) <= now
    }
    if (dead) await deleteIfScript(client, [key], [String(parsed.right.version)])
  }

  return {
    read,
    write,
    prune: async (now: number, pruneConfig: RescoreConfig) => {
      const at = epochMs(now, 'now')
      await scanKeys(scanClients, `${prefix}{*`, async (client, keys) => {
        await Promise.all(
          keys.map(async (key) => {
            const k = kindOf(prefix, key)
            if (k === null) return
            if (k.kind === 'q')
              await pruneQuotaScript(
                client,
                [key, `${key.slice(0, key.length - k.rest.length - 2)}a:${k.rest}`],
                [at, String(pruneConfig.quota.windowMs)],
              )
            else if (k.kind === 'k' || k.kind === 'b') await pruneRecord(client, key, k.kind, now)
          }),
        )
      })
      return counts()
    },
    counts,
  }
}
