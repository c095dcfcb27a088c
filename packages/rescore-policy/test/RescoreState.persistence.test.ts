// The state is a value: whatever is done with one state (deciding, completing, failing, pruning
// on it, again and again, or on any older or newer one, in any order), every state ever returned
// keeps its content and gives the answers it gave; and a state reached by branching answers
// exactly like the same history replayed on its own. The versioned maps mutate one `Map` under
// the hood; this is the proof that no caller can see it.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  completeRescore,
  decideRescore,
  defaultRescoreConfig,
  failRescore,
  initialRescoreState,
  pruneRescoreState,
  type RescoreConfig,
  type RescoreLease,
  type RescoreRequest,
  type RescoreState,
  rescoreStateSize,
} from '../src/index.js'
import { mapWorld, quotaWorld, tableWorld } from '../src/internal/Versioned.js'
import {
  arbClockStep,
  arbEngineEvaluation,
  arbRescoreConfig,
  arbRescoreRequest,
} from '../src/testing/index.js'

const t0 = Date.UTC(2026, 0, 1)

type Step =
  | {
      readonly _tag: 'decide'
      readonly from: number
      readonly step: number
      readonly request: RescoreRequest
    }
  | {
      readonly _tag: 'complete'
      readonly from: number
      readonly step: number
      readonly evaluation: Evaluation
    }
  | { readonly _tag: 'fail'; readonly from: number; readonly step: number }
  | { readonly _tag: 'prune'; readonly from: number; readonly step: number }

interface Evaluation {
  readonly current: { readonly evaluationId: string; readonly rawScore: number }
  readonly previous: { readonly evaluationId: string; readonly rawScore: number } | null
}

const arbStep: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      _tag: fc.constant('decide' as const),
      from: fc.nat(),
      step: arbClockStep(),
      request: arbRescoreRequest(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      _tag: fc.constant('complete' as const),
      from: fc.nat(),
      step: arbClockStep(),
      evaluation: arbEngineEvaluation,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ _tag: fc.constant('fail' as const), from: fc.nat(), step: arbClockStep() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ _tag: fc.constant('prune' as const), from: fc.nat(), step: arbClockStep() }),
  },
)

/** A state, its clock, the rescores started in its history and not settled, how it was reached. */
interface Node {
  readonly state: RescoreState
  readonly now: number
  readonly pending: ReadonlyArray<RescoreLease>
  readonly history: ReadonlyArray<Step>
}

/** Everything the state holds, in a canonical order (the content a caller could ever observe). */
const contentOf = (state: RescoreState): unknown => ({
  size: rescoreStateSize(state),
  quotas: [...(quotaWorld(state.quotas) ?? [])]
    .map(([m, log]) => [m, Array.from(log.times.subarray(log.head, log.len))] as const)
    .sort(([a], [b]) => a.localeCompare(b)),
  keys: [...(tableWorld(state.keys) ?? [])]
    .flatMap(([m, row]) => [...row].map(([k, record]) => [m, k, JSON.stringify(record)] as const))
    .sort(([a, b], [c, d]) => a.localeCompare(c) || b.localeCompare(d)),
  beneficiaries: [...(mapWorld(state.beneficiaries) ?? [])]
    .map(([id, b]) => [id, JSON.stringify(b)] as const)
    .sort(([a], [b]) => a.localeCompare(b)),
})

/** One step on a node: the next node and what the step answered. */
const apply = (
  node: Node,
  step: Step,
  config: RescoreConfig,
): { readonly next: Node; readonly answer: unknown } => {
  const now = node.now + step.step
  const history = [...node.history, step]
  switch (step._tag) {
    case 'decide': {
      const d = decideRescore(node.state, step.request, now, config)
      const pending = d.response === null ? [...node.pending, d.effects[0].lease] : node.pending
      return { next: { state: d.state, now, pending, history }, answer: [d.response, d.effects] }
    }
    case 'complete':
    case 'fail': {
      const [lease, ...rest] = node.pending
      if (lease === undefined) return { next: { ...node, now, history }, answer: null }
      const settled =
        step._tag === 'complete'
          ? completeRescore(node.state, { lease, ...step.evaluation }, now, config)
          : failRescore(node.state, { lease }, now, config)
      if (E.isLeft(settled)) throw new Error('a generated outcome did not decode')
      return {
        next: { state: settled.right.state, now, pending: rest, history },
        answer: settled.right.response,
      }
    }
    case 'prune':
      return {
        next: { ...node, state: pruneRescoreState(node.state, now, config), now, history },
        answer: null,
      }
  }
}

describe('persistence', () => {
  test.prop(
    [
      arbRescoreConfig,
      fc.array(arbStep, { minLength: 1, maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 30 }),
    ],
    {
      numRuns: 300,
    },
  )(
    'every state keeps its content and its answers whatever is done with it or any other state, and answers like its history replayed alone',
    (config, steps, probes) => {
      const root: Node = { state: initialRescoreState(), now: t0, pending: [], history: [] }
      const nodes: Node[] = [root]
      const contents: unknown[] = [contentOf(root.state)]
      const answers: unknown[][] = [[]]
      for (const step of steps) {
        const i = step.from % nodes.length
        const from = nodes[i] as Node
        const { next, answer } = apply(from, step, config)
        nodes.push(next)
        contents.push(contentOf(next.state))
        answers.push([...(answers[i] ?? []), answer])
      }
      // Probe states in a random order (each probe is itself a decision on an old state)...
      for (const p of probes) {
        const node = nodes[p % nodes.length] as Node
        const last = node.history[node.history.length - 1]
        if (last !== undefined) apply(node, last, config)
      }
      // ...then every state still holds what it held when it was returned,
      nodes.forEach((node, i) => {
        expect(contentOf(node.state)).toEqual(contents[i])
      })
      // and a history replayed alone, from the start, reaches the same content and answers.
      nodes.forEach((node, i) => {
        let alone = root
        const replayed: unknown[] = []
        for (const step of node.history) {
          const { next, answer } = apply(alone, step, config)
          alone = next
          replayed.push(answer)
        }
        expect(contentOf(alone.state)).toEqual(contents[i])
        expect(replayed).toEqual(answers[i])
      })
    },
  )

  test('holding the initial state keeps nothing else alive: it is never linked to a later state', () => {
    const request: RescoreRequest = {
      merchantId: 'mer_a',
      method: 'POST',
      path: '/v1/beneficiaries/ben_1/rescore',
      beneficiaryId: 'ben_1',
      headers: { 'Idempotency-Key': 'k-1' },
      engine: { configured: true, profileExists: true, locked: false },
    }
    const initial = initialRescoreState()
    const d = decideRescore(initial, request, t0, defaultRescoreConfig)
    expect(d.state).not.toBe(initial)
    for (const part of [initial.quotas, initial.keys, initial.beneficiaries]) {
      expect(part.next).toBeUndefined()
      expect(part.world).toBeUndefined()
    }
    expect(contentOf(initialRescoreState())).toEqual(contentOf(initial))
    expect(rescoreStateSize(initial)).toEqual({
      merchants: 0,
      idempotencyKeys: 0,
      beneficiaries: 0,
      admissions: 0,
    })
  })
})
