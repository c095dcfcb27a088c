// The live examples of the docs site (docs/live/*.ts, which the pages' components call) run here
// as well, so an example that the library no longer supports fails the suite, not only the page.
// Each expectation is worked out from the library's own documented rules, not copied from a run.

import { payoutLifecycleMermaid } from '@payout-kernel/payout-machine'
import { defaultTierBands, riskFromTrust, type TrustScore } from '@payout-kernel/trust'
import { describe, expect, it } from 'vitest'
import { diagramOf, send, startLifecycle } from './live/lifecycle.js'
import { initialRules, initialTransaction, scoreLive } from './live/scoring.js'
import { convertRisk } from './live/trust.js'
import { history, whatIf } from './live/velocity.js'

describe('trust conversion', () => {
  it('turns a raw risk into (1000 − raw) / 1000 and its tier band', () => {
    for (const raw of [0, 1, 423, 999, 1000]) {
      const view = convertRisk(String(raw))
      expect(view.ok).toBe(true)
      if (!view.ok) continue
      expect(view.trust).toBe((1000 - raw) / 1000)
      expect(riskFromTrust(view.trust as TrustScore)).toBe(raw)
      const band = defaultTierBands.find((b) => raw <= b.max)
      expect(view.tier).toBe(band?.tier)
    }
  })
  it('names the field and what was typed when the input is not a raw risk', () => {
    for (const typed of ['1001', '42.5', 'abc', '', '-3']) {
      const view = convertRisk(typed)
      expect(view).toMatchObject({ ok: false, field: 'raw' })
      if (!view.ok) expect(view.message).toContain('whole number from 0 to 1000')
    }
  })
})

describe('payout lifecycle', () => {
  it('is driven event by event to completed, each step moving the status', () => {
    let view = startLifecycle()
    expect(view.status).toBe('created')
    const path = [
      'SUBMITTED',
      'SCREENING_CLEARED',
      'VELOCITY_EVALUATED allow',
      'RISK_SCORED 423 (MEDIUM)',
      'RAIL_SUBMITTED',
      'RAIL_DISPATCHED',
      'RAIL_SETTLED',
    ]
    for (const label of path) {
      const before = view.status
      view = send(view, label)
      expect(view.refusal).toBeNull()
      expect(view.history.at(-1)?.outcome).toBe(`${before} → ${view.status}`)
    }
    expect(view.status).toBe('completed')
    expect(view.history).toHaveLength(path.length)
  })
  it('shows a refusal and keeps the status when an event does not apply', () => {
    const created = startLifecycle()
    const refused = send(created, 'RAIL_SETTLED')
    expect(refused.status).toBe('created')
    expect(refused.snapshot).toBe(created.snapshot)
    expect(refused.refusal).not.toBeNull()
    expect(refused.history.at(-1)?.outcome).toMatch(/^refused \(/)
  })
  it('highlights the current status on the machine’s own diagram', () => {
    const text = diagramOf('pending_screening')
    expect(text.startsWith(payoutLifecycleMermaid())).toBe(true)
    expect(text).toContain('class pending_screening current')
  })
})

describe('velocity what-if', () => {
  const total = history.reduce((sum, h) => sum + Math.round(Number(h.amount) * 100), 0)
  const room = ((100_000 - total) / 100).toFixed(2) // the daily cap is 1000.00 USD
  it('allows a payout that fills the day exactly and blocks one a cent over', () => {
    const fits = whatIf(room, '2026-03-02T08:00:00Z')
    expect(fits).toMatchObject({ ok: true, action: 'allow' })
    const over = whatIf(((Number(room) * 100 + 1) / 100).toFixed(2), '2026-03-02T08:00:00Z')
    expect(over).toMatchObject({ ok: true, action: 'block' })
    if (over.ok) expect(over.rules.find((r) => r.rule === 'daily')?.triggered).toBe(true)
  })
  it('starts a new Manila day at 16:00 UTC', () => {
    expect(whatIf('900.00', '2026-03-02T15:59:00Z')).toMatchObject({ ok: true, action: 'block' })
    expect(whatIf('900.00', '2026-03-02T16:00:00Z')).toMatchObject({ ok: true, action: 'allow' })
  })
  it('names the field of a bad amount', () => {
    const view = whatIf('12.345', '2026-03-02T08:00:00Z')
    expect(view.ok).toBe(false)
    if (!view.ok) expect(view.message).toContain('amount')
  })
})

describe('scoring rule set against a transaction', () => {
  it('adds the live rules’ scores and reports the dry-run rule apart', () => {
    const view = scoreLive(initialRules, initialTransaction)
    expect(view.ok).toBe(true)
    if (!view.ok) return
    const live = view.matched.filter((m) => !m.dryRun).reduce((s, m) => s + m.score, 0)
    const dry = view.matched.filter((m) => m.dryRun).reduce((s, m) => s + m.score, 0)
    expect(view.score).toBe(live)
    expect(view.dryScore).toBe(dry)
    expect(view.matched.map((m) => m.id)).toEqual(['big', 'new-device', 'risky-country'])
  })
  it('shows what is wrong with a rule set or a transaction instead of a score', () => {
    expect(scoreLive('{', initialTransaction).ok).toBe(false)
    expect(scoreLive(initialRules, '{').ok).toBe(false)
    const bad = scoreLive(initialRules, '[1, 2]')
    expect(bad).toMatchObject({ ok: false })
    if (!bad.ok) expect(bad.errors.join(' ')).toContain('transaction')
  })
})
