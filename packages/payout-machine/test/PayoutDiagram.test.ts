// The diagram in docs/payout-lifecycle.md is generated from the machine; this fails when they disagree.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { diagramBlock, endMarker, guide, startMarker } from '../scripts/write-diagram.js'
import { cancellableStatuses, payoutLifecycleMermaid, payoutStates } from '../src/index.js'
import { statusOfState, transitionTable } from '../src/internal/TransitionTable.js'

describe('the lifecycle diagram', () => {
  it('in docs/payout-lifecycle.md is the one generated from the machine (regenerate with scripts/write-diagram.ts)', () => {
    const text = fs.readFileSync(guide, 'utf8')
    const start = text.indexOf(startMarker)
    const end = text.indexOf(endMarker)
    expect(start).toBeGreaterThanOrEqual(0)
    expect(text.slice(start, end + endMarker.length)).toBe(diagramBlock())
  })

  it('draws every transition of the definition, from the state or status that declares it', () => {
    const diagram = payoutLifecycleMermaid()
    const arrows = new Set(
      diagram
        .split('\n')
        .map((l) => /^\s*(\S+) --> (\S+?)(?::|$)(?: (\S+))?/.exec(l))
        .filter((m) => m !== null)
        .map((m) => `${m[1]} ${m[3] ?? ''} ${m[2]}`),
    )
    const key = (s: string) => s.split('.').at(-1) ?? s
    for (const state of payoutStates)
      for (const [event, candidates] of Object.entries(transitionTable[state] ?? {}))
        for (const c of candidates) {
          if (c.guardName === 'isCancellable' && !cancellableStatuses.has(statusOfState[state])) continue
          const target = key(
            c.target.includes('.') && c.target !== state ? (c.target.split('.')[0] ?? c.target) : c.target,
          )
          const candidatesDrawn = [state, statusOfState[state], key(state)].flatMap((from) =>
            [target, key(c.target)].map((to) => `${key(from)} ${event} ${to}`),
          )
          expect(
            candidatesDrawn.some((a) => arrows.has(a)),
            `${state} --${event}--> ${c.target}`,
          ).toBe(true)
        }
  })
})
