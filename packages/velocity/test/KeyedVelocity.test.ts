// Keyed velocity against the in-process ledger: the same random rule sets and time-ordered payout
// streams (records, refusals, releases, re-used ids, pruning) through `decideKeyed` /
// `releaseKeyed` over a Map of records and through `evaluate` / `recordPayout` / `releasePayout`
// on a Ledger give exactly the same answers. Plus the record codecs against garbage.
import { fc, test } from '@fast-check/vitest'
import type { Versioned } from '@payout-kernel/core'
import { arbGarbage } from '@payout-kernel/core/testing'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  countedKeysOf,
  decideKeyed,
  decodeVelocityRecord,
  emptyLedger,
  evaluate,
  evaluateAndRecordStep,
  evaluateKeyed,
  inMemoryVelocityStore,
  type Payout,
  parseRuleSet,
  payout,
  recordPayout,
  releaseKeyed,
  releasePayout,
  releaseStep,
  type VelocityReads,
  type VelocityRecord,
  type VelocityWrite,
  velocityKeysOf,
  velocityPayoutKey,
  velocityRecordExpiry,
} from '../src/index.js'
import { arbHistory, arbRuleSet } from '../src/testing/index.js'
import type { Rates } from './naive.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

// ---------------------------------------------------------------- a Map of records

/** The obviously simple store: a Map, one version counter, writes checked against what was read. */
class Records {
  readonly map = new Map<string, Versioned<VelocityRecord>>()
  private counter = 0

  read(keys: ReadonlyArray<string>): VelocityReads {
    return new Map(keys.map((k) => [k, this.map.get(k) ?? null]))
  }

  /**
   * Applies writes (each must find the version it expects) after a JSON round trip of each record;
   * with `now`, also checks none is written already expired (a release has no time: it may give
   * usage back to a period that has ended, which pruning deletes).
   */
  apply(writes: ReadonlyArray<VelocityWrite>, now: number | null): void {
    for (const w of writes) expect(this.map.get(w.key)?.version ?? null).toBe(w.expected)
    for (const w of writes) {
      if (w.value === null) {
        this.map.delete(w.key)
        continue
      }
      const back = right(decodeVelocityRecord(JSON.parse(JSON.stringify(w.value))))
      expect(back).toEqual(w.value)
      const expiry = velocityRecordExpiry(back)
      if (now !== null) expect(expiry === null || expiry > now).toBe(true)
      this.map.set(w.key, { version: ++this.counter, value: back })
    }
  }

  prune(now: number): void {
    for (const [k, r] of this.map) {
      const expiry = velocityRecordExpiry(r.value)
      if (expiry !== null && expiry <= now) this.map.delete(k)
    }
  }
}

const rateSets = fc.constantFrom<Rates>(
  [],
  [
    { from: 'EUR', to: 'USD', rate: '1.0835' },
    { from: 'JPY', to: 'USD', rate: '0.0067' },
    { from: 'USD', to: 'EUR', rate: '0.92' },
  ],
)

/** Per payout: record it (8 in 10) or only evaluate; release an earlier one; re-use an id; prune. */
const arbScript = fc.tuple(
  arbRuleSet(6),
  arbHistory(40),
  fc.array(
    fc.record({
      record: fc.nat({ max: 9 }),
      release: fc.option(fc.nat(), { nil: undefined }),
      reuse: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.nat(), weight: 1 }),
      prune: fc.boolean(),
    }),
    { minLength: 40, maxLength: 40 },
  ),
  rateSets,
)

describe('keyed velocity against the ledger', () => {
  test.prop([arbScript], { numRuns: 2000 })(
    'the keyed form over a Map of records and the ledger give the same verdicts, refusals and releases',
    ([ruleSet, history, script, rates]) => {
      let ledger = emptyLedger(ruleSet)
      const records = new Records()
      const options = { rates }
      const seen: Payout[] = []
      /** Ids recorded and not released, with the time they were recorded at. */
      const held = new Map<string, number>()
      history.forEach((original, i) => {
        const step = script[i] ?? { record: 0, release: undefined, reuse: undefined, prune: false }
        let p = original
        if (step.reuse !== undefined) {
          // An earlier id that neither side can still hold, or that was recorded at this same instant
          // (both then hold it exactly when some window counts it).
          const free = [...new Set(seen.map((s) => s.id))].filter(
            (id) => !held.has(id) || held.get(id) === p.createdAt,
          )
          const id = free[step.reuse % Math.max(1, free.length)]
          if (id !== undefined) p = { ...p, id: id as Payout['id'] }
        }
        seen.push(p)
        const reads = records.read(velocityKeysOf(ruleSet, p).map((k) => k.id))
        const verdict = evaluate(ruleSet, ledger, p, options)
        expect(evaluateKeyed(ruleSet, reads, p, options)).toEqual(verdict)
        if (step.record < 8) {
          const decision = decideKeyed(ruleSet, reads, p, options)
          if (E.isLeft(verdict)) expect(decision).toEqual(verdict)
          else if (verdict.right.action === 'block')
            expect(decision).toEqual(E.right({ verdict: verdict.right, writes: [] }))
          else {
            const recorded = recordPayout(ledger, p)
            if (E.isLeft(recorded)) expect(decision).toEqual(recorded)
            else {
              ledger = recorded.right
              const d = right(decision)
              expect(d.verdict).toEqual(verdict.right)
              records.apply(d.writes, p.createdAt)
              held.set(p.id, p.createdAt)
            }
          }
        }
        if (step.release !== undefined) {
          const victim = seen[step.release % seen.length]?.id ?? p.id
          ledger = releasePayout(ledger, victim)
          const first = records.read([velocityPayoutKey(victim).id])
          const own = first.get(velocityPayoutKey(victim).id)
          const counted = own === null || own === undefined ? [] : countedKeysOf(own.value)
          const reads2 = new Map([...first, ...records.read(counted)])
          records.apply(right(releaseKeyed(victim, reads2)), null)
          held.delete(victim)
        }
        if (step.prune) records.prune(p.createdAt)
      })
    },
    120_000,
  )

  test.prop([arbRuleSet(6), arbHistory(30), fc.array(fc.nat(), { minLength: 30, maxLength: 30 })], {
    numRuns: 300,
  })(
    'the in-memory store running the steps gives the ledger’s verdicts, one decision at a time',
    async (ruleSet, history, releases) => {
      const store = inMemoryVelocityStore()
      let ledger = emptyLedger(ruleSet)
      for (const [i, p] of history.entries()) {
        const verdict = evaluate(ruleSet, ledger, p)
        const keyed = await store.run(evaluateAndRecordStep(ruleSet, p))
        expect(keyed).toEqual(verdict)
        if (E.isRight(verdict) && verdict.right.action !== 'block') ledger = right(recordPayout(ledger, p))
        if ((releases[i] ?? 0) % 4 === 0) {
          const victim = history[(releases[i] ?? 0) % (i + 1)]?.id ?? p.id
          ledger = releasePayout(ledger, victim)
          expect(E.isRight(await store.run(releaseStep(victim)))).toBe(true)
        }
      }
    },
    120_000,
  )
})

// ---------------------------------------------------------------- worked examples

const at = (id: string, createdAt: number, over: Record<string, unknown> = {}): Payout =>
  right(
    payout({
      id,
      merchantId: 'mer_1',
      beneficiaryId: 'ben_1',
      instrumentId: 'ins_1',
      instrumentType: 'bank_account',
      destinationCountry: 'PH',
      amount: '100.00',
      currency: 'USD',
      createdAt,
      ...over,
    }),
  )

const hour = 3_600_000
const t0 = Date.UTC(2026, 0, 15, 9)

describe('keyed records', () => {
  const rules = right(
    parseRuleSet({
      version: 1,
      rules: [
        {
          id: 'hourly',
          name: 'Hourly amount',
          kind: 'max_daily_amount',
          action: 'block',
          enabled: true,
          threshold: '250.00',
          currency: 'USD',
          window: { type: 'rolling', seconds: 3600 },
        },
        {
          id: 'daily',
          name: 'Daily count',
          kind: 'max_daily_count',
          action: 'review',
          enabled: true,
          threshold: 2,
        },
        {
          id: 'ever',
          name: 'Per beneficiary',
          kind: 'max_amount_per_beneficiary',
          action: 'alert',
          enabled: false,
          threshold: '1000.00',
          currency: 'USD',
        },
      ],
    }),
  )

  it('a rolling row keeps only what its window still holds; calendar rows are per period; lifetime rows totals', () => {
    const records = new Records()
    for (const [id, t] of [
      ['pay_1', t0],
      ['pay_2', t0 + 30 * 60_000],
      ['pay_3', t0 + 2 * hour],
    ] as const) {
      const p = at(id, t)
      records.apply(
        right(decideKeyed(rules, records.read(velocityKeysOf(rules, p).map((k) => k.id)), p)).writes,
        t,
      )
    }
    const byKind = (kind: string) =>
      [...records.map.values()].map((r) => r.value).filter((r) => r.kind === kind)
    const rolling = byKind('rolling')
    expect(rolling).toEqual([
      {
        kind: 'rolling',
        latest: t0 + 2 * hour,
        until: t0 + 3 * hour,
        events: [{ id: 'pay_3', t: t0 + 2 * hour, currency: 'USD', minor: '10000', value: null }],
      },
    ])
    expect(byKind('calendar')).toEqual([
      {
        kind: 'calendar',
        born: `${t0}/pay_1`,
        start: Date.UTC(2026, 0, 15),
        end: Date.UTC(2026, 0, 16),
        count: 3,
        sums: { USD: '30000' },
        values: {},
      },
    ])
    // the disabled rule still keeps its usage (as the ledger's tracker does)
    expect(byKind('lifetime')).toEqual([
      { kind: 'lifetime', born: `${t0}/pay_1`, count: 3, sums: { USD: '30000' }, values: {} },
    ])
    expect(byKind('payout').map((r) => r.kind === 'payout' && r.liveUntil)).toEqual([null, null, null])
  })

  it('a release gives the usage back and deletes the payout’s own record', () => {
    const records = new Records()
    const p = at('pay_1', t0)
    records.apply(
      right(decideKeyed(rules, records.read(velocityKeysOf(rules, p).map((k) => k.id)), p)).writes,
      t0,
    )
    expect(records.map.size).toBe(4)
    const own = records.read([velocityPayoutKey('pay_1').id])
    const counted = countedKeysOf(right(E.fromNullable('none')(own.get('p/pay_1'))).value)
    records.apply(right(releaseKeyed('pay_1', new Map([...own, ...records.read(counted)]))), null)
    expect(records.map.size).toBe(0)
  })

  it('refuses a payout older than a rolling row’s latest, and names keys it was not given', () => {
    const records = new Records()
    const p = at('pay_1', t0)
    records.apply(
      right(decideKeyed(rules, records.read(velocityKeysOf(rules, p).map((k) => k.id)), p)).writes,
      t0,
    )
    const older = at('pay_2', t0 - 1)
    const late = evaluateKeyed(rules, records.read(velocityKeysOf(rules, older).map((k) => k.id)), older)
    expect(E.isLeft(late) && late.left._tag === 'ValidationError' && late.left.problems[0]?.field).toBe(
      'created_at',
    )
    const next = at('pay_2', t0 + 1)
    expect(evaluateKeyed(rules, new Map(), next)).toEqual(
      E.left({ _tag: 'UntrackedRules', ruleIds: ['daily', 'hourly'] }),
    )
    const keys = velocityKeysOf(rules, next).map((k) => k.id)
    const withoutOwn = records.read(keys.filter((k) => !k.startsWith('p/')))
    const refused = decideKeyed(rules, withoutOwn, next)
    expect(
      E.isLeft(refused) && refused.left._tag === 'ValidationError' && refused.left.problems[0]?.field,
    ).toBe('p/pay_2')
  })

  it('a release only gives back to the period row it counted in, not one made again after pruning', () => {
    const both = right(
      parseRuleSet({
        version: 1,
        rules: [
          {
            id: 'day',
            name: 'Daily count',
            kind: 'max_daily_count',
            action: 'block',
            enabled: true,
            threshold: 9,
          },
          {
            id: 'ever',
            name: 'Ever',
            kind: 'max_count_per_beneficiary',
            action: 'alert',
            enabled: true,
            threshold: 9,
          },
        ],
      }),
    )
    const records = new Records()
    const decide = (p: Payout) =>
      records.apply(
        right(decideKeyed(both, records.read(velocityKeysOf(both, p).map((k) => k.id)), p)).writes,
        null,
      )
    decide(at('pay_1', t0))
    records.prune(Date.UTC(2026, 0, 16)) // the day has ended: its row goes, pay_1's own record stays (lifetime)
    decide(at('pay_2', t0 + hour)) // a late payout of that day makes the row again
    const own = records.read(['p/pay_1'])
    const counted = countedKeysOf(right(E.fromNullable('none')(own.get('p/pay_1'))).value)
    const writes = right(releaseKeyed('pay_1', new Map([...own, ...records.read(counted)])))
    expect(writes.map((w) => [w.key.split('/')[0], w.value?.kind ?? null])).toEqual([
      ['p', null],
      ['u', 'lifetime'],
    ])
  })

  it('refuses a record that cannot belong under its key', () => {
    const p = at('pay_1', t0)
    const keys = velocityKeysOf(rules, p)
    const daily = keys.find((k) => k.kind === 'usage' && k.window === 'calendar')
    const reads = new Map(keys.map((k) => [k.id, null] as [string, Versioned<VelocityRecord> | null]))
    reads.set(daily?.id ?? '', {
      version: 1,
      value: { kind: 'lifetime', born: '0/pay_0', count: 1, sums: {}, values: {} },
    })
    const refused = evaluateKeyed(rules, reads, p)
    expect(
      E.isLeft(refused) && refused.left._tag === 'ValidationError' && refused.left.problems[0]?.field,
    ).toBe(`${daily?.id}.kind`)
  })
})

// ---------------------------------------------------------------- garbage

const arbRecord: fc.Arbitrary<VelocityRecord> = fc.oneof(
  fc.record({
    kind: fc.constant('calendar' as const),
    born: fc.constant('1000/pay_1'),
    start: fc.constant(0),
    end: fc.constant(86_400_000),
    count: fc.integer({ min: 1, max: 9 }),
    sums: fc.constant({ USD: '1200', EUR: '5' }),
    values: fc.constant({ ben_1: 2 }),
  }),
  fc.record({
    kind: fc.constant('lifetime' as const),
    born: fc.constant('1000/pay_1'),
    count: fc.integer({ min: 1, max: 9 }),
    sums: fc.constant({ JPY: '70' }),
    values: fc.constant({}),
  }),
  fc.record({
    kind: fc.constant('rolling' as const),
    latest: fc.constant(5000),
    until: fc.constant(65_000),
    events: fc.constant([
      { id: 'pay_1', t: 4000, currency: 'USD', minor: '100', value: 'PH' },
      { id: 'pay_2', t: 5000, currency: 'EUR', minor: '7', value: null },
    ]),
  }),
  fc.record({
    kind: fc.constant('payout' as const),
    id: fc.constant('pay_1'),
    t: fc.constant(1000),
    liveUntil: fc.constantFrom(null, 90_000),
    currency: fc.constant('USD'),
    minor: fc.constant('100'),
    counted: fc.constant([{ key: 'u/t0/mer_1', born: '1000/pay_1', value: null }]),
  }),
)

/** Every leaf path of a JSON value (`events.0.minor`). */
const leaves = (u: unknown, path = ''): string[] =>
  typeof u === 'object' && u !== null && Object.keys(u).length > 0
    ? Object.entries(u).flatMap(([k, v]) => leaves(v, path === '' ? k : `${path}.${k}`))
    : [path]

const plant = (u: unknown, path: ReadonlyArray<string>, garbage: unknown): unknown => {
  if (path.length === 0) return garbage
  const [head, ...rest] = path as [string, ...string[]]
  const copy: Record<string, unknown> = Array.isArray(u)
    ? ({ ...u } as Record<string, unknown>)
    : { ...(u as object) }
  copy[head] = plant(copy[head], rest, garbage)
  return Array.isArray(u) ? Object.assign([], copy) : copy
}

/** Fields a cross-field check may name when another field moved. */
const related: Readonly<Record<string, ReadonlyArray<string>>> = {
  start: ['end'],
  latest: ['until', 'events.0.t', 'events.1.t'],
  until: ['events.0.t', 'events.1.t'],
  t: ['liveUntil'],
}

describe('record codecs against garbage', () => {
  test.prop([arbGarbage], { numRuns: 10_000 })(
    'garbage is refused with a ValidationError, never thrown',
    (u) => {
      const r = decodeVelocityRecord(u)
      expect(E.isLeft(r)).toBe(true)
      if (E.isLeft(r)) {
        expect(r.left._tag).toBe('ValidationError')
        expect(r.left.problems.length).toBeGreaterThan(0)
        for (const p of r.left.problems) expect(['', 'kind']).toContain(p.field)
      }
    },
  )

  test.prop([arbRecord.chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...leaves(r)))), arbGarbage], {
    numRuns: 10_000,
  })(
    'garbage planted in a field is refused naming that field (or is a valid value for it)',
    ([record, path], garbage) => {
      const planted = plant(record, path.split('.'), garbage)
      const r = decodeVelocityRecord(planted)
      if (E.isRight(r)) {
        // the garbage fit the field: decoding gives back what was planted
        expect(JSON.stringify(r.right)).toBe(JSON.stringify(planted))
        return
      }
      const fields = r.left.problems.map((p) => p.field)
      const allowed = [path, ...(related[path] ?? [])]
      expect(fields.some((f) => allowed.includes(f) || f.startsWith(`${path}.`))).toBe(true)
    },
  )

  it('a store holding a corrupt record answers a ValidationError naming the key and field, never a verdict', async () => {
    const rules = right(
      parseRuleSet({
        version: 1,
        rules: [
          { id: 'n', name: 'Count', kind: 'max_daily_count', action: 'block', enabled: true, threshold: 5 },
        ],
      }),
    )
    const p = at('pay_1', t0)
    const day = velocityKeysOf(rules, p).find((k) => k.kind === 'usage')?.id ?? ''
    const store = inMemoryVelocityStore([[day, { version: 3, value: { kind: 'calendar', count: -1 } }]])
    const result = await store.run(evaluateAndRecordStep(rules, p))
    expect(E.isLeft(result) && result.left._tag === 'ValidationError' && result.left.problems[0]?.field).toBe(
      `${day}.born`,
    )
  })
})
