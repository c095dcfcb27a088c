import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { type ListLoad, loadOfacSdn, loadOfacSdnSync, type OfacSdnFiles } from '../src/index.js'
import { arbGarbageLine } from '../src/testing/index.js'
import { asAsync, cut, fixture } from './fixtures.js'

const files = {
  sdn: fixture('ofac/sdn.csv'),
  alt: fixture('ofac/alt.csv'),
  add: fixture('ofac/add.csv'),
  comments: fixture('ofac/sdn_comments.csv'),
}
const whole: OfacSdnFiles<Iterable<string>> = {
  sdn: [files.sdn],
  alt: [files.alt],
  add: [files.add],
  comments: [files.comments],
}
const load = loadOfacSdnSync(whole)
const entry = (id: string) => load.list.entries.find((e) => e.id === id)

describe('the OFAC SDN fixtures', () => {
  test('twelve entries load, six rows are rejected with file, line and field, one empty address is skipped', () => {
    expect(load.counts).toEqual({
      rows: 35,
      entries: 12,
      rejected: 6,
      warnings: 3,
      skipped: { empty_address: 1 },
    })
    expect(load.list.id).toBe('ofac_sdn')
    expect(load.rejected.map((r) => [r.file, r.line, r.problems.map((p) => p.field)])).toEqual([
      ['sdn.csv', 12, ['sdn_type']],
      ['sdn.csv', 13, ['ent_num']],
      ['sdn.csv', 14, ['']],
      ['alt.csv', 7, ['ent_num']],
      ['alt.csv', 8, ['alt_type']],
      ['add.csv', 11, ['ent_num']],
    ])
    expect(load.rejected[2]?.problems[0]?.message).toBe('has 11 fields; sdn.csv rows have 12')
    expect(load.warnings.map((w) => [w.file, w.line, w.problems[0]?.message])).toEqual([
      ['sdn.csv', 8, 'DOB "31 Feb 1970" is not a date'],
      ['sdn.csv', 8, '"Atlantis" is not a recognised country'],
      ['add.csv', 10, '"Bohemia" is not a recognised country'],
    ])
  })

  test('an individual: DOBs (full, alt. year), nationality, aliases from alt.csv and the remarks, an address', () => {
    expect(entry('7001')).toEqual({
      list: 'ofac_sdn',
      id: '7001',
      name: 'VANTERPOOL, Orrin Kael',
      aliases: [
        { name: 'VANTERPOL, Orin', kind: 'aka' },
        { name: 'KAEL, Orrin', kind: 'fka' },
        { name: 'ABU KAEL', kind: 'aka' },
      ],
      type: 'individual',
      programs: ['SDGT'],
      addresses: [{ street: '14 Harbour Road', city: 'Port Ardent', country: 'CY', countryName: 'Cyprus' }],
      datesOfBirth: [{ year: 1961, month: 2, day: 10 }, { year: 1962 }],
      nationalities: ['IR'],
      countries: ['IR', 'CY'],
    })
  })

  test('programs split on "] [", an entity type from -0-, a remark overflowing into sdn_comments.csv', () => {
    expect(entry('7002')?.programs).toEqual(['IRAN', 'IFSR'])
    expect(entry('7002')?.type).toBe('entity')
    expect(entry('7002')?.aliases.map((a) => a.name)).toEqual(['ORCHID LINE', 'ORCHID MARITIME'])
  })

  test('a vessel with its flag; an aircraft; circa and ranges of years; month precision; escaped quotes', () => {
    expect(entry('7003')).toMatchObject({
      type: 'vessel',
      countries: ['PA'],
      aliases: [{ name: 'NORTHERN ORCHID', kind: 'fka' }],
    })
    expect(entry('7007')?.type).toBe('aircraft')
    expect(entry('7004')?.datesOfBirth).toEqual([{ year: 1975, circa: true }])
    expect(entry('7005')?.datesOfBirth).toEqual([{ year: 1958 }, { year: 1959 }, { year: 1960 }])
    expect(entry('7015')?.datesOfBirth).toEqual([{ year: 1972, month: 7 }])
    expect(entry('7008')?.name).toBe('O\'DONNELL, Siobhan "Shiv"')
    expect(entry('7009')?.nationalities).toEqual(['KP'])
  })

  test('entries with the same programs, date of birth and nationality share frozen arrays, and read the same', () => {
    const row = (id: number, remarks: string) =>
      `${id},"NAME ${id}","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"${remarks}"\n`
    const load = loadOfacSdnSync({
      sdn: [
        row(1, 'DOB 1961; nationality Iran.'),
        row(2, 'DOB 1961; nationality Iran.'),
        row(3, 'DOB 1962; DOB 1961; nationality Iran; nationality Iraq.'),
      ],
    })
    const [a, b, c] = load.list.entries
    expect([a?.programs, a?.datesOfBirth, a?.nationalities]).toEqual([['SDGT'], [{ year: 1961 }], ['IR']])
    expect(b?.programs).toBe(a?.programs)
    expect(b?.datesOfBirth).toBe(a?.datesOfBirth)
    expect(
      Object.isFrozen(a?.datesOfBirth) && Object.isFrozen(a?.programs) && Object.isFrozen(a?.aliases),
    ).toBe(true)
    // a second date or nationality makes the entry its own array; the shared ones are unchanged
    expect([c?.datesOfBirth, c?.nationalities, c?.countries]).toEqual([
      [{ year: 1962 }, { year: 1961 }],
      ['IR', 'IQ'],
      ['IR', 'IQ'],
    ])
    expect([a?.datesOfBirth, a?.nationalities]).toEqual([[{ year: 1961 }], ['IR']])
  })

  test('a hostile alt.csv of 100,000 aliases for one entry loads in one pass (no quadratic copying)', () => {
    const sdn = '1,"ORCHID LINE",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
    const alt = Array.from({ length: 100_000 }, (_, i) => `1,${i + 1},"aka","ORCHID ${i}",-0- \n`).join('')
    const started = performance.now()
    const load = loadOfacSdnSync({ sdn: [sdn], alt: [alt] })
    expect(load.list.entries[0]?.aliases.length).toBe(100_000)
    expect(performance.now() - started).toBeLessThan(30_000)
  })

  test('the asynchronous loader gives the same list, problems and counts', async () => {
    const async = await loadOfacSdn({
      sdn: asAsync([files.sdn]),
      alt: asAsync([files.alt]),
      add: asAsync([files.add]),
      comments: asAsync([files.comments]),
    })
    expect(async).toEqual(load)
  })

  test.prop([fc.array(fc.nat(), { maxLength: 40 })], { numRuns: 200 })(
    'cutting the files anywhere (mid-line, mid-quote, between \\r and \\n) changes nothing',
    async (offsets) => {
      const pieces = {
        sdn: cut(files.sdn, offsets),
        alt: cut(files.alt, offsets),
        add: cut(files.add, offsets),
        comments: cut(files.comments, offsets),
      }
      expect(loadOfacSdnSync(pieces)).toEqual(load)
      const async = await loadOfacSdn({
        sdn: asAsync(pieces.sdn),
        alt: asAsync(pieces.alt),
        add: asAsync(pieces.add),
        comments: asAsync(pieces.comments),
      })
      expect(async).toEqual(load)
    },
  )
})

const wellFormed = (l: ListLoad) => {
  for (const e of l.list.entries) {
    expect(e.id).toMatch(/^[1-9]\d*$/)
    expect(e.name).toMatch(/[\p{L}\p{N}]/u)
  }
  for (const r of [...l.rejected, ...l.warnings]) {
    expect(r.line).toBeGreaterThan(0)
    expect(r.problems.length).toBeGreaterThan(0)
  }
  expect(l.counts.entries).toBe(l.list.entries.length)
  expect(l.counts.rejected).toBe(l.rejected.length)
}

describe('garbage', () => {
  test.prop([fc.array(arbGarbageLine, { minLength: 100, maxLength: 100 })], { numRuns: 100 })(
    '10,000 garbage lines in every file (100 runs × 100 lines) give values, never a throw',
    (lines) => {
      const text = lines.join('\n')
      const result = loadOfacSdnSync({ sdn: [text], alt: [text], add: [text], comments: [text] })
      wellFormed(result)
      expect(result.counts.rows).toBeLessThanOrEqual(4 * lines.length)
    },
  )

  test.prop(
    [fc.array(fc.oneof(arbGarbageLine, fc.constantFrom(...files.sdn.split('\n'))), { maxLength: 60 })],
    {
      numRuns: 200,
    },
  )('garbage mixed with good rows: every good row after a garbage line still loads', (lines) => {
    const result = loadOfacSdnSync({ sdn: [lines.join('\n')] })
    wellFormed(result)
  })

  test('an unclosed quote does not swallow the rest of the file: the lines after it are read again', () => {
    const good = '7001,"VANTERPOOL, Orrin Kael","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
    const rows = [
      '7000,"UNCLOSED,-0- ',
      ...Array.from({ length: 80 }, (_, i) => good.replace('7001', String(8000 + i))),
    ]
    const result = loadOfacSdnSync({ sdn: [rows.join('\n')] })
    expect(result.rejected[0]).toEqual({
      file: 'sdn.csv',
      line: 1,
      problems: [{ field: '', message: 'is not valid CSV: a quoted field is never closed' }],
    })
    expect(result.list.entries.length).toBe(80)
  })
})
