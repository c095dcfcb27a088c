// Entry of the history worker (see `history.ts`). The reader is imported inside the `try`, so that
// a module that fails to load is reported to the waiting thread instead of leaving it waiting.
import { workerData } from 'node:worker_threads'

const input = workerData as { port: import('node:worker_threads').MessagePort; signal: Int32Array }
try {
  const { readHistoryInWorker } = await import('./history.js')
  readHistoryInWorker(workerData)
} catch (e) {
  input.port.postMessage({ error: e instanceof Error ? e.message : String(e) })
  Atomics.add(input.signal, 0, 1) // POSTED
  Atomics.notify(input.signal, 0)
}
