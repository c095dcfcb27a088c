// One client process of the velocity server benchmark: evaluate-and-record decisions for the
// shipped example payouts (4 merchants, the shipped current rule set and rates), each stamped with
// the wall clock as it is decided, for `seconds`, through the PostgreSQL velocity store (or, with
// mode 'memory', through the in-memory keyed store: the same decisions without a database).
// Prints {decisions, transactions, retries, refused, seconds} as JSON.
import fs from 'node:fs'
import { pgSql, postgresVelocityRecords } from '@payout-kernel/store-postgres'
import {
  evaluateAndRecordStep,
  inMemoryVelocityStore,
  parsePayout,
  parseRuleSet,
  type VelocityRecordStore,
} from '@payout-kernel/velocity'
import pg from 'pg'
import * as E from '#fp-ts/Either'

interface Input {
  readonly url: string
  readonly mode: 'postgres' | 'memory'
  readonly worker: number
  readonly seconds: number
  readonly loops: number
}
const input = JSON.parse(process.env.BENCH_INPUT ?? '{}') as Input
const root = new URL('../../../examples/', import.meta.url)
const ruleSet = parseRuleSet(JSON.parse(fs.readFileSync(new URL('velocity-current.json', root), 'utf8')))
if (E.isLeft(ruleSet)) throw new Error('bad rules')
const rates = JSON.parse(fs.readFileSync(new URL('rates.json', root), 'utf8')) as never
const lines = fs
  .readFileSync(new URL('payouts.ndjson', root), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Record<string, unknown>)

const pool = input.mode === 'postgres' ? new pg.Pool({ connectionString: input.url, max: input.loops }) : null
const store: VelocityRecordStore & { attempts?: () => { transactions: number; retries: number } } =
  pool === null ? inMemoryVelocityStore() : postgresVelocityRecords(pgSql(pool))

let decisions = 0
let refused = 0
let n = input.worker
const deadline = performance.now() + input.seconds * 1000
const loop = async () => {
  while (performance.now() < deadline) {
    const line = lines[n % lines.length] as Record<string, unknown>
    n += 4
    const p = parsePayout({ ...line, id: `pay_w${input.worker}x${n}`, created_at: Date.now() })
    if (E.isLeft(p)) throw new Error('bad payout')
    const v = await store.run(evaluateAndRecordStep(ruleSet.right, p.right, { rates }))
    if (E.isLeft(v)) refused++
    decisions++
  }
}
const started = performance.now()
await Promise.all(Array.from({ length: input.loops }, loop))
const seconds = (performance.now() - started) / 1000
await pool?.end()
process.stdout.write(`${JSON.stringify({ decisions, refused, seconds, ...(store.attempts?.() ?? {}) })}\n`)
