/**
 * Fully persistent maps by rerooting (Baker's trick, as in persistent arrays): the data lives in
 * one mutable `Map`, held by the current version; every other version holds only the edit that
 * turns the next version's data into its own. Updating the current version mutates the `Map` in
 * O(1) and turns the old version into such an edit; reading an older version first reroots: it
 * walks to the current version and applies the edits back, storing their inverses, so the older
 * version becomes the current one. Every version ever returned therefore keeps meaning exactly
 * what it meant when it was returned, whatever is done with the others: the mutation is never
 * observable. A service that uses states linearly (decide on the latest, drop the older) pays
 * one `Map` operation per change; going back to a version k changes away costs O(k) once.
 *
 * Memory: the current version holds the data; an older version that is still referenced keeps the
 * edits between it and the current version alive. The empty versions are never linked to any
 * other, so holding `initialRescoreState()` keeps nothing alive.
 */

// ---------------------------------------------------------------- model

/** A version: the current one holds the world, any other one its edit and the version it applies to. */
interface Node<W> {
  world: W | undefined
  next: Node<W> | undefined
}

/**
 * Makes `target` the current version and returns its world. `swap(world, root, target)` applies
 * `target`'s edit to the world of the current version `root` and stores the inverse edit in
 * `root`. `undefined` for an empty version (no world, no next).
 */
const reroot = <W, N extends Node<W>>(
  target: N,
  swap: (world: W, root: N, target: N) => void,
): W | undefined => {
  if (target.world !== undefined) return target.world
  if (target.next === undefined) return undefined
  const path: N[] = []
  let root: N = target
  while (root.world === undefined) {
    path.push(root)
    root = root.next as N
  }
  const world = root.world
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i] as N
    swap(world, root, node)
    root.world = undefined
    root.next = node
    node.next = undefined
    node.world = world
    root = node
  }
  return world
}

// ---------------------------------------------------------------- a map

/** One version of a persistent string-keyed map. */
export class MapVersion<V> implements Node<Map<string, V>> {
  world: Map<string, V> | undefined
  next: MapVersion<V> | undefined = undefined
  /** The edit (when not current): bind `key` to `value`, or unbind it when `value` is undefined. */
  key = ''
  value: V | undefined = undefined
  /** How many keys this version holds. */
  readonly size: number

  constructor(world: Map<string, V> | undefined, size: number) {
    this.world = world
    this.size = size
  }
}

const swapMap = <V>(world: Map<string, V>, root: MapVersion<V>, node: MapVersion<V>): void => {
  const old = world.get(node.key)
  if (node.value === undefined) world.delete(node.key)
  else world.set(node.key, node.value)
  root.key = node.key
  root.value = old
  node.key = ''
  node.value = undefined
}

const emptyMap: MapVersion<never> = /* @__PURE__ */ new MapVersion<never>(undefined, 0)

/** The empty map (never linked to another version). */
export const emptyMapVersion = <V>(): MapVersion<V> => emptyMap

/** The data of this version, made current (`undefined` when empty). */
export const mapWorld = <V>(v: MapVersion<V>): ReadonlyMap<string, V> | undefined =>
  reroot<Map<string, V>, MapVersion<V>>(v, swapMap)

/** The value under `key`. */
export const mapGet = <V>(v: MapVersion<V>, key: string): V | undefined =>
  (v.world ?? reroot(v, swapMap))?.get(key)

/** The version with `key` bound to `value` (or unbound when `undefined`); the same when nothing changes. */
export const mapSet = <V>(v: MapVersion<V>, key: string, value: V | undefined): MapVersion<V> => {
  const world = v.world ?? reroot(v, swapMap)
  if (world === undefined) {
    if (value === undefined) return v
    return new MapVersion(new Map([[key, value]]), 1)
  }
  const old = world.get(key)
  if (old === value) return v
  if (value === undefined) world.delete(key)
  else world.set(key, value)
  const next = new MapVersion(world, v.size + (old === undefined ? 1 : 0) - (value === undefined ? 1 : 0))
  v.world = undefined
  v.next = next
  v.key = key
  v.value = old
  return next
}

// ---------------------------------------------------------------- a two-level map

type Table<V> = Map<string, Map<string, V>>

/** One version of a persistent map keyed by two strings (a merchant, then a key). */
export class TableVersion<V> implements Node<Table<V>> {
  world: Table<V> | undefined
  next: TableVersion<V> | undefined = undefined
  /** The edit (when not current): bind `(outer, inner)` to `value`, or unbind it. */
  outer = ''
  inner = ''
  value: V | undefined = undefined
  /** How many `(outer, inner)` keys this version holds. */
  readonly size: number

  constructor(world: Table<V> | undefined, size: number) {
    this.world = world
    this.size = size
  }
}

/** Binds or unbinds in place; the value it replaced. */
const tablePut = <V>(world: Table<V>, outer: string, inner: string, value: V | undefined): V | undefined => {
  const row = world.get(outer)
  if (row === undefined) {
    if (value !== undefined) world.set(outer, new Map([[inner, value]]))
    return undefined
  }
  const old = row.get(inner)
  if (value === undefined) {
    row.delete(inner)
    if (row.size === 0) world.delete(outer)
  } else row.set(inner, value)
  return old
}

const swapTable = <V>(world: Table<V>, root: TableVersion<V>, node: TableVersion<V>): void => {
  root.value = tablePut(world, node.outer, node.inner, node.value)
  root.outer = node.outer
  root.inner = node.inner
  node.outer = ''
  node.inner = ''
  node.value = undefined
}

const emptyTable: TableVersion<never> = /* @__PURE__ */ new TableVersion<never>(undefined, 0)

/** The empty table (never linked to another version). */
export const emptyTableVersion = <V>(): TableVersion<V> => emptyTable

/** The data of this version, made current (`undefined` when empty). */
export const tableWorld = <V>(v: TableVersion<V>): ReadonlyMap<string, ReadonlyMap<string, V>> | undefined =>
  reroot<Table<V>, TableVersion<V>>(v, swapTable)

/** The value under `(outer, inner)`. */
export const tableGet = <V>(v: TableVersion<V>, outer: string, inner: string): V | undefined =>
  (v.world ?? reroot(v, swapTable))?.get(outer)?.get(inner)

/** The version with `(outer, inner)` bound to `value` (or unbound); the same when nothing changes. */
export const tableSet = <V>(
  v: TableVersion<V>,
  outer: string,
  inner: string,
  value: V | undefined,
): TableVersion<V> => {
  const world = v.world ?? reroot(v, swapTable)
  if (world === undefined) {
    if (value === undefined) return v
    return new TableVersion(new Map([[outer, new Map([[inner, value]])]]), 1)
  }
  const old = world.get(outer)?.get(inner)
  if (old === value) return v
  tablePut(world, outer, inner, value)
  const next = new TableVersion(world, v.size + (old === undefined ? 1 : 0) - (value === undefined ? 1 : 0))
  v.world = undefined
  v.next = next
  v.outer = outer
  v.inner = inner
  v.value = old
  return next
}

// ---------------------------------------------------------------- quota logs

/**
 * A merchant's admission times, shared by the versions that hold it: the live ones are
 * `times[head..len)` of the version that is current (each version stores its own `head` and `len`).
 * Slots below a version's `len` are never written again by any version derived from it (they
 * only append at `len`, and compaction starts a new log), so restoring `head` and `len` and the
 * last slot restores the version exactly. `limit` and `limitText` memoise the merchant's limit
 * under `config` (a cache, not part of the value).
 */
export interface QuotaLog {
  /** Grown (copied whole) when full, so every version's slots stay; off the GC-scanned heap. */
  times: Float64Array
  head: number
  len: number
  config: unknown
  limit: number
  limitText: string
}

type Book = Map<string, QuotaLog>

/** One version of the merchants' quota logs. */
export class QuotaVersion implements Node<Book> {
  world: Book | undefined
  next: QuotaVersion | undefined = undefined
  /** The edit (when not current): merchant's log becomes `log` with `head`, `len` and last slot `last`; absent when undefined. */
  merchant = ''
  log: QuotaLog | undefined = undefined
  head = 0
  len = 0
  last = 0
  /** How many merchants this version holds a log for. */
  readonly size: number

  constructor(world: Book | undefined, size: number) {
    this.world = world
    this.size = size
  }
}

const swapQuota = (world: Book, root: QuotaVersion, node: QuotaVersion): void => {
  const current = world.get(node.merchant)
  root.merchant = node.merchant
  root.log = current
  if (current !== undefined) {
    root.head = current.head
    root.len = current.len
    root.last = current.len > 0 ? (current.times[current.len - 1] ?? 0) : 0
  }
  const log = node.log
  if (log === undefined) world.delete(node.merchant)
  else {
    if (log !== current) world.set(node.merchant, log)
    log.head = node.head
    log.len = node.len
    if (node.len > 0) log.times[node.len - 1] = node.last
  }
  node.merchant = ''
  node.log = undefined
}

const emptyQuota = /* @__PURE__ */ new QuotaVersion(undefined, 0)

/** No merchant has a log (never linked to another version). */
export const emptyQuotaVersion = (): QuotaVersion => emptyQuota

/** The logs of this version, made current (`undefined` when empty). */
export const quotaWorld = (v: QuotaVersion): ReadonlyMap<string, QuotaLog> | undefined => reroot(v, swapQuota)

/** The merchant's log in this version (made current): live times are `times[head..len)`. */
export const quotaLog = (v: QuotaVersion, merchant: string): QuotaLog | undefined =>
  (v.world ?? reroot(v, swapQuota))?.get(merchant)

/** Start a new log object when this many expired slots lead the live ones (and outnumber them). */
const defaultCompactAt = 256

/**
 * The version in which the merchant's live admissions are `times[head..len)` of its current log
 * followed by `time` when `admit` (`head` may only grow: it expires admissions). Makes `v`
 * current first. With `head === len` and no admission the merchant's log is dropped.
 */
export const quotaUpdate = (
  v: QuotaVersion,
  merchant: string,
  head: number,
  time: number | undefined,
  compactAt: number = defaultCompactAt,
): QuotaVersion => {
  const world = v.world ?? reroot(v, swapQuota)
  const current = world?.get(merchant)
  const oldLen = current?.len ?? 0
  const oldHead = current?.head ?? 0
  if (time === undefined && current !== undefined && head === oldHead) return v
  if (time === undefined && current === undefined) return v
  let log: QuotaLog | undefined = current
  let newHead = head
  let newLen = oldLen
  if (time === undefined && head >= oldLen) log = undefined
  else if (log === undefined || (head >= compactAt && head >= oldLen - head)) {
    const live = log === undefined ? 0 : oldLen - head
    const times = new Float64Array(Math.max(8, 2 * live + 8))
    if (log !== undefined) times.set(log.times.subarray(head, oldLen))
    log = {
      times,
      head: 0,
      len: live,
      config: log?.config,
      limit: log?.limit ?? 0,
      limitText: log?.limitText ?? '',
    }
    newHead = 0
    newLen = live
  }
  if (time !== undefined && log !== undefined) {
    if (newLen === log.times.length) {
      const grown = new Float64Array(2 * newLen)
      grown.set(log.times)
      log.times = grown
    }
    log.times[newLen] = time
    newLen++
  }
  if (world === undefined) {
    const book: Book = new Map()
    if (log !== undefined) {
      log.head = newHead
      log.len = newLen
      book.set(merchant, log)
    }
    return new QuotaVersion(book, book.size)
  }
  // The old version's edit: restore what was there.
  v.merchant = merchant
  v.log = current
  v.head = oldHead
  v.len = oldLen
  v.last = current !== undefined && oldLen > 0 ? (current.times[oldLen - 1] ?? 0) : 0
  if (log === undefined) world.delete(merchant)
  else {
    if (log !== current) world.set(merchant, log)
    log.head = newHead
    log.len = newLen
  }
  const next = new QuotaVersion(world, world.size)
  v.world = undefined
  v.next = next
  return next
}
