// The records of keyed velocity as plain JSON (a store keeps them as jsonb), their io-ts codecs, and
// the exact arithmetic on their sums. Money is integer minor units in decimal strings; counts and
// instants are safe integers. Decoding names the bad field (`events.3.minor`) and never throws.
import { Currency, describeValue, EpochMillis } from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- model

/** Exact totals per currency: integer minor units as decimal strings (never a float). */
export type Sums = Readonly<Record<string, string>>
/** Distinct-count trackers: how many counted payouts hold each value (present while > 0). */
export type Values = Readonly<Record<string, number>>

export interface CalendarUsage {
  readonly kind: 'calendar'
  /** `createdAt/id` of the payout that made the row: a release only subtracts from the row it counted in. */
  readonly born: string
  readonly start: number
  readonly end: number
  readonly count: number
  readonly sums: Sums
  readonly values: Values
}

export interface LifetimeUsage {
  readonly kind: 'lifetime'
  readonly born: string
  readonly count: number
  readonly sums: Sums
  readonly values: Values
}

export interface RollingEvent {
  readonly id: string
  readonly t: number
  readonly currency: string
  readonly minor: string
  /** The distinct-count value of a distinct tracker's payout, else `null`. */
  readonly value: string | null
}

export interface RollingUsage {
  readonly kind: 'rolling'
  /** The latest payout time written: events at or before `latest − w` were dropped then. */
  readonly latest: number
  /** `latest + w`: from then on no event of the row counts (its expiry). */
  readonly until: number
  /** The counted events still inside the window as of `latest`, oldest first. */
  readonly events: ReadonlyArray<RollingEvent>
}

export interface Counted {
  readonly key: string
  /** The row's `born` (calendar, lifetime) or `null` (rolling: the row lists the payout itself). */
  readonly born: string | null
  readonly value: string | null
  /**
   * Rolling rows only: the time the row recorded the payout at (its event's `t`), present when the
   * row's latest event was later than the payout's `t` (a rolling row's time never goes back).
   * Absent: at the payout's `t` — so records written before this field existed read as they meant.
   */
  readonly at?: number
}

export interface PayoutCounted {
  readonly kind: 'payout'
  readonly id: string
  readonly t: number
  /** Until when (exclusive) some window counts the payout; `null`: a lifetime window, never. */
  readonly liveUntil: number | null
  readonly currency: string
  readonly minor: string
  readonly counted: ReadonlyArray<Counted>
}

export type AnyRecord = CalendarUsage | LifetimeUsage | RollingUsage | PayoutCounted

// ---------------------------------------------------------------- codecs

const refined = <A>(name: string, is: (u: unknown) => u is A): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    name,
    is,
    (u, c) => (is(u) ? t.success(u) : t.failure(u, c, `must be ${name}, got ${describeValue(u)}`)),
    t.identity,
  )

const minorPattern = /^(0|[1-9][0-9]{0,37})$/
const positiveMinorPattern = /^[1-9][0-9]{0,37}$/
const distinctPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/
const keyPattern = /^[pu]\/[A-Za-z0-9_/-]{1,1200}$/
const idPattern = /^pay_[A-Za-z0-9]{1,251}$/
const bornPattern = /^-?[0-9]{1,16}\/pay_[A-Za-z0-9]{1,251}$/

const Instant = /* @__PURE__ */ refined('whole epoch milliseconds', (u): u is number => EpochMillis.is(u))
const Count = /* @__PURE__ */ refined(
  'a whole number of at least 1',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 1,
)
const Minor = /* @__PURE__ */ refined(
  'a whole number of minor units as a decimal string',
  (u): u is string => typeof u === 'string' && minorPattern.test(u),
)
const PositiveMinor = /* @__PURE__ */ refined(
  'a positive whole number of minor units as a decimal string',
  (u): u is string => typeof u === 'string' && positiveMinorPattern.test(u),
)
const CurrencyCode = /* @__PURE__ */ refined('a currency code', (u): u is string => Currency.is(u))
const DistinctValue = /* @__PURE__ */ refined(
  'an id or country code',
  (u): u is string => typeof u === 'string' && distinctPattern.test(u),
)
const RecordKey = /* @__PURE__ */ refined(
  'a velocity record key',
  (u): u is string => typeof u === 'string' && keyPattern.test(u),
)
const PayoutIdString = /* @__PURE__ */ refined(
  'a payout id pay_…',
  (u): u is string => typeof u === 'string' && idPattern.test(u),
)
const Born = /* @__PURE__ */ refined(
  'a creation mark createdAt/pay_…',
  (u): u is string => typeof u === 'string' && bornPattern.test(u),
)

/**
 * A JSON object: not an array, nor a `Map`, a `Date` or a boxed number (each of which has no own
 * keys, and would read as an empty dictionary: a `Map` of sums as no sums at all).
 */
const isPlainObject = (u: unknown): u is Readonly<Record<string, unknown>> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false
  const proto: unknown = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/** A JSON object whose every key and value must decode (io-ts `record` drops bad keys silently). */
const dictionary = <V>(
  name: string,
  key: t.Type<string, string, unknown>,
  value: t.Type<V, V, unknown>,
): t.Type<Readonly<Record<string, V>>, Readonly<Record<string, V>>, unknown> =>
  new t.Type<Readonly<Record<string, V>>, Readonly<Record<string, V>>, unknown>(
    name,
    (u): u is Readonly<Record<string, V>> =>
      isPlainObject(u) && Object.keys(u).every((k) => key.is(k) && value.is(u[k])),
    (u, c) => {
      if (!isPlainObject(u)) return t.failure(u, c, `must be an object, got ${describeValue(u)}`)
      const errors: t.Errors = []
      const out = new Map<string, V>()
      for (const k of Object.keys(u)) {
        const at = t.appendContext(c, k, value, u[k])
        if (!key.is(k)) {
          errors.push({ value: k, context: at, message: `is not ${key.name}` })
          continue
        }
        const v = value.validate(u[k], at)
        if (E.isLeft(v)) errors.push(...v.left)
        else out.set(k, v.right)
      }
      return errors.length > 0 ? t.failures(errors) : t.success(Object.fromEntries(out))
    },
    t.identity,
  )

const Sums = /* @__PURE__ */ dictionary('sums per currency', CurrencyCode, Minor)
const Values = /* @__PURE__ */ dictionary('counts per distinct value', DistinctValue, Count)

const CalendarCodec = /* @__PURE__ */ t.strict({
  kind: /* @__PURE__ */ t.literal('calendar'),
  born: Born,
  start: Instant,
  end: Instant,
  count: Count,
  sums: Sums,
  values: Values,
})
const LifetimeCodec = /* @__PURE__ */ t.strict({
  kind: /* @__PURE__ */ t.literal('lifetime'),
  born: Born,
  count: Count,
  sums: Sums,
  values: Values,
})
const EventCodec = /* @__PURE__ */ t.strict({
  id: PayoutIdString,
  t: Instant,
  currency: CurrencyCode,
  minor: PositiveMinor,
  value: /* @__PURE__ */ t.union([DistinctValue, t.null]),
})
const RollingCodec = /* @__PURE__ */ t.strict({
  kind: /* @__PURE__ */ t.literal('rolling'),
  latest: Instant,
  until: Instant,
  events: /* @__PURE__ */ t.readonlyArray(EventCodec),
})
const PayoutCodec = /* @__PURE__ */ t.strict({
  kind: /* @__PURE__ */ t.literal('payout'),
  id: PayoutIdString,
  t: Instant,
  liveUntil: /* @__PURE__ */ t.union([Instant, t.null]),
  currency: CurrencyCode,
  minor: PositiveMinor,
  counted: /* @__PURE__ */ t.readonlyArray(
    /* @__PURE__ */ t.intersection([
      /* @__PURE__ */ t.strict({
        key: RecordKey,
        born: /* @__PURE__ */ t.union([Born, t.null]),
        value: /* @__PURE__ */ t.union([DistinctValue, t.null]),
      }),
      /* @__PURE__ */ t.exact(/* @__PURE__ */ t.partial({ at: Instant })),
    ]),
  ),
})

const members: Readonly<Record<AnyRecord['kind'], t.Type<AnyRecord, AnyRecord, unknown>>> = {
  calendar: CalendarCodec as t.Type<AnyRecord, AnyRecord, unknown>,
  lifetime: LifetimeCodec as t.Type<AnyRecord, AnyRecord, unknown>,
  rolling: RollingCodec as t.Type<AnyRecord, AnyRecord, unknown>,
  payout: PayoutCodec as t.Type<AnyRecord, AnyRecord, unknown>,
}
const kinds = /* @__PURE__ */ Object.keys(members) as ReadonlyArray<AnyRecord['kind']>

/** The checks between fields, after each field decoded: a problem names the later field. */
const crossCheck = (r: AnyRecord, c: t.Context): t.Validation<AnyRecord> => {
  const at = (field: string, value: unknown, message: string) =>
    t.failure<AnyRecord>(value, t.appendContext(c, field, t.unknown, value), message)
  switch (r.kind) {
    case 'calendar':
      return r.end > r.start ? t.success(r) : at('end', r.end, `must be after start (${r.start})`)
    case 'rolling': {
      if (r.until <= r.latest) return at('until', r.until, `must be after latest (${r.latest})`)
      const late = r.events.findIndex((e) => e.t > r.latest || e.t <= 2 * r.latest - r.until)
      return late < 0
        ? t.success(r)
        : at(`events.${late}.t`, r.events[late]?.t, 'must lie in the window that ends at latest')
    }
    case 'payout': {
      if (r.liveUntil !== null && r.liveUntil <= r.t)
        return at('liveUntil', r.liveUntil, `must be after t (${r.t})`)
      const odd = r.counted.findIndex(
        (x) =>
          x.at !== undefined &&
          (x.born !== null || x.at < r.t || (r.liveUntil !== null && x.at >= r.liveUntil)),
      )
      const bad = r.counted[odd]
      return bad === undefined
        ? t.success(r)
        : at(
            `counted.${odd}.at`,
            bad.at,
            bad.born !== null
              ? 'must be absent where the row has a born mark (only a rolling row records its own time)'
              : r.liveUntil === null
                ? `must not be before t (${r.t})`
                : `must lie from t (${r.t}) to before liveUntil (${r.liveUntil})`,
          )
    }
    case 'lifetime':
      return t.success(r)
  }
}

/** A velocity record: the member its `kind` names, so errors speak of that member's fields only. */
export const RecordCodec: t.Type<AnyRecord, AnyRecord, unknown> = /* @__PURE__ */ new t.Type<
  AnyRecord,
  AnyRecord,
  unknown
>(
  'VelocityRecord',
  (u): u is AnyRecord =>
    isPlainObject(u) &&
    typeof u.kind === 'string' &&
    Object.hasOwn(members, u.kind) &&
    members[u.kind as AnyRecord['kind']].is(u),
  (u, c) => {
    if (!isPlainObject(u)) return t.failure(u, c, `must be a velocity record object, got ${describeValue(u)}`)
    const kind = Object.hasOwn(u, 'kind') ? u.kind : undefined
    if (typeof kind !== 'string' || !Object.hasOwn(members, kind))
      return t.failure(
        kind,
        t.appendContext(c, 'kind', t.string, kind),
        `must be one of ${kinds.join(', ')}, got ${describeValue(kind)}`,
      )
    const decoded = members[kind as AnyRecord['kind']].validate(u, c)
    return E.isLeft(decoded) ? decoded : crossCheck(decoded.right, c)
  },
  t.identity,
)

// ---------------------------------------------------------------- arithmetic

/** Sums with `minor` more of `currency` (a currency at 0 is dropped). */
export const addSum = (sums: Sums, currency: string, minor: bigint): Sums => {
  const next = new Map(Object.entries(sums))
  const total = BigInt(next.get(currency) ?? '0') + minor
  if (total === 0n) next.delete(currency)
  else next.set(currency, total.toString())
  return Object.fromEntries(next)
}

/** Values with one more payout holding `value` (`null`: not a distinct tracker, unchanged). */
export const addValue = (values: Values, value: string | null, delta: 1 | -1): Values => {
  if (value === null) return values
  const next = new Map(Object.entries(values))
  const n = (next.get(value) ?? 0) + delta
  if (n > 0) next.set(value, n)
  else next.delete(value)
  return Object.fromEntries(next)
}
