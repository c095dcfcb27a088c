// `payout-kernel replay --events events.ndjson`: payout events through the state machine; final
// status counts, refused events with their reasons, the audit log and webhooks optionally to files.
import fs from 'node:fs'
import { describeValue } from '@payout-kernel/core'
import {
  applyPayoutEvent,
  type PayoutSnapshot,
  type PayoutStep,
  payoutConfig,
  payoutStatuses,
  type Rejection,
  type ResolvedPayoutConfig,
  resolvePayoutConfig,
  startPayout,
} from '@payout-kernel/payout-machine'
import pc from 'picocolors'
import * as E from '#fp-ts/Either'
import { describeBadLine, isBadLine, progressFor, readRecords } from '../input.js'
import { inputFile, readJsonFile } from './files.js'
import { type CommandIo, exitCodes, table } from './io.js'

/** Options of `replay`. */
export interface ReplayOptions {
  readonly events: string
  readonly config?: string
  readonly auditOut?: string
  readonly webhooksOut?: string
  readonly json: boolean
  readonly strict: boolean
}

/** What a replay found. */
export interface ReplaySummary {
  readonly lines: number
  readonly payouts: number
  readonly accepted: number
  readonly duplicates: number
  readonly statuses: Readonly<Record<string, number>>
  readonly refused: Readonly<Record<string, number>>
  readonly refusals: ReadonlyArray<{
    readonly line: number
    readonly payout_id: string
    readonly reason: string
    readonly message: string
  }>
  readonly bad_lines: number
}

/**
 * A line of the event log: `{ "payout_id": "pay_…", "event": { type, eventId, occurredAt, actor, … } }`;
 * an event of type `CREATED` creates the payout (`startPayout`), every other one is applied to it.
 */
const lineShape = (
  value: unknown,
): E.Either<string, { payoutId: string; event: Record<string, unknown> }> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return E.left(`must be { payout_id, event }, got ${describeValue(value)}`)
  const { payout_id, event } = value as { payout_id?: unknown; event?: unknown }
  if (typeof payout_id !== 'string')
    return E.left(`payout_id: must be a pay_ id, got ${describeValue(payout_id)}`)
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return E.left(`event: must be an object, got ${describeValue(event)}`)
  return E.right({ payoutId: payout_id, event: event as Record<string, unknown> })
}

/** Runs `replay`; resolves to the exit code (1 when events other than duplicates were refused). */
export const replayCommand = (options: ReplayOptions, io: CommandIo): number => {
  let config: ResolvedPayoutConfig = resolvePayoutConfig()
  if (options.config !== undefined) {
    const read = readJsonFile(options.config, payoutConfig)
    if (E.isLeft(read)) {
      io.err.write(`payout-kernel replay: ${read.left.file} ${read.left.message}\n`)
      return exitCodes.input
    }
    config = read.right
  }
  const input = inputFile(options.events)
  if (E.isLeft(input)) {
    io.err.write(`payout-kernel replay: ${input.left.file} ${input.left.message}\n`)
    return exitCodes.input
  }
  const audit = options.auditOut === undefined ? undefined : fs.openSync(options.auditOut, 'w')
  const webhooks = options.webhooksOut === undefined ? undefined : fs.openSync(options.webhooksOut, 'w')
  const snapshots = new Map<string, PayoutSnapshot>()
  const refused: Record<string, number> = {}
  const refusals: Array<ReplaySummary['refusals'][number]> = []
  let lines = 0
  let accepted = 0
  let duplicates = 0
  let bad = 0
  const progress = progressFor(options.events, io.err)
  const emit = (step: PayoutStep) => {
    if (audit !== undefined) for (const r of step.auditRecords) fs.writeSync(audit, `${JSON.stringify(r)}\n`)
    if (webhooks !== undefined)
      for (const w of step.webhookEvents) fs.writeSync(webhooks, `${JSON.stringify(w)}\n`)
  }
  const refuse = (line: number, payoutId: string, r: Rejection) => {
    if (r.reason === 'duplicate_event') {
      duplicates += 1
      return
    }
    refused[r.reason] = (refused[r.reason] ?? 0) + 1
    if (refusals.length < 20)
      refusals.push({ line, payout_id: payoutId, reason: r.reason, message: r.message })
  }
  try {
    for (const record of readRecords(options.events, progress)) {
      lines += 1
      const shaped = isBadLine(record)
        ? E.left(record.problems.map((p) => p.message).join('; '))
        : lineShape(record.value)
      if (E.isLeft(shaped)) {
        bad += 1
        io.err.write(
          `${describeBadLine(options.events, { line: record.line, problems: [{ field: '', message: shaped.left }] })}\n`,
        )
        if (options.strict) return exitCodes.input
        continue
      }
      const { payoutId, event } = shaped.right
      const known = snapshots.get(payoutId)
      const step =
        event.type === 'CREATED'
          ? known === undefined
            ? startPayout({ ...event, payoutId })
            : E.left<Rejection>({
                _tag: 'PayoutRejection',
                reason: 'duplicate_event',
                message: 'the payout exists already',
                status: known.status,
                eventType: 'CREATED',
                problems: [],
              })
          : known === undefined
            ? E.left<Rejection>({
                _tag: 'PayoutRejection',
                reason: 'not_allowed_in_state',
                message: `no payout ${payoutId} was created before this event`,
                status: null,
                eventType: String(event.type),
                problems: [],
              })
            : applyPayoutEvent(known, event, config)
      if (E.isLeft(step)) {
        refuse(record.line, payoutId, step.left)
        if (step.left.reason === 'invalid_event' && options.strict) {
          io.err.write(
            `${describeBadLine(options.events, { line: record.line, problems: step.left.problems.map((p) => ({ ...p, field: `event.${p.field}`.replace(/\.$/, '') })) })}\n`,
          )
          return exitCodes.input
        }
        continue
      }
      accepted += 1
      snapshots.set(payoutId, step.right.snapshot)
      emit(step.right)
    }
  } finally {
    progress.stop()
    if (audit !== undefined) fs.closeSync(audit)
    if (webhooks !== undefined) fs.closeSync(webhooks)
  }
  const statuses: Record<string, number> = {}
  for (const s of payoutStatuses) statuses[s] = 0
  for (const snapshot of snapshots.values()) statuses[snapshot.status] = (statuses[snapshot.status] ?? 0) + 1
  const summary: ReplaySummary = {
    lines,
    payouts: snapshots.size,
    accepted,
    duplicates,
    statuses,
    refused,
    refusals,
    bad_lines: bad,
  }
  if (options.json) io.out.write(`${JSON.stringify(summary)}\n`)
  else {
    const st = table(['final status', 'payouts'])
    for (const [s, n] of Object.entries(statuses)) if (n > 0) st.push([s, n])
    const rf = table(['refused because', 'events'])
    for (const [r, n] of Object.entries(refused)) rf.push([r, n])
    io.out.write(
      `${pc.bold(`Replayed ${lines} lines: ${snapshots.size} payouts, ${accepted} events applied, ${duplicates} duplicates ignored`)}\n` +
        `${st.toString()}\n`,
    )
    if (refusals.length > 0) {
      const ex = table(['line', 'payout', 'reason', 'why'])
      for (const r of refusals.slice(0, 10)) ex.push([r.line, r.payout_id, r.reason, r.message])
      io.out.write(
        `\n${pc.bold('Refused events')}\n${rf.toString()}\n${pc.bold(`First ${Math.min(10, refusals.length)}`)}\n${ex.toString()}\n`,
      )
    }
  }
  const findings = Object.values(refused).reduce((a, b) => a + b, 0) + bad
  return findings > 0 ? exitCodes.findings : exitCodes.ok
}
