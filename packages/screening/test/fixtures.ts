// Reading the shipped fixture files for the tests, whole or cut into pieces.
import fs from 'node:fs'
import path from 'node:path'

const dir = path.resolve(import.meta.dirname, '../fixtures')

/** The text of a fixture file. */
export const fixture = (name: string): string => fs.readFileSync(path.join(dir, name), 'utf8')

/** A text cut at the given offsets (any offsets: inside a line, a quoted field, a character pair). */
export const cut = (text: string, offsets: ReadonlyArray<number>): string[] => {
  const at = [...new Set(offsets.map((o) => o % (text.length + 1)))].sort((a, b) => a - b)
  const pieces: string[] = []
  let start = 0
  for (const o of at) {
    pieces.push(text.slice(start, o))
    start = o
  }
  pieces.push(text.slice(start))
  return pieces
}

/** The same pieces, as an asynchronous iterable. */
export async function* asAsync(pieces: ReadonlyArray<string>): AsyncGenerator<string> {
  for (const p of pieces) yield p
}
