// Payout lifecycles replayed per second: @payout-kernel/payout-machine `applyPayoutEvent` (the
// compiled transition table, with decoding, audit records and webhook events) against XState's
// pure `transition()` on the same machine and the same events, in the same run.
// Sizes: PAYOUT_LIFECYCLES (100000 complete lifecycles replayed), PAYOUT_DISTINCT (2000 distinct
// event sequences, reused under fresh payout ids), PAYOUT_BATCH (500 lifecycles per tinybench call).
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
import * as E from 'fp-ts/lib/Either.js'
import { initialTransition, transition } from 'xstate'
import { compare, heapUsed, timeOnce } from './harness.js'

const lifecycleCount = Number(process.env.PAYOUT_LIFECYCLES ?? 100_000)
const distinctCount = Number(process.env.PAYOUT_DISTINCT ?? 2_000)
const batch = Number(process.env.PAYOUT_BATCH ?? 500)

interface Prepared {
  readonly lifecycle: PayoutLifecycle
  readonly start: StartPayoutInput
  /** The events as XState sees them (each with the policy), and the context startPayout begins with. */
  readonly machineEvents: ReadonlyArray<MachineEvent>
  readonly initialContext: PayoutContext
}

const distinct = fc.sample(arbPayoutLifecycle(), { numRuns: distinctCount, seed: 20261121 })
const prepared: Prepared[] = Array.from({ length: lifecycleCount }, (_, i) => {
  const lifecycle = distinct[i % distinct.length] as PayoutLifecycle
  const start = { ...lifecycle.start, payoutId: `pay_bench${i}` as PayoutId }
  const started = startPayout(start)
  if (E.isLeft(started)) throw new Error(`bench start refused: ${started.left.message}`)
  return {
    lifecycle,
    start,
    machineEvents: lifecycle.events.map((e) => ({ ...e, config: lifecycle.config }) as MachineEvent),
    initialContext: started.right.snapshot.context,
  }
})
const eventCount = prepared.reduce((n, p) => n + p.lifecycle.events.length, 0)

const replayOurs = (p: Prepared): PayoutSnapshot => {
  const started = startPayout(p.start)
  if (E.isLeft(started)) throw new Error('refused')
  let snapshot = started.right.snapshot
  for (const event of p.lifecycle.events) {
    const step = applyPayoutEvent(snapshot, event, p.lifecycle.config)
    if (E.isLeft(step)) throw new Error(`bench event refused: ${step.left.message}`)
    snapshot = step.right.snapshot
  }
  return snapshot
}

const replayXState = (p: Prepared): string => {
  let [snapshot] = initialTransition(payoutMachine, p.initialContext)
  for (const event of p.machineEvents) [snapshot] = transition(payoutMachine, snapshot, event)
  return JSON.stringify(snapshot.value)
}

const stateOf = (s: PayoutSnapshot): string =>
  JSON.stringify(s.state.includes('.') ? { [s.state.split('.')[0] ?? '']: s.state.split('.')[1] } : s.state)

export async function main(): Promise<void> {
  // Both must end every lifecycle in the same state before their speeds mean anything.
  let agree = 0
  let terminal = 0
  for (const p of prepared.slice(0, distinct.length)) {
    const ours = replayOurs(p)
    if (stateOf(ours) === replayXState(p)) agree += 1
    if (terminalStatuses.has(ours.status)) terminal += 1
  }
  process.stdout.write(
    `\n${distinct.length} distinct lifecycles (${(eventCount / lifecycleCount).toFixed(2)} events each on average):` +
      ` final states agree on ${agree}/${distinct.length}, terminal ${terminal}/${distinct.length}\n`,
  )

  const sample = prepared.slice(0, batch)
  const eventsPerBatch = sample.reduce((n, p) => n + p.lifecycle.events.length, 0)
  await compare({
    title: `payout events applied per second (batches of ${batch} complete lifecycles)`,
    target: '≥ 15x',
    baseline: {
      name: 'XState 5 transition() (state only)',
      itemsPerRun: eventsPerBatch,
      run: () => {
        for (const p of sample) replayXState(p)
      },
    },
    candidate: {
      name: 'applyPayoutEvent (+ decode, audit, webhooks)',
      itemsPerRun: eventsPerBatch,
      run: () => {
        for (const p of sample) replayOurs(p)
      },
    },
  })

  // The whole replay, once each: every lifecycle under its own payout id.
  const before = heapUsed()
  const ours = timeOnce(() => prepared.map(replayOurs))
  const held = heapUsed() - before
  const theirs = timeOnce(() => {
    let n = 0
    for (const p of prepared) n += replayXState(p).length
    return n
  })
  const rate = (ms: number) =>
    `${(((eventCount / ms) * 1000) / 1e3).toFixed(1)}k events/s, ${(((lifecycleCount / ms) * 1000) / 1e3).toFixed(1)}k lifecycles/s`
  process.stdout.write(
    `\nfull replay of ${lifecycleCount} lifecycles (${eventCount} events):\n` +
      `  XState transition()   ${(theirs.ms / 1000).toFixed(2)} s   ${rate(theirs.ms)}\n` +
      `  applyPayoutEvent      ${(ours.ms / 1000).toFixed(2)} s   ${rate(ours.ms)}\n` +
      `  ratio                 ${(theirs.ms / ours.ms).toFixed(2)}x\n` +
      `  ${lifecycleCount} final snapshots held: ~${Math.round(held / 1024 / 1024)} MiB` +
      ` (~${Math.round(held / ours.result.length)} bytes each)\n`,
  )
}
