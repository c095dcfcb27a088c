/**
 * An exact sliding log of admission times, persistent: admissions are kept in immutable chunks of
 * 64 and a short tail, so admitting copies at most the tail (and, once every 64 admissions, the
 * list of chunks), and expiring moves an offset. A window `(t − w, t]` never holds more admissions
 * than the limit that was in force when each was admitted.
 */

// ---------------------------------------------------------------- model

const chunkSize = 64

/** Admission times in order; the first `head` are expired and only wait to be dropped with their chunk. */
export interface SlidingLog {
  readonly chunks: ReadonlyArray<ReadonlyArray<number>>
  readonly tail: ReadonlyArray<number>
  readonly head: number
}

// ---------------------------------------------------------------- constructors

/** The log with no admission. */
export const emptyLog: SlidingLog = { chunks: [], tail: [], head: 0 }

// ---------------------------------------------------------------- operations

const total = (log: SlidingLog): number => log.chunks.length * chunkSize + log.tail.length

const at = (log: SlidingLog, i: number): number => {
  const inChunks = log.chunks.length * chunkSize
  return (i < inChunks ? log.chunks[i >>> 6]?.[i & 63] : log.tail[i - inChunks]) ?? Number.NaN
}

/** How many admissions are still in the log (after `expire`: in the window). */
export const liveCount = (log: SlidingLog): number => total(log) - log.head

/** The latest admission, if any. */
export const latest = (log: SlidingLog): number | undefined =>
  liveCount(log) > 0 ? at(log, total(log) - 1) : undefined

/** The `k`-th live admission from the oldest (0-based). */
export const liveAt = (log: SlidingLog, k: number): number => at(log, log.head + k)

/** The log without the admissions at or before `time − windowMs` (they left the window `(time − w, time]`). */
export const expire = (log: SlidingLog, time: number, windowMs: number): SlidingLog => {
  const n = total(log)
  const cutoff = time - windowMs
  let h = log.head
  while (h < n && at(log, h) <= cutoff) h++
  if (h === log.head) return log
  if (h === n) return emptyLog
  const dropped = Math.min(h >>> 6, log.chunks.length)
  return {
    chunks: dropped === 0 ? log.chunks : log.chunks.slice(dropped),
    tail: log.tail,
    head: h - dropped * chunkSize,
  }
}

/** The log with one more admission at `time` (not before the latest one). */
export const admit = (log: SlidingLog, time: number): SlidingLog => {
  const tail = [...log.tail, time]
  return tail.length === chunkSize
    ? { chunks: [...log.chunks, tail], tail: [], head: log.head }
    : { chunks: log.chunks, tail, head: log.head }
}

/** Every live admission, oldest first. */
export const liveTimes = (log: SlidingLog): number[] => {
  const out: number[] = []
  for (let i = log.head; i < total(log); i++) out.push(at(log, i))
  return out
}

/** A log holding these admission times (sorted ascending). */
export const logOf = (times: ReadonlyArray<number>): SlidingLog => times.reduce(admit, emptyLog)
