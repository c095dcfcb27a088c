// Hostile input files for every command that streams one: a byte order mark, CRLF, a last line
// without its end, a line of 50 MB, binary and UTF-16 files, CSV with quoted commas and line
// breaks, a directory and a named pipe. Each is read as the same records, a line-numbered skip, or
// one error naming the file with exit 2 (docs/cli.md) — never a stack trace, a hang or a heap of it.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { maxLineLength } from '../src/input.js'
import { capture, examples, tempDir } from './harness.js'

const shipped = (name: string) => path.join(examples, name)
const dir = tempDir('payout-kernel-adversarial-')
const write = (name: string, content: string | Buffer): string => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, content)
  return file
}
/** The first lines of a shipped file, so each variant runs quickly. */
const head = (name: string, lines: number): string =>
  `${fs.readFileSync(shipped(name), 'utf8').split('\n').slice(0, lines).join('\n')}\n`

/** One line on stderr: `payout-kernel <command>: <file> <what is wrong>`. */
const oneError = (err: string, file: string, message: string) =>
  expect(err).toMatch(new RegExp(`^payout-kernel [a-z]+: ${escaped(file)} ${escaped(message)}\\n$`))
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const commands: ReadonlyArray<readonly [string, string, (file: string) => string[]]> = [
  [
    'simulate',
    'payouts.ndjson',
    (f) => [
      'simulate',
      '--rules',
      shipped('velocity-current.json'),
      '--history',
      f,
      '--rates',
      shipped('rates.json'),
      // in this process (the second thread, for inputs of 16 MiB or more, runs the built dist/)
      '--threads',
      '1',
    ],
  ],
  [
    'simulate (CSV)',
    'payouts-sample.csv',
    (f) => [
      'simulate',
      '--rules',
      shipped('velocity-current.json'),
      '--history',
      f,
      '--rates',
      shipped('rates.json'),
      // in this process (the second thread, for inputs of 16 MiB or more, runs the built dist/)
      '--threads',
      '1',
    ],
  ],
  ['replay', 'payout-events.ndjson', (f) => ['replay', '--events', f]],
  [
    'score',
    'transactions.ndjson',
    (f) => ['score', '--rules', shipped('scoring-rules.json'), '--transactions', f],
  ],
]

describe.each(commands)('%s', (name, example, args) => {
  const ext = path.extname(example)
  const plain = head(example, 40)
  const slug = name.replace(/\W+/g, '-')
  const file = (variant: string, content: string | Buffer) => write(`${slug}-${variant}${ext}`, content)
  const reference = capture(args(file('plain', plain)))

  it('a UTF-8 byte order mark is not part of the first record', async () => {
    const r = await capture(args(file('bom', `\uFEFF${plain}`)))
    expect(r).toEqual(await reference)
  })

  it('CRLF line ends read as LF ones', async () => {
    const r = await capture(args(file('crlf', plain.replaceAll('\n', '\r\n'))))
    expect(r).toEqual(await reference)
  })

  it('a last line without its line end is read all the same', async () => {
    const r = await capture(args(file('no-eol', plain.slice(0, -1))))
    expect(r).toEqual(await reference)
  })

  it('a line of 50 MB is skipped as a bad line naming its number, the rest read', async () => {
    const lines = plain.split('\n')
    const at = lines.length // the line after the last one the plain file had
    const long = `{"note":"${'x'.repeat(50 * 1024 * 1024)}"}`
    const f = file('long-line', `${plain}${long}\n`)
    const r = await capture(args(f))
    expect(r.code).toBe(1)
    expect(r.err).toContain(`${f}:${at}: is longer than ${maxLineLength} characters; skipped unread`)
    expect(r.err).not.toMatch(/\n\s+at /)
    // the same records as without it (replay's count of lines read counts it too)
    expect(r.out.replace(/Replayed \d+ lines/, '')).toBe(
      (await reference).out.replace(/Replayed \d+ lines/, ''),
    )
  })

  it('a binary file is one error naming it, exit 2', async () => {
    const f = file(
      'binary',
      Buffer.from([0x7b, 0x22, 0x00, 0xff, 0xfe, 0x01, 0x02, 0x0a, 0x89, 0x50, 0x4e, 0x47]),
    )
    const r = await capture(args(f))
    expect(r.code).toBe(2)
    oneError(r.err, f, 'is not text (a NUL byte at offset 2)')
    expect(r.out).toBe('')
  })

  it('a UTF-16 file is one error asking for UTF-8, exit 2', async () => {
    const f = file('utf16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(plain, 'utf16le')]))
    const r = await capture(args(f))
    expect(r.code).toBe(2)
    oneError(r.err, f, 'is UTF-16 text; save it as UTF-8')
  })

  it('a named pipe is one error, exit 2, without waiting for a writer', async () => {
    const fifo = path.join(dir, `${slug}.fifo`)
    execFileSync('mkfifo', [fifo])
    const r = await capture(args(fifo))
    expect(r.code).toBe(2)
    oneError(r.err, fifo, 'cannot be read: it is a named pipe (FIFO), not a file')
  })
})

describe('CSV', () => {
  const args = (f: string) => [
    'simulate',
    '--rules',
    shipped('velocity-current.json'),
    '--history',
    f,
    '--rates',
    shipped('rates.json'),
    '--threads',
    '1',
  ]
  const csv = head('payouts-sample.csv', 12)

  it('a quoted field with commas and a line break is one field, and line numbers count the break', async () => {
    const rows = csv.trimEnd().split('\n')
    // row 3 (line 3) gets an id with a comma and a line break in it: a bad id, reported on line 3;
    // the rows after it keep their numbers plus the one break
    rows[2] = rows[2]?.replace(/^pay_[^,]+/, '"pay_a,b\nc"') ?? ''
    rows.push('pay_tail,mer_x')
    const f = write('quoted.csv', `${rows.join('\n')}\n`)
    const r = await capture(args(f))
    expect(r.code).toBe(1)
    expect(r.err).toMatch(new RegExp(`${f.replaceAll('.', '\\.')}:3: id: `))
    expect(r.err).toContain(`${f}:${rows.length + 1}: has 2 fields; the header has 10`)
    expect(r.err).not.toMatch(/\n\s+at /)
  })

  it('a quoted field never closed is one bad line, read in bounded memory', async () => {
    const f = write('unclosed.csv', `${csv}"pay_open,${'y'.repeat(3 * maxLineLength)}\n`)
    const r = await capture(args(f))
    expect(r.code, r.err).toBe(1)
    expect(r.err).toContain(`${f}:13: is longer than ${maxLineLength} characters; skipped unread`)
    expect(r.err).not.toMatch(/\n\s+at /)
  })
})

describe('memory stays bounded by a line, not by the file', () => {
  // The built CLI in a heap of 48 MiB: a 50 MB line (100 MB as a JavaScript string) held whole
  // would not fit. `npm test` builds dist/ first.
  const cli = fileURLToPath(new URL('../dist/main.js', import.meta.url))
  it('score reads a file with a 50 MB line in a 48 MiB heap, skipping that line', () => {
    const f = write(
      'huge-line.ndjson',
      `${head('transactions.ndjson', 5)}{"x":"${'z'.repeat(50_000_000)}"}\n`,
    )
    const r = spawnSync(
      process.execPath,
      [
        '--max-old-space-size=48',
        cli,
        'score',
        '--rules',
        shipped('scoring-rules.json'),
        '--transactions',
        f,
      ],
      { encoding: 'utf8' },
    )
    expect(r.stderr).toContain(`${f}:6: is longer than ${maxLineLength} characters; skipped unread`)
    expect(r.status).toBe(1)
  })
})
