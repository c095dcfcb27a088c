import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import type { ReplaySummary } from '../src/commands/replay.js'
import { capture, examples, scratch } from './harness.js'

const events = path.join(examples, 'payout-events.ndjson')

test('replay of the shipped event log: every payout ends in a status, duplicates ignored, out-of-order refusals listed', async () => {
  const out = scratch({ 'audit.ndjson': '', 'webhooks.ndjson': '' })
  const { code, out: text } = await capture([
    'replay',
    '--events',
    events,
    '--json',
    '--audit-out',
    out['audit.ndjson'] ?? '',
    '--webhooks-out',
    out['webhooks.ndjson'] ?? '',
  ])
  const summary = JSON.parse(text) as ReplaySummary
  const lines = fs.readFileSync(events, 'utf8').trim().split('\n')
  expect(summary.lines).toBe(lines.length)
  expect(summary.payouts).toBe(
    new Set(lines.map((l) => (JSON.parse(l) as { payout_id: string }).payout_id)).size,
  )
  expect(Object.values(summary.statuses).reduce((a, b) => a + b, 0)).toBe(summary.payouts)
  const refused = Object.values(summary.refused).reduce((a, b) => a + b, 0)
  expect(summary.accepted + summary.duplicates + refused + summary.bad_lines).toBe(summary.lines)
  expect(summary.duplicates).toBeGreaterThan(0)
  expect(code).toBe(refused > 0 ? 1 : 0)
  // one audit record per accepted step at least, and webhook ids unique
  const audit = fs
    .readFileSync(out['audit.ndjson'] ?? '', 'utf8')
    .trim()
    .split('\n')
  const hooks = fs
    .readFileSync(out['webhooks.ndjson'] ?? '', 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { id: string }).id)
  expect(audit.length).toBeGreaterThanOrEqual(summary.accepted)
  expect(new Set(hooks).size).toBe(hooks.length)
})

test('bad lines and invalid events are reported with line numbers; --strict stops with exit 2', async () => {
  const files = scratch({
    'e.ndjson': [
      JSON.stringify({
        payout_id: 'pay_1',
        event: { type: 'CREATED', eventId: 'e0', occurredAt: 1000, actor: { type: 'merchant', id: 'u1' } },
      }),
      'nope',
      JSON.stringify({
        payout_id: 'pay_1',
        event: { type: 'SUBMITTED', eventId: 'e1', occurredAt: 'soon', actor: { type: 'system' } },
      }),
      JSON.stringify({
        payout_id: 'pay_1',
        event: { type: 'SUBMITTED', eventId: 'e2', occurredAt: 2000, actor: { type: 'system' } },
      }),
    ].join('\n'),
  })
  const loose = await capture(['replay', '--events', files['e.ndjson'] ?? '', '--json'])
  expect(loose.err).toMatch(/e\.ndjson:2: is not JSON/)
  const summary = JSON.parse(loose.out) as ReplaySummary
  expect(summary.refused).toEqual({ invalid_event: 1 })
  expect(summary.refusals[0]?.line).toBe(3)
  expect(summary.statuses.pending_screening).toBe(1)
  expect(loose.code).toBe(1)
  const strict = await capture(['replay', '--strict', '--events', files['e.ndjson'] ?? ''])
  expect(strict.code).toBe(2)
})
