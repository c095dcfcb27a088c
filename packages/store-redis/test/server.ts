// A private redis-server for the fault suites, which shut it down and start it again:
// `redis-server` on 127.0.0.1 and a free port, in a temp folder, without persistence or with an
// append-only file (`appendfsync always`). The binary: PAYOUT_KERNEL_REDIS_BIN, else `redis-server`
// on the PATH (`.ci/redis.sh` installs it).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

const which = (name: string): string | null => {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
}
export const serverBin: string | null = process.env.PAYOUT_KERNEL_REDIS_BIN ?? which('redis-server')

export interface PrivateRedis {
  readonly url: string
  readonly port: number
  /** `SHUTDOWN NOSAVE`: the server stops at once, writing no snapshot. */
  readonly shutdown: () => Promise<void>
  readonly start: () => Promise<void>
  readonly destroy: () => void
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

/** Sends one inline command and resolves to the first reply line (or rejects when nothing listens). */
const send = (port: number, command: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let out = ''
    socket.on('data', (d) => {
      out += d.toString()
      if (out.includes('\r\n')) {
        socket.destroy()
        resolve(out.split('\r\n')[0] ?? '')
      }
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(out))
    socket.write(`${command}\r\n`)
  })

const until = async (what: string, ok: () => Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 200; i++) {
    if (await ok().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`redis-server: ${what} did not happen within 10 s`)
}

export const startPrivateRedis = async (persistence: 'none' | 'aof'): Promise<PrivateRedis> => {
  if (serverBin === null) throw new Error('no redis-server on the PATH (PAYOUT_KERNEL_REDIS_BIN unset)')
  const bin = serverBin
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payout-kernel-redis-'))
  const port = await freePort()
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...(persistence === 'aof' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ]
  let child: ChildProcess | null = null
  const start = async () => {
    child = spawn(bin, args, { stdio: 'ignore' })
    await until('PING', async () => (await send(port, 'PING')) === '+PONG')
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    shutdown: async () => {
      const exited = new Promise((resolve) => child?.once('exit', resolve))
      await send(port, 'SHUTDOWN NOSAVE').catch(() => '')
      await exited
    },
    start,
    destroy: () => {
      ;(child as ChildProcess | null)?.kill('SIGKILL')
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
