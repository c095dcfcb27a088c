// The Redis server the store suites run against: the one named by REDIS_URL (`.ci/run` starts a
// throwaway one; `pnpm test:redis` starts one when REDIS_URL is unset). With
// PAYOUT_KERNEL_REQUIRE_REDIS=1 (set by .ci/run and `pnpm test:redis`) a missing server fails the
// suites instead of leaving them out; without it, plain `npm test` says they did not run. Each
// opened store gets a fresh key prefix, deleted on close: suites never flush the server.
import type { Redis } from 'ioredis'
import { connectRedis, type RedisCommands } from '../src/index.js'

export const redisUrl: string | null = process.env.REDIS_URL ?? null
export const redisRequired = process.env.PAYOUT_KERNEL_REQUIRE_REDIS === '1'

let said = false
/** Whether the Redis suites run. Throws (so the suite fails) when a required server is missing. */
export const onRedis = (): boolean => {
  if (redisUrl === null && redisRequired)
    throw new Error('PAYOUT_KERNEL_REQUIRE_REDIS=1 but REDIS_URL is not set: the Redis suites cannot run')
  if (redisUrl === null && !said) {
    said = true
    process.stdout.write(
      'store-redis: Redis suites NOT run (REDIS_URL unset); the pure suites ran. `pnpm test:redis` starts a server and runs them.\n',
    )
  }
  return redisUrl !== null
}

/** Records in a test's metadata what it ran on; the run's summary line lists them. */
export const databaseOf = (meta: object, version: string): void => {
  ;(meta as Record<string, unknown>).database = version
}

export interface TestRedis {
  readonly redis: Redis
  readonly version: string
  readonly prefix: () => string
  readonly close: () => Promise<void>
}

let prefixes = 0

/** `Redis 7.0.15` from a server's INFO. */
export const versionOf = async (redis: Redis): Promise<string> =>
  `Redis ${/redis_version:([0-9.]+)/.exec(await redis.info('server'))?.[1] ?? '?'}`

/** Deletes every key under `prefix`. */
export const dropPrefix = async (redis: Redis, prefix: string): Promise<void> => {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    if (keys.length > 0) await redis.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

/** Resolves once the client is connected (without an offline queue, commands before that reject). */
export const ready = (redis: Redis): Promise<void> =>
  redis.status === 'ready'
    ? Promise.resolve()
    : new Promise((resolve, reject) => {
        redis.once('ready', () => resolve())
        redis.once('end', () => reject(new Error('the connection ended before it was ready')))
      })

export const openRedis = async (url = redisUrl ?? ''): Promise<TestRedis> => {
  const redis = connectRedis(url, { commandTimeout: 10_000 })
  const used: string[] = []
  await ready(redis)
  return {
    redis,
    version: await versionOf(redis),
    prefix: () => {
      const p = `pkt-${process.pid}-${Date.now()}-${prefixes++}:`
      used.push(p)
      return p
    },
    close: async () => {
      for (const p of used) await dropPrefix(redis, p)
      await redis.quit()
    },
  }
}

/** A client that counts the commands it sends (each one round trip unless pipelined). */
export const counting = (
  redis: RedisCommands,
): { client: RedisCommands; trips: () => number; reset: () => void } => {
  let trips = 0
  const client: RedisCommands = {
    evalsha: (...a) => {
      trips++
      return redis.evalsha(...a)
    },
    eval: (...a) => {
      trips++
      return redis.eval(...a)
    },
    mget: (...a) => {
      trips++
      return redis.mget(...a)
    },
    scan: (...a) => {
      trips++
      return redis.scan(...a)
    },
  }
  return {
    client,
    trips: () => trips,
    reset: () => {
      trips = 0
    },
  }
}

/** An ioredis client is a `RedisCommands` as it is (checked by the compiler here). */
export const asCommands = (redis: Redis): RedisCommands => redis
