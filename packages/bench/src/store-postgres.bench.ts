// On a real PostgreSQL server (PAYOUT_KERNEL_PG_URL; `pnpm bench:server` starts a throwaway one):
// rescore decisions/s through the policy's PostgreSQL record store (quota log, idempotency keys,
// leases and cooldowns all exact; every start completed) against rate-limiter-flexible's
// RateLimiterPostgres.consume() (one fixed-window counter) on the same server, 4 client processes
// each, in the same run; the round trips per decision, counted; velocity evaluate-and-record on
// the server from 4 processes, with its lock waits; then a soak of 1M rescore
// requests with pruning, and the rows left. Sizes: BENCH_SECONDS (8), BENCH_LOOPS (4 per process),
// SOAK_REQUESTS (1,000,000); BENCH_PARTS picks parts (default `rescore,velocity,soak`).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  completeRescoreIn,
  decideRescoreIn,
  defaultRescoreConfig,
  type RescoreConfig,
} from '@payout-kernel/rescore-policy'
import { migrate, pgSql, postgresRescoreRecords } from '@payout-kernel/store-postgres'
import pg from 'pg'
import { RateLimiterPostgres } from 'rate-limiter-flexible'

const url = process.env.PAYOUT_KERNEL_PG_URL
const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const loops = Number(process.env.BENCH_LOOPS ?? 4)
const soakRequests = Number(process.env.SOAK_REQUESTS ?? 1_000_000)
const parts = new Set((process.env.BENCH_PARTS ?? 'rescore,velocity,soak').split(','))

interface Run {
  readonly decisions: number
  readonly roundTrips: number
  readonly seconds: number
}

const worker = <R = Run>(input: object, script = './pg.worker.ts'): Promise<R> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL(script, import.meta.url))],
      { env: { ...process.env, BENCH_INPUT: JSON.stringify(input) }, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`))
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as R)
      },
    )
  })

const fourProcesses = async (mode: 'policy' | 'rlf', schemaUrl: string): Promise<Run> => {
  const runs = await Promise.all(
    [1, 2, 3, 4].map((seed) =>
      worker({ url: schemaUrl, mode, seed, seconds, loops, merchants: 100, beneficiaries: 10_000 }),
    ),
  )
  return {
    decisions: runs.reduce((n, r) => n + r.decisions, 0),
    roundTrips: runs.reduce((n, r) => n + r.roundTrips, 0),
    seconds: Math.max(...runs.map((r) => r.seconds)),
  }
}

interface VelocityRun {
  readonly decisions: number
  readonly refused: number
  readonly seconds: number
  readonly transactions?: number
  readonly retries?: number
}

/**
 * Velocity evaluate-and-record on the server, 4 processes on the shipped example payouts (4
 * merchants: every process contends on every merchant's rows), against the same decisions on the
 * in-memory keyed store in one process; lock waits sampled from pg_stat_activity every 20 ms.
 */
const velocity = async (schemaUrl: string, admin: pg.Pool): Promise<void> => {
  const memory = await worker<VelocityRun>(
    { url: schemaUrl, mode: 'memory', worker: 0, seconds, loops: 1 },
    './velocity-pg.worker.ts',
  )
  let samples = 0
  let waiting = 0
  let busy = 0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const r = await admin.query<{ waiting: number; busy: number }>(
        `select count(*) filter (where wait_event_type = 'Lock')::int as waiting,
                count(*) filter (where state = 'active')::int as busy
         from pg_stat_activity where backend_type = 'client backend' and query like '%velocity_record%'`,
      )
      samples++
      waiting += r.rows[0]?.waiting ?? 0
      busy += r.rows[0]?.busy ?? 0
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  const runs = await Promise.all(
    [0, 1, 2, 3].map((w) =>
      worker<VelocityRun>(
        { url: schemaUrl, mode: 'postgres', worker: w, seconds, loops },
        './velocity-pg.worker.ts',
      ),
    ),
  )
  sampling = false
  await sampler
  const decisions = runs.reduce((n, r) => n + r.decisions, 0)
  const rate = decisions / Math.max(...runs.map((r) => r.seconds))
  const memoryRate = memory.decisions / memory.seconds
  const retries = runs.reduce((n, r) => n + (r.retries ?? 0), 0)
  const transactions = runs.reduce((n, r) => n + (r.transactions ?? 0), 0)
  const refused = runs.reduce((n, r) => n + r.refused, 0)
  process.stdout.write(
    `\nvelocity evaluate-and-record (shipped rules and payouts, 4 merchants): 4 processes x ${loops} loops on the server\n` +
      `  baseline   in-memory keyed store, 1 process            ${(memoryRate / 1000).toFixed(1)}k/s\n` +
      `  candidate  PostgreSQL velocity store, 4 processes      ${(rate / 1000).toFixed(1)}k/s\n` +
      `  ratio      ${(rate / memoryRate).toFixed(2)}x\n` +
      `  ${transactions} transactions, ${retries} retried after a lost race; ${refused} refused\n` +
      `  lock waits: ${(waiting / Math.max(1, samples)).toFixed(2)} backends waiting on a row lock per sample, of ${(busy / Math.max(1, samples)).toFixed(2)} active (${samples} samples)\n`,
  )
}

export async function main(): Promise<void> {
  if (url === undefined) {
    process.stdout.write(
      '  not run: set PAYOUT_KERNEL_PG_URL, or run `pnpm bench:server` (starts a server)\n',
    )
    return
  }
  const admin = new pg.Pool({ connectionString: url, max: 2 })
  const version = (await admin.query('show server_version')).rows[0]?.server_version
  const schema = `bench_${process.pid}`
  await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema}`)
  const schemaUrl = `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
  const pool = new pg.Pool({ connectionString: schemaUrl, max: 4 })
  await migrate(pgSql(pool))
  await new Promise<void>((resolve, reject) => {
    new RateLimiterPostgres(
      { storeClient: pool, tableName: 'rlflx_bench', points: 10, duration: 60 },
      (e?: unknown) => (e ? reject(e) : resolve()),
    )
  })

  process.stdout.write(`\nPostgreSQL ${version}: 4 client processes x ${loops} loops, ${seconds} s each\n`)
  if (parts.has('rescore')) await rescore(schemaUrl)
  if (parts.has('velocity')) await velocity(schemaUrl, admin)
  if (parts.has('soak')) await soak(pool)
  await pool.end()
  await admin.query(`drop schema if exists ${schema} cascade`)
  await admin.end()
}

/** The rescore store against RateLimiterPostgres, 4 processes each, alternating. */
const rescore = async (schemaUrl: string): Promise<void> => {
  // Alternate, baseline first, then candidate, twice; report the better of each.
  const best = { rlf: 0, policy: 0 }
  let trips = 0
  let decided = 0
  for (let round = 0; round < 2; round++) {
    const r = await fourProcesses('rlf', schemaUrl)
    best.rlf = Math.max(best.rlf, r.decisions / r.seconds)
    const p = await fourProcesses('policy', schemaUrl)
    best.policy = Math.max(best.policy, p.decisions / p.seconds)
    trips += p.roundTrips
    decided += p.decisions
  }
  process.stdout.write(
    `  baseline   RateLimiterPostgres.consume()                 ${(best.rlf / 1000).toFixed(1)}k/s\n` +
      `  candidate  decideRescoreIn (+ completeRescoreIn per start) ${(best.policy / 1000).toFixed(1)}k/s\n` +
      `  ratio      ${(best.policy / best.rlf).toFixed(2)}x   (target >= 0.5x, all four tables exact)\n` +
      `  round trips: ${(trips / decided).toFixed(2)} per decision, completions and retries included\n`,
  )
}

const soak = async (pool: pg.Pool): Promise<void> => {
  // Soak: 1M requests from one process, pruning every 10,000, on a 10 s quota window and 60 s
  // retention so that history passes out of every table many times over.
  const soakConfig: RescoreConfig = {
    quota: {
      ...defaultRescoreConfig.quota,
      requestsPerWindow: 1_000_000 as RescoreConfig['quota']['requestsPerWindow'],
      windowMs: 10_000 as RescoreConfig['quota']['windowMs'],
    },
    cooldownMs: 5_000 as RescoreConfig['cooldownMs'],
    leaseMs: 30_000 as RescoreConfig['leaseMs'],
    idempotencyRetentionMs: 60_000 as RescoreConfig['idempotencyRetentionMs'],
  }
  await pool.query('truncate rescore_quota, rescore_admission, rescore_idempotency, rescore_beneficiary')
  const store = postgresRescoreRecords(pgSql(pool))
  let now = Date.UTC(2026, 0, 1)
  let maxRows = 0
  const started = performance.now()
  const inFlight: Promise<void>[] = []
  for (let i = 0; i < soakRequests; i++) {
    now += 1 // 1,000 requests per second of policy time
    const b = (i * 7919) % 50_000
    const merchantId = `mer_${b % 100}`
    const request = async () => {
      const a = await decideRescoreIn(
        store,
        {
          merchantId,
          method: 'POST',
          path: `/v1/beneficiaries/ben_${b}/rescore`,
          beneficiaryId: `ben_${b}`,
          headers: { 'Idempotency-Key': `key-${i}` },
          engine: { configured: true, profileExists: true, locked: false },
        },
        now,
        soakConfig,
      )
      // One start in ten dies without an answer (its lease lapses); the rest complete.
      if (a.response === null && i % 10 !== 0)
        await completeRescoreIn(
          store,
          { lease: a.effects[0].lease, current: { evaluationId: 'eval_1', rawScore: 423 }, previous: null },
          now,
          soakConfig,
        )
    }
    inFlight.push(request())
    if (inFlight.length === 4) await Promise.all(inFlight.splice(0))
    if (i % 10_000 === 9_999) {
      const c = await store.prune(now, soakConfig)
      maxRows = Math.max(maxRows, c.admissions + c.idempotencyKeys + c.beneficiaries + c.merchants)
    }
  }
  await Promise.all(inFlight)
  const end = await store.prune(now, soakConfig)
  const soakSeconds = (performance.now() - started) / 1000
  process.stdout.write(
    `\nsoak: ${soakRequests.toLocaleString('en-US')} requests (${(soakRequests / soakSeconds / 1000).toFixed(1)}k/s, ${soakSeconds.toFixed(0)} s), pruned every 10,000\n` +
      `  rows after the last prune: ${end.merchants} quota logs, ${end.admissions} admissions, ${end.idempotencyKeys} keys, ${end.beneficiaries} beneficiaries\n` +
      `  live at the end: ${10_000} admissions in the 10 s window, ${60_000} keys in the 60 s retention (at most)\n` +
      `  most rows seen after any prune: ${maxRows.toLocaleString('en-US')} (history: ${soakRequests.toLocaleString('en-US')} requests)\n`,
  )
}
