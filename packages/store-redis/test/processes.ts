// Runs worker processes for the multi-process race tests: each worker is a TypeScript module run
// with `node --import tsx`, receives its input as JSON in PAYOUT_KERNEL_WORKER_INPUT, and prints
// its result as the last line of stdout, in JSON. Resolves to the results in worker order; rejects
// with the worker's stderr if one exits non-zero.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const tsxLoader = import.meta.resolve('tsx')

export const runWorker = <R>(script: URL, input: unknown): Promise<R> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, fileURLToPath(script)], {
      env: { ...process.env, PAYOUT_KERNEL_WORKER_INPUT: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`worker ${script.pathname} exited ${code}:\n${err}`))
      const last = out.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(last) as R)
      } catch {
        reject(new Error(`worker ${script.pathname} printed no JSON result:\n${out}\n${err}`))
      }
    })
  })

export const runWorkers = <R>(script: URL, inputs: ReadonlyArray<unknown>): Promise<R[]> =>
  Promise.all(inputs.map((input) => runWorker<R>(script, input)))

/** In a worker: its input. */
export const workerInput = <I>(): I => JSON.parse(process.env.PAYOUT_KERNEL_WORKER_INPUT ?? 'null') as I

/** In a worker: print the result as the last line and exit. */
export const workerDone = (result: unknown): void => {
  process.stdout.write(`${JSON.stringify(result)}\n`)
}
