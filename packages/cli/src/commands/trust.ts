// `payout-kernel trust <raw>` and the quick-start demo: the engine's raw risk as trust, tier and
// the rescore verdict fields.
import fs from 'node:fs'
import type { ValidationError } from '@payout-kernel/core'
import {
  encodeRescoreVerdict,
  type RawRisk,
  rescoreVerdict,
  tierOf,
  trustFromRisk,
  trustOf,
} from '@payout-kernel/trust'
import Table from 'cli-table3'
import * as E from 'fp-ts/lib/Either.js'
import pc from 'picocolors'
import { exitCodes, explainProblems } from './io.js'

const explain = (e: ValidationError): string => explainProblems(e.problems)

/** Prints the trust score, tier and verdict fields of one raw risk; returns the exit code. */
export const trustCommand = (raw: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number => {
  const parsed = /^\d+$/.test(raw) ? Number(raw) : raw
  const trust = trustFromRisk(parsed)
  if (E.isLeft(trust)) {
    err.write(`payout-kernel trust: invalid raw risk ${JSON.stringify(raw)}\n${explain(trust.left)}\n`)
    return exitCodes.input
  }
  const risk = parsed as RawRisk
  out.write(`${JSON.stringify({ raw_score: risk, trust_score: trust.right, tier: tierOf(risk) })}\n`)
  return exitCodes.ok
}

interface EngineEvaluation {
  readonly beneficiary_id: string
  readonly evaluation_id: string
  readonly raw_score: number
  readonly previous?: { readonly evaluation_id: string; readonly raw_score: number }
}

/** Reads engine evaluations from a JSON file and prints each one's rescore verdict as the API returns it. */
export const trustDemo = (file: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number => {
  let evaluations: ReadonlyArray<EngineEvaluation>
  try {
    evaluations = JSON.parse(fs.readFileSync(file, 'utf8')) as ReadonlyArray<EngineEvaluation>
  } catch (e) {
    err.write(`payout-kernel demo: cannot read ${file}: ${(e as Error).message}\n`)
    return exitCodes.input
  }
  const table = new Table({
    head: ['beneficiary', 'raw', 'trust', 'tier', 'previous raw', 'previous trust', 'previous tier'],
  })
  const verdicts: unknown[] = []
  let bad = 0
  evaluations.forEach((ev, i) => {
    const verdict = rescoreVerdict({
      beneficiaryId: ev.beneficiary_id,
      current: { evaluationId: ev.evaluation_id, rawScore: ev.raw_score },
      previous: ev.previous && { evaluationId: ev.previous.evaluation_id, rawScore: ev.previous.raw_score },
    })
    if (E.isLeft(verdict)) {
      bad += 1
      err.write(`${file}: entry ${i}:\n${explain(verdict.left)}\n`)
      return
    }
    const v = verdict.right
    table.push([
      v.beneficiaryId,
      v.current.rawScore,
      v.current.trustScore.toFixed(3),
      pc.bold(v.current.tier),
      v.previous?.rawScore ?? '—',
      v.previous ? trustOf(v.previous.rawScore).toFixed(3) : '—',
      v.previous?.tier ?? '—',
    ])
    verdicts.push(encodeRescoreVerdict(v))
  })
  out.write(
    `${pc.bold('Engine raw risk → trust score → tier')}  (trust = (1000 − raw) / 1000; default bands)\n`,
  )
  out.write(
    `${table.toString()}\n\n${pc.bold('Rescore verdicts as POST /v1/beneficiaries/{id}/rescore returns them:')}\n`,
  )
  for (const v of verdicts) out.write(`${JSON.stringify(v)}\n`)
  return bad > 0 ? exitCodes.input : exitCodes.ok
}
