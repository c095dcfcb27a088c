// `payout-kernel score --rules rules.json --transactions txns.ndjson`: every transaction scored,
// results as NDJSON on stdout, a summary on stderr.
import { compileRules, parseRules, type ScoringAction, scoreTransaction } from '@payout-kernel/scoring'
import * as E from '#fp-ts/Either'
import { describeBadLine, isBadLine, progressFor, readRecords } from '../input.js'
import { inputFile, readJsonFile } from './files.js'
import { type CommandIo, exitCodes, table } from './io.js'

/** Options of `score`. */
export interface ScoreOptions {
  readonly rules: string
  readonly transactions: string
  readonly strict: boolean
}

/**
 * A line is a flat transaction (any fields, as the scoring APIs take them), or an envelope
 * `{ "transaction": {…}, "features": {…} }` when features come with it.
 */
const split = (value: unknown): { transaction: unknown; features: unknown } => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>
    const keys = Object.keys(v)
    if (keys.includes('transaction') && keys.every((k) => k === 'transaction' || k === 'features'))
      return { transaction: v.transaction, features: v.features }
  }
  return { transaction: value, features: undefined }
}

/** Runs `score`; resolves to the exit code (1 when any transaction is sent to review or rejected). */
export const scoreCommand = async (options: ScoreOptions, io: CommandIo): Promise<number> => {
  const rules = readJsonFile(options.rules, parseRules)
  if (E.isLeft(rules)) {
    io.err.write(`payout-kernel score: ${rules.left.file} ${rules.left.message}\n`)
    return exitCodes.input
  }
  const input = inputFile(options.transactions)
  if (E.isLeft(input)) {
    io.err.write(`payout-kernel score: ${input.left.file} ${input.left.message}\n`)
    return exitCodes.input
  }
  const compiled = compileRules(rules.right)
  const actions: Record<ScoringAction, number> = { approve: 0, review: 0, reject: 0 }
  let scored = 0
  let bad = 0
  let scoreSum = 0
  const progress = progressFor(options.transactions, io.err)
  try {
    for (const record of readRecords(options.transactions, progress)) {
      const result = isBadLine(record)
        ? E.left({ problems: record.problems })
        : (() => {
            const { transaction, features } = split(record.value)
            return scoreTransaction(compiled, transaction, features)
          })()
      if (E.isLeft(result)) {
        bad += 1
        io.err.write(
          `${describeBadLine(options.transactions, { line: record.line, problems: result.left.problems })}\n`,
        )
        if (options.strict) return exitCodes.input
        continue
      }
      scored += 1
      scoreSum += result.right.score
      actions[result.right.action] += 1
      io.out.write(`${JSON.stringify({ line: record.line, ...result.right })}\n`)
    }
  } finally {
    progress.stop()
  }
  const summary = table(['rule set', 'scored', 'approve', 'review', 'reject', 'mean score', 'bad lines'])
  summary.push([
    compiled.version,
    scored,
    actions.approve,
    actions.review,
    actions.reject,
    scored === 0 ? '—' : (scoreSum / scored).toFixed(1),
    bad,
  ])
  io.err.write(`${summary.toString()}\n`)
  return actions.review + actions.reject + bad > 0 ? exitCodes.findings : exitCodes.ok
}
