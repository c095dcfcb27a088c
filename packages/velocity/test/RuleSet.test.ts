import { fc, test } from '@fast-check/vitest'
import { arbGarbage } from '@payout-kernel/core/testing'
import { describe, expect, it } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  addRule,
  disableRule,
  enableRule,
  encodeRuleSet,
  parsePayout,
  parseRule,
  parseRuleSet,
  payout,
  removeRule,
  updateRule,
} from '../src/index.js'
import { arbRuleJson, arbRuleSet, arbRuleSetJson } from '../src/testing/index.js'

const base = { id: 'r', name: 'Rule', action: 'block', enabled: true }
const fieldsOf = (e: E.Either<{ problems: ReadonlyArray<{ field: string }> }, unknown>): string[] =>
  E.isLeft(e) ? e.left.problems.map((p) => p.field) : []

describe('decoding never throws', () => {
  test.prop([arbGarbage], { numRuns: 10_000 })(
    'garbage rule sets, rules and payouts give a Left',
    (u) => {
      expect(E.isLeft(parseRuleSet(u))).toBe(true)
      expect(E.isLeft(parseRule(u))).toBe(true)
      expect(E.isLeft(parsePayout(u))).toBe(true)
      expect(E.isLeft(payout(u))).toBe(true)
    },
    60_000,
  )

  test.prop([arbRuleSetJson(4), fc.nat(), fc.string(), arbGarbage], { numRuns: 10_000 })(
    'a valid rule set with one field replaced by garbage decodes or names a field, never throws',
    (json, which, key, garbage) => {
      const rules = json.rules as Array<Record<string, unknown>>
      const target = rules.length === 0 ? json : (rules[which % rules.length] as Record<string, unknown>)
      const keys = Object.keys(target)
      const field = keys[which % keys.length] ?? key
      const result = parseRuleSet({
        ...json,
        rules: rules.map((r) => (r === target ? { ...r, [field]: garbage } : r)),
        ...(target === json ? { [field]: garbage } : {}),
      })
      if (E.isLeft(result))
        expect(result.left.problems.every((p) => typeof p.field === 'string' && p.message.length > 0)).toBe(
          true,
        )
    },
    60_000,
  )
})

describe('round trip', () => {
  test.prop([arbRuleSet()], { numRuns: 500 })(
    'encodeRuleSet then parseRuleSet gives the same rule set',
    (rs) => {
      expect(parseRuleSet(encodeRuleSet(rs))).toEqual(E.right(rs))
    },
    60_000,
  )
})

describe('bad input names the field', () => {
  it('refuses an unknown kind, a negative threshold, too many decimals, an unknown zone, a mismatched currency', () => {
    expect(fieldsOf(parseRuleSet({ version: 1, rules: [{ ...base, kind: 'max_hourly_amount' }] }))).toEqual([
      'rules.0.kind',
    ])
    expect(
      fieldsOf(parseRule({ ...base, kind: 'max_daily_amount', threshold: '-5.00', currency: 'USD' })),
    ).toEqual(['threshold'])
    expect(
      fieldsOf(parseRule({ ...base, kind: 'max_daily_amount', threshold: '5.001', currency: 'USD' })),
    ).toEqual(['threshold'])
    expect(
      fieldsOf(
        parseRule({
          ...base,
          kind: 'max_daily_amount',
          threshold: '5',
          currency: 'USD',
          window: { type: 'calendar', unit: 'day', time_zone: 'Europe/Atlantis' },
        }),
      ),
    ).toEqual(['window.time_zone'])
    expect(fieldsOf(parseRule({ ...base, kind: 'max_daily_count', threshold: 3, currency: 'USD' }))).toEqual([
      'currency',
    ])
    expect(fieldsOf(parseRule({ ...base, kind: 'max_daily_amount', threshold: '5.00' }))).toEqual([
      'currency',
    ])
    expect(fieldsOf(parseRule({ ...base, kind: 'max_daily_amount', threshold: 5, currency: 'USD' }))).toEqual(
      ['threshold'],
    )
    expect(
      fieldsOf(
        parseRule({
          ...base,
          kind: 'max_weekly_amount',
          threshold: '5',
          currency: 'USD',
          window: { type: 'calendar', unit: 'day' },
        }),
      ),
    ).toEqual(['window.unit'])
    expect(
      fieldsOf(
        parseRule({
          ...base,
          kind: 'max_amount_per_beneficiary',
          threshold: '5',
          currency: 'USD',
          group_by: 'merchant',
        }),
      ),
    ).toEqual(['group_by'])
    expect(
      fieldsOf(parseRule({ ...base, kind: 'new_beneficiary_limit', threshold: '5', currency: 'USD' })),
    ).toEqual(['params.max_age_seconds'])
    expect(fieldsOf(parseRule({ ...base, kind: 'geo_blocking' }))).toEqual(['params.countries'])
    expect(fieldsOf(parseRule({ ...base, kind: 'geo_blocking', params: { countries: ['XX'] } }))).toEqual([
      'params.countries.0',
    ])
    expect(
      fieldsOf(
        parseRuleSet({
          version: 1,
          rules: [
            { ...base, kind: 'max_daily_count', threshold: 1 },
            { ...base, kind: 'max_daily_count', threshold: 2 },
          ],
        }),
      ),
    ).toEqual(['rules.1.id'])
  })
})

describe('management', () => {
  test.prop([arbRuleSet(5), arbRuleJson()], { numRuns: 300 })(
    'each change is validated and bumps the version by one',
    (rs, json) => {
      const fresh = { ...json, id: 'fresh' }
      const added = addRule(rs, fresh)
      expect(E.isRight(added) && added.right.version === rs.version + 1).toBe(true)
      if (E.isLeft(added)) return
      expect(E.isLeft(addRule(added.right, fresh))).toBe(true)
      const updated = updateRule(added.right, 'fresh', { ...fresh, name: 'renamed' })
      expect(E.isRight(updated) && updated.right.version === rs.version + 2).toBe(true)
      expect(E.isLeft(updateRule(added.right, 'fresh', { ...fresh, id: 'other' }))).toBe(true)
      expect(E.isLeft(updateRule(added.right, 'fresh', { ...fresh, kind: 'nope' }))).toBe(true)
      const off = disableRule(added.right, 'fresh')
      expect(E.isRight(off) && off.right.rules.find((r) => r.id === 'fresh')?.enabled === false).toBe(true)
      if (E.isLeft(off)) return
      const on = enableRule(off.right, 'fresh')
      expect(E.isRight(on) && on.right.version === rs.version + 3).toBe(true)
      expect(removeRule(added.right, 'fresh')).toEqual(E.right({ version: rs.version + 2, rules: rs.rules }))
      expect(E.isLeft(removeRule(rs, 'fresh'))).toBe(true)
      expect(E.isLeft(enableRule(rs, 'fresh'))).toBe(true)
    },
    60_000,
  )
})
