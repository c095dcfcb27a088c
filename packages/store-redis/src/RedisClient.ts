/**
 * The Redis client the stores run on. They need four commands — `EVALSHA`, `EVAL`, `MGET` and
 * `SCAN` — and take any object that has them (`RedisCommands`): an ioredis `Redis` or `Cluster`
 * as it is, or a wrapper (one that counts round trips, say). `connectRedis` makes an ioredis
 * client with the options a fail-closed store wants (`recommendedRedisOptions`).
 *
 * Why ioredis: it is maintained (6.x, releases through 2026), speaks RESP to Redis 6, 7 and 8,
 * runs Cluster (hash-slot routing, `MOVED`/`ASK`) and Sentinel with the same command API, has a
 * per-command timeout (`commandTimeout`), and pipelines every command issued in one turn of the
 * event loop into one write (`enableAutoPipelining`) — the decisions an instance has in flight
 * share their round trips, as the PostgreSQL store's batches do. rate-limiter-flexible's
 * `RateLimiterRedis`, the benchmark's baseline, runs on it too. node-redis (`redis`) would do as
 * well; nothing here depends on ioredis but `connectRedis`.
 */
import { Redis, type RedisOptions } from 'ioredis'

// ---------------------------------------------------------------- model

/**
 * The commands the stores send: any client with these four methods, resolving to the server's
 * answer and rejecting on an error, a timeout or a lost connection. An ioredis `Redis` or
 * `Cluster` is one.
 *
 * @example
 * import { connectRedis, type RedisCommands } from '@payout-kernel/store-redis'
 * import assert from 'node:assert/strict'
 *
 * const redis: RedisCommands = connectRedis('redis://127.0.0.1:1', { lazyConnect: true })
 * assert.equal(typeof redis.evalsha, 'function')
 */
export interface RedisCommands {
  /** Runs a loaded script by its SHA-1. */
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>
  /** Runs a script by its text (loading it). */
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>
  /** Reads several string keys (of one hash slot, on a Cluster). */
  mget(...keys: string[]): Promise<Array<string | null>>
  /** One step of a key scan. */
  scan(
    cursor: string,
    matchToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[cursor: string, elements: string[]]>
}

// ---------------------------------------------------------------- constructors

/**
 * ioredis options for a store that fails closed: a command times out after 1 s (`commandTimeout`)
 * and rejects, and so does one sent while the connection is down (no offline queue, no retry of a
 * command, no resending of the commands that were on the wire when it dropped — a write whose
 * answer was lost is not sent a second time); reconnecting goes on in the background, so the
 * store answers again as soon as the server does. Commands of one event-loop turn share a write
 * (`enableAutoPipelining`).
 *
 * @example
 * import { recommendedRedisOptions } from '@payout-kernel/store-redis'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(recommendedRedisOptions.enableOfflineQueue, false)
 * assert.equal(recommendedRedisOptions.commandTimeout, 1_000)
 */
export const recommendedRedisOptions: Readonly<RedisOptions> = Object.freeze({
  commandTimeout: 1_000,
  connectTimeout: 2_000,
  maxRetriesPerRequest: 0,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  enableAutoPipelining: true,
  retryStrategy: (times: number) => Math.min(50 * times, 500),
})

/**
 * An ioredis client on `url` (`redis://host:port/db`, `rediss://` for TLS) with
 * `recommendedRedisOptions` and `options` over them. It connects in the background; until it
 * has, commands reject (and the stores fail closed). `quit()` it when done.
 *
 * @example
 * import { connectRedis } from '@payout-kernel/store-redis'
 * import assert from 'node:assert/strict'
 *
 * const redis = connectRedis('redis://127.0.0.1:6379', { lazyConnect: true, commandTimeout: 250 })
 * assert.equal(redis.options.commandTimeout, 250)
 * assert.equal(redis.options.enableOfflineQueue, false)
 * redis.disconnect()
 */
export const connectRedis = (url: string, options: RedisOptions = {}): Redis =>
  new Redis(url, { ...recommendedRedisOptions, ...options })
