// The versions of a ledger: one mutable store shared by all versions, plus per older version the
// journaled writes that turn the next version's state into its own. Reading or changing a version
// first makes it the store's current state (rerooting, Baker's trick), so the latest version is
// constant time and every older one stays valid.
import { type Journal, replay } from './Journal.js'
import { newStore, type Store } from './Store.js'

/** A ledger handle (the public `Ledger`). */
export interface LedgerHandle {
  readonly _tag: 'Ledger'
}

type Step = ReadonlyArray<Parameters<typeof replay>[0][number]>
interface Tip {
  readonly kind: 'tip'
  readonly store: Store
}
interface Diff {
  readonly kind: 'diff'
  /** The writes that turn `next`'s state into this version's state, applied `forward` or backwards. */
  readonly step: Step
  readonly forward: boolean
  readonly next: Version
}
interface Version {
  v: Tip | Diff
}

const versions = /* @__PURE__ */ new WeakMap<LedgerHandle, Version>()

// ---------------------------------------------------------------- versions

export const handle = (version: Version): LedgerHandle => {
  const ledger: LedgerHandle = Object.freeze({ _tag: 'Ledger' as const })
  versions.set(ledger, version)
  return ledger
}

/** Makes a version's state the store's current state, turning the path to it around. */
const reroot = (version: Version): Store => {
  const path: Version[] = []
  let at = version
  while (at.v.kind === 'diff') {
    path.push(at)
    at = at.v.next
  }
  const store = at.v.store
  for (let i = path.length - 1; i >= 0; i--) {
    const older = path[i] as Version
    const d = older.v as Diff
    replay(d.step, d.forward)
    d.next.v = { kind: 'diff', step: d.step, forward: !d.forward, next: older }
    older.v = { kind: 'tip', store }
  }
  return store
}

/** The store holding this ledger's state (internal: for the evaluator). */
export const storeOf = (ledger: LedgerHandle): Store => {
  const version = versions.get(ledger)
  // A Ledger can only be made by this module; the fallback keeps a forged one harmless.
  return version === undefined ? newStore() : reroot(version)
}

/** Applies a journaled change to a version and returns the new version, leaving the old one intact. */
export const change = (ledger: LedgerHandle, f: (j: Journal, store: Store) => void): LedgerHandle => {
  const version = versions.get(ledger) ?? { v: { kind: 'tip', store: newStore() } }
  const store = reroot(version)
  const step: NonNullable<Journal> = []
  f(step, store)
  if (step.length === 0) return ledger
  const next: Version = { v: { kind: 'tip', store } }
  version.v = { kind: 'diff', step, forward: false, next }
  return handle(next)
}
