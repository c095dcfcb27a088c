import fs from 'node:fs'
import path from 'node:path'
import type { BacktestReport } from '@payout-kernel/velocity'
import { expect, test } from 'vitest'
import { capture, examples, scratch } from './harness.js'

const shipped = (name: string) => path.join(examples, name)
const base = ['simulate', '--rules', shipped('velocity-current.json'), '--rates', shipped('rates.json')]

test('simulate --compare on the shipped year reports both rule sets and the decisions that differ (exit 1)', async () => {
  const { code, out } = await capture([
    ...base,
    '--compare',
    shipped('velocity-proposed.json'),
    '--history',
    shipped('payouts.ndjson'),
    '--json',
  ])
  const report = JSON.parse(out) as BacktestReport
  expect(report.payouts).toBe(fs.readFileSync(shipped('payouts.ndjson'), 'utf8').trim().split('\n').length)
  expect(report.before.rule_set_version).toBe(41)
  expect(report.after?.rule_set_version).toBe(42)
  const d = report.differences
  expect(d).toBeDefined()
  expect(d && Object.values(d.by_change).reduce((a, b) => a + b, 0)).toBe(d?.total)
  expect(d?.total).toBeGreaterThan(0)
  expect(code).toBe(1)
  // every kind of rule the platform names is in the shipped set, and the bursts trip some of them
  expect(new Set(report.before.rules.map((r) => r.kind)).size).toBe(10)
  expect(report.before.rules.filter((r) => r.hits > 0).length).toBeGreaterThan(8)
})

test('the tables name every rule and the decision changes', async () => {
  const { out } = await capture([
    ...base,
    '--compare',
    shipped('velocity-proposed.json'),
    '--history',
    shipped('payouts.ndjson'),
  ])
  for (const id of ['ben_daily', 'dupes_10m', 'sanctions_geo', 'new_ben_amount']) expect(out).toContain(id)
  expect(out).toMatch(/Decisions that differ: \d+/)
})

test('CSV history gives the same report as the same payouts in NDJSON', async () => {
  const lines = fs.readFileSync(shipped('payouts.ndjson'), 'utf8').split('\n').slice(0, 300).join('\n')
  const files = scratch({ 'first.ndjson': lines })
  const csv = await capture([...base, '--history', shipped('payouts-sample.csv'), '--json'])
  const ndjson = await capture([...base, '--history', files['first.ndjson'] ?? '', '--json'])
  expect(csv.out).toBe(ndjson.out)
  expect(JSON.parse(csv.out).payouts).toBe(300)
})

test('bad lines are reported with line number and field path, skipped, and counted (exit 1)', async () => {
  const good = fs.readFileSync(shipped('payouts.ndjson'), 'utf8').split('\n').slice(0, 3)
  const bad = { ...JSON.parse(good[1] ?? '{}'), amount: '10.001', id: 'pay_x1' }
  const files = scratch({ 'h.ndjson': [good[0], '{oops', JSON.stringify(bad), good[2]].join('\n') })
  const { code, out, err } = await capture([...base, '--history', files['h.ndjson'] ?? '', '--json'])
  expect(err).toMatch(/h\.ndjson:2: is not JSON/)
  expect(err).toMatch(/h\.ndjson:3: amount: has 3 decimals; \w+ allows \d/)
  expect(err).toMatch(/2 bad line\(s\) skipped/)
  expect(JSON.parse(out).payouts).toBe(2)
  expect(code).toBe(1)
  const strict = await capture([...base, '--strict', '--history', files['h.ndjson'] ?? ''])
  expect(strict.code).toBe(2)
  expect(strict.out).toBe('')
})

test('an invalid rule set is refused with the file and field path, exit 2, no stack trace', async () => {
  const files = scratch({
    'r.json': JSON.stringify({
      version: 1,
      rules: [{ id: 'x', name: 'X', kind: 'max_hourly_amount', action: 'block', enabled: true }],
    }),
    'bad.json': '{',
  })
  const a = await capture([
    'simulate',
    '--rules',
    files['r.json'] ?? '',
    '--history',
    shipped('payouts-sample.csv'),
  ])
  expect(a.code).toBe(2)
  expect(a.err).toMatch(/r\.json is not valid:\n {2}rules\.0\.kind: /)
  const b = await capture([
    'simulate',
    '--rules',
    files['bad.json'] ?? '',
    '--history',
    shipped('payouts-sample.csv'),
  ])
  expect(b.err).toMatch(/bad\.json is not JSON/)
  const c = await capture([
    'simulate',
    '--rules',
    '/nonexistent.json',
    '--history',
    shipped('payouts-sample.csv'),
  ])
  expect(c.err).toMatch(/cannot be read/)
  for (const r of [a, b, c]) expect(r.err).not.toMatch(/\n\s+at /)
})

test('a history out of time order is refused (exit 2), naming the file line, not the payout index', async () => {
  const [first = '', second = ''] = fs.readFileSync(shipped('payouts.ndjson'), 'utf8').split('\n')
  // a bad line and a blank line before: the refused payout is the 2nd decoded but on line 4
  const files = scratch({ 'h.ndjson': [second, '{"id":1}', '', first].join('\n') })
  const file = files['h.ndjson'] ?? ''
  const { code, err } = await capture([...base, '--history', file])
  expect(code).toBe(2)
  expect(err).toContain(`${file}:4: created_at: is before the payout above it`)
  expect(err).not.toMatch(/history\.\d/)
})
