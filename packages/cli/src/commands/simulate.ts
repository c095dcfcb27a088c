// `payout-kernel simulate --rules current.json [--compare proposed.json] --history payouts.ndjson|.csv`:
// the velocity backtest of one or two rule sets over a payout history, as tables or JSON.
import { describeValue, type ValidationError } from '@payout-kernel/core'
import {
  type BacktestReport,
  backtest,
  type ExchangeRate,
  type Payout,
  parseRuleSet,
  type RuleReport,
  type RuleSetReport,
} from '@payout-kernel/velocity'
import pc from 'picocolors'
import * as E from '#fp-ts/Either'
import { historyInThread, historyInWorker } from '../history.js'
import { describeBadLine, progressFor } from '../input.js'
import { inputFile, readJsonFile } from './files.js'
import { type CommandIo, exitCodes, table } from './io.js'

/** Options of `simulate`. */
export interface SimulateOptions {
  readonly rules: string
  readonly compare?: string
  readonly history: string
  readonly rates?: string
  readonly json: boolean
  readonly strict: boolean
  /**
   * 1: read and decode the history in this thread; 2: in a second thread while this one replays.
   * By default 2 for histories of 16 MiB or more (a thread costs more than it saves on less).
   */
  readonly threads?: 1 | 2
}

/** The history size from which `simulate` reads in a second thread unless told otherwise. */
export const secondThreadFrom = 16 * 1024 * 1024

const decodeRates = (u: unknown): E.Either<ValidationError, ReadonlyArray<ExchangeRate>> =>
  Array.isArray(u)
    ? E.right(u as ReadonlyArray<ExchangeRate>) // checked by backtest, which names the field
    : E.left({
        _tag: 'ValidationError',
        problems: [{ field: '', message: `must be a list of { from, to, rate }, got ${describeValue(u)}` }],
      })

const amounts = (a: Readonly<Record<string, string>>): string =>
  Object.entries(a)
    .map(([c, v]) => `${v} ${c}`)
    .join('\n') || '—'

const ruleRow = (r: RuleReport | undefined): string[] =>
  r === undefined
    ? ['—', '—', '—', '—']
    : [String(r.hits), String(r.blocked.payouts), String(r.review.payouts), String(r.alerts)]

const totalsRow = (name: string, s: RuleSetReport): string[] => [
  name,
  `v${s.rule_set_version}`,
  String(s.totals.allowed.payouts),
  `${s.totals.review.payouts}\n${amounts(s.totals.review.amounts)}`,
  `${s.totals.blocked.payouts}\n${amounts(s.totals.blocked.amounts)}`,
  String(s.totals.alerts),
]

/** The report as tables: totals, per rule (side by side with --compare), and the decision changes. */
export const renderReport = (report: BacktestReport): string => {
  const out: string[] = []
  const totals = table(['rule set', 'version', 'allowed', 'review', 'blocked', 'alerts'])
  totals.push(totalsRow('current', report.before))
  if (report.after) totals.push(totalsRow('proposed', report.after))
  out.push(`${pc.bold(`Velocity backtest over ${report.payouts} payouts`)}\n${totals.toString()}`)

  const ids = [
    ...new Set([...report.before.rules, ...(report.after?.rules ?? [])].map((r) => r.rule_id)),
  ].sort()
  const find = (s: RuleSetReport | undefined, id: string) => s?.rules.find((r) => r.rule_id === id)
  const perRule = table(
    report.after
      ? [
          'rule',
          'kind',
          'action',
          'hits',
          'blocked',
          'review',
          'alerts',
          'hits →',
          'blocked →',
          'review →',
          'alerts →',
        ]
      : ['rule', 'kind', 'action', 'hits', 'blocked', 'review', 'alerts'],
  )
  for (const id of ids) {
    const before = find(report.before, id)
    const after = find(report.after, id)
    const rule = before ?? after
    perRule.push([
      id,
      rule?.kind ?? '',
      rule?.action ?? '',
      ...ruleRow(before),
      ...(report.after ? ruleRow(after) : []),
    ])
  }
  out.push(
    `${pc.bold('Per rule')}${report.after ? ' (current, then → proposed)' : ''}\n${perRule.toString()}`,
  )

  if (report.differences) {
    const d = report.differences
    const changes = table(['decision change', 'payouts'])
    for (const [change, n] of Object.entries(d.by_change)) changes.push([change, n])
    out.push(`${pc.bold(`Decisions that differ: ${d.total}`)}\n${changes.toString()}`)
    if (d.examples.length > 0) {
      const examples = table(['payout', 'current', 'proposed', 'rules (current)', 'rules (proposed)'])
      for (const e of d.examples.slice(0, 10))
        examples.push([
          e.payout_id,
          e.before,
          e.after,
          e.rules_before.join(', ') || '—',
          e.rules_after.join(', ') || '—',
        ])
      out.push(`${pc.bold(`First ${Math.min(10, d.examples.length)} examples`)}\n${examples.toString()}`)
    }
  }
  return `${out.join('\n\n')}\n`
}

/** Runs `simulate`; resolves to the exit code (1 when decisions differ or bad lines were skipped). */
export const simulateCommand = (options: SimulateOptions, io: CommandIo): number => {
  const fail = (p: { file: string; message: string }) => {
    io.err.write(`payout-kernel simulate: ${p.file} ${p.message}\n`)
    return exitCodes.input
  }
  const current = readJsonFile(options.rules, parseRuleSet)
  if (E.isLeft(current)) return fail(current.left)
  const proposed = options.compare === undefined ? undefined : readJsonFile(options.compare, parseRuleSet)
  if (proposed !== undefined && E.isLeft(proposed)) return fail(proposed.left)
  const rates = options.rates === undefined ? E.right(undefined) : readJsonFile(options.rates, decodeRates)
  if (E.isLeft(rates)) return fail(rates.left)

  let bad = 0
  let stopped = false
  // the line of the payout handed to the backtest last: the one it refuses, when it refuses one
  let lastLine = 0
  const size = inputFile(options.history)
  if (E.isLeft(size)) return fail(size.left)
  const progress = progressFor(options.history, io.err)
  const threads = options.threads ?? (size.right >= secondThreadFrom ? 2 : 1)
  const history = threads === 2 ? historyInWorker : historyInThread
  function* payouts(): Generator<Payout> {
    for (const item of history(options.history, progress)) {
      if (!('payout' in item)) {
        bad += 1
        io.err.write(`${describeBadLine(options.history, item)}\n`)
        if (options.strict) {
          stopped = true
          return
        }
        continue
      }
      lastLine = item.line
      yield item.payout
    }
  }
  const report = (() => {
    try {
      return backtest(
        payouts(),
        current.right,
        proposed?.right,
        rates.right === undefined ? {} : { rates: rates.right },
      )
    } finally {
      progress.stop()
    }
  })()
  if (stopped) return exitCodes.input
  if (E.isLeft(report)) {
    // `history.N.field` counts payouts, not lines: name the file's line instead
    const problems = report.left.problems.map((p) => ({
      ...p,
      field: p.field.replace(/^history\.\d+\.?/, ''),
    }))
    io.err.write(
      `payout-kernel simulate: the history cannot be replayed:\n${describeBadLine(options.history, { line: lastLine, problems })}\n`,
    )
    return exitCodes.input
  }
  io.out.write(options.json ? `${JSON.stringify(report.right)}\n` : renderReport(report.right))
  if (bad > 0) io.err.write(`${bad} bad line(s) skipped\n`)
  return (report.right.differences?.total ?? 0) > 0 || bad > 0 ? exitCodes.findings : exitCodes.ok
}
