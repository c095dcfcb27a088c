/**
 * The lifecycle as a Mermaid state diagram, generated from the machine definition itself, so the
 * picture in the docs cannot drift from the code (a test compares them).
 */
import type { AnyStateNode } from 'xstate'
import { defaultPayoutConfig } from './PayoutConfig.js'
import { type PayoutContext, type PayoutGuardName, payoutGuards, payoutMachine } from './PayoutMachine.js'
import { type PayoutStatus, payoutStatuses, terminalStatuses } from './PayoutStatus.js'

const nameOf = (x: unknown): string =>
  typeof x === 'string'
    ? x
    : typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string'
      ? (x as { type: string }).type
      : 'guard'

/** Guards that depend on the status only: a root-level transition guarded by one is drawn from each status it admits. */
const statusGuards = /* @__PURE__ */ new Set<PayoutGuardName>(['isCancellable'])

const admits = (guard: PayoutGuardName, status: PayoutStatus): boolean =>
  payoutGuards[guard]({} as PayoutContext, {} as never, defaultPayoutConfig, status)

/**
 * The Mermaid `stateDiagram-v2` text of the payout machine: every transition of the definition,
 * labelled `EVENT [guard]`, the sub-states of `pending_approval` and `manual_review` drawn inside
 * them, terminal statuses styled and final ones leading to `[*]`.
 *
 * @example
 * import { payoutLifecycleMermaid } from '@payout-kernel/payout-machine'
 * import assert from 'node:assert/strict'
 *
 * const diagram = payoutLifecycleMermaid()
 * assert.ok(diagram.startsWith('stateDiagram-v2'))
 * assert.ok(diagram.includes('sent --> completed: RAIL_SETTLED'))
 * assert.ok(diagram.includes('completed --> returned: RAIL_RETURNED [insideLateReturnWindow]'))
 */
export const payoutLifecycleMermaid = (): string => {
  const lines: string[] = ['stateDiagram-v2', '  direction TB', '  [*] --> created']
  const edge = (indent: string, from: string, to: string, event: string, guard: string | null) =>
    `${indent}${from} --> ${to}: ${event}${guard === null ? '' : ` [${guard}]`}`
  const edgesOf = (node: AnyStateNode, indent: string): string[] => {
    const out: string[] = []
    for (const [event, transitions] of node.transitions) {
      for (const t of transitions) {
        const target = t.target?.[0]?.key ?? node.key
        const guard = t.guard === undefined ? null : nameOf(t.guard)
        if (node.parent === undefined && guard !== null && statusGuards.has(guard as PayoutGuardName)) {
          for (const status of payoutStatuses)
            if (admits(guard as PayoutGuardName, status)) out.push(edge(indent, status, target, event, null))
        } else out.push(edge(indent, node.key, target, event, guard))
      }
    }
    return out
  }
  const root = payoutMachine.root
  const rootEdges = edgesOf(root, '  ')
  for (const node of Object.values(root.states as Record<string, AnyStateNode>)) {
    const children = Object.values(node.states as Record<string, AnyStateNode>)
    if (children.length > 0) {
      lines.push(`  state ${node.key} {`)
      const initial = node.initial.target[0]
      if (initial !== undefined) lines.push(`    [*] --> ${initial.key}`)
      for (const child of children) lines.push(...edgesOf(child, '    '))
      lines.push('  }')
    }
    lines.push(...edgesOf(node, '  '))
    if (node.type === 'final') lines.push(`  ${node.key} --> [*]`)
  }
  lines.push(...rootEdges)
  lines.push('  classDef terminal font-weight:bold,stroke-width:3px')
  lines.push(`  class ${[...terminalStatuses].join(',')} terminal`)
  return `${lines.join('\n')}\n`
}
