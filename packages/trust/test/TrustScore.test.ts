import { fc, test } from '@fast-check/vitest'
import { arbGarbage } from '@payout-kernel/core/testing'
import { describe, expect } from 'vitest'
import * as E from '#fp-ts/Either'
import {
  decodeTrustScore,
  defaultTierBands,
  isTierAtLeast,
  type RawRisk,
  rawRisk,
  riskFromTrust,
  type TierBands,
  tierBands,
  tierOf,
  tiers,
  trustFromRisk,
  trustOf,
} from '../src/index.js'
import { arbRawRisk, arbTierBands } from '../src/testing/index.js'

describe('trust from risk', () => {
  test('the documented worked examples', () => {
    expect(trustFromRisk(423)).toEqual(E.right(0.577))
    expect(tierOf(423 as RawRisk)).toBe('MEDIUM')
    expect(trustFromRisk(720)).toEqual(E.right(0.28))
    expect(tierOf(720 as RawRisk)).toBe('HIGH')
    expect(trustFromRisk(0)).toEqual(E.right(1))
    expect(trustFromRisk(1000)).toEqual(E.right(0))
  })

  test.prop([arbRawRisk], { numRuns: 2000 })('trust is in [0, 1] and exact to 3 decimals', (raw) => {
    const trust = trustOf(raw)
    expect(trust).toBeGreaterThanOrEqual(0)
    expect(trust).toBeLessThanOrEqual(1)
    // the shortest decimal of the double is the 3-decimal value (1000 − raw) / 1000
    const thousandths = 1000 - raw
    const expected =
      `${Math.floor(thousandths / 1000)}.${String(thousandths % 1000).padStart(3, '0')}`.replace(/\.?0+$/, '')
    expect(String(trust)).toBe(expected === '' ? '0' : expected)
    expect(riskFromTrust(trust)).toBe(raw)
  })

  test.prop([arbRawRisk, arbRawRisk])('trust is strictly decreasing in raw risk', (a, b) => {
    fc.pre(a !== b)
    expect(a < b).toBe(trustOf(a) > trustOf(b))
  })

  test('every raw risk 0..1000 in order gives strictly decreasing trust (exhaustive)', () => {
    for (let raw = 1; raw <= 1000; raw++)
      expect(trustOf(raw as RawRisk)).toBeLessThan(trustOf((raw - 1) as RawRisk))
  })

  test.prop([arbGarbage], { numRuns: 10_000 })(
    'anything but an integer 0..1000 is refused, never thrown',
    (u) => {
      const result = trustFromRisk(u)
      const valid = typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= 1000
      expect(E.isRight(result)).toBe(valid)
      if (E.isLeft(result)) expect(result.left.problems[0]?.field).toBe('raw')
      expect(E.isRight(rawRisk(u))).toBe(valid)
    },
  )

  test('fractions, NaN, negatives, > 1000 and strings are refused', () => {
    for (const u of [42.5, Number.NaN, -1, 1001, '423', Number.POSITIVE_INFINITY, null])
      expect(E.isLeft(trustFromRisk(u)), String(u)).toBe(true)
  })
})

describe('decodeTrustScore', () => {
  test.prop([arbRawRisk])('accepts every trust score as a number and as a decimal string', (raw) => {
    const trust = trustOf(raw)
    expect(decodeTrustScore(trust)).toEqual(E.right(trust))
    expect(decodeTrustScore(trust.toFixed(3))).toEqual(E.right(trust))
    expect(decodeTrustScore(String(trust))).toEqual(E.right(trust))
  })

  test('refuses out of range and over-precise values rather than rounding', () => {
    for (const u of [
      '1.5',
      '1.001',
      '-0.1',
      '0.5775',
      0.5775,
      1.0001,
      '.5',
      '0.',
      ' 0.5',
      '5e-1',
      Number.NaN,
    ])
      expect(E.isLeft(decodeTrustScore(u)), String(u)).toBe(true)
  })

  test.prop([arbGarbage], { numRuns: 10_000 })(
    'garbage is refused or decoded into [0, 1], never thrown',
    (u) => {
      const result = decodeTrustScore(u)
      if (E.isRight(result)) {
        expect(result.right).toBeGreaterThanOrEqual(0)
        expect(result.right).toBeLessThanOrEqual(1)
      } else expect(result.left.problems[0]?.field).toBe('trust_score')
    },
  )
})

describe('tiers', () => {
  test('default bands: LOW 0–299, MEDIUM 300–599, HIGH 600–849, CRITICAL 850–1000', () => {
    const edges: Array<[number, string]> = [
      [0, 'LOW'],
      [299, 'LOW'],
      [300, 'MEDIUM'],
      [599, 'MEDIUM'],
      [600, 'HIGH'],
      [849, 'HIGH'],
      [850, 'CRITICAL'],
      [1000, 'CRITICAL'],
    ]
    for (const [raw, tier] of edges) expect(tierOf(raw as RawRisk), String(raw)).toBe(tier)
    expect(E.isRight(tierBands([...defaultTierBands]))).toBe(true)
  })

  const allRisks = Array.from({ length: 1001 }, (_, i) => i as RawRisk)

  test.prop([arbTierBands], { numRuns: 200 })(
    'tierOf is total and monotone over 0..1000 for any valid band set',
    (bands) => {
      let previous = 0
      for (const raw of allRisks) {
        const index = tiers.indexOf(tierOf(raw, bands))
        expect(index).toBeGreaterThanOrEqual(previous)
        previous = index
        const band = bands[index]
        expect(band !== undefined && raw >= band.min && raw <= band.max).toBe(true)
      }
    },
  )

  test.prop([arbTierBands, arbRawRisk, arbRawRisk])(
    'trust and tier agree: more trust never means a riskier tier',
    (bands, a, b) => {
      const [lo, hi] = trustOf(a) <= trustOf(b) ? [a, b] : [b, a]
      // hi has at least lo's trust, so its tier is at most as risky
      expect(tiers.indexOf(tierOf(hi, bands))).toBeLessThanOrEqual(tiers.indexOf(tierOf(lo, bands)))
      expect(tierOf(riskFromTrust(trustOf(a)), bands)).toBe(tierOf(a, bands))
    },
  )

  const mutate = fc.constantFrom(
    'gap',
    'overlap',
    'swap',
    'short',
    'long',
    'start',
    'end',
    'fraction',
    'drop',
  )
  test.prop([arbTierBands, mutate, fc.integer({ min: 0, max: 3 })])(
    'a band set that is not contiguous, ordered and covering 0..1000 is refused with a field path',
    (valid, how, i) => {
      const bands: Array<Record<string, unknown>> = valid.map((b) => ({ ...b }))
      const at = bands[i] as Record<string, unknown>
      const j = Math.min(i, 2)
      switch (how) {
        case 'gap':
          ;(bands[j + 1] as Record<string, unknown>).min = (bands[j + 1] as { min: number }).min + 1
          break
        case 'overlap':
          ;(bands[j + 1] as Record<string, unknown>).min = (bands[j + 1] as { min: number }).min - 1
          break
        case 'swap':
          ;[bands[j], bands[j + 1]] = [
            bands[j + 1] as Record<string, unknown>,
            bands[j] as Record<string, unknown>,
          ]
          break
        case 'short':
          bands.pop()
          break
        case 'long':
          bands.push({ tier: 'CRITICAL', min: 1001, max: 1001 })
          break
        case 'start':
          ;(bands[0] as Record<string, unknown>).min = 1
          break
        case 'end':
          ;(bands[3] as Record<string, unknown>).max = 999
          break
        case 'fraction':
          at.max = (at.max as number) - 0.5
          break
        case 'drop':
          delete at.tier
          break
      }
      const result = tierBands(bands)
      expect(E.isLeft(result)).toBe(true)
      if (E.isLeft(result)) {
        expect(result.left._tag).toBe('InvalidBands')
        for (const p of result.left.problems) expect(p.field).toMatch(/^bands(\.\d\.(tier|min|max))?$/)
      }
    },
  )

  test.prop([arbGarbage], { numRuns: 10_000 })('tierBands refuses garbage, never throws', (u) => {
    expect(E.isLeft(tierBands(u))).toBe(true)
  })

  test('isTierAtLeast orders tiers by risk', () => {
    expect(tiers.filter(isTierAtLeast('HIGH'))).toEqual(['HIGH', 'CRITICAL'])
    expect(tiers.filter(isTierAtLeast('LOW'))).toEqual(tiers)
  })

  test('custom bands move the tier of the same raw risk', () => {
    const strict = tierBands([
      { tier: 'LOW', min: 0, max: 99 },
      { tier: 'MEDIUM', min: 100, max: 199 },
      { tier: 'HIGH', min: 200, max: 299 },
      { tier: 'CRITICAL', min: 300, max: 1000 },
    ])
    expect(E.isRight(strict)).toBe(true)
    if (E.isRight(strict)) expect(tierOf(423 as RawRisk, strict.right as TierBands)).toBe('CRITICAL')
  })
})
