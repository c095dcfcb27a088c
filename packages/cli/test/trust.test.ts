import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import { capture } from './harness.js'

test('trust <raw> prints trust score and tier as JSON', async () => {
  const { code, out } = await capture(['trust', '423'])
  expect(code).toBe(0)
  expect(JSON.parse(out)).toEqual({ raw_score: 423, trust_score: 0.577, tier: 'MEDIUM' })
})

test.prop([fc.string()], { numRuns: 300 })(
  'trust with anything but an integer 0..1000 exits 2 with the field named, no stack trace',
  async (s) => {
    const { code, out, err } = await capture(['trust', '--', s])
    if (/^\d+$/.test(s) && Number(s) <= 1000) {
      expect(code).toBe(0)
    } else {
      expect(code).toBe(2)
      expect(out).toBe('')
      expect(err).not.toMatch(/\n\s+at /)
    }
  },
)

test('demo prints a verdict per shipped evaluation', async () => {
  const { code, out } = await capture(['demo'])
  expect(code).toBe(0)
  const verdicts = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map(
      (l) => JSON.parse(l) as { resource_id: string; new_trust_score: number; previous_score: number | null },
    )
  expect(verdicts.length).toBe(5)
  expect(verdicts[0]).toMatchObject({
    resource_id: 'ben_8f2kQ1',
    new_trust_score: 0.577,
    previous_score: 720,
  })
})

test('unknown commands and missing files are usage errors (exit 2)', async () => {
  expect((await capture(['nope'])).code).toBe(2)
  const missing = await capture(['demo', '--file', '/nonexistent.json'])
  expect(missing.code).toBe(2)
  expect(missing.err).toMatch(/cannot read/)
})
