// Reading the command line's inputs: NDJSON or CSV, streamed in constant memory (1 MiB at a time),
// each record tagged with its line number; a bad line is reported (with its line and field path)
// instead of ending the program; a progress bar on a terminal, nothing of it otherwise.
// The reader is synchronous so that the library's `backtest(history: Iterable)` can pull from it.
import fs from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import type { ValidationProblem } from '@payout-kernel/core'
import { SingleBar } from 'cli-progress'
import { parse } from 'csv-parse/sync'

/** A file failed while a command read it (an I/O error, or the thread reading it failed). */
export class InputError extends Error {}

/** Whether `e` is an error of the operating system (a file missing, unreadable or unwritable). */
export const isSystemError = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error &&
  typeof (e as NodeJS.ErrnoException).code === 'string' &&
  typeof (e as NodeJS.ErrnoException).syscall === 'string'

/** One input record: the line it started on, and the parsed value (not yet decoded). */
export interface InputRecord {
  readonly line: number
  readonly value: unknown
}

/** A line that could not be used, with what is wrong and where. */
export interface BadLine {
  readonly line: number
  readonly problems: ReadonlyArray<ValidationProblem>
}

/** The formats the commands read, chosen by the file's extension. */
export type InputFormat = 'ndjson' | 'csv'

/** The format of a file by its extension (`.csv` is CSV with a header row, anything else NDJSON). */
export const formatOf = (file: string): InputFormat =>
  file.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson'

/** Counts bytes read so the progress bar can say how far along a file is. */
export interface Progress {
  advance(bytes: number): void
  stop(): void
}

/** A progress bar on stderr when it is a terminal and the file is large enough to wait for; a no-op otherwise. */
export const progressFor = (file: string, stream: NodeJS.WritableStream): Progress => {
  const size = fs.statSync(file).size
  const tty = (stream as NodeJS.WriteStream).isTTY === true
  if (!tty || size < 4 * 1024 * 1024) return { advance: () => undefined, stop: () => undefined }
  const bar = new SingleBar({
    stream: stream as NodeJS.WriteStream,
    format: ' {bar} {percentage}% | {value}/{total} MiB | eta {eta}s',
    hideCursor: true,
    clearOnComplete: true,
  })
  const mib = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10
  let read = 0
  bar.start(mib(size), 0)
  return {
    advance: (bytes) => {
      read += bytes
      bar.update(mib(read))
    },
    stop: () => bar.stop(),
  }
}

/** The longest line the readers hold, in characters (1 MiB of ASCII); a longer one is skipped as a bad line. */
export const maxLineLength = 1 << 20

/** Stands for a line longer than `maxLineLength` in the text `chunksOf` gives: never held, only counted. */
export const overlongLine = Symbol('overlong line')

/**
 * The text of a file, 1 MiB at a time, cut at line ends (a multi-byte character is never split),
 * a UTF-8 byte order mark dropped, a last line without its end given one. A line longer than
 * `maxLineLength` is not held: it comes as `overlongLine`, so memory stays within a chunk and one
 * line however long the file's lines are.
 */
function* chunksOf(file: string, progress: Progress): Generator<string | typeof overlongLine> {
  const fd = fs.openSync(file, 'r')
  const buffer = Buffer.allocUnsafe(1 << 20)
  const decoder = new StringDecoder('utf8')
  let pending = ''
  let overlong = false
  let first = true
  try {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null)
      if (n === 0) break
      progress.advance(n)
      let text = decoder.write(buffer.subarray(0, n))
      if (first && text !== '') {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
        first = false
      }
      if (overlong) {
        const end = text.indexOf('\n')
        if (end < 0) continue
        yield overlongLine
        overlong = false
        text = text.slice(end + 1)
      }
      text = pending + text
      const end = text.lastIndexOf('\n')
      if (end < 0) pending = text
      else {
        yield text.slice(0, end + 1)
        pending = text.slice(end + 1)
      }
      if (pending.length > maxLineLength) {
        overlong = true
        pending = ''
      }
    }
    const last = pending + decoder.end()
    if (overlong) yield overlongLine
    else if (last !== '') yield `${last}\n`
  } finally {
    fs.closeSync(fd)
  }
}

const overlongProblem = (): ReadonlyArray<ValidationProblem> => [
  { field: '', message: `is longer than ${maxLineLength} characters; skipped unread` },
]

/** NDJSON: one JSON value a line, blank lines skipped; a line that is not JSON is a `BadLine`. */
function* readNdjson(file: string, progress: Progress): Generator<InputRecord | BadLine> {
  let line = 0
  for (const chunk of chunksOf(file, progress)) {
    if (chunk === overlongLine) {
      line += 1
      yield { line, problems: overlongProblem() }
      continue
    }
    let start = 0
    for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
      line += 1
      const text = chunk.slice(start, end > start && chunk.charCodeAt(end - 1) === 13 ? end - 1 : end)
      start = end + 1
      if (text.trim() === '') continue
      try {
        yield { line, value: JSON.parse(text) as unknown }
      } catch (e) {
        yield { line, problems: [{ field: '', message: `is not JSON: ${(e as Error).message}` }] }
      }
    }
  }
}

const countLines = (text: string): number => {
  let n = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
  return n
}

/**
 * CSV with a header row: every value a string (CSV has no types). A quoted field may hold line
 * breaks; a row with the wrong number of fields is a `BadLine`.
 */
function* readCsv(file: string, progress: Progress): Generator<InputRecord | BadLine> {
  let columns: string[] | undefined
  let linesBefore = 0
  let carried = ''
  for (const chunk of chunksOf(file, progress)) {
    if (chunk === overlongLine) {
      // a line too long to hold: skipped (a quoted field it was part of is then never closed)
      yield { line: linesBefore + countLines(carried) + 1, problems: overlongProblem() }
      linesBefore += countLines(carried) + 1
      carried = ''
      continue
    }
    const text = carried + chunk
    let rows: Array<{ record: string[]; info: { lines: number }; raw: string }>
    try {
      rows = parse(text, {
        info: true,
        raw: true,
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
      }) as unknown as typeof rows
    } catch (e) {
      if ((e as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED' && text.length <= maxLineLength) {
        carried = text // the quoted field goes on in the next chunk
        continue
      }
      yield {
        line: linesBefore + 1,
        problems: [{ field: '', message: `is not valid CSV: ${(e as Error).message}` }],
      }
      linesBefore += countLines(text)
      carried = ''
      continue
    }
    carried = ''
    for (const { record, info, raw } of rows) {
      // csv-parse counts to the line a record ends on; a quoted line break moves its start back
      const line =
        linesBefore + info.lines - countLines(raw.replace(/^(?:[ \t]*\r?\n)+/, '').replace(/\r?\n$/, ''))
      if (columns === undefined) {
        columns = record
        continue
      }
      if (record.length !== columns.length) {
        yield {
          line,
          problems: [{ field: '', message: `has ${record.length} fields; the header has ${columns.length}` }],
        }
        continue
      }
      const value: Record<string, string> = {}
      columns.forEach((c, i) => {
        value[c] = record[i] ?? ''
      })
      yield { line, value }
    }
    linesBefore += countLines(text)
  }
  if (carried !== '')
    yield {
      line: linesBefore + 1,
      problems: [{ field: '', message: 'is not valid CSV: a quoted field is never closed' }],
    }
}

/** The records of a file in its format, in order, in constant memory. */
export const readRecords = (file: string, progress: Progress): Generator<InputRecord | BadLine> =>
  formatOf(file) === 'csv' ? readCsv(file, progress) : readNdjson(file, progress)

/** Whether a record is a bad line. */
export const isBadLine = (r: InputRecord | BadLine): r is BadLine => 'problems' in r

/** One line of the report of a bad input line: `file:12: amount: has 3 decimals; USD allows 2`. */
export const describeBadLine = (file: string, bad: BadLine): string =>
  bad.problems
    .map((p) => `${file}:${bad.line}: ${p.field === '' ? '' : `${p.field}: `}${p.message}`)
    .join('\n')
