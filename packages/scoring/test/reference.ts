// A small, obviously correct reference: walks a rule's condition tree directly (no compilation, no
// float shortcuts: every number is an exact fraction of bigints) and builds the whole result.
import type { Condition, RuleSet, ScoringResult } from '../src/index.js'
import { actionOf } from '../src/index.js'

type Fields = Readonly<Record<string, unknown>>

/** value = num / 10^den */
interface Exact {
  num: bigint
  den: number
}

const exactOfText = (s: string): Exact | undefined => {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(s)
  if (m === null) return undefined
  const [, sign = '', whole = '', fraction = '', exp = '0'] = m
  let num = BigInt(whole + fraction) * (sign === '-' ? -1n : 1n)
  let den = fraction.length - Number(exp)
  if (den < 0) {
    num *= 10n ** BigInt(-den)
    den = 0
  }
  return { num, den }
}

const exactOf = (v: unknown): Exact | undefined => {
  if (typeof v === 'number') return Number.isFinite(v) ? exactOfText(String(v)) : undefined
  if (typeof v === 'string') return v.length <= 100 && /^-?\d+(\.\d+)?$/.test(v) ? exactOfText(v) : undefined
  return undefined
}

const cmp = (a: Exact, b: Exact): number => {
  const x = a.num * 10n ** BigInt(b.den)
  const y = b.num * 10n ** BigInt(a.den)
  return x < y ? -1 : x > y ? 1 : 0
}

const lookup = (txn: Fields, features: Fields, path: string): unknown => {
  const parts = path.split('.')
  let value: unknown = parts[0] === 'features' ? features : txn
  for (const key of parts[0] === 'features' ? parts.slice(1) : parts) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key))
      return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

const equal = (v: unknown, operand: string | number | boolean): boolean => {
  if (typeof operand !== 'number') return v === operand
  const a = exactOf(v)
  const b = exactOf(operand)
  return a !== undefined && b !== undefined && cmp(a, b) === 0
}

const compare = (v: unknown, operand: number | string, accept: (c: number) => boolean): boolean => {
  const a = exactOf(v)
  const b = exactOf(operand)
  return a !== undefined && b !== undefined && accept(cmp(a, b))
}

/** 'T' | 'F' | 'U' (unknown: a comparison on a missing field). */
type Truth = 'T' | 'F' | 'U'

const truth = (c: Condition, txn: Fields, features: Fields): Truth => {
  if ('all' in c) {
    const parts = c.all.map((x) => truth(x, txn, features))
    return parts.includes('F') ? 'F' : parts.includes('U') ? 'U' : 'T'
  }
  if ('any' in c) {
    const parts = c.any.map((x) => truth(x, txn, features))
    return parts.includes('T') ? 'T' : parts.includes('U') ? 'U' : 'F'
  }
  if ('not' in c) {
    const v = truth(c.not, txn, features)
    return v === 'U' ? 'U' : v === 'T' ? 'F' : 'T'
  }
  const v = lookup(txn, features, c.field)
  const present = v !== undefined && v !== null
  if (c.op === 'exists') return present ? 'T' : 'F'
  if (!present) return 'U'
  const holds = ((): boolean => {
    switch (c.op) {
      case 'eq':
        return equal(v, c.value)
      case 'ne':
        return !equal(v, c.value)
      case 'gt':
        return compare(v, c.value, (x) => x > 0)
      case 'gte':
        return compare(v, c.value, (x) => x >= 0)
      case 'lt':
        return compare(v, c.value, (x) => x < 0)
      case 'lte':
        return compare(v, c.value, (x) => x <= 0)
      case 'in':
        return c.value.some((m) => equal(v, m))
      case 'not_in':
        return !c.value.some((m) => equal(v, m))
      case 'contains': {
        const operand = c.value
        if (typeof v === 'string') return typeof operand === 'string' && v.includes(operand)
        return Array.isArray(v) && v.some((x) => equal(x, operand))
      }
      case 'matches':
        return typeof v === 'string' && v.length <= 10_000 && new RegExp(c.value, 'u').test(v)
    }
  })()
  return holds ? 'T' : 'F'
}

/** Two-valued: a comparison on a missing field is false, then plain boolean logic. */
const holds = (c: Condition, txn: Fields, features: Fields): boolean => {
  if ('all' in c) return c.all.every((x) => holds(x, txn, features))
  if ('any' in c) return c.any.some((x) => holds(x, txn, features))
  if ('not' in c) return !holds(c.not, txn, features)
  return truth(c, txn, features) === 'T'
}

const missingFields = (c: Condition, txn: Fields, features: Fields): string[] => {
  if ('all' in c) return c.all.flatMap((x) => missingFields(x, txn, features))
  if ('any' in c) return c.any.flatMap((x) => missingFields(x, txn, features))
  if ('not' in c) return missingFields(c.not, txn, features)
  if (c.op === 'exists') return []
  const v = lookup(txn, features, c.field)
  return v === undefined || v === null ? [c.field] : []
}

export const referenceScore = (set: RuleSet, txn: Fields, features: Fields = {}): ScoringResult => {
  const active = set.rules.filter((r) => r.status === 'ACTIVE').sort((a, b) => (a.id < b.id ? -1 : 1))
  const ref = (r: (typeof active)[number]) => ({ id: r.id, name: r.name, score: r.score, dry_run: r.dry_run })
  const matched = active.filter((r) => holds(r.condition, txn, features))
  const live = matched.filter((r) => !r.dry_run)
  const sum = live.reduce((s, r) => s + r.score, 0)
  const score = Math.min(1000, Math.max(0, sum))
  const tags = [...new Set(live.flatMap((r) => r.tags ?? []))].sort()
  return {
    rule_set_version: set.version,
    score,
    dry_score: matched.filter((r) => r.dry_run).reduce((s, r) => s + r.score, 0),
    action: actionOf(score, set.thresholds),
    matched_rules: matched.map(ref),
    unmatched_rules: active.filter((r) => !matched.includes(r)).map(ref),
    missing_data_rules: active
      .filter((r) => truth(r.condition, txn, features) === 'U')
      .map((r) => ({
        id: r.id,
        name: r.name,
        missing_fields: [...new Set(missingFields(r.condition, txn, features))].sort(),
      })),
    rule_cnt: active.length,
    dry_run_rule_cnt: active.filter((r) => r.dry_run).length,
    tag_scores: tags.map((tag) => ({
      tag,
      score: live.filter((r) => (r.tags ?? []).includes(tag)).reduce((s, r) => s + r.score, 0),
    })),
  }
}
