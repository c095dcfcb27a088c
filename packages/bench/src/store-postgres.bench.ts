// On a real PostgreSQL server (PAYOUT_KERNEL_PG_URL; `pnpm bench:server` starts a throwaway one):
// rescore decisions/s through the policy's PostgreSQL record store (quota log, idempotency keys,
// leases and cooldowns all exact; every start completed) against rate-limiter-flexible's
// RateLimiterPostgres.consume() (one fixed-window counter) on the same server, 4 client processes
// each, in the same run; the round trips per decision, counted; then a soak of 1M rescore
// requests with pruning, and the rows left. Sizes: BENCH_SECONDS (8), BENCH_LOOPS (4 per process),
// SOAK_REQUESTS (1,000,000).
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

interface Run {
  readonly decisions: number
  readonly roundTrips: number
  readonly seconds: number
}

const worker = (input: object): Promise<Run> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./pg.worker.ts', import.meta.url))],
      { env: { ...process.env, BENCH_INPUT: JSON.stringify(input) }, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`))
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Run)
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
  await pool.end()
  await admin.query(`drop schema if exists ${schema} cascade`)
  await admin.end()
}
