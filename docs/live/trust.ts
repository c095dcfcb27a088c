// Live example (docs/trust.md): an engine's raw risk typed into the page, turned into the trust
// score and tier a merchant sees. The page calls `convertRisk`; docs/live.test.ts runs it too.
import { tierOf, trustFromRisk } from '@payout-kernel/trust'
import * as E from '#fp-ts/Either'

/** What the page shows for one input: the score and tier, or the error naming the field. */
export type TrustView =
  | { readonly ok: true; readonly raw: number; readonly trust: number; readonly tier: string }
  | { readonly ok: false; readonly field: string; readonly message: string }

/** Reads the text field as a number (an empty or non-numeric field is passed on as typed). */
export const convertRisk = (typed: string): TrustView => {
  const asNumber = typed.trim() === '' ? typed : Number(typed)
  const raw = Number.isNaN(asNumber) ? typed : asNumber
  const trust = trustFromRisk(raw)
  if (E.isLeft(trust)) {
    const problem = trust.left.problems[0]
    return { ok: false, field: problem?.field ?? '', message: problem?.message ?? '' }
  }
  const r = raw as Parameters<typeof tierOf>[0]
  return { ok: true, raw: r, trust: trust.right, tier: tierOf(r) }
}
