// One service instance in the velocity race: pays its payouts (all to one merchant and
// beneficiary, near a block limit shared with the other workers) through the PostgreSQL velocity
// store, one evaluate-and-record decision each, and reports what each decision answered.
import { evaluateAndRecordStep, parsePayout, parseRuleSet } from '@payout-kernel/velocity'
import pg from 'pg'
import * as E from '#fp-ts/Either'
import { pgSql } from '../src/index.js'
import { postgresVelocityRecords } from '../src/VelocityStore.js'
import { workerDone, workerInput } from './processes.js'

interface Input {
  readonly url: string
  readonly ruleSet: unknown
  readonly payouts: ReadonlyArray<unknown>
  /** Wall-clock epoch ms to start at, so the workers really race (process start-up takes a while). */
  readonly startAt: number
}

export interface VelocityWorkerResult {
  /** Per payout id: the verdict's action, or `error:<tag or reason>`. */
  readonly answers: ReadonlyArray<readonly [string, string]>
  readonly transactions: number
  readonly retries: number
}

const input = workerInput<Input>()
const pool = new pg.Pool({ connectionString: input.url, max: 2, connectionTimeoutMillis: 5_000 })
pool.on('error', () => {})
const store = postgresVelocityRecords(pgSql(pool), { lockTimeoutMs: 10_000, statementTimeoutMs: 20_000 })
const ruleSet = parseRuleSet(input.ruleSet)
if (E.isLeft(ruleSet)) throw new Error(`bad rule set: ${JSON.stringify(ruleSet.left)}`)

await pool.query('select 1')
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
await pool.end()
const result: VelocityWorkerResult = { answers, ...store.attempts() }
workerDone(result)
