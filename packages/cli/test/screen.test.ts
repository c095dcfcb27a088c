// `screen`: the shipped example lists and beneficiaries, held to the screening library itself (every
// count, outcome, score and match below is computed by the library on the same files, never typed
// in); the names file read line by line whatever its line ends; bad input as a message and an exit code.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { fc, test } from '@fast-check/vitest'
import { arbGarbage } from '@payout-kernel/core/testing'
import {
  buildSanctionsIndex,
  decodeParty,
  defaultScreeningConfig,
  type ListLoad,
  loadOfacSdnSync,
  loadOpenSanctionsSync,
  type ScreeningConfig,
  type ScreeningOutcome,
  screenParty,
} from '@payout-kernel/screening'
import { describe, expect, it } from 'vitest'
import * as E from '#fp-ts/Either'
import { linesOf, partyOf, type ScreenFinding, type ScreenSummary } from '../src/commands/screen.js'
import { capture, examples, scratch, tempDir } from './harness.js'

const shipped = (name: string) => path.join(examples, 'screening', name)
const sdn = shipped('sdn.csv')
const beneficiaries = shipped('beneficiaries.ndjson')
const read = (file: string) => fs.readFileSync(file, 'utf8')
const fixtures = fileURLToPath(new URL('../../screening/fixtures/', import.meta.url))
const osEntities = path.join(fixtures, 'opensanctions/entities.ftm.ndjson')
const fixtureSdn = path.join(fixtures, 'ofac/sdn.csv')

/** The example list as the library loads it, from the whole files at once. */
const exampleLoad = (): ListLoad =>
  loadOfacSdnSync({
    sdn: [read(sdn)],
    alt: [read(shipped('alt.csv'))],
    add: [read(shipped('add.csv'))],
    comments: [read(shipped('sdn_comments.csv'))],
  })

interface Expected {
  readonly outcomes: Record<ScreeningOutcome, number>
  readonly badLines: number[]
  readonly findings: ScreenFinding[]
}

/**
 * What the library says about every line of a names text (lines split by the obvious reference:
 * `\n`, a `\r` before it dropped, a byte order mark at the start dropped, blank lines skipped).
 */
const expectedOf = (
  loads: ReadonlyArray<ListLoad>,
  names: string,
  config: ScreeningConfig = defaultScreeningConfig,
): Expected => {
  const index = buildSanctionsIndex(loads.map((l) => l.list))
  const outcomes: Record<ScreeningOutcome, number> = { hit: 0, possible_match: 0, clear: 0 }
  const badLines: number[] = []
  const findings: ScreenFinding[] = []
  names
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, i) => {
      const text = raw.replace(/\r$/, '')
      if (text.trim() === '') return
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch {
        badLines.push(i + 1)
        return
      }
      const party = decodeParty(value)
      const id = (value as { id?: unknown } | null)?.id
      const badId = id !== undefined && !(typeof id === 'string' && id.length >= 1 && id.length <= 255)
      if (E.isLeft(party) || badId) {
        badLines.push(i + 1)
        return
      }
      const result = screenParty(index, party.right, config)
      if (E.isLeft(result)) {
        badLines.push(i + 1)
        return
      }
      outcomes[result.right.outcome] += 1
      const [best] = result.right.matches
      if (best === undefined || result.right.outcome === 'clear') return
      findings.push({
        line: i + 1,
        ...(typeof id === 'string' ? { id } : {}),
        name: party.right.name,
        outcome: result.right.outcome,
        score: result.right.score,
        matches: result.right.matches.map((m) => ({
          outcome: m.outcome,
          list: m.list,
          entry_id: m.entryId,
          entry_name: m.entryName,
          matched_name: m.matchedName,
          score: m.score,
          name_score: m.nameScore,
          agreed: m.agreed,
          disagreed: m.disagreed,
        })),
      })
    })
  return { outcomes, badLines, findings }
}

const screenJson = async (args: ReadonlyArray<string>) => {
  const r = await capture(['screen', ...args, '--json'])
  return { ...r, summary: r.out === '' ? undefined : (JSON.parse(r.out) as ScreenSummary) }
}

/** Names files for the checks below, in the example's own lines. */
const exampleLines = read(beneficiaries)
  .split('\n')
  .filter((l) => l.trim() !== '')
const expectedExample = expectedOf([exampleLoad()], read(beneficiaries))
const linesWith = (outcome: ScreeningOutcome | 'bad') =>
  exampleLines.filter((l) => {
    const e = expectedOf([exampleLoad()], l)
    return outcome === 'bad' ? e.badLines.length === 1 : e.outcomes[outcome] === 1
  })

const noStack = (err: string) => expect(err).not.toMatch(/\n\s+at /)

describe('the shipped example', () => {
  it('mixes hits, possible matches, clears and one bad line', () => {
    expect(expectedExample.outcomes.hit).toBeGreaterThan(0)
    expect(expectedExample.outcomes.possible_match).toBeGreaterThan(0)
    expect(expectedExample.outcomes.clear).toBeGreaterThan(0)
    expect(expectedExample.badLines).toHaveLength(1)
    expect(exampleLoad().counts.rejected).toBe(0)
  })

  it('--json: the counts, the lists and every party to review are those of the library; exit 1', async () => {
    const { code, summary, err } = await screenJson(['--list', sdn, '--names', beneficiaries])
    const load = exampleLoad()
    expect(summary).toEqual({
      names: beneficiaries,
      lists: [
        {
          list: 'ofac_sdn',
          format: 'ofac',
          files: {
            sdn,
            alt: shipped('alt.csv'),
            add: shipped('add.csv'),
            comments: shipped('sdn_comments.csv'),
          },
          found_beside: ['alt', 'add', 'comments'],
          rows: load.counts.rows,
          entries: load.counts.entries,
          rejected: load.counts.rejected,
          warnings: load.counts.warnings,
          skipped: load.counts.skipped,
          rejected_rows: [],
        },
      ],
      thresholds: {
        hit: defaultScreeningConfig.hitThreshold,
        possible_match: defaultScreeningConfig.possibleThreshold,
      },
      lines: exampleLines.length,
      parties: exampleLines.length - expectedExample.badLines.length,
      outcomes: expectedExample.outcomes,
      bad_lines: expectedExample.badLines.length,
      findings: expectedExample.findings,
    } satisfies ScreenSummary)
    const [badLine] = expectedExample.badLines
    expect(err).toContain(`${beneficiaries}:${badLine}: country: must be an assigned ISO 3166-1 alpha-2 code`)
    expect(err).toContain('1 bad line(s) skipped')
    expect(code).toBe(1)
  })

  it('the tables: the lists with the files found beside sdn.csv, the counts, every party to review', async () => {
    const { code, out } = await capture(['screen', '--list', sdn, '--names', beneficiaries])
    expect(code).toBe(1)
    expect(out).toContain(`${shipped('alt.csv')} (found beside it)`)
    expect(out).toContain(`${shipped('sdn_comments.csv')} (found beside it)`)
    const { hit, possible_match, clear } = expectedExample.outcomes
    const row = [hit + possible_match + clear, hit, possible_match, clear, 1].join(' +│ ')
    expect(out).toMatch(new RegExp(`│ ${row} +│`))
    expect(out).toContain(`Parties to review: ${expectedExample.findings.length}`)
    for (const f of expectedExample.findings) {
      expect(out).toContain(f.id ?? f.name)
      for (const m of f.matches) expect(out).toContain(`${m.list} ${m.entry_id}`)
    }
  })

  it('runs built from the repository root as docs/cli.md shows it, stdout and stderr', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    const command = [
      'screen',
      '--list',
      'examples/screening/sdn.csv',
      '--names',
      'examples/screening/beneficiaries.ndjson',
    ]
    const run = (...flags: string[]) =>
      spawnSync(process.execPath, ['packages/cli/dist/main.js', ...command, ...flags], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      })
    const tables = run()
    expect(tables.status).toBe(1)
    const docs = read(path.join(root, 'docs/cli.md'))
    expect(docs).toContain(`\`\`\`text\n$ payout-kernel ${command.join(' ')}\n${tables.stdout}\`\`\``)
    expect(docs).toContain(`\`\`\`text\n${tables.stderr}\`\`\``)
    const json = run('--json')
    expect(json.status).toBe(1)
    expect((JSON.parse(json.stdout) as ScreenSummary).outcomes).toEqual(expectedExample.outcomes)
  })
})

describe('exit codes', () => {
  const [clearLine = '', otherClear = ''] = linesWith('clear')
  const [hitLine = ''] = linesWith('hit')
  const [possibleLine = ''] = linesWith('possible_match')
  const [badLine = ''] = linesWith('bad')
  const run = (lines: ReadonlyArray<string>, ...flags: string[]) =>
    screenJson([
      '--list',
      sdn,
      '--names',
      scratch({ 'n.ndjson': lines.join('\n') })['n.ndjson'] ?? '',
      ...flags,
    ])

  it('0 when every party is clear', async () => {
    const r = await run([clearLine, otherClear])
    expect(r.summary?.outcomes).toEqual({ hit: 0, possible_match: 0, clear: 2 })
    expect(r.code).toBe(0)
    const file = scratch({ 'n.ndjson': `${clearLine}\n` })['n.ndjson'] ?? ''
    const tables = await capture(['screen', '--list', sdn, '--names', file])
    expect(tables.out).toContain('Parties to review: none')
    expect(tables.code).toBe(0)
  })
  it('1 on a hit, on a possible match alone, on a bad line alone', async () => {
    expect((await run([clearLine, hitLine])).code).toBe(1)
    const possible = await run([clearLine, possibleLine])
    expect(possible.summary?.outcomes.possible_match).toBe(1)
    expect(possible.code).toBe(1)
    const bad = await run([clearLine, badLine])
    expect(bad.summary?.bad_lines).toBe(1)
    expect(bad.code).toBe(1)
  })
  it('2 under --strict at the first bad line, with nothing on stdout', async () => {
    const r = await run([clearLine, badLine, hitLine], '--strict')
    expect(r.code).toBe(2)
    expect(r.out).toBe('')
    expect(r.err).toContain(':2: country: ')
  })
  it('--help names the command and its flags', async () => {
    const help = await capture(['screen', '--help'])
    expect(help.code).toBe(0)
    for (const flag of ['--list', '--names', '--hit-threshold', '--possible-threshold', '--json', '--strict'])
      expect(help.out).toContain(flag)
  })
})

describe('the names file', () => {
  const lf = exampleLines.join('\n')
  const variants: Array<[string, string]> = [
    ['CRLF line ends', `${exampleLines.join('\r\n')}\r\n`],
    ['a UTF-8 byte order mark', `\uFEFF${lf}\n`],
    ['a last line without a line end', lf],
    ['blank lines and a blank last line', `\n${exampleLines.join('\n\n')}\n  \n`],
  ]
  for (const [name, text] of variants)
    it(`${name}: the parties and line numbers of the library's reading`, async () => {
      const file = scratch({ 'n.ndjson': text })['n.ndjson'] ?? ''
      const { summary } = await screenJson(['--list', sdn, '--names', file])
      const expected = expectedOf([exampleLoad()], text)
      expect(summary?.outcomes).toEqual(expected.outcomes)
      expect(summary?.findings).toEqual(expected.findings)
      expect(summary?.bad_lines).toBe(expected.badLines.length)
      expect(summary?.lines).toBe(exampleLines.length)
    })

  it('an empty file screens nobody: exit 0, and says so', async () => {
    for (const text of ['', '\n\n  \r\n']) {
      const file = scratch({ 'n.ndjson': text })['n.ndjson'] ?? ''
      const r = await screenJson(['--list', sdn, '--names', file])
      expect(r.summary?.parties).toBe(0)
      expect(r.summary?.lines).toBe(0)
      expect(r.err).toContain(`${file} holds no party to screen`)
      expect(r.code).toBe(0)
    }
  })

  it('bad lines are named by line and field, and the lines after them still screened', async () => {
    const [hitLine = ''] = linesWith('hit')
    const lines = [
      '{"name": ',
      '[1, 2]',
      '{"id": 7, "name": "Priya Raman"}',
      '{"name": "Priya Raman", "date_of_birth": "1990-13-01"}',
      `{"name": "${'a'.repeat((1 << 20) + 10)}"}`,
      hitLine,
    ]
    const file = scratch({ 'n.ndjson': lines.join('\n') })['n.ndjson'] ?? ''
    const r = await screenJson(['--list', sdn, '--names', file])
    expect(r.err).toContain(`${file}:1: is not JSON`)
    expect(r.err).toContain(`${file}:2: expected { name: string }, got [1,2]`)
    expect(r.err).toContain(`${file}:3: id: must be a string of 1 to 255 characters, got 7`)
    expect(r.err).toContain(`${file}:4: date_of_birth: `)
    expect(r.err).toContain(`${file}:5: is longer than ${2 ** 20} characters`)
    expect(r.summary?.bad_lines).toBe(5)
    expect(r.summary?.findings.map((f) => f.line)).toEqual([6])
    noStack(r.err)
  })

  it('a name the library finds nothing to screen in (a lone modifier letter) is a bad line naming the field', async () => {
    const name = '\u02BC'
    const index = buildSanctionsIndex([exampleLoad().list])
    const library = screenParty(index, { name })
    expect(
      E.isLeft(library) && library.left._tag === 'ValidationError' && library.left.problems[0]?.field,
    ).toBe('party.name')
    const file = scratch({ 'n.ndjson': `${JSON.stringify({ name })}\n` })['n.ndjson'] ?? ''
    const r = await screenJson(['--list', sdn, '--names', file])
    expect(r.summary?.bad_lines).toBe(1)
    expect(r.err).toContain(`${file}:1: name: has no letter or digit to screen`)
  })

  it('a CSV names file is refused (exit 2): the names are NDJSON', async () => {
    const file = scratch({ 'n.csv': 'name\nPriya Raman\n' })['n.csv'] ?? ''
    const r = await capture(['screen', '--list', sdn, '--names', file])
    expect(r.code).toBe(2)
    expect(r.err).toContain('must be NDJSON')
  })
})

describe('unreadable inputs: a message naming the file, exit 2, nothing on stdout', () => {
  const dir = tempDir('payout-kernel-screen-')
  const missing = path.join(dir, 'missing.ndjson')
  const binary = path.join(dir, 'binary.ndjson')
  fs.writeFileSync(binary, Buffer.from([0x7b, 0x22, 0x00, 0xff, 0xfe, 0x01, 0x02, 0x0a, 0x89, 0x50]))
  const binaryCsv = path.join(dir, 'sdn.csv')
  fs.writeFileSync(binaryCsv, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]))
  const utf16 = path.join(dir, 'utf16.ndjson')
  fs.writeFileSync(utf16, Buffer.from(`\uFEFF${exampleLines[0]}\n`, 'utf16le'))
  const cases: Array<[string, string[], string]> = [
    ['a missing names file', ['--list', sdn, '--names', missing], `${missing} cannot be read: ENOENT`],
    ['a directory as names', ['--list', sdn, '--names', dir], `${dir} cannot be read: it is a directory`],
    [
      'a binary names file',
      ['--list', sdn, '--names', binary],
      `${binary} is not text (a NUL byte at offset 2)`,
    ],
    ['a UTF-16 names file', ['--list', sdn, '--names', utf16], `${utf16} is UTF-16 text; save it as UTF-8`],
    [
      'a missing list',
      ['--list', path.join(dir, 'nope.csv'), '--names', beneficiaries],
      `${path.join(dir, 'nope.csv')} cannot be read: ENOENT`,
    ],
    [
      'a directory as a list',
      ['--list', path.join(dir, 'lists.json'), '--names', beneficiaries],
      'cannot be read',
    ],
    ['a binary list', ['--list', binaryCsv, '--names', beneficiaries], `${binaryCsv} is not text`],
  ]
  fs.mkdirSync(path.join(dir, 'lists.json'))
  for (const [name, args, message] of cases)
    it(name, async () => {
      const r = await capture(['screen', ...args])
      expect(r.code).toBe(2)
      expect(r.err).toContain(message)
      expect(r.err.trim().split('\n')).toHaveLength(1)
      expect(r.out).toBe('')
      noStack(r.err)
    })
})

describe('the lists', () => {
  const row = (id: string, name: string, type: string, remarks = '-0- ') =>
    `${id},"${name}",${type},"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,${remarks}`

  it('a bad row is reported with file, line and field, counted, and makes the exit 1', async () => {
    const [clearLine = ''] = linesWith('clear')
    const sdnText = [
      row('1', 'KARVELLO, Dmitri', '"individual"'),
      row('2', 'BAD TYPE LTD.', '"company"'),
    ].join('\n')
    const files = scratch({ 'sdn.csv': sdnText, 'n.ndjson': clearLine })
    const r = await screenJson(['--list', files['sdn.csv'] ?? '', '--names', files['n.ndjson'] ?? ''])
    const load = loadOfacSdnSync({ sdn: [sdnText] })
    const [rejected] = load.rejected
    expect(rejected?.problems[0]?.field).toBe('sdn_type')
    expect(r.err).toContain(
      `${files['sdn.csv']}:${rejected?.line}: sdn_type: ${rejected?.problems[0]?.message ?? ''}`,
    )
    expect(r.summary?.lists[0]?.rejected).toBe(load.counts.rejected)
    expect(r.summary?.lists[0]?.rejected_rows).toEqual(
      load.rejected.map((p) => ({ file: files['sdn.csv'], line: p.line, problems: p.problems })),
    )
    expect(r.summary?.lists[0]?.found_beside).toEqual([])
    expect(r.summary?.outcomes.clear).toBe(1)
    expect(r.code).toBe(1)
    const strict = await capture([
      'screen',
      '--strict',
      '--list',
      files['sdn.csv'] ?? '',
      '--names',
      files['n.ndjson'] ?? '',
    ])
    expect(strict.code).toBe(2)
    expect(strict.out).toBe('')
  })

  it('a bad row of a file beside sdn.csv names that file', async () => {
    const dir = tempDir('payout-kernel-screen-')
    fs.writeFileSync(path.join(dir, 'sdn.csv'), `${row('1', 'KARVELLO, Dmitri', '"individual"')}\n`)
    fs.writeFileSync(path.join(dir, 'alt.csv'), '1,11,"aka","KARVELO, Dmitriy",-0- \n1,12,"alias","X",-0- \n')
    const r = await screenJson(['--list', path.join(dir, 'sdn.csv'), '--names', beneficiaries])
    expect(r.err).toContain(`${path.join(dir, 'alt.csv')}:2: alt_type: `)
    expect(r.summary?.lists[0]?.found_beside).toEqual(['alt'])
  })

  it('fails closed: no list, or a list that yields no entry, is exit 2 and never a clear', async () => {
    const none = await capture(['screen', '--names', beneficiaries])
    expect(none.code).toBe(2)
    expect(none.err).toContain('fails closed')
    const files = scratch({
      'sdn.csv': '',
      'entities.ftm.json': '{"id":"a","schema":"Address","properties":{}}\n',
    })
    const dir = tempDir('payout-kernel-screen-')
    fs.writeFileSync(path.join(dir, 'sdn.csv'), `${row('X1', 'NO NUMBER', '-0- ')}\n`)
    for (const list of [
      files['sdn.csv'] ?? '',
      files['entities.ftm.json'] ?? '',
      path.join(dir, 'sdn.csv'),
    ]) {
      const r = await capture(['screen', '--list', list, '--names', beneficiaries])
      expect(r.code, list).toBe(2)
      expect(r.out, list).toBe('')
      expect(r.err, list).toMatch(/has no entry.*: screening fails closed/)
    }
    // one good list beside an empty one still fails: the empty one was asked for
    const both = await capture([
      'screen',
      '--list',
      sdn,
      '--list',
      files['sdn.csv'] ?? '',
      '--names',
      beneficiaries,
    ])
    expect(both.code).toBe(2)
  })

  it('OFAC and OpenSanctions together: both lists, the matches of the library over both', async () => {
    const ofac = loadOfacSdnSync({
      sdn: [read(fixtureSdn)],
      alt: [read(path.join(fixtures, 'ofac/alt.csv'))],
      add: [read(path.join(fixtures, 'ofac/add.csv'))],
      comments: [read(path.join(fixtures, 'ofac/sdn_comments.csv'))],
    })
    const os = loadOpenSanctionsSync([read(osEntities)])
    const names = [
      '{"id":"ben_a","name":"Orrin Vanterpool","date_of_birth":"1961-02-10","country":"IR"}',
      '{"id":"ben_b","name":"Rashid Al-Qasimi","date_of_birth":"1990"}',
      '{"id":"ben_c","name":"Maria Gonzalez"}',
    ].join('\n')
    const file = scratch({ 'n.ndjson': names })['n.ndjson'] ?? ''
    const r = await screenJson(['--list', fixtureSdn, '--list', osEntities, '--names', file])
    const expected = expectedOf([ofac, os], names)
    expect(r.summary?.lists.map((l) => [l.list, l.entries, l.rejected])).toEqual([
      ['ofac_sdn', ofac.counts.entries, ofac.counts.rejected],
      ['opensanctions', os.counts.entries, os.counts.rejected],
    ])
    expect(r.summary?.outcomes).toEqual(expected.outcomes)
    expect(r.summary?.findings).toEqual(expected.findings)
    expect(new Set(r.summary?.findings.flatMap((f) => f.matches.map((m) => m.list)))).toEqual(
      new Set(['ofac_sdn', 'opensanctions']),
    )
  })

  it('the files beside sdn.csv can be named instead; two OFAC lists get two ids', async () => {
    const dir = tempDir('payout-kernel-screen-')
    const own = path.join(dir, 'sdn-2025.csv')
    fs.copyFileSync(sdn, own)
    const named = await screenJson(['--list', own, '--alt', shipped('alt.csv'), '--names', beneficiaries])
    expect(named.summary?.lists[0]?.files).toEqual({ sdn: own, alt: shipped('alt.csv') })
    expect(named.summary?.lists[0]?.found_beside).toEqual([])
    const overridden = await screenJson([
      '--list',
      sdn,
      '--add',
      shipped('add.csv'),
      '--names',
      beneficiaries,
    ])
    expect(overridden.summary?.lists[0]?.found_beside).toEqual(['alt', 'comments'])
    const two = await screenJson(['--list', sdn, '--list', fixtureSdn, '--names', beneficiaries])
    expect(two.summary?.lists.map((l) => l.list)).toEqual(['ofac_sdn', 'ofac_sdn_2'])
  })

  const usage: Array<[string, string[], RegExp]> = [
    ['a file that goes beside sdn.csv', ['--list', shipped('alt.csv')], /goes with sdn\.csv/],
    [
      'a list of unknown format',
      ['--list', beneficiaries.replace('.ndjson', '.txt')],
      /cannot tell the list's format/,
    ],
    ['the same list twice', ['--list', sdn, '--list', sdn], /given twice/],
    [
      '--alt with two OFAC lists',
      ['--list', sdn, '--list', fixtureSdn, '--alt', sdn],
      /--alt names a file of one OFAC list, but 2/,
    ],
    ['--comments with no OFAC list', ['--list', osEntities, '--comments', sdn], /but 0 OFAC lists/],
  ]
  for (const [name, args, message] of usage)
    it(`usage error (exit 2): ${name}`, async () => {
      const r = await capture(['screen', ...args, '--names', beneficiaries])
      expect(r.code).toBe(2)
      expect(r.err).toMatch(message)
      expect(r.out).toBe('')
    })
})

describe('thresholds', () => {
  const refused: Array<[string[], string]> = [
    [['--hit-threshold', '1.5'], '--hit-threshold: must be a number in (0, 1], got 1.5'],
    [['--hit-threshold', 'high'], '--hit-threshold: must be a number in (0, 1], got "high"'],
    [['--possible-threshold', '0'], '--possible-threshold: must be a number in (0, 1], got 0'],
    [['--possible-threshold', '-0.5'], '--possible-threshold: must be a number in (0, 1], got -0.5'],
    [['--possible-threshold', '0.95'], '--possible-threshold: must not be above --hit-threshold'],
    [['--hit-threshold', '0.8'], '--possible-threshold: must not be above --hit-threshold'],
    [['--hit-threshold', ''], '--hit-threshold: must be a number in (0, 1], got ""'],
  ]
  for (const [flags, message] of refused)
    it(`${flags.join(' ')} is a usage error naming the flag`, async () => {
      const r = await capture(['screen', '--list', sdn, '--names', beneficiaries, ...flags])
      expect(r.code).toBe(2)
      expect(r.err).toContain(message)
      expect(r.out).toBe('')
    })

  it('thresholds that pass are those the library screens with', async () => {
    const config = { ...defaultScreeningConfig, hitThreshold: 0.99, possibleThreshold: 0.8 }
    const r = await screenJson([
      '--list',
      sdn,
      '--names',
      beneficiaries,
      '--hit-threshold',
      '0.99',
      '--possible-threshold',
      '.8',
    ])
    const expected = expectedOf([exampleLoad()], read(beneficiaries), config)
    expect(r.summary?.thresholds).toEqual({ hit: 0.99, possible_match: 0.8 })
    expect(r.summary?.outcomes).toEqual(expected.outcomes)
    expect(r.summary?.findings).toEqual(expected.findings)
    expect(expected.outcomes).not.toEqual(expectedExample.outcomes)
  })
})

// ---------------------------------------------------------------- properties

/** The lines of a text by the obvious reference: `\n` ends, a `\r` before it dropped, a leading BOM dropped. */
const referenceLines = (text: string) => {
  const parts = text.split('\n')
  if (parts[parts.length - 1] === '') parts.pop()
  return parts.map((raw, i) => ({
    line: i + 1,
    text: (i === 0 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, ''),
  }))
}

async function* inPieces(text: string, cuts: ReadonlyArray<number>): AsyncGenerator<string> {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
  let start = 0
  for (const c of at) {
    yield text.slice(start, c)
    start = c
  }
  yield text.slice(start)
}

const arbText = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.string({ unit: 'grapheme' }),
        fc.constantFrom('', ' ', '\uFEFF{"name":"x"}', '\r', '{"name":"Ada"}'),
      ),
      fc.constantFrom('\n', '\r\n'),
    ),
    { maxLength: 12 },
  )
  .chain((lines) =>
    fc.record({
      text: fc.constant(lines.map(([l, end]) => l + end).join('')),
      dropLast: fc.boolean(),
      bom: fc.boolean(),
    }),
  )
  .map(({ text, dropLast, bom }) => `${bom ? '\uFEFF' : ''}${dropLast ? text.replace(/\r?\n$/, '') : text}`)

test.prop([arbText, fc.array(fc.nat(), { maxLength: 8 })], { numRuns: 10_000 })(
  'lines of a names file, cut anywhere: the same lines and numbers as splitting the whole text',
  async (text, cuts) => {
    const lines = []
    for await (const l of linesOf(inPieces(text, cuts))) lines.push(l)
    expect(lines).toEqual(referenceLines(text))
  },
)

const arbLine = fc.oneof(
  fc.string(),
  fc.json(),
  arbGarbage.map((g) => {
    try {
      return JSON.stringify(g) ?? 'undefined'
    } catch {
      return String(typeof g)
    }
  }),
  arbGarbage.map((g) => {
    try {
      return JSON.stringify({ id: g, name: g, date_of_birth: g, country: g }) ?? '{}'
    } catch {
      return '{"name":1}'
    }
  }),
)

test.prop([arbLine], { numRuns: 10_000 })(
  'any names line is a party or problems naming fields, never a throw',
  (line) => {
    const party = partyOf(line)
    if (E.isLeft(party)) {
      expect(party.left.length).toBeGreaterThan(0)
      for (const p of party.left) expect(typeof p.field === 'string' && p.message !== '').toBe(true)
    } else {
      expect(typeof party.right.party.name).toBe('string')
      expect(party.right.id === undefined || typeof party.right.id === 'string').toBe(true)
      const decoded = decodeParty(JSON.parse(line))
      expect(decoded).toEqual(E.right(party.right.party))
    }
  },
)

test.prop([fc.array(fc.oneof(arbLine, fc.constantFrom(...exampleLines)), { maxLength: 8 })], {
  numRuns: 100,
})(
  'any names file: every non-blank line is screened or skipped as bad, with the counts of the library',
  async (lines) => {
    const text = lines.join('\n')
    const file = scratch({ 'n.ndjson': text })['n.ndjson'] ?? ''
    const r = await screenJson(['--list', sdn, '--names', file])
    const expected = expectedOf([exampleLoad()], text)
    expect(r.summary?.outcomes).toEqual(expected.outcomes)
    expect(r.summary?.bad_lines).toBe(expected.badLines.length)
    expect(r.summary?.findings).toEqual(expected.findings)
    expect(r.code).toBe(expected.badLines.length + expected.findings.length > 0 ? 1 : 0)
    noStack(r.err)
  },
)
