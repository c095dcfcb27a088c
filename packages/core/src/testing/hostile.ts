/**
 * Hostile input for every public decoder's garbage property: the values a caller, a file or an
 * attacker can hand a decoder that ordinary random shapes never reach, and a check that decoding
 * them left the built-in prototypes as they were.
 */
import fc from 'fast-check'

/**
 * How deep {@link hostileValues} nests its deepest object and array.
 *
 * @example
 * import { hostileDepth, hostileValues } from '@payout-kernel/core/testing'
 * import assert from 'node:assert/strict'
 *
 * let depth = 0
 * let value = hostileValues.find((h) => h.name === `array ${hostileDepth} deep`)?.value
 * while (Array.isArray(value) && value.length > 0) [value, depth] = [value[0], depth + 1]
 * assert.equal(depth, 100_000)
 */
export const hostileDepth = 100_000

/**
 * How long {@link hostileValues}' longest strings are, in UTF-16 code units (10 MiB).
 *
 * @example
 * import { hostileStringLength, hostileValues } from '@payout-kernel/core/testing'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(hostileValues.some((h) => h.value === 'a'.repeat(hostileStringLength)))
 */
export const hostileStringLength = 10 * 1024 * 1024

/** `{ key: { key: … } }` (or `[[…]]` when `key` is omitted), `depth` levels deep, built without recursion. */
const nested = (depth: number, key?: string): unknown => {
  let value: unknown = key === undefined ? [] : {}
  for (let i = 0; i < depth; i++) value = key === undefined ? [value] : { [key]: value }
  return value
}

const fail = (what: string) => (): never => {
  throw new Error(`hostile ${what}`)
}

/**
 * fast-check asks every value it generates whether it has its own symbol keys (to clone it, and
 * to print it in a failure's report): the proxies answer those, and print as their name.
 */
const forFastCheck = (name: string) => ({
  has: (key: string | symbol): boolean | undefined =>
    key === fc.toStringMethod
      ? true
      : key === fc.cloneMethod || key === fc.asyncToStringMethod
        ? false
        : undefined,
  get: (key: string | symbol): unknown => (key === fc.toStringMethod ? () => `hostile(${name})` : undefined),
})

/** Every property read throws, whatever its name: a getter on any field a decoder looks at. */
const throwingGetters = (name: string): object => {
  const fastCheck = forFastCheck(name)
  return new Proxy(
    {},
    {
      get: (_, key) => fastCheck.get(key) ?? fail('getter')(),
      // every string key is there (so `'amount' in x` holds)
      has: (_, key) => fastCheck.has(key) ?? typeof key === 'string',
      ownKeys: () => [],
      getOwnPropertyDescriptor: () => undefined,
    },
  )
}

/** Every operation throws (but fast-check's own questions, see `forFastCheck`). */
const throwingProxy = (name: string): object => {
  const fastCheck = forFastCheck(name)
  return new Proxy(
    {},
    {
      get: (_, key) => fastCheck.get(key) ?? fail('get')(),
      has: (_, key) => fastCheck.has(key) ?? fail('has')(),
      ownKeys: fail('ownKeys'),
      getOwnPropertyDescriptor: fail('getOwnPropertyDescriptor'),
      getPrototypeOf: fail('getPrototypeOf'),
      defineProperty: fail('defineProperty'),
      set: fail('set'),
      apply: fail('apply'),
    },
  )
}

const revokedProxy = (): object => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

/** An ordinary-looking object whose conversions (`String(x)`, `` `${x}` ``, `JSON.stringify`) throw. */
const throwingConversions = (): object =>
  Object.defineProperties(
    {},
    {
      toString: { get: fail('toString'), enumerable: true },
      valueOf: { get: fail('valueOf'), enumerable: true },
      toJSON: { get: fail('toJSON'), enumerable: true },
      // biome-ignore lint/suspicious/noThenProperty: a thenable whose `then` throws, on purpose
      then: { get: fail('then'), enumerable: true },
      length: { get: fail('length'), enumerable: true },
      [Symbol.toPrimitive]: { get: fail('toPrimitive'), enumerable: true },
      [Symbol.iterator]: { get: fail('iterator'), enumerable: true },
    },
  )

const withSymbolKeys = (): object => ({
  [Symbol('id')]: 'pay_1',
  [Symbol.for('amount')]: '1.00',
  [Symbol.iterator]: 1,
})

const sparse = (length: number): unknown[] => {
  const a: unknown[] = []
  a.length = length
  a[length - 1] = 'x'
  return a
}

/**
 * Gives an object a non-enumerable `fc.toStringMethod`, so a failing case's report shows the
 * hostile value's name, not 10 MiB or 100,000 levels of it (nor a revoked proxy, which fast-check
 * cannot print). Frozen values are named before they are frozen; proxies answer it themselves.
 */
const printedAs = (name: string, value: unknown): unknown => {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value
  if (Object.isFrozen(value) || fc.toStringMethod in value) return value
  Object.defineProperty(value, fc.toStringMethod, { value: () => `hostile(${name})` })
  return value
}

const frozen = <T extends object>(name: string, value: T): T => Object.freeze(printedAs(name, value) as T)

/**
 * A list of hostile values, each with a short name (for a failing case's report; the values
 * themselves can be 10 MiB long or 100,000 levels deep):
 *
 * - keys that pollute a careless merge: `__proto__`, `constructor`, `prototype` (own keys, as
 *   `JSON.parse` makes them), and an object whose prototype is a near-valid record;
 * - nesting {@link hostileDepth} levels deep, objects and arrays;
 * - strings of {@link hostileStringLength} code units (letters, digits, a near-valid id);
 * - getters that throw, proxies that throw on every operation, revoked proxies, conversions that throw;
 * - frozen and sparse arrays (one of length 100,000 with one element), frozen and null-prototype
 *   objects (decoders walk an array by its length, as io-ts does: a sparse array of length 2³² − 1,
 *   which JSON cannot express, costs time in proportion to that length);
 * - lone surrogates, NUL, a byte order mark, in and around otherwise valid text;
 * - `-0`, `NaN`, `±Infinity`, bigints, symbols, Symbol keys, boxed primitives, functions, dates, maps.
 *
 * The values are built once, when the module is first imported; decoders must not change them
 * (several are frozen; none is safe to change).
 *
 * @example
 * import { hostileValues } from '@payout-kernel/core/testing'
 * import { currency } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * for (const { name, value } of hostileValues) assert.ok(E.isLeft(currency(value)), name)
 */
export const hostileValues: ReadonlyArray<{ readonly name: string; readonly value: unknown }> = (
  [
    { name: '__proto__ key', value: JSON.parse('{"__proto__":{"polluted":"yes"},"id":"pay_1"}') },
    {
      name: 'constructor.prototype keys',
      value: JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}'),
    },
    { name: '__proto__ in a list', value: JSON.parse('[{"__proto__":{"polluted":"yes"}}]') },
    {
      name: 'nested __proto__',
      value: JSON.parse(
        '{"a":{"__proto__":{"polluted":"yes"}},"b":{"constructor":{"prototype":{"polluted":"yes"}}}}',
      ),
    },
    { name: 'inherited fields', value: Object.create({ id: 'pay_1', amount: '1.00', currency: 'USD' }) },
    { name: `object ${hostileDepth} deep`, value: nested(hostileDepth, 'a') },
    { name: `array ${hostileDepth} deep`, value: nested(hostileDepth) },
    { name: '10 MiB of letters', value: 'a'.repeat(hostileStringLength) },
    { name: '10 MiB of digits', value: '1'.repeat(hostileStringLength) },
    { name: '10 MiB id', value: `pay_${'a'.repeat(hostileStringLength)}` },
    { name: '10 MiB decimal', value: `1.${'0'.repeat(hostileStringLength)}` },
    { name: 'throwing getters', value: throwingGetters('throwing getters') },
    { name: 'throwing proxy', value: throwingProxy('throwing proxy') },
    // fast-check itself cannot hold a revoked proxy as a generated value, so it comes inside one
    { name: 'revoked proxy in a list', value: [revokedProxy()] },
    { name: 'revoked proxy as a field', value: { id: revokedProxy(), amount: revokedProxy() } },
    { name: 'throwing conversions', value: throwingConversions() },
    { name: 'pass-through proxy', value: new Proxy({ id: 'pay_1' }, {}) },
    { name: 'frozen array', value: frozen('frozen array', ['a', 1, null]) },
    { name: 'frozen object', value: frozen('frozen object', { id: 'pay_1', nested: Object.freeze({}) }) },
    { name: 'sparse array', value: sparse(10) },
    { name: 'sparse array of length 100,000', value: sparse(100_000) },
    { name: 'null-prototype object', value: Object.assign(Object.create(null) as object, { id: 'pay_1' }) },
    { name: 'lone high surrogate', value: '\uD800' },
    { name: 'lone low surrogate in text', value: 'pay_a\uDC00' },
    { name: 'NUL', value: '\u0000' },
    { name: 'NUL in text', value: 'USD\u0000' },
    { name: 'BOM', value: '\uFEFF' },
    { name: 'BOM before text', value: '\uFEFFUSD' },
    { name: 'BOM before an amount', value: '\uFEFF1.00' },
    { name: '-0', value: -0 },
    { name: 'NaN', value: Number.NaN },
    { name: 'Infinity', value: Number.POSITIVE_INFINITY },
    { name: '-Infinity', value: Number.NEGATIVE_INFINITY },
    { name: 'bigint', value: 1n },
    { name: 'huge bigint', value: 10n ** 400n },
    { name: 'symbol', value: Symbol('hostile') },
    { name: 'Symbol keys', value: withSymbolKeys() },
    { name: 'boxed string', value: Object('USD') },
    { name: 'boxed number', value: Object(1) },
    { name: 'function', value: () => 'pay_1' },
    { name: 'invalid date', value: new Date(Number.NaN) },
    { name: 'map', value: new Map([['id', 'pay_1']]) },
  ] as ReadonlyArray<{ readonly name: string; readonly value: unknown }>
).map(({ name, value }) => ({ name, value: printedAs(name, value) }))

/**
 * One of {@link hostileValues} at a time. It is part of `arbGarbage`, so every garbage property
 * draws these too; use it alone where a property must meet each of them often.
 *
 * @example
 * import { arbHostile } from '@payout-kernel/core/testing'
 * import { decodeId, PayoutId } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import fc from 'fast-check'
 *
 * fc.assert(fc.property(arbHostile, (u) => E.isLeft(decodeId(PayoutId, 'id')(u))))
 */
export const arbHostile: fc.Arbitrary<unknown> = fc
  .constantFrom(...hostileValues.map((_, i) => i))
  .map((i) => hostileValues[i]?.value)

const watched: ReadonlyArray<readonly [string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['Number.prototype', Number.prototype],
]

/** Each own key with what it holds (its value, or its getter), so a replaced method shows too. */
const slotsOf = (o: object): Map<string | symbol, unknown> =>
  new Map(
    Reflect.ownKeys(o).map((k) => {
      const d = Reflect.getOwnPropertyDescriptor(o, k)
      return [k, d === undefined ? undefined : 'value' in d ? d.value : d.get]
    }),
  )

/**
 * Takes a note of the built-in prototypes (`Object`, `Array`, `Function`, `String`, `Number`) and
 * answers a function that lists every key added to, replaced on or taken from them since (empty
 * when nothing was polluted). Call it before decoding hostile input and check the list after.
 *
 * @example
 * import { hostileValues, pollutionCheck } from '@payout-kernel/core/testing'
 * import { currency } from '@payout-kernel/core'
 * import assert from 'node:assert/strict'
 *
 * const changes = pollutionCheck()
 * for (const { value } of hostileValues) currency(value)
 * assert.deepEqual(changes(), [])
 * assert.equal(({} as Record<string, unknown>).polluted, undefined)
 */
export const pollutionCheck = (): (() => ReadonlyArray<string>) => {
  const before = watched.map(([name, o]) => [name, o, slotsOf(o)] as const)
  return () =>
    before.flatMap(([name, o, slots]) => {
      const now = slotsOf(o)
      return [
        ...[...now.keys()].filter((k) => !slots.has(k)).map((k) => `${name}.${String(k)} added`),
        ...[...slots.keys()].filter((k) => !now.has(k)).map((k) => `${name}.${String(k)} removed`),
        ...[...slots]
          .filter(([k, v]) => now.has(k) && !Object.is(now.get(k), v))
          .map(([k]) => `${name}.${String(k)} replaced`),
      ]
    })
}

/**
 * One case of {@link hostileFieldCases}: a hostile value, and the input it makes.
 *
 * @example
 * import type { HostileCase } from '@payout-kernel/core/testing'
 * import assert from 'node:assert/strict'
 *
 * const c: HostileCase = { name: 'NaN', field: 'amount', input: { amount: Number.NaN } }
 * assert.equal(c.field, 'amount')
 */
export interface HostileCase {
  /** Which hostile value it is (see {@link hostileValues}). */
  readonly name: string
  /** The field that holds it, `""` for the input itself. */
  readonly field: string
  readonly input: unknown
}

/**
 * Every hostile value as the whole input (field `""`), then in each top-level field of a valid
 * input in turn (the rest left valid): the cases a decoder must answer with a Left naming that
 * field (or a Right, where the value happens to be one the field may hold), never a throw.
 *
 * @example
 * import { hostileFieldCases, hostileValues } from '@payout-kernel/core/testing'
 * import { decodeWith, MoneyFromWire } from '@payout-kernel/core'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const cases = hostileFieldCases({ amount: '1.00', currency: 'USD' })
 * assert.equal(cases.length, hostileValues.length * 3)
 * for (const { field, input } of cases) {
 *   const result = decodeWith(MoneyFromWire)(input)
 *   if (E.isLeft(result)) for (const p of result.left.problems) assert.ok(p.field.startsWith(field))
 * }
 */
export const hostileFieldCases = (valid?: Readonly<Record<string, unknown>>): ReadonlyArray<HostileCase> => [
  ...hostileValues.map(({ name, value }) => ({ name, field: '', input: value })),
  ...Object.keys(valid ?? {}).flatMap((field) =>
    hostileValues.map(({ name, value }) => ({ name, field, input: { ...valid, [field]: value } })),
  ),
]

/**
 * Whether a problem's field is `field` or lies under it (`amount` names `amount` and `amount.value`;
 * every field lies under `""`).
 *
 * @example
 * import { namesField } from '@payout-kernel/core/testing'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(namesField('amount.value', 'amount'))
 * assert.ok(!namesField('amounts', 'amount'))
 */
export const namesField = (problemField: string, field: string): boolean =>
  field === '' || problemField === field || problemField.startsWith(`${field}.`)
