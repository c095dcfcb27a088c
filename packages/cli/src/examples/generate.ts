// The example data generator: a synthetic year of payouts for a handful of merchants, with the
// rule sets to backtest, scoring rules and transactions, and a payout event log with out-of-order
// and duplicate rail events. Deterministic (a seed), streamed (constant memory in the number of
// payouts), built on the testkit's arbitraries drawn with one seeded random generator.
import { defaultPayoutConfig, type PayoutEvent, type StartPayoutInput } from '@payout-kernel/payout-machine'
import { core, payoutMachine } from '@payout-kernel/testkit'
import fc from 'fast-check'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { currentVelocityRules, proposedVelocityRules, scoringRules, usdRates } from './ruleSets.js'

/** Where the generator writes: one call per file, lines appended in order. */
export interface ExampleSink {
  file(name: string): { write(line: string): void; close(): void }
}

/** How much to generate. */
export interface ExampleSize {
  readonly seed: number
  readonly payouts: number
  readonly transactions: number
  readonly lifecycles: number
}

interface Corridor {
  readonly country: string
  readonly currency: string
  readonly scale: number
  /** Typical payout in major units of the currency. */
  readonly typical: number
  readonly usd: number
}

const corridors: ReadonlyArray<Corridor> = [
  { country: 'PH', currency: 'PHP', scale: 2, typical: 12_000, usd: 0.0172 },
  { country: 'MX', currency: 'MXN', scale: 2, typical: 4_500, usd: 0.0581 },
  { country: 'IN', currency: 'INR', scale: 2, typical: 25_000, usd: 0.01198 },
  { country: 'NG', currency: 'NGN', scale: 2, typical: 180_000, usd: 0.000645 },
  { country: 'KE', currency: 'KES', scale: 2, typical: 30_000, usd: 0.00774 },
  { country: 'GB', currency: 'GBP', scale: 2, typical: 450, usd: 1.2702 },
  { country: 'DE', currency: 'EUR', scale: 2, typical: 600, usd: 1.0834 },
  { country: 'JP', currency: 'JPY', scale: 0, typical: 70_000, usd: 0.00667 },
  { country: 'US', currency: 'USD', scale: 2, typical: 700, usd: 1 },
]

const instrumentTypes = ['bank_account', 'bank_account', 'bank_account', 'card', 'wallet'] as const
const yearStart = Date.UTC(2025, 0, 1)
const yearMs = 365 * 86_400_000

interface Beneficiary {
  readonly id: string
  readonly createdAt: number
  readonly corridor: Corridor
  readonly instruments: ReadonlyArray<{ readonly id: string; readonly type: string }>
  payouts: number
  lastAt: number
}

interface Merchant {
  readonly id: string
  readonly weight: number
  readonly scaleUp: number
  readonly beneficiaries: Beneficiary[]
}

/** Draws from the testkit's arbitraries and plain distributions with one seeded generator. */
class Draw {
  readonly random: fc.Random
  constructor(seed: number) {
    this.random = new fc.Random(xoroshiro128plus(seed))
  }
  from<A>(arb: fc.Arbitrary<A>): A {
    return arb.generate(this.random, undefined).value
  }
  int(min: number, max: number): number {
    return this.random.nextInt(min, max)
  }
  chance(p: number): boolean {
    return this.random.nextDouble() < p
  }
  pick<A>(xs: ReadonlyArray<A>): A {
    return xs[this.int(0, xs.length - 1)] as A
  }
  /** Log-normal around `typical`, spread ×/÷ e^σ. */
  lognormal(typical: number, sigma: number): number {
    const u = Math.max(1e-12, this.random.nextDouble())
    const v = this.random.nextDouble()
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    return typical * Math.exp(sigma * z)
  }
}

const amountString = (major: number, scale: number): string => {
  const minor = Math.max(1, Math.round(major * 10 ** scale))
  const digits = String(minor).padStart(scale + 1, '0')
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

const merchantsOf = (draw: Draw): Merchant[] =>
  [
    { name: 'globex', weight: 5, beneficiaries: 220, scaleUp: 1 },
    { name: 'initech', weight: 2, beneficiaries: 90, scaleUp: 1.8 },
    { name: 'umbrella', weight: 2, beneficiaries: 60, scaleUp: 3 },
    { name: 'hooli', weight: 1, beneficiaries: 35, scaleUp: 0.6 },
  ].map((m) => ({
    id: `mer_${m.name}`,
    weight: m.weight,
    scaleUp: m.scaleUp,
    beneficiaries: Array.from({ length: m.beneficiaries }, (_, n) => {
      const corridor = draw.chance(0.004)
        ? { ...draw.pick(corridors), country: draw.pick(['IR', 'KP', 'CU']) }
        : draw.pick(corridors)
      return {
        id: `ben_${m.name.slice(0, 2)}${n}${draw.from(core.arbId('x', 8)).slice(1)}`,
        // Two thirds existed before the year; the rest arrive during it.
        createdAt: draw.chance(0.66)
          ? yearStart - draw.int(1, 700) * 86_400_000
          : yearStart + draw.int(0, yearMs - 1),
        corridor,
        instruments: Array.from({ length: draw.chance(0.2) ? 2 : 1 }, (_, k) => ({
          id: `ins_${m.name.slice(0, 2)}${n}x${k}${draw.from(core.arbId('x', 6)).slice(1)}`,
          type: draw.pick(instrumentTypes),
        })),
        payouts: 0,
        lastAt: 0,
      }
    }),
  }))

/** One velocity payout line (snake_case, as the payouts API holds it). */
const payoutLine = (draw: Draw, n: number, m: Merchant, b: Beneficiary, at: number, major?: number) => {
  const instrument = draw.pick(b.instruments)
  return {
    id: `pay_${String(n).padStart(7, '0')}${draw.from(core.arbId('x', 6)).slice(1)}`,
    merchant_id: m.id,
    beneficiary_id: b.id,
    beneficiary_created_at: b.createdAt,
    instrument_id: instrument.id,
    instrument_type: instrument.type,
    destination_country: b.corridor.country,
    amount: amountString(major ?? draw.lognormal(b.corridor.typical * m.scaleUp, 0.9), b.corridor.scale),
    currency: b.corridor.currency,
    created_at: at,
  }
}

type PayoutLine = ReturnType<typeof payoutLine>

/**
 * The year of payouts, in time order: steady traffic with a daily rhythm, plus bursts that trip
 * rules (a beneficiary paid many times within minutes, the same amount twice, a large first
 * payout to a new beneficiary, an occasional very large payout).
 */
function* payoutsOf(draw: Draw, merchants: Merchant[], count: number): Generator<PayoutLine> {
  const weights = merchants.flatMap((m) => Array.from({ length: m.weight }, () => m))
  // bursts add a few minutes each on top of the steady gaps: leave room for them so a large
  // history spreads over the year instead of piling up on its last millisecond
  const gap = yearMs / count / 1.15
  const last = yearStart + yearMs - 1
  let at = yearStart
  let n = 0
  while (n < count) {
    at += Math.max(1, Math.round(-Math.log(Math.max(1e-12, draw.random.nextDouble())) * gap))
    if (at > last) at = last
    const m = draw.pick(weights)
    const live = m.beneficiaries.filter((b) => b.createdAt <= at)
    if (live.length === 0) continue
    const b = draw.pick(live)
    const burst = draw.chance(0.01)
    const lines: PayoutLine[] = []
    if (burst) {
      // A burst: several payouts to one beneficiary within minutes, some of the same amount.
      const size = draw.int(3, 8)
      const base = payoutLine(draw, n, m, b, at)
      let when = at
      for (let i = 0; i < size && n + lines.length < count; i++) {
        const same = draw.chance(0.4)
        when = Math.min(last, when + (i === 0 ? 0 : draw.int(20_000, 120_000)))
        const line = payoutLine(draw, n + lines.length, m, b, when)
        lines.push(same ? { ...line, amount: base.amount } : line)
      }
    } else if (at - b.createdAt < 3 * 86_400_000 && draw.chance(0.3)) {
      lines.push(payoutLine(draw, n, m, b, at, b.corridor.typical * m.scaleUp * draw.int(4, 12)))
    } else if (draw.chance(0.003)) {
      lines.push(payoutLine(draw, n, m, b, at, draw.int(8_000, 40_000) / b.corridor.usd))
    } else lines.push(payoutLine(draw, n, m, b, at))
    for (const line of lines) {
      n += 1
      b.payouts += 1
      b.lastAt = line.created_at
      at = Math.max(at, line.created_at)
      yield line
    }
  }
}

/** A scoring transaction (flat fields, as seed 002 sends them) derived from a payout, with features. */
const transactionOf = (draw: Draw, p: PayoutLine, b: Beneficiary, count24h: number) => {
  const corridor = b.corridor
  const usd = (Number(p.amount) * corridor.usd).toFixed(2)
  return {
    transaction: {
      referenceId: p.id,
      customerId: p.merchant_id,
      amount: p.amount,
      currency: p.currency,
      amount_usd: usd,
      country: p.destination_country,
      instrumentType: p.instrument_type,
      recognizedDevice: draw.chance(0.85) ? '1' : '0',
      riskyAsn: draw.chance(0.03),
      pepMatch: draw.chance(0.002),
      hour_utc: new Date(p.created_at).getUTCHours(),
      ...(draw.chance(0.05) ? {} : { bnfName: 'Name Surname' }),
    },
    features: {
      beneficiary_payouts_total: b.payouts,
      beneficiary_count_24h: count24h,
      beneficiary_age_days: Math.floor((p.created_at - b.createdAt) / 86_400_000),
    },
  }
}

/** A lifecycle's events as a network delivers rail webhooks: some twice, some out of order. */
const disturbed = (draw: Draw, events: ReadonlyArray<PayoutEvent>): PayoutEvent[] => {
  const out = [...events]
  for (let i = out.length - 2; i >= 0; i--) {
    const a = out[i]
    const b = out[i + 1]
    if (
      a !== undefined &&
      b !== undefined &&
      a.type.startsWith('RAIL_') &&
      b.type.startsWith('RAIL_') &&
      draw.chance(0.25)
    ) {
      out[i] = b
      out[i + 1] = a
    }
  }
  return out.flatMap((e) => (e.type.startsWith('RAIL_') && draw.chance(0.15) ? [e, e] : [e]))
}

/** Writes every example file. Returns how many lines each got. */
export const generateExamples = (size: ExampleSize, sink: ExampleSink): Record<string, number> => {
  const draw = new Draw(size.seed)
  const counts: Record<string, number> = {}
  const writeJson = (name: string, value: unknown) => {
    const f = sink.file(name)
    f.write(`${JSON.stringify(value, null, 2)}\n`)
    f.close()
    counts[name] = 1
  }
  writeJson('velocity-current.json', currentVelocityRules)
  writeJson('velocity-proposed.json', proposedVelocityRules)
  writeJson('rates.json', usdRates)
  writeJson('scoring-rules.json', scoringRules)

  const merchants = merchantsOf(draw)
  const byId = new Map(merchants.flatMap((m) => m.beneficiaries.map((b) => [b.id, b] as const)))
  const payouts = sink.file('payouts.ndjson')
  // The first payouts again as CSV with a header row, to show the other input format.
  const csv = sink.file('payouts-sample.csv')
  const columns = [
    'id',
    'merchant_id',
    'beneficiary_id',
    'beneficiary_created_at',
    'instrument_id',
    'instrument_type',
    'destination_country',
    'amount',
    'currency',
    'created_at',
  ] as const
  csv.write(`${columns.join(',')}\n`)
  let nCsv = 0
  const transactions = sink.file('transactions.ndjson')
  const recent = new Map<string, number[]>()
  let nPayouts = 0
  let nTransactions = 0
  const everyNth = Math.max(1, Math.floor(size.payouts / Math.max(1, size.transactions)))
  for (const p of payoutsOf(draw, merchants, size.payouts)) {
    payouts.write(`${JSON.stringify(p)}\n`)
    if (nCsv < 300) {
      csv.write(`${columns.map((c) => String(p[c])).join(',')}\n`)
      nCsv += 1
    }
    const b = byId.get(p.beneficiary_id)
    const times = (recent.get(p.beneficiary_id) ?? []).filter((t) => t > p.created_at - 86_400_000)
    times.push(p.created_at)
    recent.set(p.beneficiary_id, times)
    if (b !== undefined && nPayouts % everyNth === 0 && nTransactions < size.transactions) {
      transactions.write(`${JSON.stringify(transactionOf(draw, p, b, times.length))}\n`)
      nTransactions += 1
    }
    nPayouts += 1
  }
  payouts.close()
  csv.close()
  counts['payouts-sample.csv'] = nCsv + 1
  transactions.close()
  counts['payouts.ndjson'] = nPayouts
  counts['transactions.ndjson'] = nTransactions

  // Payout event logs: lifecycles walked through the machine (the testkit's generator), the rail
  // webhooks disturbed, payouts interleaved by arrival time.
  const lifecycles = payoutMachine.arbPayoutLifecycle({ config: fc.constant(defaultPayoutConfig) })
  type Line = {
    readonly payout_id: string
    readonly event: PayoutEvent | ({ readonly type: 'CREATED' } & Omit<StartPayoutInput, 'payoutId'>)
  }
  const arrivals: Array<{ at: number; line: Line }> = []
  for (let i = 0; i < size.lifecycles; i++) {
    const l = draw.from(lifecycles)
    const offset = yearStart + draw.int(0, yearMs - 1) - l.start.occurredAt
    const shift = <E extends { occurredAt: number }>(e: E): E => ({ ...e, occurredAt: e.occurredAt + offset })
    const id = l.start.payoutId
    const { payoutId: _omit, ...start } = shift(l.start)
    arrivals.push({ at: start.occurredAt, line: { payout_id: id, event: { type: 'CREATED', ...start } } })
    const times = l.events.map((e) => e.occurredAt + offset)
    disturbed(draw, l.events).forEach((e, k) => {
      arrivals.push({
        at: times[Math.min(k, times.length - 1)] ?? start.occurredAt,
        line: { payout_id: id, event: shift(e) },
      })
    })
  }
  arrivals.sort((a, b) => a.at - b.at)
  const events = sink.file('payout-events.ndjson')
  for (const a of arrivals) events.write(`${JSON.stringify(a.line)}\n`)
  events.close()
  counts['payout-events.ndjson'] = arrivals.length
  return counts
}
