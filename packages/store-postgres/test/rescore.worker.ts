// One service instance in the rescore race: sends `requests` rescore requests with keys and
// beneficiaries shared with the other workers, on the real clock, and completes every rescore it
// starts. Around each rescore it holds a row in `race_in_flight` keyed by the beneficiary: if two
// rescores of one beneficiary were ever in flight at once, the second insert fails and is counted.
import {
  completeRescoreIn,
  decideRescoreIn,
  type RescoreConfig,
  type RescoreResponse,
} from '@payout-kernel/rescore-policy'
import pg from 'pg'
import * as E from '#fp-ts/Either'
import { pgSql, postgresRescoreRecords } from '../src/index.js'
import { workerDone, workerInput } from './processes.js'

interface Input {
  readonly url: string
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
}

const input = workerInput<Input>()
const pool = new pg.Pool({ connectionString: input.url, max: 2 })
let roundTrips = 0
const base = pgSql(pool)
const sql = {
  ...base,
  query: ((text, params, name) => {
    roundTrips++
    return base.query(text, params, name)
  }) as typeof base.query,
}
const store = postgresRescoreRecords(sql)

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
  try {
    await pool.query('insert into race_in_flight (beneficiary_id) values ($1)', [beneficiaryId])
  } catch {
    result.overlaps++
  }
  // The engine's answer, a function of the key: every replay must carry exactly it.
  const current = { evaluationId: `eval_${k}`, rawScore: (k * 37) % 1001 }
  await pool.query('delete from race_in_flight where beneficiary_id = $1', [beneficiaryId])
  const done = await completeRescoreIn(store, { lease, current, previous: null }, Date.now(), input.config)
  if (E.isRight(done) && done.right.status === 200)
    result.verdicts.push([`${merchantId}/${key}`, JSON.stringify(done.right.body)])
}

await pool.end()
workerDone({ ...result, roundTrips })
