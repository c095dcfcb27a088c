// The reference: one machine step done by XState itself, through the pure `transition()` API, on
// the machine definition the compiled table is built from. The differential tests run the same
// lifecycle code over this stepper and over the compiled table and compare every result.
import { transition } from 'xstate'
import { type PayoutContext, type PayoutState, payoutMachine } from '../src/index.js'
import { makeLifecycle } from '../src/internal/Lifecycle.js'
import type { Moved, Stepper } from '../src/internal/TransitionTable.js'
import type { PayoutStatus } from '../src/PayoutStatus.js'

export const toStateValue = (state: PayoutState): string | Record<string, string> => {
  const [parent, child] = state.split('.')
  return child === undefined ? (parent ?? state) : { [parent ?? '']: child }
}

export const fromStateValue = (value: unknown): PayoutState => {
  if (typeof value === 'string') return value as PayoutState
  const [[parent, child]] = Object.entries(value as Record<string, string>) as [[string, string]]
  return `${parent}.${child}` as PayoutState
}

export const xstateSnapshot = (state: PayoutState, context: PayoutContext) =>
  payoutMachine.resolveState({ value: toStateValue(state), context })

export const xstateStepper: Stepper = (state, context, event, config): Moved | undefined => {
  const before = xstateSnapshot(state, context)
  const [after] = transition(payoutMachine, before, { ...event, config })
  if (after === before) return undefined
  const next = fromStateValue(after.value)
  return { state: next, status: next.split('.')[0] as PayoutStatus, context: after.context }
}

export const referenceLifecycle = makeLifecycle(xstateStepper)
