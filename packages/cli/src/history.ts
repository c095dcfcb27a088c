// The payouts of a history file, decoded and in order, with the bad lines between them: read in
// this thread, or — for large files — read, JSON-parsed and decoded in a worker thread while this
// one replays them. The worker sends payouts in batches of columns: each merchant, beneficiary,
// instrument, type, country and currency string once (then by number), ids joined in one string,
// times and amounts in typed arrays. That costs this thread far less than parsing the lines
// itself (a structured clone of the decoded objects would cost more than parsing), and repeated
// strings arrive as one string each, so the replay's key lookups compare them by reference.
// At most `maxInFlight` batches wait at a time, so memory stays flat however long the file.

import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads'
import { fromRfc3339, money, type ValidationProblem } from '@payout-kernel/core'
import { type Payout, parsePayout } from '@payout-kernel/velocity'
import * as E from '#fp-ts/Either'
import {
  type BadLine,
  formatOf,
  InputError,
  type InputRecord,
  isBadLine,
  type Progress,
  readRecords,
} from './input.js'

/** One decoded payout and the line it started on, or a bad line. */
export type HistoryItem = { readonly line: number; readonly payout: Payout } | BadLine

/**
 * CSV has no types: its time columns come as text. Whole numbers are epoch milliseconds, RFC 3339
 * timestamps are converted, an empty `beneficiary_created_at` is absent; anything else is left
 * as it is for the decoder to refuse with the field named.
 */
export const fromCsv = (record: unknown): unknown => {
  if (typeof record !== 'object' || record === null) return record
  const out: Record<string, unknown> = { ...(record as Record<string, unknown>) }
  for (const field of ['created_at', 'beneficiary_created_at']) {
    const v = out[field]
    if (typeof v !== 'string') continue
    if (v === '' && field === 'beneficiary_created_at') delete out[field]
    else if (/^-?\d{1,16}$/.test(v)) out[field] = Number(v)
    else {
      const t = fromRfc3339(v)
      if (E.isRight(t)) out[field] = t.right
    }
  }
  return out
}

/** Decodes one input record into a payout (CSV values are strings: times are read first). */
export const decodeRecord = (record: InputRecord | BadLine, csv: boolean): HistoryItem => {
  if (isBadLine(record)) return record
  const decoded = parsePayout(csv ? fromCsv(record.value) : record.value)
  return E.isLeft(decoded)
    ? { line: record.line, problems: decoded.left.problems }
    : { line: record.line, payout: decoded.right }
}

/** The history read and decoded in this thread. */
export function* historyInThread(file: string, progress: Progress): Generator<HistoryItem> {
  const csv = formatOf(file) === 'csv'
  for (const record of readRecords(file, progress)) yield decodeRecord(record, csv)
}

// ---------------------------------------------------------------- the worker's batches

/** Payouts a batch holds at most. */
export const batchSize = 4096
/** Batches sent and not yet replayed, at most. */
export const maxInFlight = 4

/** Slots of the shared signal: batches posted (ever), batches in flight, and a stop request. */
export const POSTED = 0
export const IN_FLIGHT = 1
export const STOP = 2

/** The string fields of a payout sent by number, in this order. */
export const refsPerPayout = 6

/** A batch of decoded payouts as columns, and the bad lines among them. */
export interface Batch {
  /** New strings, appended to the dictionary in order (refs index the dictionary). */
  readonly strings: ReadonlyArray<string>
  /** The payouts' ids, joined by `\n` (ids never hold one). */
  readonly ids: string
  readonly lines: Float64Array
  /** Per payout: merchant, beneficiary, instrument, instrument type, country, currency. */
  readonly refs: Int32Array
  readonly createdAt: Float64Array
  /** NaN when the payout gives none. */
  readonly beneficiaryCreatedAt: Float64Array
  /** Minor units; NaN when not a safe integer (then the next of `bigMinor`, in decimal). */
  readonly minor: Float64Array
  readonly bigMinor: ReadonlyArray<string>
  /** Bad lines, each after `before` of this batch's payouts. */
  readonly bad: ReadonlyArray<{
    readonly before: number
    readonly line: number
    readonly problems: ReadonlyArray<ValidationProblem>
  }>
  /** Bytes of the file read since the last batch. */
  readonly bytes: number
  readonly done: boolean
  /** The worker failed (the message), e.g. the file could not be read. */
  readonly error?: string
}

const dictionaryRefs = (p: Payout): readonly string[] => [
  p.merchantId,
  p.beneficiaryId,
  p.instrumentId,
  p.instrumentType,
  p.destinationCountry,
  p.amount.currency,
]

/** Builds batches from decoded items (the worker side), handing each full one to `send`. */
export class BatchWriter {
  private readonly dictionary = new Map<string, number>()
  private strings: string[] = []
  private ids: string[] = []
  private bigMinor: string[] = []
  private bad: Array<{ before: number; line: number; problems: ReadonlyArray<ValidationProblem> }> = []
  private n = 0
  private lines = new Float64Array(batchSize)
  private refs = new Int32Array(batchSize * refsPerPayout)
  private createdAt = new Float64Array(batchSize)
  private beneficiaryCreatedAt = new Float64Array(batchSize)
  private minor = new Float64Array(batchSize)
  bytes = 0

  constructor(private readonly send: (batch: Batch, transfer: ArrayBuffer[]) => void) {}

  add(item: HistoryItem): void {
    if (!('payout' in item)) {
      this.bad.push({ before: this.n, line: item.line, problems: item.problems })
      if (this.bad.length >= batchSize) this.flush(false)
      return
    }
    const p = item.payout
    const i = this.n
    this.lines[i] = item.line
    const fields = dictionaryRefs(p)
    for (let f = 0; f < refsPerPayout; f++) {
      const s = fields[f] as string
      let ref = this.dictionary.get(s)
      if (ref === undefined) {
        ref = this.dictionary.size
        this.dictionary.set(s, ref)
        this.strings.push(s)
      }
      this.refs[i * refsPerPayout + f] = ref
    }
    this.ids.push(p.id)
    this.createdAt[i] = p.createdAt
    this.beneficiaryCreatedAt[i] = p.beneficiaryCreatedAt ?? Number.NaN
    const minor = p.amount.minor
    if (minor >= -9_007_199_254_740_991n && minor <= 9_007_199_254_740_991n) this.minor[i] = Number(minor)
    else {
      this.minor[i] = Number.NaN
      this.bigMinor.push(minor.toString())
    }
    this.n = i + 1
    if (this.n === batchSize) this.flush(false)
  }

  flush(done: boolean, error?: string): void {
    const n = this.n
    const batch: Batch = {
      strings: this.strings,
      ids: this.ids.join('\n'),
      lines: this.lines.slice(0, n),
      refs: this.refs.slice(0, n * refsPerPayout),
      createdAt: this.createdAt.slice(0, n),
      beneficiaryCreatedAt: this.beneficiaryCreatedAt.slice(0, n),
      minor: this.minor.slice(0, n),
      bigMinor: this.bigMinor,
      bad: this.bad,
      bytes: this.bytes,
      done,
      ...(error === undefined ? {} : { error }),
    }
    this.strings = []
    this.ids = []
    this.bigMinor = []
    this.bad = []
    this.bytes = 0
    this.n = 0
    this.send(batch, [
      batch.lines.buffer,
      batch.refs.buffer,
      batch.createdAt.buffer,
      batch.beneficiaryCreatedAt.buffer,
      batch.minor.buffer,
    ] as ArrayBuffer[])
  }
}

/** The items of a batch, in file order (the reading side); `dictionary` grows with its new strings. */
export function* itemsOf(batch: Batch, dictionary: string[]): Generator<HistoryItem> {
  for (const s of batch.strings) dictionary.push(s)
  const ids = batch.ids === '' ? [] : batch.ids.split('\n')
  const { refs, createdAt, beneficiaryCreatedAt, minor, lines } = batch
  const badLine = (b: number): BadLine => {
    const { line, problems } = batch.bad[b] as Batch['bad'][number]
    return { line, problems }
  }
  let big = 0
  let b = 0
  for (let i = 0; i < ids.length; i++) {
    for (; b < batch.bad.length && (batch.bad[b]?.before ?? 0) <= i; b++) yield badLine(b)
    const r = i * refsPerPayout
    const m = minor[i] as number
    const amount = money(
      Number.isNaN(m) ? BigInt(batch.bigMinor[big++] as string) : BigInt(m),
      dictionary[refs[r + 5] as number] as string,
    )
    const created = beneficiaryCreatedAt[i] as number
    // the same two shapes, in the same key order, as the decoder builds
    const payout = (
      Number.isNaN(created)
        ? {
            id: ids[i],
            merchantId: dictionary[refs[r] as number],
            beneficiaryId: dictionary[refs[r + 1] as number],
            instrumentId: dictionary[refs[r + 2] as number],
            instrumentType: dictionary[refs[r + 3] as number],
            destinationCountry: dictionary[refs[r + 4] as number],
            amount,
            createdAt: createdAt[i],
          }
        : {
            id: ids[i],
            merchantId: dictionary[refs[r] as number],
            beneficiaryId: dictionary[refs[r + 1] as number],
            beneficiaryCreatedAt: created,
            instrumentId: dictionary[refs[r + 2] as number],
            instrumentType: dictionary[refs[r + 3] as number],
            destinationCountry: dictionary[refs[r + 4] as number],
            amount,
            createdAt: createdAt[i],
          }
    ) as Payout
    yield { line: lines[i] as number, payout }
  }
  for (; b < batch.bad.length; b++) yield badLine(b)
}

/** What the worker is given: the file, its end of the channel and the shared signal. */
export interface WorkerInput {
  readonly file: string
  readonly port: MessagePort
  readonly signal: Int32Array
}

/** The worker's side: reads, parses and decodes the file, posting batches, at most `maxInFlight` waiting. */
export const readHistoryInWorker = ({ file, port, signal }: WorkerInput): void => {
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
}

/** How long to wait for the worker's first batch before taking it for dead (it could not start). */
const startTimeoutMs = 60_000

/**
 * The history read and decoded in a worker thread. The file's problems arrive as bad lines, as in
 * this thread; a failure of the worker itself (it cannot read the file) is thrown here.
 */
export function* historyInWorker(file: string, progress: Progress): Generator<HistoryItem> {
  const { port1, port2 } = new MessageChannel()
  const signal = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT))
  const worker = new Worker(new URL('./historyWorker.js', import.meta.url), {
    workerData: { file, port: port2, signal },
    transferList: [port2],
  })
  worker.unref()
  const dictionary: string[] = []
  const startedAt = performance.now()
  let started = false
  try {
    for (;;) {
      let received = receiveMessageOnPort(port1)
      while (received === undefined) {
        if (!started && performance.now() - startedAt > startTimeoutMs)
          throw new InputError(`${file}: the thread reading it did not start`)
        const seen = Atomics.load(signal, POSTED)
        received = receiveMessageOnPort(port1)
        if (received === undefined) Atomics.wait(signal, POSTED, seen, 1000)
      }
      started = true
      const batch = received.message as Batch
      if (batch.error !== undefined) throw new InputError(`${file}: ${batch.error}`)
      progress.advance(batch.bytes)
      yield* itemsOf(batch, dictionary)
      Atomics.sub(signal, IN_FLIGHT, 1)
      Atomics.notify(signal, IN_FLIGHT)
      if (batch.done) return
    }
  } finally {
    Atomics.store(signal, STOP, 1)
    Atomics.store(signal, IN_FLIGHT, 0)
    Atomics.notify(signal, IN_FLIGHT)
    port1.close()
    void worker.terminate()
  }
}
