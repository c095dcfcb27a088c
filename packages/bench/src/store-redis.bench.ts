// On a real Redis server (REDIS_URL; without it, a throwaway redis-server without persistence is
// started on a free port when one is on the PATH): rescore decisions/s through the policy's Redis
// record store (quota log, idempotency keys, leases and cooldowns all exact; every start
// completed) against rate-limiter-flexible's RateLimiterRedis.consume() (one fixed-window
// counter, one script call) on the same server, 4 client processes each, alternating, in the
// same run; the round trips per decision, counted. Sizes: BENCH_SECONDS (8), BENCH_LOOPS (4 per
// process), BENCH_LAYOUT (`per-merchant`, or `one-slot`).
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import type { RedisRescoreLayout } from '@payout-kernel/store-redis'
import { Redis } from 'ioredis'

const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const loops = Number(process.env.BENCH_LOOPS ?? 4)
const layout = (process.env.BENCH_LAYOUT ?? 'per-merchant') as RedisRescoreLayout

interface Run {
  readonly decisions: number
  readonly roundTrips: number
  readonly storeCalls: number
  readonly seconds: number
  readonly clientCpuSeconds: number
}

const worker = (input: object): Promise<Run> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./redis.worker.ts', import.meta.url))],
      { env: { ...process.env, BENCH_INPUT: JSON.stringify(input) }, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`))
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Run)
      },
    )
  })

const fourProcesses = async (mode: 'policy' | 'rlf', url: string, prefix: string): Promise<Run> => {
  const runs = await Promise.all(
    [1, 2, 3, 4].map((seed) =>
      worker({ url, prefix, layout, mode, seed, seconds, loops, merchants: 100, beneficiaries: 10_000 }),
    ),
  )
  return {
    decisions: runs.reduce((n, r) => n + r.decisions, 0),
    roundTrips: runs.reduce((n, r) => n + r.roundTrips, 0),
    storeCalls: runs.reduce((n, r) => n + r.storeCalls, 0),
    seconds: Math.max(...runs.map((r) => r.seconds)),
    clientCpuSeconds: runs.reduce((n, r) => n + r.clientCpuSeconds, 0),
  }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      s.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })

/** REDIS_URL, or a throwaway server of our own (stopped by the caller), or null. */
const server = async (): Promise<{ url: string; child: ChildProcess | null } | null> => {
  if (process.env.REDIS_URL !== undefined) return { url: process.env.REDIS_URL, child: null }
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  )
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false))
    setTimeout(() => resolve(true), 300)
  })
  return started ? { url: `redis://127.0.0.1:${port}`, child } : null
}

export async function main(): Promise<void> {
  const at = await server()
  if (at === null) {
    process.stdout.write('  not run: set REDIS_URL, or put redis-server on the PATH\n')
    return
  }
  const admin = new Redis(at.url)
  const version = /redis_version:([0-9.]+)/.exec(await admin.info('server'))?.[1]
  const prefix = `bench-${process.pid}:`
  process.stdout.write(
    `\nRedis ${version}${at.child === null ? '' : ' (throwaway, no persistence)'}: 4 client processes x ${loops} loops, ${seconds} s each, layout ${layout}\n`,
  )
  // Alternate, baseline first, then candidate, twice; report the better of each.
  const best = { rlf: 0, policy: 0 }
  let trips = 0
  let decided = 0
  let calls = 0
  let cpu = { rlf: 0, policy: 0 }
  let serverCpu = { rlf: 0, policy: 0 }
  /** The server's CPU seconds so far (user + system), from INFO. */
  const serverSeconds = async (): Promise<number> => {
    const info = await admin.info('cpu')
    const of = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0)
    return of('used_cpu_user') + of('used_cpu_sys')
  }
  for (let round = 0; round < 2; round++) {
    let before = await serverSeconds()
    const r = await fourProcesses('rlf', at.url, prefix)
    if (r.decisions / r.seconds > best.rlf) {
      best.rlf = r.decisions / r.seconds
      cpu = { ...cpu, rlf: (r.clientCpuSeconds * 1e6) / r.decisions }
      serverCpu = { ...serverCpu, rlf: (((await serverSeconds()) - before) * 1e6) / r.decisions }
    }
    before = await serverSeconds()
    const p = await fourProcesses('policy', at.url, prefix)
    if (p.decisions / p.seconds > best.policy) {
      best.policy = p.decisions / p.seconds
      cpu = { ...cpu, policy: (p.clientCpuSeconds * 1e6) / p.decisions }
      serverCpu = { ...serverCpu, policy: (((await serverSeconds()) - before) * 1e6) / p.decisions }
    }
    trips += p.roundTrips
    decided += p.decisions
    calls += p.storeCalls
  }
  process.stdout.write(
    `  baseline   RateLimiterRedis.consume()                      ${(best.rlf / 1000).toFixed(1)}k/s   (CPU per request: client ${cpu.rlf.toFixed(0)} µs, server ${serverCpu.rlf.toFixed(0)} µs)\n` +
      `  candidate  decideRescoreIn (+ completeRescoreIn per start) ${(best.policy / 1000).toFixed(1)}k/s   (CPU per request: client ${cpu.policy.toFixed(0)} µs, server ${serverCpu.policy.toFixed(0)} µs)\n` +
      `  ratio      ${(best.policy / best.rlf).toFixed(2)}x   (target >= 0.5x, all four tables exact)\n` +
      `  round trips: ${(trips / decided).toFixed(2)} per request (its decision and, for a start, its completion), ${(trips / calls).toFixed(2)} per store decision, retries included; RateLimiterRedis 1\n`,
  )
  let cursor = '0'
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    if (keys.length > 0) await admin.del(...keys)
    cursor = next
  } while (cursor !== '0')
  await admin.quit()
  at.child?.kill()
}
