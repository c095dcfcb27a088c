// One client process of the server benchmark: for `seconds`, `loops` concurrent loops send
// rescore decisions to the server, either through the policy's PostgreSQL record store (every
// start completed) or as RateLimiterPostgres.consume() calls on the same merchant keys. Prints
// {decisions, roundTrips, seconds} as JSON.
import {
  completeRescoreIn,
  decideRescoreIn,
  defaultRescoreConfig,
  type RescoreConfig,
} from '@payout-kernel/rescore-policy'
import { pgSql, postgresRescoreRecords } from '@payout-kernel/store-postgres'
import pg from 'pg'
import { RateLimiterPostgres } from 'rate-limiter-flexible'

interface Input {
  readonly url: string
  readonly mode: 'policy' | 'rlf'
  readonly seed: number
  readonly seconds: number
  readonly loops: number
  readonly merchants: number
  readonly beneficiaries: number
}
const input = JSON.parse(process.env.BENCH_INPUT ?? '{}') as Input
const pool = new pg.Pool({ connectionString: input.url, max: input.loops })
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
const base = pgSql(pool)
const store = postgresRescoreRecords(
  {
    ...base,
    query: ((text, params, name) => {
      roundTrips++
      return base.query(text, params, name)
    }) as typeof base.query,
  },
  { batchSize: Number(process.env.BENCH_BATCH ?? 4) },
)
const rlf = new RateLimiterPostgres({
  storeClient: pool,
  tableName: 'rlflx_bench',
  tableCreated: true,
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
      if (a.response === null)
        await completeRescoreIn(
          store,
          { lease: a.effects[0].lease, current: { evaluationId: 'eval_1', rawScore: 423 }, previous: null },
          Date.now(),
          config,
        )
    }
    decisions++
  }
}
const started = performance.now()
const cpuBefore = process.cpuUsage()
await Promise.all(Array.from({ length: input.loops }, loop))
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
await pool.end()
// The client's own CPU over the measured run (user + system), to split client and server cost.
const clientCpuSeconds = (cpu.user + cpu.system) / 1e6
process.stdout.write(
  `${JSON.stringify({ decisions, roundTrips, seconds, clientCpuSeconds, clientSystemSeconds: cpu.system / 1e6 })}\n`,
)
