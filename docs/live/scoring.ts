// Live example (docs/scoring.md): a rule set and a transaction, both editable JSON in the page,
// scored as you type. The page calls `scoreLive`; docs/live.test.ts runs it too.
import { compileRules, parseRules, scoreTransaction } from '@payout-kernel/scoring'
import * as E from '#fp-ts/Either'

/** The rule set the page starts with (the guide's). */
export const initialRules = `{
  "version": "2025-07-01",
  "rules": [
    { "id": "big", "name": "Large amount", "status": "ACTIVE", "score": 300, "dry_run": false,
      "condition": { "field": "amount", "op": "gte", "value": "1000.00" }, "tags": ["amount"] },
    { "id": "new-device", "name": "Unrecognised device", "status": "ACTIVE", "score": 150, "dry_run": false,
      "condition": { "field": "recognizedDevice", "op": "eq", "value": "0" }, "tags": ["device"] },
    { "id": "risky-country", "name": "High-risk corridor", "status": "ACTIVE", "score": 400, "dry_run": true,
      "condition": { "field": "country", "op": "in", "value": ["NG", "PK"] } }
  ]
}`

/** The transaction the page starts with. */
export const initialTransaction = `{
  "referenceId": "a4a4f61d",
  "amount": "1250.00",
  "currency": "USD",
  "country": "NG",
  "recognizedDevice": "0"
}`

/** What the page shows: the score, action and matched rules, or the errors naming the fields. */
export type ScoringView =
  | {
      readonly ok: true
      readonly score: number
      readonly dryScore: number
      readonly action: string
      readonly matched: ReadonlyArray<{
        readonly id: string
        readonly score: number
        readonly dryRun: boolean
      }>
    }
  | { readonly ok: false; readonly errors: ReadonlyArray<string> }

const problems = (
  where: string,
  e: { readonly problems: ReadonlyArray<{ field: string; message: string }> },
) => e.problems.map((p) => `${p.field === '' ? where : p.field}: ${p.message}`)

/** Scores the transaction (JSON text) with the rule set (JSON text). */
export const scoreLive = (rulesText: string, transactionText: string): ScoringView => {
  const rules = parseRules(rulesText)
  if (E.isLeft(rules)) return { ok: false, errors: problems('rules', rules.left) }
  let transaction: unknown
  try {
    transaction = JSON.parse(transactionText)
  } catch (e) {
    return { ok: false, errors: [`transaction: not JSON (${(e as Error).message})`] }
  }
  const result = scoreTransaction(compileRules(rules.right), transaction)
  if (E.isLeft(result)) return { ok: false, errors: problems('transaction', result.left) }
  return {
    ok: true,
    score: result.right.score,
    dryScore: result.right.dry_score,
    action: result.right.action,
    matched: result.right.matched_rules.map((r) => ({ id: r.id, score: r.score, dryRun: r.dry_run })),
  }
}
