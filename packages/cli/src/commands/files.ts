// Reading the JSON documents commands take (rule sets, rates), with errors that say which file.
import fs from 'node:fs'
import type { ValidationError } from '@payout-kernel/core'
import * as E from '#fp-ts/Either'
import { explainProblems } from './io.js'

/** A file's problem, ready to print: the file and what is wrong in it. */
export interface FileProblem {
  readonly file: string
  readonly message: string
}

const sniffed = 64 * 1024

/**
 * Whether an input file can be read as UTF-8 text, before a command streams it: its size in bytes,
 * or the problem — missing, unreadable, a directory, a named pipe or device (only regular files are
 * read: opening a FIFO would wait for a writer for ever), or not text: a NUL byte or a UTF-16 byte
 * order mark in its first 64 KiB (a binary file is one error, not a line of errors each). A UTF-8
 * byte order mark is fine: the readers skip it.
 */
export const inputFile = (file: string): E.Either<FileProblem, number> => {
  let size: number
  try {
    const stat = fs.statSync(file)
    if (stat.isDirectory()) return E.left({ file, message: 'cannot be read: it is a directory' })
    if (stat.isFIFO())
      return E.left({ file, message: 'cannot be read: it is a named pipe (FIFO), not a file' })
    if (!stat.isFile()) return E.left({ file, message: 'cannot be read: it is not a regular file' })
    size = stat.size
    const fd = fs.openSync(file, 'r')
    try {
      const head = Buffer.alloc(Math.min(sniffed, size))
      const n = fs.readSync(fd, head, 0, head.length, 0)
      if (n >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)))
        return E.left({ file, message: 'is UTF-16 text; save it as UTF-8' })
      const nul = head.subarray(0, n).indexOf(0)
      if (nul >= 0) return E.left({ file, message: `is not text (a NUL byte at offset ${nul})` })
    } finally {
      fs.closeSync(fd)
    }
  } catch (e) {
    return E.left({ file, message: `cannot be read: ${(e as Error).message}` })
  }
  return E.right(size)
}

/** Reads a JSON file and decodes it; a missing file, bad JSON or a decode error are values. */
export const readJsonFile = <A>(
  file: string,
  decode: (u: unknown) => E.Either<ValidationError, A>,
): E.Either<FileProblem, A> => {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    return E.left({ file, message: `cannot be read: ${(e as Error).message}` })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return E.left({ file, message: `is not JSON: ${(e as Error).message}` })
  }
  const decoded = decode(json)
  return E.isLeft(decoded)
    ? E.left({
        file,
        message: `is not valid:\n${explainProblems(decoded.left.problems)}`,
      })
    : decoded
}
