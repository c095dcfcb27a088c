// One service instance in the rescore race: sends `requests` rescore requests with keys and
// beneficiaries shared with the other workers, on the real clock, and completes every rescore it
// starts. Around each rescore it holds a Redis key for the beneficiary (per merchant in the
// per-merchant layout, where a beneficiary's record is the merchant's), set with NX: if two
// rescores of one beneficiary were ever in flight at once, the second set fails and is counted.
// Its client records every admission the store appended (the write script's time, when the
// script answered 1): the admissions, exactly as the quota log holds them.
import {
  completeRescoreIn,
  decideRescoreIn,
  type RescoreConfig,
  type RescoreResponse,
} from '@payout-kernel/rescore-policy'
import * as E from '#fp-ts/Either'
import {
  connectRedis,
  type RedisCommands,
  type RedisRescoreLayout,
  redisRescoreRecords,
} from '../src/index.js'
import { workerDone, workerInput } from './processes.js'
import { ready } from './redis.js'

interface Input {
  readonly url: string
  readonly prefix: string
  readonly layout: RedisRescoreLayout
  readonly seed: number
  readonly requests: number
  readonly keys: number
  readonly beneficiaries: number
  readonly config: RescoreConfig
}

export interface RescoreWorkerResult {
  readonly starts: ReadonlyArray<string>
  readonly counted: number
  readonly unavailable: number
  readonly overlaps: number
  readonly verdicts: ReadonlyArray<readonly [string, string]>
  readonly statuses: Readonly<Record<string, number>>
  readonly roundTrips: number
  /** The admissions this worker's writes appended: [merchant, time]. */
  readonly admissions: ReadonlyArray<readonly [string, number]>
}

const input = workerInput<Input>()
const redis = connectRedis(input.url, { commandTimeout: 5_000 })
await ready(redis)
let roundTrips = 0
const admissions: Array<readonly [string, number]> = []
/** After a write script (its first key is the slot's counter) that appended and answered 1: the admission. */
const noted = (keysAndArgs: ReadonlyArray<string>, numKeys: number, answer: unknown) => {
  const keys = keysAndArgs.slice(0, numKeys)
  const args = keysAndArgs.slice(numKeys)
  if (answer === 1 && keys[0]?.endsWith(':ver') && args[1] === '1') {
    const quota = keys[1] ?? ''
    admissions.push([quota.slice(quota.lastIndexOf(':q:') + 3), Number(args[5])])
  }
  return answer
}
const client: RedisCommands = {
  evalsha: async (sha, n, ...rest) => {
    roundTrips++
    return noted(rest, n, await redis.evalsha(sha, n, ...rest))
  },
  eval: async (lua, n, ...rest) => {
    roundTrips++
    return noted(rest, n, await redis.eval(lua, n, ...rest))
  },
  mget: (...keys) => {
    roundTrips++
    return redis.mget(...keys)
  },
  scan: (...a) => {
    roundTrips++
    return redis.scan(...a)
  },
}
const store = redisRescoreRecords(client, {
  prefix: input.prefix,
  layout: input.layout,
  config: input.config,
})

// A small deterministic generator (xorshift), so a failing run can be replayed from its seed.
let state = input.seed >>> 0 || 1
const next = (n: number): number => {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return (state >>> 0) % n
}

const early = new Set(['rate_limit_exceeded', 'idempotency_unavailable'])
const codeOf = (r: RescoreResponse): string => ('error' in r.body ? r.body.error.code : String(r.status))

const result = {
  starts: [] as string[],
  counted: 0,
  unavailable: 0,
  overlaps: 0,
  verdicts: [] as [string, string][],
  statuses: {} as Record<string, number>,
}

for (let i = 0; i < input.requests; i++) {
  const merchantId = next(2) === 0 ? 'mer_a' : 'mer_b'
  const k = next(input.keys)
  // A key always names the same beneficiary, so a retry of it is the same request.
  const beneficiaryId = `ben_${k % input.beneficiaries}`
  const key = `k-${k}`
  const request = {
    merchantId,
    method: 'POST',
    path: `/v1/beneficiaries/${beneficiaryId}/rescore`,
    beneficiaryId,
    headers: { 'Idempotency-Key': key },
    engine: { configured: true, profileExists: true, locked: false },
  }
  const answer = await decideRescoreIn(store, request, Date.now(), input.config)
  if (answer.response !== null) {
    const code = codeOf(answer.response)
    result.statuses[code] = (result.statuses[code] ?? 0) + 1
    if (code === 'idempotency_unavailable') result.unavailable++
    if (!early.has(code)) result.counted++
    if (answer.response.status === 200)
      result.verdicts.push([`${merchantId}/${key}`, JSON.stringify(answer.response.body)])
    continue
  }
  result.counted++
  result.statuses.start = (result.statuses.start ?? 0) + 1
  const lease = answer.effects[0].lease
  result.starts.push(`${merchantId}/${key}`)
  const held = `${input.prefix}race:${input.layout === 'one-slot' ? '' : merchantId}/${beneficiaryId}`
  if ((await redis.set(held, '1', 'NX')) === null) result.overlaps++
  // The engine's answer, a function of the key: every replay must carry exactly it.
  const current = { evaluationId: `eval_${k}`, rawScore: (k * 37) % 1001 }
  await redis.del(held)
  const done = await completeRescoreIn(store, { lease, current, previous: null }, Date.now(), input.config)
  if (E.isRight(done) && done.right.status === 200)
    result.verdicts.push([`${merchantId}/${key}`, JSON.stringify(done.right.body)])
}

await redis.quit()
workerDone({ ...result, roundTrips, admissions })
