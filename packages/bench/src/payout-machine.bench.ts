// Payout lifecycles replayed per second: @payout-kernel/payout-machine `applyPayoutEvent` (the
// compiled transition table, with decoding, audit records and webhook events) against XState's
// pure `transition()` on the same machine and the same events, in the same run.
// Sizes: PAYOUT_LIFECYCLES (100000 complete lifecycles replayed), PAYOUT_DISTINCT (2000 distinct
// event sequences, reused under fresh payout ids), PAYOUT_BATCH (500 lifecycles per tinybench call),
// PAYOUT_ROUNDS (2 timed full replays per side, alternating).
//
// What each side is given, outside the timings: the same event objects; XState's copy of each
// carries the policy as `config` (that is how its events see the policy), built once per distinct
// sequence as a user would store them; XState starts from the context `startPayout` gave, ours
// calls `startPayout` itself (inside the timing, with its audit record and webhook). Each side keeps
// the final snapshot of every lifecycle it replays, and nothing else.
import type { PayoutId } from '@payout-kernel/core'
import {
  applyPayoutEvent,
  type MachineEvent,
  type PayoutContext,
  type PayoutSnapshot,
  payoutMachine,
  type StartPayoutInput,
  startPayout,
  terminalStatuses,
} from '@payout-kernel/payout-machine'
import { arbPayoutLifecycle, type PayoutLifecycle } from '@payout-kernel/payout-machine/testing'
import fc from 'fast-check'
import { initialTransition, transition } from 'xstate'
import * as E from '#fp-ts/Either'
import { compare, heapUsed, timeOnce } from './harness.js'

const lifecycleCount = Number(process.env.PAYOUT_LIFECYCLES ?? 100_000)
const distinctCount = Number(process.env.PAYOUT_DISTINCT ?? 2_000)
const batch = Number(process.env.PAYOUT_BATCH ?? 500)
const rounds = Math.max(1, Number(process.env.PAYOUT_ROUNDS ?? 2))

interface Distinct {
  readonly lifecycle: PayoutLifecycle
  /** The same events as XState sees them: each with the policy. */
  readonly machineEvents: ReadonlyArray<MachineEvent>
}

interface Prepared {
  readonly distinct: Distinct
  readonly start: StartPayoutInput
  /** The context `startPayout` begins with, for XState's `initialTransition`. */
  readonly initialContext: PayoutContext
}

const distinct: Distinct[] = fc
  .sample(arbPayoutLifecycle(), { numRuns: distinctCount, seed: 20261121 })
  .map((lifecycle) => ({
    lifecycle,
    machineEvents: lifecycle.events.map((e) => ({ ...e, config: lifecycle.config }) as MachineEvent),
  }))
const prepared: Prepared[] = Array.from({ length: lifecycleCount }, (_, i) => {
  const d = distinct[i % distinct.length] as Distinct
  const start = { ...d.lifecycle.start, payoutId: `pay_bench${i}` as PayoutId }
  const started = startPayout(start)
  if (E.isLeft(started)) throw new Error(`bench start refused: ${started.left.message}`)
  return { distinct: d, start, initialContext: started.right.snapshot.context }
})
const eventCount = prepared.reduce((n, p) => n + p.distinct.lifecycle.events.length, 0)

const replayOurs = (p: Prepared): PayoutSnapshot => {
  const started = startPayout(p.start)
  if (E.isLeft(started)) throw new Error('refused')
  let snapshot = started.right.snapshot
  const { events, config } = p.distinct.lifecycle
  for (const event of events) {
    const step = applyPayoutEvent(snapshot, event, config)
    if (E.isLeft(step)) throw new Error(`bench event refused: ${step.left.message}`)
    snapshot = step.right.snapshot
  }
  return snapshot
}

type XStateSnapshot = ReturnType<typeof initialTransition<typeof payoutMachine>>[0]

const replayXState = (p: Prepared): XStateSnapshot => {
  let [snapshot] = initialTransition(payoutMachine, p.initialContext)
  for (const event of p.distinct.machineEvents) [snapshot] = transition(payoutMachine, snapshot, event)
  return snapshot
}

const stateOf = (s: PayoutSnapshot): string =>
  JSON.stringify(s.state.includes('.') ? { [s.state.split('.')[0] ?? '']: s.state.split('.')[1] } : s.state)

export async function main(): Promise<void> {
  // Both must end every lifecycle in the same state before their speeds mean anything.
  let agree = 0
  let terminal = 0
  for (const p of prepared.slice(0, distinct.length)) {
    const ours = replayOurs(p)
    if (stateOf(ours) === JSON.stringify(replayXState(p).value)) agree += 1
    if (terminalStatuses.has(ours.status)) terminal += 1
  }
  process.stdout.write(
    `\n${distinct.length} distinct lifecycles (${(eventCount / lifecycleCount).toFixed(2)} events each on average):` +
      ` final states agree on ${agree}/${distinct.length}, terminal ${terminal}/${distinct.length}\n`,
  )

  const sample = prepared.slice(0, batch)
  const eventsPerBatch = sample.reduce((n, p) => n + p.distinct.lifecycle.events.length, 0)
  await compare({
    title: `payout events applied per second (batches of ${batch} complete lifecycles)`,
    target: '≥ 15x',
    baseline: {
      name: 'XState 5 transition() (state only)',
      itemsPerRun: eventsPerBatch,
      run: () => sample.map(replayXState),
    },
    candidate: {
      name: 'applyPayoutEvent (+ decode, audit, webhooks)',
      itemsPerRun: eventsPerBatch,
      run: () => sample.map(replayOurs),
    },
  })

  // The whole replay, once each, every lifecycle under its own payout id, each side from a
  // collected heap and keeping its final snapshots (measured after a full collection). Wall time
  // is the figure; CPU time (this process, all its threads, GC included) is printed beside it
  // because the machine is shared and a 20-second run meets more of other people's load than a
  // 1-second one.
  const once = <A>(replay: (p: Prepared) => A) => {
    const before = heapUsed()
    const cpu = process.cpuUsage()
    const { result, ms } = timeOnce(() => prepared.map(replay))
    const used = process.cpuUsage(cpu)
    const held = heapUsed() - before
    return { ms, cpuMs: (used.user + used.system) / 1000, held, count: result.length }
  }
  const rate = (ms: number) => `${(((eventCount / ms) * 1000) / 1e3).toFixed(1)}k events/s`
  const line = (name: string, r: ReturnType<typeof once>) =>
    `  ${name.padEnd(21)} ${(r.ms / 1000).toFixed(2)} s  ${rate(r.ms).padStart(18)}` +
    `   cpu ${(r.cpuMs / 1000).toFixed(2)} s  ${rate(r.cpuMs).padStart(18)}` +
    `   held ~${Math.round(r.held / 1024 / 1024)} MiB (~${Math.round(r.held / r.count)} bytes each)\n`
  const ratio = (theirs: ReturnType<typeof once>, ours: ReturnType<typeof once>) =>
    `${(theirs.ms / ours.ms).toFixed(2)}x wall, ${(theirs.cpuMs / ours.cpuMs).toFixed(2)}x cpu`
  // alternating sides, so that a burst of other load falls on both; best of the rounds per side
  const oursRuns: Array<ReturnType<typeof once>> = []
  const theirsRuns: Array<ReturnType<typeof once>> = []
  for (let round = 1; round <= rounds; round++) {
    const first = round % 2 === 1
    const a = first ? once(replayOurs) : undefined
    const theirs = once(replayXState)
    const ours = a ?? once(replayOurs)
    oursRuns.push(ours)
    theirsRuns.push(theirs)
    process.stdout.write(
      `\nfull replay ${round}/${rounds} of ${lifecycleCount} lifecycles (${eventCount} events), final snapshots kept:\n` +
        line('XState transition()', theirs) +
        line('applyPayoutEvent', ours) +
        `  ratio                 ${ratio(theirs, ours)}   (target ≥ 15x)\n`,
    )
  }
  const best = (runs: ReadonlyArray<ReturnType<typeof once>>) =>
    runs.reduce((b, r) => ({ ...r, ms: Math.min(b.ms, r.ms), cpuMs: Math.min(b.cpuMs, r.cpuMs) }))
  if (rounds > 1)
    process.stdout.write(
      `\nfull replay, best of ${rounds} per side: XState ${rate(best(theirsRuns).ms)}, applyPayoutEvent ${rate(best(oursRuns).ms)}` +
        `, ratio ${ratio(best(theirsRuns), best(oursRuns))}   (target ≥ 15x)\n`,
    )
}
