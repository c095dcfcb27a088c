// One client process of the Redis benchmark: for `seconds`, `loops` concurrent loops send rescore
// decisions to the server, either through the policy's Redis record store (every start
// completed) or as RateLimiterRedis.consume() calls on the same merchant keys. Prints
// {decisions, roundTrips, storeCalls, seconds} as JSON.
import {
  completeRescoreIn,
  decideRescoreIn,
  defaultRescoreConfig,
  type RescoreConfig,
} from '@payout-kernel/rescore-policy'
import {
  connectRedis,
  type RedisCommands,
  type RedisRescoreLayout,
  redisRescoreRecords,
} from '@payout-kernel/store-redis'
import { RateLimiterRedis } from 'rate-limiter-flexible'

interface Input {
  readonly url: string
  readonly prefix: string
  readonly layout: RedisRescoreLayout
  readonly mode: 'policy' | 'rlf'
  readonly seed: number
  readonly seconds: number
  readonly loops: number
  readonly merchants: number
  readonly beneficiaries: number
}
const input = JSON.parse(process.env.BENCH_INPUT ?? '{}') as Input
const redis = connectRedis(input.url, { commandTimeout: 5_000 })
await new Promise<void>((resolve) =>
  redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve()),
)
const config: RescoreConfig = {
  ...defaultRescoreConfig,
  quota: {
    ...defaultRescoreConfig.quota,
    requestsPerWindow: 1_000_000 as RescoreConfig['quota']['requestsPerWindow'],
  },
}

let s = input.seed >>> 0 || 1
const next = (n: number): number => {
  s ^= s << 13
  s ^= s >>> 17
  s ^= s << 5
  return (s >>> 0) % n
}

let roundTrips = 0
let storeCalls = 0
const client: RedisCommands = {
  evalsha: (...a) => {
    roundTrips++
    return redis.evalsha(...a)
  },
  eval: (...a) => {
    roundTrips++
    return redis.eval(...a)
  },
  mget: (...a) => {
    roundTrips++
    return redis.mget(...a)
  },
  scan: (...a) => {
    roundTrips++
    return redis.scan(...a)
  },
}
const store = redisRescoreRecords(client, { prefix: input.prefix, layout: input.layout, config })
const rlf = new RateLimiterRedis({
  storeClient: redis,
  keyPrefix: `${input.prefix}rlf`,
  points: 1_000_000_000,
  duration: 60,
})

const deadline = performance.now() + input.seconds * 1000
let decisions = 0
const loop = async () => {
  while (performance.now() < deadline) {
    const b = next(input.beneficiaries)
    const merchantId = `mer_${b % input.merchants}`
    if (input.mode === 'rlf') {
      roundTrips++
      await rlf.consume(merchantId)
    } else {
      storeCalls++
      const a = await decideRescoreIn(
        store,
        {
          merchantId,
          method: 'POST',
          path: `/v1/beneficiaries/ben_${b}/rescore`,
          beneficiaryId: `ben_${b}`,
          headers: { 'Idempotency-Key': `key-${b}-${next(5)}` },
          engine: { configured: true, profileExists: true, locked: false },
        },
        Date.now(),
        config,
      )
      if (a.response === null) {
        storeCalls++
        await completeRescoreIn(
          store,
          { lease: a.effects[0].lease, current: { evaluationId: 'eval_1', rawScore: 423 }, previous: null },
          Date.now(),
          config,
        )
      } else if (a.response.status === 503) throw new Error('the store failed a decision')
    }
    decisions++
  }
}
const started = performance.now()
const cpuBefore = process.cpuUsage()
await Promise.all(Array.from({ length: input.loops }, loop))
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
await redis.quit()
process.stdout.write(
  `${JSON.stringify({ decisions, roundTrips, storeCalls, seconds, clientCpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`,
)
