// The write journal behind the persistent ledger. Every write to the ledger's mutable store goes
// through these functions; with a journal they also record the value before and after, so a
// version of the ledger can be turned into any other by replaying writes one way or the other
// (Baker's trick, as in Conchon & Filliâtre's persistent arrays). With `null` (the backtest's
// privately owned store) they are plain writes.

const absent: unique symbol = /* @__PURE__ */ Symbol('absent')
type Absent = typeof absent

type Entry =
  | {
      readonly k: 0
      readonly o: Record<string, unknown>
      readonly f: string
      readonly b: unknown
      readonly a: unknown
    }
  | {
      readonly k: 1
      readonly m: Map<string, unknown>
      readonly key: string
      readonly b: unknown | Absent
      readonly a: unknown | Absent
    }
  | { readonly k: 2; readonly arr: unknown[]; readonly v: unknown }

/** The writes of one step, or `null` when nobody will ever need to undo them. */
export type Journal = Entry[] | null

export const setField = <O extends object, F extends keyof O & string>(
  j: Journal,
  o: O,
  f: F,
  v: O[F],
): void => {
  if (j !== null) j.push({ k: 0, o: o as unknown as Record<string, unknown>, f, b: o[f], a: v })
  o[f] = v
}

export const mapSet = <V>(j: Journal, m: Map<string, V>, key: string, v: V): void => {
  if (j !== null)
    j.push({ k: 1, m: m as Map<string, unknown>, key, b: m.has(key) ? m.get(key) : absent, a: v })
  m.set(key, v)
}

export const mapDelete = <V>(j: Journal, m: Map<string, V>, key: string): void => {
  if (!m.has(key)) return
  if (j !== null) j.push({ k: 1, m: m as Map<string, unknown>, key, b: m.get(key), a: absent })
  m.delete(key)
}

export const push = <V>(j: Journal, arr: V[], v: V): void => {
  if (j !== null) j.push({ k: 2, arr: arr as unknown[], v })
  arr.push(v)
}

const writeMap = (m: Map<string, unknown>, key: string, v: unknown): void => {
  if (v === absent) m.delete(key)
  else m.set(key, v)
}

/** Replays a step's writes forwards (`after` values, in order) or backwards (`before`, reversed). */
export const replay = (entries: ReadonlyArray<Entry>, forward: boolean): void => {
  const n = entries.length
  for (let s = 0; s < n; s++) {
    const e = entries[forward ? s : n - 1 - s] as Entry
    switch (e.k) {
      case 0:
        e.o[e.f] = forward ? e.a : e.b
        break
      case 1:
        writeMap(e.m, e.key, forward ? e.a : e.b)
        break
      case 2:
        if (forward) e.arr.push(e.v)
        else e.arr.pop()
        break
    }
  }
}
