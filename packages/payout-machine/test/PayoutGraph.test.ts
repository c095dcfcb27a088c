// Model-based: walk the machine's own graph (xstate/graph) and check that every transition of the
// definition is reached, and that applyPayoutEvent, replaying each path, lands where XState does.

import { describe, expect, it } from 'vitest'
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph'
import * as E from '#fp-ts/Either'
import {
  applyPayoutEvent,
  cancellableStatuses,
  defaultPayoutConfig,
  type MachineEvent,
  type PayoutEvent,
  type PayoutSnapshot,
  type PayoutState,
  payoutMachine,
  payoutStates,
  type ResolvedPayoutConfig,
  startPayout,
} from '../src/index.js'
import { statusOfState, transitionTable } from '../src/internal/TransitionTable.js'
import { fromStateValue } from './XStateReference.js'

const started = startPayout({
  payoutId: 'pay_graph',
  eventId: 'create',
  occurredAt: 0,
  actor: { type: 'merchant', id: 'maker' },
})
if (E.isLeft(started)) throw new Error('cannot start')
const input = started.right.snapshot.context

const checker: ResolvedPayoutConfig = { ...defaultPayoutConfig, makerChecker: true }
const lateReturns: ResolvedPayoutConfig = { ...defaultPayoutConfig, lateReturnWindowMs: 86_400_000 }

const on =
  (config: ResolvedPayoutConfig) =>
  (event: Omit<PayoutEvent, 'eventId' | 'occurredAt'> & Record<string, unknown>) =>
    ({ eventId: 'graph', occurredAt: 1_000, ...event, config }) as unknown as MachineEvent
const plain = on(defaultPayoutConfig)

/** A handful of concrete events per type, under the policies that open each guarded branch. */
const events: MachineEvent[] = [
  plain({ type: 'SUBMITTED', actor: { type: 'system' } }),
  plain({ type: 'SCREENING_CLEARED', actor: { type: 'system' } }),
  plain({ type: 'SCREENING_HIT', actor: { type: 'system' } }),
  plain({ type: 'SCREENING_POSSIBLE_MATCH', actor: { type: 'system' } }),
  ...(['allow', 'alert', 'review', 'block'] as const).map((verdict) =>
    plain({ type: 'VELOCITY_EVALUATED', actor: { type: 'system' }, verdict }),
  ),
  ...[defaultPayoutConfig, checker].flatMap((config) =>
    [120, 720].map((rawScore) =>
      on(config)({ type: 'RISK_SCORED', actor: { type: 'engine' }, rawScore, evaluationId: 'eval_1' }),
    ),
  ),
  plain({ type: 'ENGINE_UNAVAILABLE', actor: { type: 'system' } }),
  plain({ type: 'APPROVED', actor: { type: 'merchant', id: 'checker' } }),
  plain({ type: 'APPROVED', actor: { type: 'merchant', id: 'maker' } }),
  plain({ type: 'REVIEW_APPROVED', actor: { type: 'ops' } }),
  plain({ type: 'REVIEW_REJECTED', actor: { type: 'ops' } }),
  plain({ type: 'RFI_OPENED', actor: { type: 'ops' } }),
  plain({ type: 'RFI_RESPONDED', actor: { type: 'merchant' } }),
  plain({ type: 'RFI_RESOLVED', actor: { type: 'ops' }, outcome: 'cleared' }),
  plain({ type: 'RFI_RESOLVED', actor: { type: 'ops' }, outcome: 'blocked' }),
  plain({ type: 'RFI_ESCALATED', actor: { type: 'ops' } }),
  plain({ type: 'CANCEL', actor: { type: 'merchant' }, reason: 'changed my mind' }),
  plain({ type: 'RAIL_SUBMITTED', actor: { type: 'system' } }),
  plain({ type: 'RAIL_REJECTED', actor: { type: 'rail' } }),
  plain({ type: 'RAIL_DISPATCHED', actor: { type: 'rail' } }),
  plain({ type: 'RAIL_SETTLED', actor: { type: 'rail' } }),
  plain({ type: 'RAIL_FAILED', actor: { type: 'rail' } }),
  plain({ type: 'RAIL_RETURNED', actor: { type: 'rail' } }),
  on(lateReturns)({ type: 'RAIL_RETURNED', actor: { type: 'rail' } }),
]

type Snap = ReturnType<typeof payoutMachine.resolveState>
const serializeState = (s: Snap): string =>
  JSON.stringify([s.value, s.context.rfi?.status ?? null, s.context.completedAt !== null])
const options = { events, input, serializeState }

const shortest = new Map(getShortestPaths(payoutMachine, options).map((p) => [serializeState(p.state), p]))
const adjacency = getAdjacencyMap(payoutMachine, options)

interface Edge {
  readonly from: PayoutState
  readonly type: string
  readonly to: PayoutState
  readonly path: ReadonlyArray<MachineEvent>
}

const edges: Edge[] = Object.entries(adjacency).flatMap(([key, value]) => {
  const prefix = shortest.get(key)
  if (prefix === undefined) throw new Error(`no shortest path to ${key}`)
  const transitions: ReadonlyArray<{ readonly event: MachineEvent; readonly state: Snap }> = Object.values(
    value.transitions,
  )
  return transitions
    .filter((t) => t.state !== value.state)
    .map((t) => ({
      from: fromStateValue(value.state.value),
      type: t.event.type,
      to: fromStateValue(t.state.value),
      path: [
        ...prefix.steps.map((s) => s.event).filter((e) => (e.type as string) !== 'xstate.init'),
        t.event,
      ],
    }))
})

const definitionEdges = new Set(
  payoutStates.flatMap((state) =>
    Object.entries(transitionTable[state] ?? {}).flatMap(([type, candidates]) =>
      candidates
        // the root-level CANCEL is guarded by the status: from other statuses it can never be taken
        .filter((c) => c.guardName !== 'isCancellable' || cancellableStatuses.has(statusOfState[state]))
        .map((c) => `${state} --${type}--> ${c.target}`),
    ),
  ),
)

const replay = (path: ReadonlyArray<MachineEvent>): PayoutSnapshot => {
  let snapshot = started.right.snapshot
  path.forEach(({ config, ...event }, i) => {
    const step = applyPayoutEvent(snapshot, { ...event, eventId: `e${i}`, occurredAt: 1_000 + i }, config)
    if (E.isLeft(step)) throw new Error(`step ${i} (${event.type}) refused: ${step.left.message}`)
    snapshot = step.right.snapshot
  })
  return snapshot
}

describe('the machine graph', () => {
  it('reaches every state of the machine', () => {
    const reached = new Set([...shortest.values()].map((p) => fromStateValue(p.state.value)))
    expect([...reached].sort()).toEqual([...payoutStates].sort())
  })

  it('walks every transition of the definition (guarded branches included)', () => {
    const walked = new Set(edges.map((e) => `${e.from} --${e.type}--> ${e.to}`))
    expect([...walked].sort()).toEqual([...definitionEdges].sort())
    expect(walked.size).toBeGreaterThanOrEqual(40)
  })

  it.each(edges.map((e) => [`${e.from} --${e.type}--> ${e.to}`, e] as const))(
    'applyPayoutEvent replays the path to %s and lands where XState does',
    (_name, edge) => {
      expect(replay(edge.path).state).toBe(edge.to)
    },
  )
})
