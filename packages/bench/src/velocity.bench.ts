// Velocity rules: per-decision time flat in history length, against a naive scan of the history;
// a backtest of 1M payouts against just JSON.parse of the same NDJSON lines (the figure),
// then end to end from those lines: `simulate` over the file (its second thread reads, parses and
// decodes) and the same in one thread; where its time goes (the group keys alone; the backtest when
// keys are few); ledger bytes per key.
// Sizes: VELOCITY_SIZES=1000,100000,1000000 (defaults), VELOCITY_BACKTEST=1000000.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCli } from '@payout-kernel/cli'
import {
  type BacktestReport,
  backtest,
  emptyLedger,
  encodePayout,
  encodeRuleSet,
  evaluate,
  type Ledger,
  ledgerSize,
  type Payout,
  parsePayout,
  parseRuleSet,
  payout,
  type Rule,
  type RuleSet,
  recordPayout,
} from '@payout-kernel/velocity'
import * as E from '#fp-ts/Either'
import { compare, heapUsed, timeOnce } from './harness.js'
import { readAndParse } from './ndjson.js'

const sizes = (process.env.VELOCITY_SIZES ?? '1000,100000,1000000').split(',').map(Number)
const backtestSize = Number(process.env.VELOCITY_BACKTEST ?? 1_000_000)
const twoSetSize = Number(process.env.VELOCITY_BACKTEST_TWO ?? 200_000)

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}

// ---------------------------------------------------------------- data

/** A small deterministic PRNG (mulberry32), so every run replays the same history. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const countries = ['PH', 'MX', 'NG', 'IN', 'BR', 'KE', 'US', 'GB', 'DE', 'FR']
const types = ['bank_account', 'card', 'wallet']
const start = Date.UTC(2025, 0, 1)

/** `n` payouts, one every 30 s on average, over 50 merchants, 20k beneficiaries and 30k instruments. */
export const history = (n: number, seed = 1): Payout[] => {
  const rnd = prng(seed)
  const out: Payout[] = []
  let t = start
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 60_000)
    const ben = Math.floor(rnd() * 20_000)
    out.push(
      right(
        payout({
          id: `pay_${seed}x${i}`,
          merchantId: `mer_${Math.floor(rnd() * 50)}`,
          beneficiaryId: `ben_${ben}`,
          beneficiaryCreatedAt: start - 86_400_000 * (ben % 30),
          instrumentId: `ins_${Math.floor(rnd() * 30_000)}`,
          instrumentType: types[Math.floor(rnd() * 3)] ?? 'card',
          destinationCountry: countries[Math.floor(rnd() * countries.length)] ?? 'PH',
          amount: `${1 + Math.floor(rnd() * 2000)}.${String(Math.floor(rnd() * 100)).padStart(2, '0')}`,
          currency: rnd() < 0.95 ? 'USD' : 'EUR',
          createdAt: t,
        }),
      ),
    )
  }
  return out
}

/** 24 rules of every kind, windows up to a calendar month, limits that catch a few percent. */
export const rules = (factor = 1): RuleSet => {
  const scale = (n: number) => Math.round(n * factor)
  return right(
    parseRuleSet({
      version: 1,
      rules: [
        ['max_amount_per_txn', { threshold: `${scale(1900)}.00`, currency: 'USD' }],
        ['max_amount_per_txn', { threshold: '1500.00', currency: 'EUR', action: 'review' }],
        [
          'max_daily_amount',
          {
            threshold: `${scale(90_000)}.00`,
            currency: 'USD',
            window: { type: 'calendar', unit: 'day', time_zone: 'America/New_York' },
          },
        ],
        [
          'max_daily_amount',
          {
            threshold: `${scale(6_000)}.00`,
            currency: 'USD',
            group_by: 'beneficiary',
            window: { type: 'rolling', seconds: 86_400 },
          },
        ],
        [
          'max_daily_count',
          { threshold: scale(90), window: { type: 'calendar', unit: 'day', time_zone: 'Europe/London' } },
        ],
        [
          'max_daily_count',
          { threshold: scale(3), group_by: 'instrument', window: { type: 'rolling', seconds: 86_400 } },
        ],
        ['max_daily_count', { threshold: scale(200), group_by: 'destination_country' }],
        ['max_weekly_amount', { threshold: `${scale(600_000)}.00`, currency: 'USD' }],
        [
          'max_weekly_amount',
          {
            threshold: `${scale(9_000)}.00`,
            currency: 'USD',
            group_by: 'beneficiary',
            window: { type: 'calendar', unit: 'week', time_zone: 'Asia/Manila' },
          },
        ],
        [
          'max_monthly_amount',
          {
            threshold: `${scale(2_500_000)}.00`,
            currency: 'USD',
            window: { type: 'calendar', unit: 'month', time_zone: 'America/Sao_Paulo' },
          },
        ],
        [
          'max_monthly_amount',
          {
            threshold: `${scale(12_000)}.00`,
            currency: 'USD',
            group_by: 'instrument',
            window: { type: 'rolling', seconds: 30 * 86_400 },
          },
        ],
        [
          'max_amount_per_beneficiary',
          {
            threshold: `${scale(15_000)}.00`,
            currency: 'USD',
            window: { type: 'rolling', seconds: 30 * 86_400 },
          },
        ],
        [
          'max_amount_per_beneficiary',
          {
            threshold: `${scale(3_000)}.00`,
            currency: 'USD',
            window: { type: 'calendar', unit: 'day', time_zone: 'UTC' },
            action: 'review',
          },
        ],
        [
          'max_count_per_beneficiary',
          { threshold: scale(10), window: { type: 'rolling', seconds: 7 * 86_400 } },
        ],
        [
          'max_count_per_beneficiary',
          { threshold: scale(3), window: { type: 'rolling', seconds: 3_600 }, action: 'alert' },
        ],
        ['duplicate_detection', {}],
        [
          'duplicate_detection',
          { threshold: 1, window: { type: 'rolling', seconds: 600 }, action: 'review' },
        ],
        [
          'new_beneficiary_limit',
          {
            threshold: `${scale(2_000)}.00`,
            currency: 'USD',
            params: { max_age_seconds: 3 * 86_400 },
            window: { type: 'rolling', seconds: 3 * 86_400 },
          },
        ],
        [
          'new_beneficiary_limit',
          {
            threshold: scale(5),
            params: { max_age_seconds: 7 * 86_400 },
            window: { type: 'rolling', seconds: 7 * 86_400 },
          },
        ],
        ['geo_blocking', { params: { countries: ['KP', 'IR', 'SY'] } }],
        ['geo_blocking', { params: { mode: 'allow', countries }, action: 'alert' }],
        [
          'max_daily_amount',
          {
            threshold: `${scale(50_000)}.00`,
            currency: 'USD',
            group_by: 'destination_country',
            filters: { countries: { exclude: ['US'] } },
          },
        ],
        [
          'max_weekly_amount',
          {
            threshold: `${scale(20_000)}.00`,
            currency: 'USD',
            group_by: 'instrument',
            filters: { instrument_types: ['card'] },
          },
        ],
        [
          'max_daily_count',
          {
            threshold: scale(25),
            filters: { currencies: ['EUR'] },
            window: { type: 'rolling', seconds: 86_400 },
          },
        ],
      ].map(([kind, rest], i) => ({
        id: `r${String(i).padStart(2, '0')}`,
        name: `rule ${i}`,
        kind,
        action: 'block',
        enabled: true,
        ...(rest as object),
      })),
    }),
  )
}

// ---------------------------------------------------------------- naive reference

/** The per-decision cost of answering from the raw history: one scan per windowed rule. */
const naiveDecision = (ruleSet: RuleSet, past: ReadonlyArray<Payout>, p: Payout): number => {
  let triggered = 0
  for (const rule of ruleSet.rules as Rule[]) {
    if (rule.window.type === 'per_payout') continue
    const w = rule.window
    let count = 0
    let sum = 0n
    for (const e of past) {
      if (e.merchantId !== p.merchantId) continue
      if (rule.groupBy === 'beneficiary' && e.beneficiaryId !== p.beneficiaryId) continue
      if (rule.groupBy === 'instrument' && e.instrumentId !== p.instrumentId) continue
      if (rule.groupBy === 'destination_country' && e.destinationCountry !== p.destinationCountry) continue
      if (w.type === 'rolling' && e.createdAt <= p.createdAt - w.seconds * 1000) continue
      count++
      sum += e.amount.minor
    }
    if (count > 1_000_000 || sum < 0n) triggered++
  }
  return triggered
}

/**
 * The group keys of a replay and nothing else: each payout's beneficiary and instrument key found
 * or made in its merchant's plain Map, its duplicate key (amount) in the beneficiary's, one
 * counter bumped in each, and keys forgotten 30 days after their last payout: the bookkeeping any
 * replay of this history has to do, done the plain way, with no rule and no window. The bench
 * prints it to show where the backtest's time goes.
 */
const groupKeysAlone = (payouts: ReadonlyArray<Payout>): number => {
  interface Key {
    n: number
    last: number
  }
  interface MerchantKeys {
    readonly beneficiaries: Map<string, Key & { readonly amounts: Map<number, number> }>
    readonly instruments: Map<string, Key>
  }
  const merchants = new Map<string, MerchantKeys>()
  const horizon = 30 * 86_400_000
  let head = 0
  for (const p of payouts) {
    const now = p.createdAt
    for (let q = payouts[head] as Payout; q.createdAt <= now - horizon; q = payouts[++head] as Payout) {
      const m = merchants.get(q.merchantId) as MerchantKeys
      if (m.beneficiaries.get(q.beneficiaryId)?.last === q.createdAt) m.beneficiaries.delete(q.beneficiaryId)
      if (m.instruments.get(q.instrumentId)?.last === q.createdAt) m.instruments.delete(q.instrumentId)
    }
    let m = merchants.get(p.merchantId)
    if (m === undefined) {
      m = { beneficiaries: new Map(), instruments: new Map() }
      merchants.set(p.merchantId, m)
    }
    let b = m.beneficiaries.get(p.beneficiaryId)
    if (b === undefined) {
      b = { n: 0, last: now, amounts: new Map() }
      m.beneficiaries.set(p.beneficiaryId, b)
    }
    b.n++
    b.last = now
    const minor = Number(p.amount.minor)
    b.amounts.set(minor, (b.amounts.get(minor) ?? 0) + 1)
    let i = m.instruments.get(p.instrumentId)
    if (i === undefined) {
      i = { n: 0, last: now }
      m.instruments.set(p.instrumentId, i)
    }
    i.n++
    i.last = now
  }
  return merchants.size
}

// ---------------------------------------------------------------- main

export async function main(): Promise<void> {
  const ruleSet = rules()
  const biggest = Math.max(...sizes)
  let all = history(biggest + 2000, 1)
  const probes = all.slice(biggest, biggest + 1000)
  const ledgers = new Map<number, Ledger>()
  let bytesPerKey = Number.NaN
  for (const n of [...sizes].sort((a, b) => a - b)) {
    const base = heapUsed()
    let ledger = emptyLedger(ruleSet)
    const { ms } = timeOnce(() => {
      for (let i = 0; i < n; i++) ledger = right(recordPayout(ledger, all[i] as Payout))
    })
    const bytes = heapUsed() - base
    const size = ledgerSize(ledger)
    ledgers.set(n, ledger)
    if (n === biggest) bytesPerKey = bytes / size.trackedKeys
    process.stdout.write(
      `\nledger at ${n} payouts: ${size.trackedKeys} tracked keys, ${size.payouts} payouts held for release, ` +
        `${(bytes / 1e6).toFixed(1)} MB = ${(bytes / size.trackedKeys).toFixed(0)} bytes per tracked key ` +
        `(built with recordPayout at ${(n / ms).toFixed(0)}k/s)`,
    )
  }
  process.stdout.write('\n')
  // probes must come after every ledger's latest payout: shift them past the biggest history
  const last = (all[biggest - 1] as Payout).createdAt
  const shifted = probes.map((p) => ({
    ...p,
    createdAt: (p.createdAt - (probes[0]?.createdAt ?? 0) + last + 1000) as Payout['createdAt'],
  }))
  let k = 0
  const decide = (ledger: Ledger) => () => {
    const p = shifted[k++ % shifted.length] as Payout
    return right(evaluate(ruleSet, ledger, p))
  }
  const small = Math.min(...sizes)
  for (const n of sizes.filter((s) => s !== small))
    await compare({
      title: `velocity: per-decision time (24 rules), history ${n} vs ${small}`,
      baseline: { name: `evaluate, ledger of ${small}`, run: decide(ledgers.get(small) as Ledger) },
      candidate: { name: `evaluate, ledger of ${n}`, run: decide(ledgers.get(n) as Ledger) },
      target: n === biggest ? '≥ 0.67x (1M within 1.5x of 1k)' : undefined,
    })
  const mid = sizes.find((s) => s >= 100_000) ?? biggest
  const past = all.slice(0, mid)
  await compare(
    {
      title: `velocity: evaluate vs a naive scan of the history, at ${mid}`,
      baseline: {
        name: `naive scan of ${mid} payouts`,
        run: () => naiveDecision(ruleSet, past, shifted[k++ % shifted.length] as Payout),
      },
      candidate: { name: 'evaluate on the incremental ledger', run: decide(ledgers.get(mid) as Ledger) },
      target: '≥ 1000x',
    },
    1000,
  )
  ledgers.clear()

  // end to end from the NDJSON lines in one thread: parsed, decoded and replayed one by one through a
  // generator (constant memory), against a loop that only parses them. Both warmed up on a slice
  // first, each timed twice alternately after a full collection; the ratio of the best times.
  const lines = (backtestSize === biggest ? all.slice(0, biggest) : history(backtestSize, 2)).map((p) =>
    JSON.stringify(encodePayout(p)),
  )
  all = []
  const parseOnly = (xs: ReadonlyArray<string>) => () => {
    let n = 0
    for (const line of xs) n += (JSON.parse(line) as { amount: string }).amount.length
    return n
  }
  function* decoded(xs: ReadonlyArray<string>): Generator<Payout> {
    for (const line of xs) yield right(parsePayout(JSON.parse(line)))
  }
  const replay = (xs: ReadonlyArray<string>, b?: RuleSet) => () => right(backtest(decoded(xs), ruleSet, b))
  const warm = lines.slice(0, Math.min(lines.length, 100_000))
  parseOnly(warm)()
  replay(warm)()
  const rounds: Array<{ parse: number; one: number }> = []
  let report: BacktestReport | undefined
  for (let r = 0; r < 2; r++) {
    heapUsed()
    const parse = timeOnce(parseOnly(lines)).ms
    heapUsed()
    const one = timeOnce(replay(lines))
    report = one.result
    rounds.push({ parse, one: one.ms })
  }
  // the figure: the backtest of the payouts (decoded beforehand) against just JSON.parse of
  // their lines, timed as the above: twice, each round against a parse of its own, after a full
  // collection; the ratio of the best times
  let payouts: Payout[] = lines.map((line) => right(parsePayout(JSON.parse(line))))
  const aloneRounds: Array<{ parse: number; one: number }> = []
  for (let r = 0; r < 2; r++) {
    heapUsed()
    const parse = timeOnce(parseOnly(lines)).ms
    heapUsed()
    aloneRounds.push({ parse, one: timeOnce(() => right(backtest(payouts, ruleSet))).ms })
  }
  const bestAlone = (f: (x: { parse: number; one: number }) => number) => Math.min(...aloneRounds.map(f))
  // end to end from the NDJSON file with the command line, as a risk team would run it: `simulate`
  // reads, parses and decodes in its second thread while this one replays; against just reading the
  // file and JSON.parse-ing each line; twice, each round against a read of its own, best times
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payout-kernel-velocity-bench-'))
  const file = path.join(dir, 'payouts.ndjson')
  const rulesFile = path.join(dir, 'rules.json')
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  fs.writeFileSync(rulesFile, JSON.stringify(encodeRuleSet(ruleSet)))
  const sink = { write: () => true } as unknown as NodeJS.WritableStream
  const simulate = async (): Promise<number> =>
    runCli(['simulate', '--rules', rulesFile, '--history', file, '--json', '--threads', '2'], {
      out: sink,
      err: sink,
      examples: fileURLToPath(new URL('../../../examples', import.meta.url)),
    })
  const cliRounds: Array<{ parse: number; one: number }> = []
  for (let r = 0; r < 2; r++) {
    heapUsed()
    const parse = timeOnce(() => readAndParse(file)).ms
    heapUsed()
    const start = performance.now()
    const exit = await simulate()
    // exit 1: findings (payouts blocked or sent to review), as expected here; 2 would be an error
    if (exit === 2) throw new Error('simulate refused the bench history')
    cliRounds.push({ parse, one: performance.now() - start })
  }
  fs.rmSync(dir, { recursive: true, force: true })
  const bestCli = (f: (x: { parse: number; one: number }) => number) => Math.min(...cliRounds.map(f))
  // Where the time goes (no target): the group keys alone, and the backtest when they stay few.
  heapUsed()
  const keysAlone = timeOnce(() => groupKeysAlone(payouts))
  const fold = (id: string, prefix: string) => `${prefix}${Number(id.slice(4)) % 20}`
  payouts = lines.map((line) => {
    const wire = JSON.parse(line) as { beneficiary_id: string; instrument_id: string }
    return right(
      parsePayout({
        ...wire,
        beneficiary_id: fold(wire.beneficiary_id, 'ben_'),
        instrument_id: fold(wire.instrument_id, 'ins_'),
      }),
    )
  })
  heapUsed()
  const fewKeys = timeOnce(() => right(backtest(payouts, ruleSet)))
  payouts = []
  const twoLines = lines.slice(0, twoSetSize)
  heapUsed()
  const twoParse = timeOnce(parseOnly(twoLines))
  heapUsed()
  const two = timeOnce(replay(twoLines, rules(0.8)))
  const totals = report?.before.totals
  const ratio = (xs: Array<{ parse: number; one: number }>) => {
    const parse = Math.min(...xs.map((x) => x.parse))
    const one = Math.min(...xs.map((x) => x.one))
    return `${one.toFixed(0)} ms = ${(one / parse).toFixed(2)}x`
  }
  const each = (xs: Array<{ parse: number; one: number }>) =>
    xs.map((x) => `${x.parse.toFixed(0)} / ${x.one.toFixed(0)} ms`).join(', ')
  process.stdout.write(
    `\nvelocity: backtest of ${backtestSize} payouts x 24 rules, against JSON.parse of the same NDJSON lines (best of ${aloneRounds.length}; each round: ${each(aloneRounds)})\n` +
      `  baseline   JSON.parse of each line                                    ${bestAlone((x) => x.parse).toFixed(0)} ms\n` +
      `  candidate  backtest (one rule set; payouts decoded beforehand)         ${bestAlone((x) => x.one).toFixed(0)} ms  (${(((backtestSize / bestAlone((x) => x.one)) * 1000) / 1e6).toFixed(2)}M payouts/s)\n` +
      `  ratio      ${(bestAlone((x) => x.one) / bestAlone((x) => x.parse)).toFixed(2)}x JSON.parse   (target ≤ 3x)\n` +
      `  end to end from the file, simulate (its second thread reads, parses and decodes; best of ${cliRounds.length}, each against read + JSON.parse of the file: ${each(cliRounds)}): ${ratio(cliRounds)} (${(((backtestSize / bestCli((x) => x.one)) * 1000) / 1e6).toFixed(2)}M payouts/s)\n` +
      `  end to end from the lines in one thread, JSON.parse + parsePayout + backtest (best of ${rounds.length}; each round: ${each(rounds)}): ${ratio(rounds)}\n` +
      `  where      the group keys alone (find or make each payout's beneficiary, instrument and duplicate key in plain Maps, forget them 30 days on): ${keysAlone.ms.toFixed(0)} ms (${(keysAlone.ms / bestAlone((x) => x.parse)).toFixed(2)}x); the backtest alone with 20 beneficiaries and 20 instruments per merchant (keys few and hot): ${fewKeys.ms.toFixed(0)} ms (${(fewKeys.ms / bestAlone((x) => x.parse)).toFixed(2)}x)\n` +
      `  also       two rule sets, first ${twoLines.length} lines: ${two.ms.toFixed(0)} ms (${(two.ms / twoParse.ms).toFixed(2)}x their JSON.parse), ${two.result.differences?.total} decisions differ\n` +
      `  outcome    allowed ${totals?.allowed.payouts}, review ${totals?.review.payouts}, blocked ${totals?.blocked.payouts}, alerts ${totals?.alerts}\n` +
      `  memory     ${bytesPerKey.toFixed(0)} bytes per tracked key (ledger of ${biggest})\n`,
  )
}
