/**
 * OFAC's SDN list in its legacy CSV files, streamed: `sdn.csv` (one row an entry, no header:
 * ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag,
 * Vess_owner, Remarks; `-0-` is empty), `alt.csv` (ent_num, alt_num, alt_type, alt_name,
 * alt_remarks), `add.csv` (ent_num, add_num, address, city/state/zip, country, add_remarks) and
 * `sdn_comments.csv` (ent_num, remarks that did not fit). Dates of birth, nationalities and
 * further a.k.a. names are read from the Remarks. A bad row is rejected whole and reported.
 */
import type { Country, ValidationProblem } from '@payout-kernel/core'
import { readCountryName } from './internal/CountryNames.js'
import { noRemarks, ofacDates, readRemarks } from './internal/OfacRemarks.js'
import {
  type CsvFailure,
  CsvReader,
  type CsvRecord,
  feedAsync,
  feedSync,
  LineSplitter,
} from './internal/Text.js'
import {
  type Address,
  type Alias,
  type DateOfBirth,
  type EntityType,
  type ListEntry,
  type ListId,
  ofacSdnListId,
} from './ListEntry.js'
import type { ListFile, ListLoad, RowProblem, TextChunks } from './ListLoad.js'

// ---------------------------------------------------------------- model

/**
 * The OFAC SDN files to load: `sdn.csv` is required, the others are optional.
 *
 * @example
 * import type { OfacSdnFiles } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const files: OfacSdnFiles = { sdn: ['1,"ORCHID LINE",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'] }
 * assert.equal(files.alt, undefined)
 */
export interface OfacSdnFiles<C = TextChunks> {
  /** The text of `sdn.csv`. */
  readonly sdn: C
  /** The text of `alt.csv` (aliases). */
  readonly alt?: C
  /** The text of `add.csv` (addresses). */
  readonly add?: C
  /** The text of `sdn_comments.csv` (remarks that overflowed the Remarks column). */
  readonly comments?: C
}

/**
 * Options of a loader: the id to give the loaded list.
 *
 * @example
 * import { type LoadOptions, listId } from '@payout-kernel/screening'
 * import * as E from '#fp-ts/Either'
 * import assert from 'node:assert/strict'
 *
 * const id = listId('ofac_cons')
 * const options: LoadOptions = E.isRight(id) ? { list: id.right } : {}
 * assert.equal(options.list, 'ofac_cons')
 */
export interface LoadOptions {
  /** The list id (`ofac_sdn` / `opensanctions` by default). */
  readonly list?: ListId
}

// ---------------------------------------------------------------- loading

/** An entry while the files are read: the ListEntry it becomes, its derived fields filled in at the end. */
type Building = { -readonly [K in keyof ListEntry]: ListEntry[K] }

/** One shared empty array for every entry without aliases, dates, countries, …: a finished entry is never mutated. */
const none: ReadonlyArray<never> = /* @__PURE__ */ Object.freeze([])

/**
 * Arrays made once per distinct text and shared by every entry that has that text (programs, a
 * nationality, a date of birth): frozen, since entries are never mutated. At most 50,000 texts are
 * kept, so a file of all-distinct values costs no more than one without sharing.
 */
class Shared<A> {
  private readonly made = new Map<string, ReadonlyArray<A>>()
  of(text: string, make: (text: string) => ReadonlyArray<A> | undefined): ReadonlyArray<A> | undefined {
    const seen = this.made.get(text)
    if (seen !== undefined) return seen
    const value = make(text)
    if (value === undefined) return undefined
    const frozen = Object.freeze(value)
    if (this.made.size < 50_000) this.made.set(text, frozen)
    return frozen
  }
}

const positiveInteger = /^[1-9]\d{0,11}$/
const hasText = /[\p{L}\p{N}]/u

const columns: Readonly<Record<'sdn.csv' | 'alt.csv' | 'add.csv' | 'sdn_comments.csv', number>> = {
  'sdn.csv': 12,
  'alt.csv': 5,
  'add.csv': 6,
  'sdn_comments.csv': 2,
}

const programsOf = (text: string): ReadonlyArray<string> => {
  // the usual case: one program, no brackets
  if (!text.includes('[') && !text.includes(']')) return text === '' ? none : [text]
  return text
    .split(/\]\s*\[/)
    .map((p) => p.replace(/[[\]]/g, '').trim())
    .filter((p) => p !== '')
}

/** A letter or digit: an ASCII one at the start answers at once, the Unicode pattern otherwise. */
const hasLetterOrDigit = (text: string): boolean => {
  const c = text.charCodeAt(0) | 0x20
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (text.charCodeAt(0) >= 0x30 && text.charCodeAt(0) <= 0x39) ||
    hasText.test(text)
  )
}

const typeOf = (text: string): EntityType | undefined => {
  if (text === 'individual' || text === 'vessel' || text === 'aircraft' || text === 'entity') return text
  const t = text.toLowerCase()
  return t === ''
    ? 'entity'
    : t === 'individual' || t === 'vessel' || t === 'aircraft' || t === 'entity'
      ? t
      : undefined
}

/** Collects the rows of the four files into entries, rejecting bad rows whole. */
class OfacBuilder {
  /** The entries in sdn.csv order, and beside each its line, Remarks (with comments) and vessel flag. */
  private readonly entries: Building[] = []
  private readonly lines: number[] = []
  private readonly remarks: string[] = []
  private readonly flags: string[] = []
  /** Aliases from alt.csv and addresses from add.csv, by entry position (most entries have none). */
  private readonly altAliases: Array<Alias[] | undefined> = []
  private readonly addresses: Array<Address[] | undefined> = []
  /** Entry positions by ent_num as a number (a valid ent_num has no leading zero, so the number names it alone). */
  private readonly positions = new Map<number, number>()

  /** Values many entries hold alike, made once per distinct text and shared (see `Shared`). */
  private readonly programs = new Shared<string>()
  private readonly dates = new Shared<DateOfBirth>()
  private readonly nationality = new Shared<Country>()

  private readonly rejected: RowProblem[] = []
  private readonly warnings: RowProblem[] = []
  private readonly skipped: Record<string, number> = {}
  private rows = 0

  constructor(private readonly list: ListId) {}

  reader(file: keyof typeof columns): LineSplitter {
    const csv = new CsvReader(
      (record) => this.record(file, record),
      (failure) => this.failure(file, failure),
    )
    return new LineSplitter(csv.line, () => csv.end())
  }

  private failure(file: ListFile, failure: CsvFailure): void {
    this.rows += 1
    this.rejected.push({ file, line: failure.line, problems: [{ field: '', message: failure.message }] })
  }

  private reject(file: ListFile, line: number, problems: ReadonlyArray<ValidationProblem>): void {
    this.rejected.push({ file, line, problems })
  }

  private record(file: keyof typeof columns, { fields, line }: CsvRecord): void {
    this.rows += 1
    const expected = columns[file]
    if (fields.length !== expected) {
      this.reject(file, line, [
        { field: '', message: `has ${fields.length} fields; ${file} rows have ${expected}` },
      ])
      return
    }
    const problems: ValidationProblem[] = []
    const entNum = fields[0] ?? ''
    const valid = positiveInteger.test(entNum)
    if (!valid)
      problems.push({
        field: 'ent_num',
        message: `must be a positive integer, got ${JSON.stringify(entNum)}`,
      })
    const at = valid ? this.positions.get(Number(entNum)) : undefined
    if (file === 'sdn.csv') this.sdn(fields, line, problems, at)
    else {
      if (problems.length === 0 && at === undefined)
        problems.push({ field: 'ent_num', message: `${entNum} is not an entry of sdn.csv` })
      if (file === 'alt.csv') this.alt(fields, line, problems, at)
      else if (file === 'add.csv') this.add(fields, line, problems, at)
      else if (problems.length > 0) this.reject(file, line, problems)
      else if (at !== undefined && (fields[1] ?? '') !== '') {
        const before = this.remarks[at] ?? ''
        this.remarks[at] = before === '' ? (fields[1] ?? '') : `${before} ${fields[1] ?? ''}`
      }
    }
  }

  private sdn(fields: ReadonlyArray<string>, line: number, problems: ValidationProblem[], existing?: number) {
    const id = fields[0] ?? ''
    const name = fields[1] ?? ''
    const typeText = fields[2] ?? ''
    const programs = fields[3] ?? ''
    if (problems.length === 0 && existing !== undefined)
      problems.push({
        field: 'ent_num',
        message: `${id} is already the entry on line ${this.lines[existing]}`,
      })
    if (!hasLetterOrDigit(name)) problems.push({ field: 'sdn_name', message: 'must have a letter or digit' })
    const type = typeOf(typeText)
    if (type === undefined)
      problems.push({
        field: 'sdn_type',
        message: `must be individual, vessel, aircraft or empty, got ${JSON.stringify(typeText.slice(0, 40))}`,
      })
    if (problems.length > 0 || type === undefined) {
      this.reject('sdn.csv', line, problems)
      return
    }
    this.positions.set(Number(id), this.entries.length)
    this.entries.push({
      list: this.list,
      id,
      name,
      aliases: none,
      type,
      programs: this.programs.of(programs, programsOf) ?? none,
      addresses: none,
      datesOfBirth: none,
      nationalities: none,
      countries: none,
    })
    this.lines.push(line)
    this.remarks.push(fields[11] ?? '')
    this.flags.push(fields[9] ?? '')
    this.altAliases.push(undefined)
    this.addresses.push(undefined)
  }

  private alt(fields: ReadonlyArray<string>, line: number, problems: ValidationProblem[], at?: number) {
    const [, altNum = '', kindText = '', name = ''] = fields
    if (!positiveInteger.test(altNum))
      problems.push({
        field: 'alt_num',
        message: `must be a positive integer, got ${JSON.stringify(altNum)}`,
      })
    const kind = kindText.toLowerCase()
    if (kind !== 'aka' && kind !== 'fka' && kind !== 'nka')
      problems.push({
        field: 'alt_type',
        message: `must be aka, fka or nka, got ${JSON.stringify(kindText)}`,
      })
    if (!hasLetterOrDigit(name)) problems.push({ field: 'alt_name', message: 'must have a letter or digit' })
    if (problems.length > 0 || at === undefined || (kind !== 'aka' && kind !== 'fka' && kind !== 'nka')) {
      this.reject('alt.csv', line, problems)
      return
    }
    const aliases = this.altAliases[at]
    if (aliases === undefined) this.altAliases[at] = [{ name, kind }]
    else aliases.push({ name, kind })
  }

  private add(fields: ReadonlyArray<string>, line: number, problems: ValidationProblem[], at?: number) {
    const [, addNum = '', street = '', city = '', countryName = ''] = fields
    if (!positiveInteger.test(addNum))
      problems.push({
        field: 'add_num',
        message: `must be a positive integer, got ${JSON.stringify(addNum)}`,
      })
    if (problems.length > 0 || at === undefined) {
      this.reject('add.csv', line, problems)
      return
    }
    if (street === '' && city === '' && countryName === '') {
      this.skipped.empty_address = (this.skipped.empty_address ?? 0) + 1
      return
    }
    const reading = countryName === '' ? undefined : readCountryName(countryName)
    if (reading?._tag === 'Unrecognised')
      this.warnings.push({
        file: 'add.csv',
        line,
        problems: [
          { field: 'country', message: `${JSON.stringify(countryName)} is not a recognised country` },
        ],
      })
    const address: Address = {
      ...(street === '' ? {} : { street }),
      ...(city === '' ? {} : { city }),
      ...(reading?._tag === 'Country' ? { country: reading.country } : {}),
      ...(countryName === '' ? {} : { countryName }),
    }
    const addresses = this.addresses[at]
    if (addresses === undefined) this.addresses[at] = [address]
    else addresses.push(address)
  }

  private warn(at: number, field: string, message: string): void {
    this.warnings.push({ file: 'sdn.csv', line: this.lines[at] ?? 0, problems: [{ field, message }] })
  }

  /** Fills in what an entry's Remarks, addresses and vessel flag say, once every file is read. */
  private complete(at: number): ListEntry | undefined {
    const entry = this.entries[at]
    if (entry === undefined) return undefined
    const text = this.remarks[at] ?? ''
    const remarks = text === '' ? noRemarks : readRemarks(text)
    // the shared array of the first date or nationality; a copy once a second one comes
    let datesOfBirth: ReadonlyArray<DateOfBirth> | undefined
    let moreDates: DateOfBirth[] | undefined
    for (const text of remarks.datesOfBirth) {
      const dates = this.dates.of(text, ofacDates)
      if (dates === undefined) this.warn(at, 'remarks', `DOB ${JSON.stringify(text)} is not a date`)
      else if (datesOfBirth === undefined) datesOfBirth = dates
      else {
        if (moreDates === undefined) moreDates = [...datesOfBirth]
        moreDates.push(...dates)
      }
    }
    datesOfBirth = moreDates ?? datesOfBirth
    let nationalities: ReadonlyArray<Country> | undefined
    let moreNationalities: Country[] | undefined
    for (const text of remarks.nationalities) {
      const reading = readCountryName(text)
      if (reading._tag === 'Country') {
        const country = reading.country
        if (nationalities === undefined) nationalities = this.nationality.of(country, () => [country])
        else if (!(moreNationalities ?? nationalities).includes(country)) {
          if (moreNationalities === undefined) moreNationalities = [...nationalities]
          moreNationalities.push(country)
        }
      } else if (reading._tag === 'Unrecognised')
        this.warn(at, 'remarks', `${JSON.stringify(text)} is not a recognised country`)
    }
    nationalities = moreNationalities ?? nationalities
    const vesselFlag = this.flags[at] ?? ''
    const flag = vesselFlag === '' ? undefined : readCountryName(vesselFlag)
    if (flag?._tag === 'Unrecognised')
      this.warn(at, 'vess_flag', `${JSON.stringify(vesselFlag)} is not a recognised country`)
    const listed = this.altAliases[at] ?? none
    const addresses = this.addresses[at] ?? none
    if (listed.length > 0 || remarks.aliases.length > 0) {
      const seen = new Set([entry.name.toLowerCase()])
      const aliases: Alias[] = []
      for (const alias of [...listed, ...remarks.aliases]) {
        const k = alias.name.toLowerCase()
        if (seen.has(k)) continue
        seen.add(k)
        aliases.push(alias)
      }
      entry.aliases = aliases.length === 0 ? none : aliases
    }
    // the nationalities' own array while nothing else adds a country (entries are never mutated)
    let countries: ReadonlyArray<Country> | undefined = nationalities
    const addCountry = (c: Country) => {
      if (countries === undefined) countries = [c]
      else if (!countries.includes(c)) countries = [...countries, c]
    }
    for (const a of addresses) if (a.country !== undefined) addCountry(a.country)
    entry.addresses = addresses
    if (flag?._tag === 'Country') addCountry(flag.country)
    if (datesOfBirth !== undefined) entry.datesOfBirth = datesOfBirth
    if (nationalities !== undefined) entry.nationalities = nationalities
    if (countries !== undefined) entry.countries = countries
    return entry
  }

  finish(): ListLoad {
    const entries: ListEntry[] = []
    for (let at = 0; at < this.entries.length; at++) {
      const entry = this.complete(at)
      if (entry !== undefined) entries.push(entry)
    }
    const list = this.list
    const byLine = (a: RowProblem, b: RowProblem) =>
      fileOrder.indexOf(a.file) - fileOrder.indexOf(b.file) || a.line - b.line
    const rejected = [...this.rejected].sort(byLine)
    const warnings = [...this.warnings].sort(byLine)
    return {
      list: { id: list, entries },
      rejected,
      warnings,
      counts: {
        rows: this.rows,
        entries: entries.length,
        rejected: rejected.length,
        warnings: warnings.length,
        skipped: { ...this.skipped },
      },
    }
  }
}

const fileOrder: ReadonlyArray<ListFile> = ['sdn.csv', 'sdn_comments.csv', 'alt.csv', 'add.csv']

const order = ['sdn', 'comments', 'alt', 'add'] as const
const fileOf = { sdn: 'sdn.csv', comments: 'sdn_comments.csv', alt: 'alt.csv', add: 'add.csv' } as const

/**
 * Loads OFAC's SDN list from its CSV files, each given as text in pieces of any size (read in the
 * order sdn, comments, alt, add). Bad rows are rejected whole and reported with file, line and field.
 *
 * @example
 * import { loadOfacSdn } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const sdn = '7001,"VANTERPOOL, Orrin Kael","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 10 Feb 1961; nationality Iran."\n'
 * const alt = '7001,801,"aka","VANTERPOL, Orin",-0- \n7002,802,"aka","NOBODY",-0- \n'
 * const load = await loadOfacSdn({ sdn: [sdn], alt: [alt] })
 * const [entry] = load.list.entries
 * assert.deepEqual(entry?.datesOfBirth, [{ year: 1961, month: 2, day: 10 }])
 * assert.deepEqual(entry?.nationalities, ['IR'])
 * assert.deepEqual(entry?.aliases, [{ name: 'VANTERPOL, Orin', kind: 'aka' }])
 * assert.deepEqual(load.rejected, [{ file: 'alt.csv', line: 2, problems: [{ field: 'ent_num', message: '7002 is not an entry of sdn.csv' }] }])
 */
export const loadOfacSdn = async (files: OfacSdnFiles, options: LoadOptions = {}): Promise<ListLoad> => {
  const builder = new OfacBuilder(options.list ?? ofacSdnListId)
  for (const part of order) {
    const chunks = files[part]
    if (chunks !== undefined) await feedAsync(chunks, builder.reader(fileOf[part]))
  }
  return builder.finish()
}

/**
 * `loadOfacSdn` over synchronous text (arrays of strings, generators): the same list, problems and counts.
 *
 * @example
 * import { loadOfacSdnSync } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const load = loadOfacSdnSync({ sdn: ['12,"ORCHID LINE",-0- ,"IRAN] [SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'] })
 * assert.deepEqual(load.list.entries[0]?.programs, ['IRAN', 'SDGT'])
 * assert.equal(load.list.entries[0]?.type, 'entity')
 */
export const loadOfacSdnSync = (
  files: OfacSdnFiles<Iterable<string>>,
  options: LoadOptions = {},
): ListLoad => {
  const builder = new OfacBuilder(options.list ?? ofacSdnListId)
  for (const part of order) {
    const chunks = files[part]
    if (chunks !== undefined) feedSync(chunks, builder.reader(fileOf[part]))
  }
  return builder.finish()
}
