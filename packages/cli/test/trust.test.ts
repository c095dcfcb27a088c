import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import { capture } from './harness.js'

test('trust <raw> prints trust score, tier and the verdict fields as JSON', async () => {
  const { code, out } = await capture(['trust', '423'])
  expect(code).toBe(0)
  expect(JSON.parse(out)).toEqual({
    raw_score: 423,
    trust_score: 0.577,
    tier: 'MEDIUM',
    verdict_fields: { new_trust_score: 0.577, new_tier: 'MEDIUM', new_score: 423 },
  })
})

test.prop([fc.string()], { numRuns: 300 })(
  'trust with anything but an integer 0..1000 exits 2 with the field named, no stack trace',
  async (s) => {
    const { code, out, err } = await capture(['trust', '--', s])
    if (/^\d+$/.test(s) && Number(s) <= 1000) expect(code).toBe(0)
    else {
      expect(code).toBe(2)
      expect(out).toBe('')
      expect(err).toMatch(/raw: /)
      expect(err).not.toMatch(/\n\s+at /)
    }
  },
)

test('unknown commands and missing options are usage errors (exit 2), --help exits 0', async () => {
  expect((await capture(['nope'])).code).toBe(2)
  expect((await capture(['simulate'])).code).toBe(2)
  for (const command of ['simulate', 'replay', 'score', 'trust', 'generate', 'screen']) {
    const help = await capture([command, '--help'])
    expect(help.code, command).toBe(0)
    expect(help.out, command).toMatch(/Usage: payout-kernel/)
  }
})
