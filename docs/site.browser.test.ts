// The built docs site in a real Chromium (Debian's `chromium`, driven by playwright-core): each page
// with a live example is loaded, the example driven as a reader would, and what the page shows is
// checked against the same example module run here in Node. A screenshot of each page goes to
// .screenshots/ (gitignored). Needs `pnpm run docs:site` first. Without Chromium or a built site
// the test says plainly that it did not run; with PAYOUT_KERNEL_REQUIRE_BROWSER=1 (.ci/run, which
// installs Chromium and builds the site) either one missing fails it.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send, startLifecycle } from './live/lifecycle.js'
import { initialRules, initialTransaction, scoreLive } from './live/scoring.js'
import { convertRisk } from './live/trust.js'
import { whatIf } from './live/velocity.js'

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const site = path.join(import.meta.dirname, '.vitepress/dist')
const shots = path.join(import.meta.dirname, '../.screenshots')
const required = process.env.PAYOUT_KERNEL_REQUIRE_BROWSER === '1'
const missing = !fs.existsSync(chromiumPath)
  ? `no Chromium at ${chromiumPath} (apt-get install chromium)`
  : !fs.existsSync(path.join(site, 'index.html'))
    ? 'the site is not built (pnpm run docs:site)'
    : null
const runs = missing === null

it('the browser test ran here, or the run says why not', ({ task }) => {
  ;(task.meta as Record<string, unknown>).browser = runs
    ? `Chromium (${chromiumPath}) on the built docs site`
    : `browser test NOT run: ${missing}`
  if (required) expect(missing).toBeNull()
})

// A static server for the built site, on a loopback port of its own.
const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}
let server: http.Server
let base = ''
let browser: Browser

// Defined only where it can run (the first test says so otherwise), as the Redis suites do.
if (runs)
  describe('the docs site in Chromium', () => {
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost')
        let file = path.join(site, decodeURIComponent(url.pathname))
        if (!file.startsWith(site)) file = path.join(site, '404.html')
        if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html')
        if (!fs.existsSync(file) && fs.existsSync(`${file}.html`)) file = `${file}.html`
        if (!fs.existsSync(file)) {
          res.writeHead(404).end()
          return
        }
        res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' })
        fs.createReadStream(file).pipe(res)
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] })
      fs.mkdirSync(shots, { recursive: true })
    })
    afterAll(async () => {
      await browser?.close()
      await new Promise((resolve) => server?.close(resolve))
    })

    const open = async (page: string): Promise<Page> => {
      const p = await browser.newPage({ viewport: { width: 1280, height: 1600 } })
      const errors: string[] = []
      p.on('pageerror', (e) => errors.push(e.message))
      await p.goto(`${base}/${page}`)
      await p.waitForSelector('[data-live]')
      ;(p as unknown as { errors: string[] }).errors = errors
      return p
    }
    const text = async (p: Page, id: string) => ((await p.getByTestId(id).textContent()) ?? '').trim()
    const texts = async (p: Page, id: string) =>
      (await p.getByTestId(id).locator('li').allTextContents()).map((t) => t.trim())
    const shot = (p: Page, name: string) =>
      p.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true })
    const noErrors = (p: Page) => expect((p as unknown as { errors: string[] }).errors).toEqual([])

    it('trust: the score and tier follow what is typed; a bad input shows the error', async () => {
      const p = await open('trust.html')
      for (const typed of ['423', '0', '1000', '871']) {
        await p.getByTestId('trust-input').fill(typed)
        const expected = convertRisk(typed)
        if (!expected.ok) throw new Error(`${typed} should convert`)
        expect(await text(p, 'trust-score')).toBe(String(expected.trust))
        expect(await text(p, 'trust-tier')).toBe(expected.tier)
      }
      await shot(p, 'trust')
      await p.getByTestId('trust-input').fill('1001')
      const bad = convertRisk('1001')
      if (bad.ok) throw new Error('1001 should be refused')
      expect(await text(p, 'trust-error')).toBe(`${bad.field}: ${bad.message}`)
      noErrors(p)
      await p.close()
    })

    it('lifecycle: each event moves the status, a refusal is shown, the diagram lights the status', async () => {
      const p = await open('payout-lifecycle.html')
      await p.waitForSelector('[data-testid="lifecycle-diagram"] svg')
      let model = startLifecycle()
      expect(await text(p, 'lifecycle-status')).toBe(model.status)
      const path = [
        'SUBMITTED',
        'SCREENING_CLEARED',
        'VELOCITY_EVALUATED allow',
        'RISK_SCORED 880 (CRITICAL)',
      ]
      for (const label of path) {
        await p.getByTestId(`lifecycle-send-${label.split(' ').join('-')}`).click()
        model = send(model, label)
        expect(await text(p, 'lifecycle-status')).toBe(model.status)
        // the diagram is redrawn with the new status marked
        await p.waitForFunction(
          `[...document.querySelectorAll('[data-testid="lifecycle-diagram"] g.current')]` +
            `.some((g) => g.id.includes('-${model.status}-'))`,
        )
      }
      await shot(p, 'payout-lifecycle')
      await p.getByTestId('lifecycle-send-RAIL_SETTLED').click()
      model = send(model, 'RAIL_SETTLED')
      expect(model.refusal).not.toBeNull()
      expect(await text(p, 'lifecycle-refusal')).toBe(model.refusal)
      expect(await text(p, 'lifecycle-status')).toBe(model.status)
      const rows = await texts(p, 'lifecycle-history')
      expect(rows).toEqual(model.history.map((h) => `${h.event}: ${h.outcome}`))
      noErrors(p)
      await p.close()
    })

    it('velocity: the what-if verdict follows the amount and time typed', async () => {
      const p = await open('velocity.html')
      const at = '2026-03-02T08:00:00Z'
      await p.getByTestId('velocity-at').fill(at)
      for (const amount of ['230.00', '230.01', '5.00']) {
        await p.getByTestId('velocity-amount').fill(amount)
        const expected = whatIf(amount, at)
        if (!expected.ok) throw new Error(expected.message)
        expect(await text(p, 'velocity-action')).toBe(expected.action)
        for (const r of expected.rules)
          expect(await text(p, `velocity-triggered-${r.rule}`)).toBe(r.triggered ? 'yes' : 'no')
      }
      await p.getByTestId('velocity-amount').fill('230.01')
      await shot(p, 'velocity')
      await p.getByTestId('velocity-amount').fill('12.345')
      const bad = whatIf('12.345', at)
      if (bad.ok) throw new Error('12.345 should be refused')
      expect(await text(p, 'velocity-error')).toBe(bad.message)
      noErrors(p)
      await p.close()
    })

    it('scoring: the score follows the edited rule set and transaction; bad JSON shows the error', async () => {
      const p = await open('scoring.html')
      const first = scoreLive(initialRules, initialTransaction)
      if (!first.ok) throw new Error(first.errors.join('; '))
      expect(await text(p, 'scoring-score')).toBe(String(first.score))
      expect(await text(p, 'scoring-dry')).toBe(String(first.dryScore))
      expect(await text(p, 'scoring-action')).toBe(first.action)
      const domestic = JSON.stringify({ ...JSON.parse(initialTransaction), country: 'US', amount: '90.00' })
      await p.getByTestId('scoring-transaction').fill(domestic)
      const second = scoreLive(initialRules, domestic)
      if (!second.ok) throw new Error(second.errors.join('; '))
      expect(second.score).not.toBe(first.score)
      expect(await text(p, 'scoring-score')).toBe(String(second.score))
      expect(await text(p, 'scoring-dry')).toBe(String(second.dryScore))
      await shot(p, 'scoring')
      await p.getByTestId('scoring-rules').fill('{ "rules": [ ')
      const bad = scoreLive('{ "rules": [ ', domestic)
      if (bad.ok) throw new Error('broken JSON should be refused')
      expect(await texts(p, 'scoring-error')).toEqual(bad.errors)
      noErrors(p)
      await p.close()
    })
  })
