// Transactions scored per second: @payout-kernel/scoring (compiled rules) against json-rules-engine,
// with the same 50 rules over the same 20 fields and the same transactions, in the same run.
// Sizes: SCORING_RULES (50), SCORING_FIELDS (20), SCORING_TXNS (1000).
import { compileRules, parseRules, scoreTransaction } from '@payout-kernel/scoring'
import { Engine } from 'json-rules-engine'
import { RE2JS } from 're2js'
import * as E from '#fp-ts/Either'
import { compare, heapUsed } from './harness.js'

const ruleCount = Number(process.env.SCORING_RULES ?? 50)
const fieldCount = Number(process.env.SCORING_FIELDS ?? 20)
const txnCount = Number(process.env.SCORING_TXNS ?? 1000)

/** A deterministic pseudo-random sequence (LCG), so every run scores the same data. */
const lcg = (seed: number) => {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}
const rnd = lcg(20250704)
const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(rnd() * xs.length)] as A

// Fields: a third numeric (amounts, counts), the rest categorical strings.
const fields = Array.from({ length: fieldCount }, (_, i) => ({
  name: `f${i}`,
  numeric: i % 3 === 0,
}))
const categories = ['US', 'GB', 'NG', 'DE', 'web', 'mobile', 'api', '0', '1', 'card', 'bank', 'wallet']

type Comparison = { field: string; op: string; value: unknown }
const comparison = (): Comparison => {
  const f = pick(fields)
  if (f.numeric)
    return { field: f.name, op: pick(['gt', 'gte', 'lt', 'lte']), value: Math.floor(rnd() * 2000) }
  const op = pick(['eq', 'ne', 'in', 'not_in', 'matches'])
  if (op === 'in' || op === 'not_in')
    return { field: f.name, op, value: [pick(categories), pick(categories), pick(categories)] }
  if (op === 'matches') return { field: f.name, op, value: `^${pick(categories).slice(0, 1)}` }
  return { field: f.name, op, value: pick(categories) }
}
const rules = Array.from({ length: ruleCount }, (_, i) => {
  const parts = Array.from({ length: 1 + Math.floor(rnd() * 3) }, comparison)
  return {
    id: `rule${String(i).padStart(3, '0')}`,
    name: `Rule ${i}`,
    status: 'ACTIVE',
    score: 10 + Math.floor(rnd() * 90),
    dry_run: false,
    condition: rnd() < 0.7 ? { all: parts } : { any: parts },
  }
})
const transactions = Array.from({ length: txnCount }, () =>
  Object.fromEntries(
    fields.map((f) => [f.name, f.numeric ? Math.floor(rnd() * 200000) / 100 : pick(categories)]),
  ),
)

// ---------------------------------------------------------------- ours
const parsed = parseRules({ version: 'bench', rules })
if (E.isLeft(parsed)) throw new Error(`bench rules refused: ${JSON.stringify(parsed.left)}`)
const ruleSet = parsed.right
const compiled = compileRules(ruleSet)
const ours = (txn: Record<string, unknown>): number => {
  const result = scoreTransaction(compiled, txn)
  return E.isRight(result) ? result.right.score : -1
}

// ---------------------------------------------------------------- json-rules-engine
const jreOperator: Record<string, string> = {
  eq: 'equal',
  ne: 'notEqual',
  gt: 'greaterThan',
  gte: 'greaterThanInclusive',
  lt: 'lessThan',
  lte: 'lessThanInclusive',
  in: 'in',
  not_in: 'notIn',
  matches: 'matches',
}
const engine = new Engine([], { allowUndefinedFacts: true })
const patterns = new Map<string, RegExp>()
engine.addOperator<unknown, string>('matches', (factValue, pattern) => {
  let re = patterns.get(pattern)
  if (re === undefined) {
    re = new RegExp(pattern, 'u')
    patterns.set(pattern, re)
  }
  return typeof factValue === 'string' && re.test(factValue)
})
for (const rule of rules) {
  const condition = rule.condition as { all?: Comparison[]; any?: Comparison[] }
  const toJre = (c: Comparison) => ({ fact: c.field, operator: jreOperator[c.op] ?? c.op, value: c.value })
  engine.addRule({
    name: rule.id,
    conditions: condition.all ? { all: condition.all.map(toJre) } : { any: (condition.any ?? []).map(toJre) },
    event: { type: rule.id, params: { score: rule.score } },
  })
}
const theirs = async (txn: Record<string, unknown>): Promise<number> => {
  const { events } = await engine.run(txn)
  const sum = events.reduce((s, e) => s + Number(e.params?.score ?? 0), 0)
  return Math.min(1000, Math.max(0, sum))
}

export async function main(): Promise<void> {
  // The two engines must agree before their speeds mean anything.
  let agree = 0
  let matched = 0
  for (const txn of transactions) {
    if (ours(txn) === (await theirs(txn))) agree += 1
    const result = scoreTransaction(compiled, txn)
    if (E.isRight(result)) matched += result.right.matched_rules.length
  }
  process.stdout.write(
    `\n${ruleCount} rules over ${fieldCount} fields, ${txnCount} transactions: scores agree on ${agree}/${txnCount}` +
      ` (${(matched / txnCount).toFixed(1)} rules matched per transaction)\n`,
  )
  const before = heapUsed()
  const again = compileRules(ruleSet)
  const compiledBytes = heapUsed() - before
  process.stdout.write(
    `compiled rule set: ~${Math.max(0, Math.round(compiledBytes / 1024))} KiB (${again.active.length} rules)\n`,
  )

  const jreBatch = Math.min(50, txnCount)
  let j = 0
  await compare({
    title: `transactions scored per second (${ruleCount} rules, ${fieldCount} fields)`,
    target: '≥ 10x',
    baseline: {
      name: 'json-rules-engine 7 (engine.run per transaction)',
      itemsPerRun: jreBatch,
      run: async () => {
        for (let k = 0; k < jreBatch; k++) {
          await theirs(transactions[j] ?? {})
          j = (j + 1) % txnCount
        }
      },
    },
    candidate: {
      name: '@payout-kernel/scoring scoreTransaction',
      itemsPerRun: txnCount,
      run: () => {
        let s = 0
        for (const txn of transactions) s += ours(txn)
        return s
      },
    },
  })

  // Same rules, amounts sent as decimal strings ("1234.50"), compared exactly: ours only.
  const decimalTxns = transactions.map((txn) =>
    Object.fromEntries(Object.entries(txn).map(([k, v]) => [k, typeof v === 'number' ? v.toFixed(2) : v])),
  )
  await compare({
    title: 'numbers as JSON numbers vs amounts as decimal strings (ours, exact either way)',
    baseline: {
      name: 'scoreTransaction, JSON numbers',
      itemsPerRun: txnCount,
      run: () => transactions.reduce((s, txn) => s + ours(txn), 0),
    },
    candidate: {
      name: 'scoreTransaction, decimal strings',
      itemsPerRun: txnCount,
      run: () => decimalTxns.reduce((s, txn) => s + ours(txn), 0),
    },
  })

  // The matches operator's engine: re2js (linear time, what scoring runs since the ReDoS fix)
  // against the backtracking RegExp it replaced, on the bench's patterns and string values.
  const benchPatterns = [
    ...new Set(
      rules.flatMap((r) =>
        (r.condition.all ?? r.condition.any ?? [])
          .filter((c) => c.op === 'matches')
          .map((c) => String(c.value)),
      ),
    ),
  ]
  const values = transactions.flatMap((txn) =>
    Object.values(txn).filter((v): v is string => typeof v === 'string'),
  )
  const native = benchPatterns.map((p) => new RegExp(p, 'u'))
  const linear = benchPatterns.map((p) => RE2JS.compile(p))
  await compare({
    title: `pattern tests per second (${benchPatterns.length} patterns × ${values.length} values)`,
    baseline: {
      name: 'RegExp (backtracking, the engine before the fix)',
      itemsPerRun: values.length * native.length,
      run: () => values.reduce((n, v) => n + native.reduce((m, re) => m + (re.test(v) ? 1 : 0), 0), 0),
    },
    candidate: {
      name: 're2js RE2JS.test (linear time)',
      itemsPerRun: values.length * linear.length,
      run: () => values.reduce((n, v) => n + linear.reduce((m, re) => m + (re.test(v) ? 1 : 0), 0), 0),
    },
  })

  // The JSON check walks lists and objects inside a transaction (a flat one is checked in place):
  // the same transactions with a nested object of device data and a list of recent amounts.
  const nestedTxns = transactions.map((txn, i) => ({
    ...txn,
    meta: {
      device: { id: `d${i % 97}`, risk: i % 7, trusted: i % 2 === 0 },
      recent: [i % 13, i % 17, 1250.5],
    },
  }))
  await compare({
    title: 'flat transactions vs the same with a nested object and list (the JSON walk)',
    baseline: {
      name: 'scoreTransaction, flat',
      itemsPerRun: txnCount,
      run: () => transactions.reduce((s, txn) => s + ours(txn), 0),
    },
    candidate: {
      name: 'scoreTransaction, nested meta walked',
      itemsPerRun: txnCount,
      run: () => nestedTxns.reduce((s, txn) => s + ours(txn), 0),
    },
  })
}
