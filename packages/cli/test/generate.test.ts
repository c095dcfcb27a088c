import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { capture, examples } from './harness.js'

test('the generator is deterministic and the shipped example data is exactly its output', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payout-kernel-generate-'))
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payout-kernel-generate-'))
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
