import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { capture, examples, tempDir } from './harness.js'

test('the generator is deterministic and the shipped example data is exactly its output', async () => {
  const dir = tempDir('payout-kernel-generate-')
  const { code } = await capture(['generate', '--out', dir])
  expect(code).toBe(0)
  const written = fs.readdirSync(dir).sort()
  expect(written.length).toBeGreaterThanOrEqual(8)
  for (const name of written)
    expect(fs.readFileSync(path.join(dir, name), 'utf8'), name).toBe(
      fs.readFileSync(path.join(examples, name), 'utf8'),
    )
})

test('another seed gives other data; sizes are honoured; bad numbers are usage errors', async () => {
  const dir = tempDir('payout-kernel-generate-')
  await capture([
    'generate',
    '--out',
    dir,
    '--seed',
    '7',
    '--payouts',
    '1200',
    '--transactions',
    '50',
    '--lifecycles',
    '20',
  ])
  const payouts = fs.readFileSync(path.join(dir, 'payouts.ndjson'), 'utf8').trim().split('\n')
  expect(payouts).toHaveLength(1200)
  expect(fs.readFileSync(path.join(dir, 'transactions.ndjson'), 'utf8').trim().split('\n')).toHaveLength(50)
  expect(payouts[0]).not.toBe(fs.readFileSync(path.join(examples, 'payouts.ndjson'), 'utf8').split('\n')[0])
  const times = payouts.map((l) => (JSON.parse(l) as { created_at: number }).created_at)
  expect(times).toEqual([...times].sort((a, b) => a - b))
  const bad = await capture(['generate', '--out', dir, '--payouts', 'many'])
  expect(bad.code).toBe(2)
  expect(bad.err).toMatch(/--payouts must be a whole number/)
})

test('a large history stays in time order and spreads over the year instead of piling up at its end', async () => {
  // bursts add minutes on top of the steady gaps; at 500k payouts the walk used to overrun the year
  // and the clamp sent time backwards (and stacked thousands of payouts on the last millisecond)
  const dir = tempDir('payout-kernel-generate-')
  const { code } = await capture([
    'generate',
    '--out',
    dir,
    '--payouts',
    '500000',
    '--transactions',
    '1',
    '--lifecycles',
    '1',
  ])
  expect(code).toBe(0)
  const times = fs
    .readFileSync(path.join(dir, 'payouts.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { created_at: number }).created_at)
  expect(times).toHaveLength(500_000)
  let backwards = 0
  for (let i = 1; i < times.length; i++) if ((times[i] as number) < (times[i - 1] as number)) backwards++
  expect(backwards).toBe(0)
  const end = Date.UTC(2026, 0, 1)
  const last = times[times.length - 1] as number
  expect(last).toBeLessThan(end)
  // the busiest millisecond holds a burst at most, not a pile-up
  const perMs = new Map<number, number>()
  let busiest = 0
  for (const t of times) {
    const n = (perMs.get(t) ?? 0) + 1
    perMs.set(t, n)
    busiest = Math.max(busiest, n)
  }
  expect(busiest).toBeGreaterThanOrEqual(1)
  expect(busiest).toBeLessThanOrEqual(8)
}, 120_000)
