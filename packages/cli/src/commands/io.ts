// What every command shares: where it writes, its exit codes, how it explains a bad input.
import type { ValidationProblem } from '@payout-kernel/core'
import Table from 'cli-table3'
import pc from 'picocolors'

/**
 * The exit codes of every command: 0 nothing to report; 1 findings (decisions that differ,
 * refused events, transactions sent to review or rejected, parties screened as a hit or a possible
 * match, bad lines skipped); 2 usage or input error (unreadable file, invalid rules, a bad line
 * under `--strict`, a sanctions list that does not load: screening fails closed).
 */
export const exitCodes = { ok: 0, findings: 1, input: 2 } as const

/** Where a command writes: results to `out`, diagnostics and summaries to `err`. */
export interface CommandIo {
  readonly out: NodeJS.WritableStream
  readonly err: NodeJS.WritableStream
}

/** Problems as indented `field: message` lines. */
export const explainProblems = (problems: ReadonlyArray<ValidationProblem>): string =>
  problems.map((p) => `  ${p.field === '' ? '(input)' : p.field}: ${p.message}`).join('\n')

/** A terminal table with the house style (bold headers, no colour codes when output is not a terminal). */
export const table = (head: ReadonlyArray<string>): InstanceType<typeof Table> =>
  new Table({
    head: [...head],
    style: pc.isColorSupported ? { head: ['bold'], border: ['grey'] } : { head: [], border: [] },
  })
