import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { listId, loadOpenSanctions, loadOpenSanctionsSync } from '../src/index.js'
import { arbGarbageLine } from '../src/testing/index.js'
import { asAsync, cut, fixture } from './fixtures.js'

const text = fixture('opensanctions/entities.ftm.ndjson')
const load = loadOpenSanctionsSync([text])
const entry = (id: string) => load.list.entries.find((e) => e.id === id)

describe('the OpenSanctions fixture', () => {
  test('targets of the screened schemas load; other schemas and non-targets are counted; bad lines reported', () => {
    expect(load.counts).toEqual({
      rows: 14,
      entries: 9,
      rejected: 2,
      warnings: 2,
      skipped: { not_target: 1, Address: 1, Sanction: 1 },
    })
    expect(load.rejected.map((r) => [r.file, r.line, r.problems[0]?.field])).toEqual([
      ['entities.ftm.json', 12, 'properties.name'],
      ['entities.ftm.json', 13, ''],
    ])
    expect(load.warnings.map((w) => [w.line, w.problems[0]?.field])).toEqual([
      [11, 'properties.birthDate.0'],
      [11, 'properties.nationality.1'],
    ])
  })

  test('a person, a company, a vessel, an airplane, month precision, non-Latin aliases', () => {
    expect(entry('os-per-1')).toEqual({
      list: 'opensanctions',
      id: 'os-per-1',
      name: 'Orrin Kael Vanterpool',
      aliases: [{ name: 'Abu Kael', kind: 'aka' }],
      type: 'individual',
      programs: ['us_ofac_sdn'],
      addresses: [],
      datesOfBirth: [{ year: 1961, month: 2, day: 10 }],
      nationalities: ['IR'],
      countries: ['IR'],
    })
    expect(entry('os-co-1')).toMatchObject({
      type: 'entity',
      countries: ['IR'],
      addresses: [{ street: 'P.O. Box 1234, Bandar Abbas, Iran' }],
    })
    expect(entry('os-ves-1')).toMatchObject({
      type: 'vessel',
      countries: ['PA'],
      aliases: [{ name: 'NORTHERN ORCHID', kind: 'fka' }],
    })
    expect(entry('os-air-1')?.type).toBe('aircraft')
    expect(entry('os-le-1')?.programs).toEqual(['EU-RUS'])
    expect(entry('os-per-2')?.datesOfBirth).toEqual([{ year: 1972, month: 7 }])
    expect(entry('os-per-5')?.aliases).toEqual([{ name: '김성호', kind: 'aka' }])
    expect(entry('os-per-4')?.nationalities).toEqual(['PL'])
  })

  test('a list id of the caller', () => {
    const id = listId('os_default')
    if (id._tag === 'Left') throw new Error('bad id')
    expect(loadOpenSanctionsSync([text], { list: id.right }).list.entries[0]?.list).toBe('os_default')
  })

  test.prop([fc.array(fc.nat(), { maxLength: 30 })], { numRuns: 200 })(
    'cutting the text anywhere changes nothing, synchronous or not',
    async (offsets) => {
      expect(loadOpenSanctionsSync(cut(text, offsets))).toEqual(load)
      expect(await loadOpenSanctions(asAsync(cut(text, offsets)))).toEqual(load)
    },
  )

  test.prop([fc.array(arbGarbageLine, { minLength: 100, maxLength: 100 })], { numRuns: 100 })(
    '10,000 garbage lines (100 runs × 100) give values, never a throw',
    (lines) => {
      const result = loadOpenSanctionsSync([lines.join('\n')])
      expect(result.counts.entries).toBe(result.list.entries.length)
      for (const e of result.list.entries) expect(e.name).toMatch(/[\p{L}\p{N}]/u)
      for (const r of result.rejected) expect(r.problems.length).toBeGreaterThan(0)
    },
  )
})
