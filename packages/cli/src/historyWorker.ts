// The worker of `historyInWorker`: reads, parses and decodes a history file and posts it in
// batches (see `history.ts`), waiting while `maxInFlight` batches are not yet replayed.
import { type MessagePort, workerData } from 'node:worker_threads'
import { BatchWriter, decodeRecord, IN_FLIGHT, maxInFlight, POSTED, STOP } from './history.js'
import { formatOf, readRecords } from './input.js'

const { file, port, signal } = workerData as { file: string; port: MessagePort; signal: Int32Array }

const writer = new BatchWriter((batch, transfer) => {
  port.postMessage(batch, transfer)
  Atomics.add(signal, IN_FLIGHT, 1)
  Atomics.add(signal, POSTED, 1)
  Atomics.notify(signal, POSTED)
  for (let n = Atomics.load(signal, IN_FLIGHT); n >= maxInFlight && Atomics.load(signal, STOP) === 0; ) {
    Atomics.wait(signal, IN_FLIGHT, n, 1000)
    n = Atomics.load(signal, IN_FLIGHT)
  }
})

try {
  const csv = formatOf(file) === 'csv'
  const progress = {
    advance: (bytes: number) => {
      writer.bytes += bytes
    },
    stop: () => undefined,
  }
  for (const record of readRecords(file, progress)) {
    if (Atomics.load(signal, STOP) !== 0) break
    writer.add(decodeRecord(record, csv))
  }
  writer.flush(true)
} catch (e) {
  writer.flush(true, e instanceof Error ? e.message : String(e))
} finally {
  port.close()
}
