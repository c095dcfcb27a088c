// Just reading an NDJSON file and `JSON.parse`-ing each line, as `simulate` reads it (1 MiB
// chunks, split into lines, same process): the baseline of the end-to-end `simulate` figures.
import fs from 'node:fs'

/** Reads the file in 1 MiB chunks, JSON.parses each line, and returns how many lines it parsed. */
export const readAndParse = (file: string): number => {
  const fd = fs.openSync(file, 'r')
  const buffer = Buffer.allocUnsafe(1 << 20)
  let pending = ''
  let n = 0
  for (;;) {
    const read = fs.readSync(fd, buffer, 0, buffer.length, null)
    if (read === 0) break
    const text = pending + buffer.toString('utf8', 0, read)
    const lines = text.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) if (line !== '' && JSON.parse(line) !== null) n++
  }
  if (pending !== '' && JSON.parse(pending) !== null) n++
  fs.closeSync(fd)
  return n
}
