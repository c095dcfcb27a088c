// The payout machine's own definition, compiled into a lookup table: for each leaf state and
// event type, the candidate transitions in XState's order of priority (the leaf's own first, then
// each ancestor's), each with its guard name, its target leaf and its action names. Stepping is
// then a table lookup, the first candidate whose guard passes, and its context updates. The tests
// check it against XState's `transition()` on random event sequences.
import type { AnyStateNode } from 'xstate'
import type { ResolvedPayoutConfig } from '../PayoutConfig.js'
import { type PayoutEvent, type PayoutEventType, payoutEventTypes } from '../PayoutEvent.js'
import {
  type PayoutContext,
  type PayoutGuard,
  type PayoutGuardName,
  type PayoutState,
  type PayoutUpdate,
  type PayoutUpdateName,
  payoutGuards,
  payoutMachine,
  payoutStates,
  payoutUpdates,
} from '../PayoutMachine.js'
import { type PayoutStatus, payoutStatuses } from '../PayoutStatus.js'

/** One candidate transition of the table. */
export interface CompiledTransition {
  readonly guardName: PayoutGuardName | null
  readonly guard: PayoutGuard | null
  readonly target: PayoutState
  readonly targetStatus: PayoutStatus
  readonly updates: ReadonlyArray<PayoutUpdate>
  readonly updateNames: ReadonlyArray<PayoutUpdateName>
}

/** The result of one step of the machine, or `undefined` when no transition is enabled. */
export interface Moved {
  readonly state: PayoutState
  readonly status: PayoutStatus
  readonly context: PayoutContext
}

/** A single machine step: state, context, event and policy to the next state and context. */
export type Stepper = (
  state: PayoutState,
  context: PayoutContext,
  event: PayoutEvent,
  config: ResolvedPayoutConfig,
) => Moved | undefined

const isGuardName = (name: string): name is PayoutGuardName => Object.hasOwn(payoutGuards, name)
const isUpdateName = (name: string): name is PayoutUpdateName => Object.hasOwn(payoutUpdates, name)
const isPayoutState = (id: string): id is PayoutState => (payoutStates as ReadonlyArray<string>).includes(id)

/** The status a leaf state belongs to: the first segment of its path. */
export const statusOfState: { readonly [S in PayoutState]: PayoutStatus } =
  /* @__PURE__ */ Object.fromEntries(
    /* @__PURE__ */ payoutStates.map((s) => [s, s.split('.')[0] as PayoutStatus]),
  ) as { readonly [S in PayoutState]: PayoutStatus }

const leafPath = (node: AnyStateNode): string => node.path.join('.')

const initialLeaf = (node: AnyStateNode): AnyStateNode => {
  let current = node
  while (current.type === 'compound') {
    const next = current.initial.target[0]
    if (next === undefined) throw new Error(`state ${current.id} has no initial state`)
    current = next
  }
  return current
}

const nameOf = (x: unknown): string =>
  typeof x === 'string'
    ? x
    : typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string'
      ? ((x as { type: string }).type as string)
      : '<inline>'

const leavesOf = (node: AnyStateNode): AnyStateNode[] =>
  node.type === 'atomic' || node.type === 'final'
    ? [node]
    : Object.values(node.states as Record<string, AnyStateNode>).flatMap(leavesOf)

/**
 * Compiles the machine definition. It refuses (throws at load, a bug in the definition, never an
 * input problem) whatever the table cannot mirror: entry/exit actions, eventless or parallel
 * states, inline guards or actions, a leaf missing from `payoutStates`.
 */
const compile = (): Readonly<Record<string, Readonly<Record<string, ReadonlyArray<CompiledTransition>>>>> => {
  const table: Record<string, Record<string, CompiledTransition[]>> = {}
  const leaves = leavesOf(payoutMachine.root)
  const seen = new Set<string>()
  const check = (node: AnyStateNode): void => {
    if (node.entry.length > 0 || node.exit.length > 0) throw new Error(`state ${node.id}: entry/exit actions`)
    if (node.always !== undefined && node.always.length > 0)
      throw new Error(`state ${node.id}: eventless transitions`)
    if (node.type === 'parallel' || node.type === 'history') throw new Error(`state ${node.id}: ${node.type}`)
    for (const child of Object.values(node.states as Record<string, AnyStateNode>)) check(child)
  }
  check(payoutMachine.root)
  for (const leaf of leaves) {
    const id = leafPath(leaf)
    if (!isPayoutState(id)) throw new Error(`leaf ${id} is not in payoutStates`)
    seen.add(id)
    const row: Record<string, CompiledTransition[]> = {}
    for (const type of payoutEventTypes) {
      const candidates: CompiledTransition[] = []
      for (let node: AnyStateNode | undefined = leaf; node !== undefined; node = node.parent) {
        for (const transition of node.transitions.get(type) ?? []) {
          const guardName = transition.guard === undefined ? null : nameOf(transition.guard)
          if (guardName !== null && !isGuardName(guardName))
            throw new Error(`${id} ${type}: guard ${guardName}`)
          const updateNames = transition.actions.map((a) => {
            const name = nameOf(a)
            if (!isUpdateName(name)) throw new Error(`${id} ${type}: action ${name}`)
            return name
          })
          const targetNode = transition.target?.[0]
          const target = targetNode === undefined ? id : leafPath(initialLeaf(targetNode))
          if (!isPayoutState(target)) throw new Error(`${id} ${type}: target ${target}`)
          candidates.push({
            guardName,
            guard: guardName === null ? null : payoutGuards[guardName],
            target,
            targetStatus: statusOfState[target],
            updates: updateNames.map((n) => payoutUpdates[n]),
            updateNames,
          })
        }
      }
      if (candidates.length > 0) row[type] = candidates
    }
    table[id] = row
  }
  for (const s of payoutStates)
    if (!seen.has(s)) throw new Error(`payoutStates lists ${s}, the machine has no such leaf`)
  return table
}

/** The compiled table: `transitionTable[state][eventType]` lists the candidates in priority order. */
export const transitionTable = /* @__PURE__ */ compile()

/** Steps with the compiled table. */
export const compiledStepper: Stepper = (state, context, event, config) => {
  const candidates = transitionTable[state]?.[event.type]
  if (candidates === undefined) return undefined
  const status = statusOfState[state]
  for (const c of candidates) {
    if (c.guard !== null && !c.guard(context, event, config, status)) continue
    let next = context
    for (const update of c.updates) next = update(next, event, config)
    return { state: c.target, status: c.targetStatus, context: next }
  }
  return undefined
}

/** Bit `i` stands for `payoutStatuses[i]`. */
export const statusBit: { readonly [S in PayoutStatus]: number } = /* @__PURE__ */ Object.fromEntries(
  /* @__PURE__ */ payoutStatuses.map((s, i) => [s, 1 << i]),
) as { readonly [S in PayoutStatus]: number }

/** For each event type, the bit set of the statuses in which the definition has a transition for it. */
export const acceptedIn: { readonly [K in PayoutEventType]: number } = /* @__PURE__ */ Object.fromEntries(
  /* @__PURE__ */ payoutEventTypes.map((type) => [
    type,
    payoutStates.reduce(
      (mask, s) => (transitionTable[s]?.[type] === undefined ? mask : mask | statusBit[statusOfState[s]]),
      0,
    ),
  ]),
) as { readonly [K in PayoutEventType]: number }
