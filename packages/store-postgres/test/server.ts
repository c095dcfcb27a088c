// A private PostgreSQL server for the fault-injection suite, which kills and restarts it: initdb
// into a temp folder, pg_ctl on 127.0.0.1 and a free port (as the postgres user when run as
// root, since initdb refuses root). The binaries come from PAYOUT_KERNEL_PG_BIN (.ci/run sets it).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** Where initdb and pg_ctl are: PAYOUT_KERNEL_PG_BIN, else the directory of `pg_ctl` on the PATH. */
const fromPath = (): string | null => {
  try {
    return path.dirname(
      fs.realpathSync(execFileSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).trim()),
    )
  } catch {
    return null
  }
}
export const serverBin: string | null = process.env.PAYOUT_KERNEL_PG_BIN ?? fromPath()

export interface PrivateServer {
  readonly url: string
  readonly version: string
  /** `pg_ctl stop -m immediate`: the server dies as if the machine lost power. */
  readonly kill: () => void
  readonly start: () => void
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

export const startPrivateServer = async (): Promise<PrivateServer> => {
  if (serverBin === null) throw new Error('PAYOUT_KERNEL_PG_BIN is not set: no server binaries to start')
  const bin = serverBin
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payout-kernel-fault-'))
  const root = process.getuid?.() === 0
  if (root) execFileSync('chown', ['postgres', dir])
  const run = (cmd: string, args: string[]) =>
    root
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(path.join(bin, cmd), args, { stdio: 'pipe' })
  const port = await freePort()
  const data = path.join(dir, 'data')
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
  const ctl = (...args: string[]) =>
    run('pg_ctl', [
      '-s',
      '-D',
      data,
      '-l',
      path.join(dir, 'server.log'),
      '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`,
      ...args,
    ])
  ctl('-w', '-t', '60', 'start')
  const version = execFileSync(path.join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim()
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    version: /[0-9]+\.[0-9]+/.exec(version)?.[0] ?? version,
    kill: () => ctl('-m', 'immediate', 'stop'),
    start: () => ctl('-w', '-t', '60', 'start'),
    destroy: () => {
      try {
        ctl('-m', 'immediate', 'stop')
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
