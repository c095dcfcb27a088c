// One service instance in the velocity race: pays its payouts (all to one merchant and
// beneficiary, near a block limit shared with the other workers) through the Redis velocity
// store, one evaluate-and-record decision each, and reports what each decision answered.
import { evaluateAndRecordStep, parsePayout, parseRuleSet } from '@payout-kernel/velocity'
import * as E from '#fp-ts/Either'
import { connectRedis, redisVelocityRecords } from '../src/index.js'
import { workerDone, workerInput } from './processes.js'
import { ready } from './redis.js'

interface Input {
  readonly url: string
  readonly prefix: string
  readonly ruleSet: unknown
  readonly payouts: ReadonlyArray<unknown>
  /** Wall-clock epoch ms to start at, so the workers really race (process start-up takes a while). */
  readonly startAt: number
}

export interface VelocityWorkerResult {
  /** Per payout id: the verdict's action, or `error:<tag or reason>`. */
  readonly answers: ReadonlyArray<readonly [string, string]>
  readonly decisions: number
  readonly retries: number
}

const input = workerInput<Input>()
const redis = connectRedis(input.url, { commandTimeout: 5_000 })
await ready(redis)
const store = redisVelocityRecords(redis, { merchantId: 'mer_race', prefix: input.prefix })
const ruleSet = parseRuleSet(input.ruleSet)
if (E.isLeft(ruleSet)) throw new Error(`bad rule set: ${JSON.stringify(ruleSet.left)}`)

await new Promise((resolve) => setTimeout(resolve, Math.max(0, input.startAt - Date.now())))
const answers: Array<readonly [string, string]> = []
for (const json of input.payouts) {
  const p = parsePayout(json)
  if (E.isLeft(p)) throw new Error(`bad payout: ${JSON.stringify(p.left)}`)
  const verdict = await store.run(evaluateAndRecordStep(ruleSet.right, p.right))
  answers.push([
    p.right.id,
    E.isRight(verdict)
      ? verdict.right.action
      : `error:${verdict.left._tag === 'VelocityStoreUnavailable' ? verdict.left.reason : verdict.left._tag}`,
  ])
}
await redis.quit()
const result: VelocityWorkerResult = { answers, ...store.attempts() }
workerDone(result)
