// Input files that cannot be read, and outputs that cannot be written: a message naming the file
// and exit 2, never a stack trace — for every command that streams a file.
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { capture, examples, tempDir } from './harness.js'

const shipped = (name: string) => path.join(examples, name)
const dir = tempDir('payout-kernel-files-')
const missing = path.join(dir, 'missing.ndjson')

const commands: Array<[string, (file: string) => string[]]> = [
  ['simulate', (f) => ['simulate', '--rules', shipped('velocity-current.json'), '--history', f]],
  [
    'simulate --threads 1',
    (f) => ['simulate', '--rules', shipped('velocity-current.json'), '--history', f, '--threads', '1'],
  ],
  ['replay', (f) => ['replay', '--events', f]],
  ['score', (f) => ['score', '--rules', shipped('scoring-rules.json'), '--transactions', f]],
]

describe('unreadable inputs', () => {
  for (const [name, args] of commands) {
    it(`${name}: a missing file`, async () => {
      const r = await capture(args(missing))
      expect(r.code).toBe(2)
      expect(r.err).toContain(`${missing} cannot be read: ENOENT`)
      expect(r.err).not.toMatch(/\n\s+at /)
      expect(r.out).toBe('')
    })
    it(`${name}: a directory`, async () => {
      const r = await capture(args(dir))
      expect(r.code).toBe(2)
      expect(r.err).toContain(`${dir} cannot be read: it is a directory`)
      expect(r.out).toBe('')
    })
  }
})

it('replay: an audit file that cannot be written is a message and exit 2', async () => {
  const target = path.join(dir, 'no-such-dir', 'audit.ndjson')
  const r = await capture(['replay', '--events', shipped('payout-events.ndjson'), '--audit-out', target])
  expect(r.code).toBe(2)
  expect(r.err).toContain(`payout-kernel: ENOENT`)
  expect(r.err).toContain(target)
  expect(r.err).not.toMatch(/\n\s+at /)
})
