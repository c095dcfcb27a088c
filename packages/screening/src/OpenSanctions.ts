/**
 * OpenSanctions' FollowTheMoney entities as JSON lines, streamed: one entity a line, `{ id, schema,
 * properties: { name, alias, birthDate, nationality, country, address, … }, datasets, target }`.
 * Persons, organisations, companies, legal entities, public bodies, vessels and airplanes that are
 * targets (`target` true, or absent) become entries; other schemas (Address, Sanction, …) and
 * non-targets are skipped and counted; a line that is not such an entity is rejected and reported.
 */
import { type Country, fromDecodeErrors, type ValidationProblem } from '@payout-kernel/core'
import * as t from 'io-ts'
import * as E from '#fp-ts/Either'
import { readCountryCode } from './internal/CountryNames.js'
import { feedAsync, feedSync, isBlankLine, LineSplitter } from './internal/Text.js'
import {
  type Address,
  type Alias,
  type DateOfBirth,
  dateOfBirth,
  type EntityType,
  type ListEntry,
  type ListId,
  openSanctionsListId,
} from './ListEntry.js'
import type { ListLoad, RowProblem, TextChunks } from './ListLoad.js'
import type { LoadOptions } from './OfacSdn.js'

// ---------------------------------------------------------------- model

/**
 * The FollowTheMoney schemas that are screened, and what each becomes.
 *
 * @example
 * import { screenedSchemas } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * assert.equal(screenedSchemas.Person, 'individual')
 * assert.equal(screenedSchemas.Vessel, 'vessel')
 * assert.equal(screenedSchemas.Address, undefined)
 */
export const screenedSchemas: Readonly<Partial<Record<string, EntityType>>> = {
  Person: 'individual',
  Organization: 'entity',
  Company: 'entity',
  LegalEntity: 'entity',
  PublicBody: 'entity',
  Vessel: 'vessel',
  Airplane: 'aircraft',
}

const Entity = /* @__PURE__ */ t.intersection([
  /* @__PURE__ */ t.type({ id: t.string, schema: t.string, properties: t.UnknownRecord }),
  /* @__PURE__ */ t.partial({ target: t.boolean, datasets: /* @__PURE__ */ t.array(t.string) }),
])

// ---------------------------------------------------------------- loading

class FtmBuilder {
  private readonly entries: ListEntry[] = []
  private readonly ids = new Map<string, number>()
  private readonly rejected: RowProblem[] = []
  private readonly warnings: RowProblem[] = []
  private readonly skipped: Record<string, number> = {}
  private rows = 0

  constructor(private readonly list: ListId) {}

  readonly line = (text: string, line: number): void => {
    if (isBlankLine(text)) return
    this.rows += 1
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (e) {
      this.reject(line, [
        { field: '', message: `is not JSON: ${e instanceof Error ? e.message : 'unreadable'}` },
      ])
      return
    }
    const decoded = Entity.decode(value)
    if (E.isLeft(decoded)) {
      this.reject(line, fromDecodeErrors(decoded.left).problems)
      return
    }
    const entity = decoded.right
    const type = screenedSchemas[entity.schema]
    if (type === undefined) {
      this.skip(entity.schema === '' ? 'no_schema' : entity.schema)
      return
    }
    if (entity.target === false) {
      this.skip('not_target')
      return
    }
    this.entity(entity, type, line)
  }

  private skip(reason: string): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1
  }

  private reject(line: number, problems: ReadonlyArray<ValidationProblem>): void {
    this.rejected.push({ file: 'entities.ftm.json', line, problems })
  }

  private entity(entity: t.TypeOf<typeof Entity>, type: EntityType, line: number): void {
    const problems: ValidationProblem[] = []
    const strings = (key: string): string[] => {
      const v = entity.properties[key]
      if (v === undefined) return []
      if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.map((s: string) => s.trim())
      problems.push({ field: `properties.${key}`, message: 'must be a list of strings' })
      return []
    }
    const id = entity.id.trim()
    if (id === '') problems.push({ field: 'id', message: 'must not be empty' })
    const previous = this.ids.get(id)
    if (id !== '' && previous !== undefined)
      problems.push({ field: 'id', message: `${id} is already the entity on line ${previous}` })
    const names = strings('name').filter((n) => /[\p{L}\p{N}]/u.test(n))
    const aliasNames = strings('alias')
    const previousNames = strings('previousName')
    const births = strings('birthDate')
    const nationalityCodes = [...strings('nationality'), ...strings('citizenship')]
    const countryCodes = [...strings('country'), ...strings('jurisdiction'), ...strings('flag')]
    const addressTexts = strings('address')
    const programIds = strings('programId')
    if (problems.length === 0 && names.length === 0)
      problems.push({ field: 'properties.name', message: 'must have a name with a letter or digit' })
    const [name] = names
    if (problems.length > 0 || name === undefined) {
      this.reject(line, problems)
      return
    }

    const warn = (field: string, message: string) =>
      this.warnings.push({ file: 'entities.ftm.json', line, problems: [{ field, message }] })
    const datesOfBirth: DateOfBirth[] = []
    births.forEach((b, i) => {
      const d = dateOfBirth(b.slice(0, 10), `properties.birthDate.${i}`)
      if (E.isRight(d)) datesOfBirth.push(d.right)
      else warn(`properties.birthDate.${i}`, `${JSON.stringify(b)} is not a date`)
    })
    const codes = (values: ReadonlyArray<string>, key: string): Country[] =>
      values.flatMap((code, i) => {
        const reading = readCountryCode(code)
        if (reading._tag === 'Country') return [reading.country]
        if (reading._tag === 'Unrecognised')
          warn(`properties.${key}.${i}`, `${JSON.stringify(code)} is not a recognised country`)
        return []
      })
    const nationalities = [...new Set(codes(nationalityCodes, 'nationality'))]
    const countries = [...new Set([...nationalities, ...codes(countryCodes, 'country')])]
    const seen = new Set([name.toLowerCase()])
    const aliases: Alias[] = []
    for (const [n, kind] of [
      ...names.slice(1).map((n) => [n, 'aka'] as const),
      ...aliasNames.map((n) => [n, 'aka'] as const),
      ...previousNames.map((n) => [n, 'fka'] as const),
    ]) {
      if (!/[\p{L}\p{N}]/u.test(n) || seen.has(n.toLowerCase())) continue
      seen.add(n.toLowerCase())
      aliases.push({ name: n, kind })
    }
    const addresses: Address[] = addressTexts.filter((a) => a !== '').map((street) => ({ street }))
    this.ids.set(id, line)
    this.entries.push({
      list: this.list,
      id,
      name,
      aliases,
      type,
      programs: programIds.length > 0 ? programIds : (entity.datasets ?? []),
      addresses,
      datesOfBirth,
      nationalities,
      countries,
    })
  }

  finish(): ListLoad {
    return {
      list: { id: this.list, entries: this.entries },
      rejected: this.rejected,
      warnings: this.warnings,
      counts: {
        rows: this.rows,
        entries: this.entries.length,
        rejected: this.rejected.length,
        warnings: this.warnings.length,
        skipped: { ...this.skipped },
      },
    }
  }
}

/**
 * Loads OpenSanctions FollowTheMoney entities from JSON lines given as text in pieces of any size.
 *
 * @example
 * import { loadOpenSanctions } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const lines = [
 *   '{"id":"os-1","schema":"Person","properties":{"name":["Orrin Vanterpool"],"birthDate":["1961-02-10"],"nationality":["ir"]},"datasets":["us_ofac_sdn"],"target":true}',
 *   '{"id":"os-2","schema":"Address","properties":{"full":["1 Quay St"]}}',
 *   '{"id":"os-3","schema":"Person"}',
 * ].join('\n')
 * const load = await loadOpenSanctions([lines])
 * assert.equal(load.list.entries[0]?.name, 'Orrin Vanterpool')
 * assert.deepEqual(load.list.entries[0]?.nationalities, ['IR'])
 * assert.deepEqual(load.counts.skipped, { Address: 1 })
 * assert.equal(load.rejected[0]?.line, 3)
 * assert.equal(load.rejected[0]?.problems[0]?.field, 'properties')
 */
export const loadOpenSanctions = async (lines: TextChunks, options: LoadOptions = {}): Promise<ListLoad> => {
  const builder = new FtmBuilder(options.list ?? openSanctionsListId)
  await feedAsync(lines, new LineSplitter(builder.line))
  return builder.finish()
}

/**
 * `loadOpenSanctions` over synchronous text: the same list, problems and counts.
 *
 * @example
 * import { loadOpenSanctionsSync } from '@payout-kernel/screening'
 * import assert from 'node:assert/strict'
 *
 * const load = loadOpenSanctionsSync(['{"id":"v1","schema":"Vessel","properties":{"name":["SEA ORCHID"],"flag":["pa"]}}\n', 'garbage\n'])
 * assert.deepEqual(load.list.entries[0]?.countries, ['PA'])
 * assert.equal(load.counts.rejected, 1)
 */
export const loadOpenSanctionsSync = (lines: Iterable<string>, options: LoadOptions = {}): ListLoad => {
  const builder = new FtmBuilder(options.list ?? openSanctionsListId)
  feedSync(lines, new LineSplitter(builder.line))
  return builder.finish()
}
