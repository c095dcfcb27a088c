// Running a stream of inputs through a lifecycle implementation, keeping every result.
import * as E from '#fp-ts/Either'
import type { PayoutConfig, PayoutSnapshot, PayoutStep, Rejection, StartPayoutInput } from '../src/index.js'
import { startPayout } from '../src/index.js'

export type Apply = (
  snapshot: PayoutSnapshot,
  event: unknown,
  config?: PayoutConfig,
) => E.Either<Rejection, PayoutStep>

export interface Run {
  readonly start: PayoutStep
  readonly results: ReadonlyArray<{
    readonly before: PayoutSnapshot
    readonly input: unknown
    readonly result: E.Either<Rejection, PayoutStep>
  }>
  readonly final: PayoutSnapshot
  readonly steps: ReadonlyArray<PayoutStep>
}

export const runInputs = (
  apply: Apply,
  start: StartPayoutInput,
  inputs: ReadonlyArray<unknown>,
  config?: PayoutConfig,
): Run => {
  const started = startPayout(start)
  if (E.isLeft(started)) throw new Error(`start refused: ${started.left.message}`)
  let snapshot = started.right.snapshot
  const results: Array<Run['results'][number]> = []
  const steps: PayoutStep[] = [started.right]
  for (const input of inputs) {
    const result = apply(snapshot, input, config)
    results.push({ before: snapshot, input, result })
    if (E.isRight(result)) {
      snapshot = result.right.snapshot
      steps.push(result.right)
    }
  }
  return { start: started.right, results, final: snapshot, steps }
}

export const itemInputs = (
  items: ReadonlyArray<
    | { readonly kind: 'event'; readonly event: unknown }
    | { readonly kind: 'garbage'; readonly value: unknown }
  >,
): unknown[] => items.map((i) => (i.kind === 'event' ? i.event : i.value))
