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

/**
 * Whether an input file can be read, before a command streams it: its size in bytes, or the problem
 * (missing, unreadable, a directory).
 */
export const inputFile = (file: string): E.Either<FileProblem, number> => {
  try {
    const stat = fs.statSync(file)
    if (stat.isDirectory()) return E.left({ file, message: 'cannot be read: it is a directory' })
    fs.closeSync(fs.openSync(file, 'r'))
    return E.right(stat.size)
  } catch (e) {
    return E.left({ file, message: `cannot be read: ${(e as Error).message}` })
  }
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
