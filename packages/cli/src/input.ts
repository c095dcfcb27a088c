// Reading the command line's inputs: NDJSON or CSV, streamed in constant memory, each record
// tagged with its line number, a bad line reported (with its line and field path) instead of
// ending the program; a progress bar on a terminal, nothing of it otherwise.
import fs from 'node:fs'
import readline from 'node:readline'
import type { ValidationProblem } from '@payout-kernel/core'
import { SingleBar } from 'cli-progress'
import { parse } from 'csv-parse'

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
interface Progress {
  advance(bytes: number): void
  stop(): void
}

/** A progress bar on stderr when it is a terminal and the file is large enough to wait for; a no-op otherwise. */
export const progressFor = (file: string, stream: NodeJS.WriteStream | NodeJS.WritableStream): Progress => {
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
  let shown = 0
  bar.start(mib(size), 0)
  return {
    advance: (bytes) => {
      read += bytes
      if (read - shown > 1024 * 1024) {
        shown = read
        bar.update(mib(read))
      }
    },
    stop: () => bar.stop(),
  }
}

/**
 * Reads NDJSON records from a file: one JSON value a line, blank lines skipped. A line that is not
 * JSON comes out as a `BadLine`.
 */
async function* readNdjson(file: string, progress: Progress): AsyncGenerator<InputRecord | BadLine> {
  const lines = readline.createInterface({
    input: fs.createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  })
  let line = 0
  for await (const text of lines) {
    line += 1
    progress.advance(text.length + 1)
    if (text.trim() === '') continue
    try {
      yield { line, value: JSON.parse(text) as unknown }
    } catch (e) {
      yield { line, problems: [{ field: '', message: `is not JSON: ${(e as Error).message}` }] }
    }
  }
}

/** Reads CSV records from a file with a header row; every value is a string, as CSV has no types. */
async function* readCsv(file: string, progress: Progress): AsyncGenerator<InputRecord | BadLine> {
  const input = fs.createReadStream(file)
  input.on('data', (chunk) => progress.advance(chunk.length))
  const parser = input.pipe(parse({ columns: true, info: true, skip_empty_lines: true, trim: true }))
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>
      info: { lines: number }
    }>)
      yield { line: info.lines, value: record }
  } catch (e) {
    const lines = (e as { lines?: number }).lines
    yield {
      line: lines ?? 0,
      problems: [{ field: '', message: `is not valid CSV: ${(e as Error).message}` }],
    }
  }
}

/** The records of a file in its format, in order, in constant memory. */
export const readRecords = (file: string, progress: Progress): AsyncGenerator<InputRecord | BadLine> =>
  formatOf(file) === 'csv' ? readCsv(file, progress) : readNdjson(file, progress)

/** Whether a record is a bad line. */
export const isBadLine = (r: InputRecord | BadLine): r is BadLine => 'problems' in r

/** One line of the report of a bad input line: `file:12: amount: has 3 decimals; USD allows 2`. */
export const describeBadLine = (file: string, bad: BadLine): string =>
  bad.problems
    .map((p) => `${file}:${bad.line}: ${p.field === '' ? '' : `${p.field}: `}${p.message}`)
    .join('\n')
