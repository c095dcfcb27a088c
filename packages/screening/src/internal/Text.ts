// Text in pieces of any size, cut into numbered lines; CSV records assembled from lines (a quoted
// field may span lines) and parsed with papaparse in batches. Push-based, so the same code serves
// the synchronous and the asynchronous loaders. Nothing here throws on bad input.
import Papa from 'papaparse'
import type { TextChunks } from '../ListLoad.js'

/** Receives the lines of a text, numbered from 1, without their line ends. */
export type LineSink = (text: string, line: number) => void

/** Cuts pieces of text into lines. */
export class LineSplitter {
  private pending = ''
  private line = 0
  constructor(
    private readonly sink: LineSink,
    private readonly onEnd: () => void = () => undefined,
  ) {}

  feed(chunk: string): void {
    const text = this.pending === '' ? chunk : this.pending + chunk
    let start = 0
    for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
      this.emit(text.slice(start, end))
      start = end + 1
    }
    this.pending = start === 0 ? text : text.slice(start)
  }

  end(): void {
    if (this.pending !== '') this.emit(this.pending)
    this.pending = ''
    this.onEnd()
  }

  private emit(raw: string): void {
    this.line += 1
    let text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw
    if (this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    this.sink(text, this.line)
  }
}

/** Feeds every piece of a synchronous text to a splitter, then ends it. */
export const feedSync = (chunks: Iterable<string>, splitter: LineSplitter): void => {
  for (const chunk of chunks) splitter.feed(typeof chunk === 'string' ? chunk : String(chunk))
  splitter.end()
}

/** Feeds every piece of a text, synchronous or not, to a splitter, then ends it. */
export const feedAsync = async (chunks: TextChunks, splitter: LineSplitter): Promise<void> => {
  for await (const chunk of chunks) splitter.feed(typeof chunk === 'string' ? chunk : String(chunk))
  splitter.end()
}

/** A line that holds nothing: empty, blank, or OFAC's end-of-file mark (Ctrl-Z). */
export const isBlankLine = (text: string): boolean => {
  const first = text.charCodeAt(0)
  // a line that starts with a printable character other than a space is not blank (the usual case)
  if (first > 32 && first !== 0x1a && first !== 0xa0 && first < 0x2000) return false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 0x1a && text.charAt(i).trim() !== '') return false
  }
  return true
}

/** A CSV record: its fields, trimmed, and the line it starts on. */
export interface CsvRecord {
  readonly fields: ReadonlyArray<string>
  readonly line: number
}

/** A CSV record that could not be parsed. */
export interface CsvFailure {
  readonly line: number
  readonly message: string
}

const countQuotes = (text: string): number => {
  let n = 0
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) n++
  return n
}

const parseConfig: Papa.ParseConfig = {
  delimiter: ',',
  newline: '\n',
  quoteChar: '"',
  escapeChar: '"',
  header: false,
  skipEmptyLines: false,
  dynamicTyping: false,
}

const maxRecordLines = 64
const maxRecordChars = 1 << 16
const batchSize = 4096

/**
 * Assembles CSV records from lines: a line with an odd number of quotes opens a quoted field that
 * the next lines continue until the quotes balance. A record that would run past 64 lines or 64 KiB
 * is reported as never closed at its first line, and the lines after it are read again on their own.
 */
export class CsvReader {
  private open: Array<{ text: string; line: number }> = []
  private openQuotes = 0
  private openChars = 0
  private texts: string[] = []
  private lines: number[] = []

  constructor(
    private readonly onRecord: (record: CsvRecord) => void,
    private readonly onFailure: (failure: CsvFailure) => void,
  ) {}

  readonly line: LineSink = (text, line) => {
    if (this.open.length === 0 && isBlankLine(text)) return
    this.open.push({ text, line })
    this.openQuotes += countQuotes(text)
    this.openChars += text.length + 1
    if (this.openQuotes % 2 === 0) {
      const first = this.open[0]
      const record = this.open.length === 1 ? text : this.open.map((l) => l.text).join('\n')
      this.reset()
      if (first !== undefined) this.push(record, first.line)
    } else if (this.open.length > maxRecordLines || this.openChars > maxRecordChars) this.unclosed()
  }

  end(): void {
    while (this.open.length > 0) this.unclosed()
    this.flush()
  }

  private reset(): void {
    this.open = []
    this.openQuotes = 0
    this.openChars = 0
  }

  private unclosed(): void {
    const [first, ...rest] = this.open
    this.reset()
    if (first === undefined) return
    this.flush()
    this.onFailure({ line: first.line, message: 'is not valid CSV: a quoted field is never closed' })
    for (const l of rest) this.line(l.text, l.line)
  }

  private push(text: string, line: number): void {
    this.texts.push(text)
    this.lines.push(line)
    if (this.texts.length >= batchSize) this.flush()
  }

  private flush(): void {
    const texts = this.texts
    const lines = this.lines
    if (texts.length === 0) return
    this.texts = []
    this.lines = []
    const parsed = parseText(texts.join('\n'))
    if (parsed.ok && parsed.rows.length === texts.length) {
      parsed.rows.forEach((fields, i) => {
        this.onRecord({ fields: cleaned(fields), line: lines[i] ?? 0 })
      })
      return
    }
    texts.forEach((text, i) => {
      const line = lines[i] ?? 0
      const one = parseText(text)
      const [fields] = one.rows
      if (one.ok && one.rows.length === 1 && fields !== undefined)
        this.onRecord({ fields: cleaned(fields), line })
      else
        this.onFailure({
          line,
          message: `is not valid CSV: ${one.ok ? 'more than one record' : one.message}`,
        })
    })
  }
}

/** Trims every field of a row papaparse made (in place: the row is this reader's own) and empties `-0-`. */
const cleaned = (fields: string[]): string[] => {
  for (let i = 0; i < fields.length; i++) {
    const trimmed = (fields[i] ?? '').trim()
    fields[i] = trimmed === '-0-' ? '' : trimmed
  }
  return fields
}

type Parsed =
  | { readonly ok: true; readonly rows: ReadonlyArray<string[]> }
  | { readonly ok: false; readonly rows: ReadonlyArray<string[]>; readonly message: string }

const parseText = (text: string): Parsed => {
  try {
    const result = Papa.parse<string[]>(text, parseConfig)
    const [error] = result.errors
    if (error !== undefined) return { ok: false, rows: result.data, message: error.message.toLowerCase() }
    return { ok: true, rows: result.data }
  } catch (e) {
    return { ok: false, rows: [], message: e instanceof Error ? e.message : 'unreadable' }
  }
}
