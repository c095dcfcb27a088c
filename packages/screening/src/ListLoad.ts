/**
 * What loading a list gives back: the list, every row that was rejected (with its file, line and
 * field), every warning on a row that was kept, and counts. Loaders never throw on bad input.
 */
import type { ValidationProblem } from '@payout-kernel/core'
import type { SanctionsList } from './ListEntry.js'

// ---------------------------------------------------------------- model

/**
 * The text of a file, in pieces of any size (whole lines, 1 MiB chunks cut anywhere, or the whole file).
 *
 * @example
 * import type { TextChunks } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const chunks: TextChunks = ['123,"DOE, Ja', 'ne","individual"\n']
 * assert.ok(Symbol.iterator in chunks)
 */
export type TextChunks = Iterable<string> | AsyncIterable<string>

/**
 * The kinds of file the loaders read.
 *
 * @example
 * import type { ListFile } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const file: ListFile = 'alt.csv'
 * assert.equal(file, 'alt.csv')
 */
export type ListFile = 'sdn.csv' | 'alt.csv' | 'add.csv' | 'sdn_comments.csv' | 'entities.ftm.json'

/**
 * A row of a list file with something wrong: the file, the line the row starts on, and what is
 * wrong with which field (`ValidationError` style; `field` is the column or property path).
 *
 * @example
 * import type { RowProblem } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const problem: RowProblem = { file: 'sdn.csv', line: 7, problems: [{ field: 'ent_num', message: 'must be a positive integer' }] }
 * assert.equal(problem.problems[0]?.field, 'ent_num')
 */
export interface RowProblem {
  /** The kind of file the row is in. */
  readonly file: ListFile
  /** The line (1-based) the row starts on. */
  readonly line: number
  /** What is wrong, by field (at least one). */
  readonly problems: ReadonlyArray<ValidationProblem>
}

/**
 * How many rows a load read and what became of them.
 *
 * @example
 * import type { LoadCounts } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const counts: LoadCounts = { rows: 3, entries: 1, rejected: 1, warnings: 0, skipped: { Address: 1 } }
 * assert.equal(counts.rows, counts.entries + counts.rejected + 1)
 */
export interface LoadCounts {
  /** Rows read (blank lines not counted), over every file. */
  readonly rows: number
  /** Entries in the loaded list. */
  readonly entries: number
  /** Rows rejected as bad. */
  readonly rejected: number
  /** Warnings on rows that were kept (a date or country that could not be read). */
  readonly warnings: number
  /** Rows skipped on purpose, by reason (an OpenSanctions schema that is not screened, a non-target entity). */
  readonly skipped: Readonly<Record<string, number>>
}

/**
 * The outcome of loading a list: never a partial entry; every rejected row reported.
 *
 * @example
 * import { loadOfacSdnSync } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const load = loadOfacSdnSync({ sdn: ['1,"ORCHID LINE",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \nnot a row\n'] })
 * assert.equal(load.list.entries.length, 1)
 * assert.equal(load.rejected[0]?.line, 2)
 */
export interface ListLoad {
  /** The list with every entry that loaded whole. */
  readonly list: SanctionsList
  /** The rows that were rejected, in file order. */
  readonly rejected: ReadonlyArray<RowProblem>
  /** Problems with parts of rows that were kept (an unreadable date of birth or country), in file order. */
  readonly warnings: ReadonlyArray<RowProblem>
  /** How many rows were read and what became of them. */
  readonly counts: LoadCounts
}
