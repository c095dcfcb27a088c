// `payout-kernel trust <raw>`: the engine's raw risk as trust score, tier and the verdict fields.
import { type RawRisk, tierOf, trustFromRisk } from '@payout-kernel/trust'
import * as E from '#fp-ts/Either'
import { exitCodes, explainProblems } from './io.js'

/**
 * Prints, as one JSON line, the trust score and tier of one raw risk and the fields a rescore
 * verdict carries for it; returns the exit code.
 */
export const trustCommand = (raw: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number => {
  const parsed = /^\d+$/.test(raw) ? Number(raw) : raw
  const trust = trustFromRisk(parsed)
  if (E.isLeft(trust)) {
    err.write(
      `payout-kernel trust: invalid raw risk ${JSON.stringify(raw)}\n${explainProblems(trust.left.problems)}\n`,
    )
    return exitCodes.input
  }
  const risk = parsed as RawRisk
  const tier = tierOf(risk)
  out.write(
    `${JSON.stringify({
      raw_score: risk,
      trust_score: trust.right,
      tier,
      verdict_fields: { new_trust_score: trust.right, new_tier: tier, new_score: risk },
    })}\n`,
  )
  return exitCodes.ok
}
