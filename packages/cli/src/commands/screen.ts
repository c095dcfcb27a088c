// `payout-kernel screen --list sdn.csv [--list entities.ftm.json] --names beneficiaries.ndjson`:
// every party of a names file screened against the sanctions lists; a summary, the lists loaded and
// the parties to review, as tables or JSON. The lists are loaded whole (the index needs them); the
// names file is streamed, a line at a time. No list, or a list with no entry, fails closed.
import fs from 'node:fs'
import path from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { describeValue, type ValidationProblem } from '@payout-kernel/core'
import {
  buildSanctionsIndex,
  decodeParty,
  decodeScreeningConfig,
  type ListFile,
  type ListLoad,
  listId,
  loadOfacSdn,
  loadOpenSanctions,
  type OfacSdnFiles,
  type Party,
  type ScreeningConfig,
  type ScreeningMatch,
  type ScreeningOutcome,
  screenParty,
} from '@payout-kernel/screening'
import pc from 'picocolors'
import * as E from '#fp-ts/Either'
import { describeBadLine, maxLineLength, progressFor } from '../input.js'
import { inputFile } from './files.js'
import { type CommandIo, exitCodes, table } from './io.js'

/** Options of `screen`. */
export interface ScreenOptions {
  /** The list files: OFAC `sdn.csv` / `cons_prim.csv` (CSV) or OpenSanctions FtM entities (`.json`, `.ndjson`). */
  readonly list: ReadonlyArray<string>
  /** The parties, NDJSON: one `{ "id"?, "name", "date_of_birth"?, "country"? }` a line. */
  readonly names: string
  /** OFAC `alt.csv` for the one OFAC list, instead of the one beside it. */
  readonly alt?: string
  /** OFAC `add.csv` for the one OFAC list, instead of the one beside it. */
  readonly add?: string
  /** OFAC `sdn_comments.csv` for the one OFAC list, instead of the one beside it. */
  readonly comments?: string
  /** The score from which a match is a hit (the flag's text; 0.92 by default). */
  readonly hitThreshold?: string
  /** The score from which a match is a possible match (the flag's text; 0.85 by default). */
  readonly possibleThreshold?: string
  readonly json: boolean
  readonly strict: boolean
}

/** One party that was not clear: its line, its id when the line gave one, its name, and what it matched. */
export interface ScreenFinding {
  readonly line: number
  readonly id?: string
  readonly name: string
  readonly outcome: Exclude<ScreeningOutcome, 'clear'>
  readonly score: number
  readonly matches: ReadonlyArray<{
    readonly outcome: Exclude<ScreeningOutcome, 'clear'>
    readonly list: string
    readonly entry_id: string
    readonly entry_name: string
    readonly matched_name: string
    readonly score: number
    readonly name_score: number
    readonly agreed: ReadonlyArray<string>
    readonly disagreed: ReadonlyArray<string>
  }>
}

/** One list as loaded: its id, format, files (and which were found beside the main one), and counts. */
export interface ScreenListSummary {
  readonly list: string
  readonly format: 'ofac' | 'opensanctions'
  readonly files: Readonly<Partial<Record<'sdn' | 'alt' | 'add' | 'comments' | 'entities', string>>>
  readonly found_beside: ReadonlyArray<'alt' | 'add' | 'comments'>
  readonly rows: number
  readonly entries: number
  readonly rejected: number
  readonly warnings: number
  readonly skipped: Readonly<Record<string, number>>
  readonly rejected_rows: ReadonlyArray<{
    readonly file: string
    readonly line: number
    readonly problems: ReadonlyArray<ValidationProblem>
  }>
}

/** What `screen --json` prints: the lists, the thresholds, the counts, and every party that was not clear. */
export interface ScreenSummary {
  readonly names: string
  readonly lists: ReadonlyArray<ScreenListSummary>
  readonly thresholds: { readonly hit: number; readonly possible_match: number }
  readonly lines: number
  readonly parties: number
  readonly outcomes: Readonly<Record<ScreeningOutcome, number>>
  readonly bad_lines: number
  readonly findings: ReadonlyArray<ScreenFinding>
}

// ---------------------------------------------------------------- the lists

type OfacPart = 'alt' | 'add' | 'comments'
const ofacParts: ReadonlyArray<OfacPart> = ['alt', 'add', 'comments']

/** An OFAC main file and the names of the files OFAC publishes beside it. */
const ofacFamilies: Readonly<
  Record<string, { readonly id: string; readonly parts: Record<OfacPart, string> }>
> = {
  'sdn.csv': { id: 'ofac_sdn', parts: { alt: 'alt.csv', add: 'add.csv', comments: 'sdn_comments.csv' } },
  'cons_prim.csv': {
    id: 'ofac_cons',
    parts: { alt: 'cons_alt.csv', add: 'cons_add.csv', comments: 'cons_comments.csv' },
  },
}
const companionNames = new Set(Object.values(ofacFamilies).flatMap((f) => Object.values(f.parts)))

interface OfacSource {
  readonly format: 'ofac'
  readonly id: string
  readonly sdn: string
  readonly parts: Partial<Record<OfacPart, string>>
  readonly foundBeside: ReadonlyArray<OfacPart>
}
interface OpenSanctionsSource {
  readonly format: 'opensanctions'
  readonly id: string
  readonly entities: string
}
type ListSource = OfacSource | OpenSanctionsSource

/** What each `--list` file is, by its extension and name, with the OFAC files found beside it. */
const listSources = (options: ScreenOptions): E.Either<string, ReadonlyArray<ListSource>> => {
  const explicit = ofacParts.filter((p) => options[p] !== undefined)
  const ofacLists = options.list.filter((f) => f.toLowerCase().endsWith('.csv')).length
  const [firstExplicit] = explicit
  if (firstExplicit !== undefined && ofacLists !== 1)
    return E.left(
      `--${firstExplicit} names a file of one OFAC list, but ${ofacLists} OFAC lists are given with --list`,
    )
  const sources: ListSource[] = []
  const seen = new Set<string>()
  // two lists of one kind: the second is `ofac_sdn_2`, so their entries stay apart in the results
  const used = new Map<string, number>()
  const idFor = (id: string): string => {
    const n = (used.get(id) ?? 0) + 1
    used.set(id, n)
    return n === 1 ? id : `${id}_${n}`
  }
  for (const file of options.list) {
    const resolved = path.resolve(file)
    if (seen.has(resolved)) return E.left(`--list ${file} is given twice`)
    seen.add(resolved)
    const base = path.basename(file).toLowerCase()
    if (base.endsWith('.json') || base.endsWith('.ndjson') || base.endsWith('.jsonl')) {
      sources.push({ format: 'opensanctions', id: idFor('opensanctions'), entities: file })
      continue
    }
    if (!base.endsWith('.csv'))
      return E.left(
        `--list ${file}: cannot tell the list's format from its name: OFAC SDN files end in .csv, OpenSanctions entities in .json or .ndjson`,
      )
    if (companionNames.has(base))
      return E.left(
        `--list ${file} is an OFAC file that goes with sdn.csv (or cons_prim.csv): give that file as --list, and ${path.basename(file)} is read from beside it (or name it with --alt, --add or --comments)`,
      )
    const family = ofacFamilies[base]
    const parts: Partial<Record<OfacPart, string>> = {}
    const foundBeside: OfacPart[] = []
    for (const part of ofacParts) {
      const named = options[part]
      const beside = family === undefined ? undefined : path.join(path.dirname(file), family.parts[part])
      if (named !== undefined) parts[part] = named
      else if (beside !== undefined && fs.existsSync(beside)) {
        parts[part] = beside
        foundBeside.push(part)
      }
    }
    sources.push({ format: 'ofac', id: idFor(family?.id ?? 'ofac_sdn'), sdn: file, parts, foundBeside })
  }
  return E.right(sources)
}

const filesOf = (s: ListSource): ReadonlyArray<string> =>
  s.format === 'opensanctions' ? [s.entities] : [s.sdn, ...ofacParts.flatMap((p) => s.parts[p] ?? [])]

/** Whether a file can be read as UTF-8 text (see `inputFile`: a binary file is one error). */
const textFile = inputFile

/** A file's text as it is read, 1 MiB at a time, with a progress bar on a terminal. */
async function* textOf(file: string, err: NodeJS.WritableStream): AsyncGenerator<string> {
  const progress = progressFor(file, err)
  const decoder = new StringDecoder('utf8')
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      const bytes = chunk as Buffer
      progress.advance(bytes.length)
      yield decoder.write(bytes)
    }
    const rest = decoder.end()
    if (rest !== '') yield rest
  } finally {
    progress.stop()
  }
}

const loadList = (source: ListSource, err: NodeJS.WritableStream): Promise<ListLoad> => {
  const id = listId(source.id)
  const options = E.isRight(id) ? { list: id.right } : {}
  if (source.format === 'opensanctions') return loadOpenSanctions(textOf(source.entities, err), options)
  const files: { -readonly [K in keyof OfacSdnFiles]: OfacSdnFiles[K] } = { sdn: textOf(source.sdn, err) }
  for (const part of ofacParts) {
    const file = source.parts[part]
    if (file !== undefined) files[part] = textOf(file, err)
  }
  return loadOfacSdn(files, options)
}

/** The path of the file a row problem is in. */
const pathOf = (source: ListSource, file: ListFile): string => {
  if (source.format === 'opensanctions') return source.entities
  if (file === 'alt.csv') return source.parts.alt ?? file
  if (file === 'add.csv') return source.parts.add ?? file
  if (file === 'sdn_comments.csv') return source.parts.comments ?? file
  return source.sdn
}

const summariseList = (source: ListSource, load: ListLoad): ScreenListSummary => ({
  list: load.list.id,
  format: source.format,
  files:
    source.format === 'opensanctions'
      ? { entities: source.entities }
      : {
          sdn: source.sdn,
          ...Object.fromEntries(ofacParts.flatMap((p) => (source.parts[p] ? [[p, source.parts[p]]] : []))),
        },
  found_beside: source.format === 'opensanctions' ? [] : source.foundBeside,
  rows: load.counts.rows,
  entries: load.counts.entries,
  rejected: load.counts.rejected,
  warnings: load.counts.warnings,
  skipped: load.counts.skipped,
  rejected_rows: load.rejected.map((r) => ({
    file: pathOf(source, r.file),
    line: r.line,
    problems: r.problems,
  })),
})

// ---------------------------------------------------------------- the names

/** Lines longer than this (in characters) are reported as bad and not held. */

/** A line of the names file: its number and text, or `undefined` text for a line too long to hold. */
export interface NamesLine {
  readonly line: number
  readonly text: string | undefined
}

/**
 * The lines of a text: `\n` or `\r\n` ends, a UTF-8 byte order mark dropped, the last line kept
 * without its end; in memory bounded by the longest line held (2^20 characters) and a chunk.
 */
export async function* linesOf(chunks: AsyncIterable<string>): AsyncGenerator<NamesLine> {
  let line = 0
  let pending = ''
  let overlong = false
  const clean = (raw: string): string => {
    const text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw
    return line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  }
  for await (const chunk of chunks) {
    let start = 0
    for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
      line += 1
      const piece = chunk.slice(start, end)
      start = end + 1
      if (overlong || pending.length + piece.length > maxLineLength) yield { line, text: undefined }
      else yield { line, text: clean(pending + piece) }
      pending = ''
      overlong = false
    }
    const rest = chunk.slice(start)
    if (!overlong && pending.length + rest.length > maxLineLength) {
      overlong = true
      pending = ''
    } else if (!overlong) pending += rest
  }
  if (overlong || pending !== '') {
    line += 1
    yield { line, text: overlong ? undefined : clean(pending) }
  }
}

export interface ScreenedParty {
  readonly id: string | undefined
  readonly party: Party
}

/** A names line as a party to screen: `{ "id"?, "name", "date_of_birth"?, "country"? }`, the id echoed back. */
export const partyOf = (text: string): E.Either<ReadonlyArray<ValidationProblem>, ScreenedParty> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return E.left([{ field: '', message: `is not JSON: ${(e as Error).message}` }])
  }
  const problems: ValidationProblem[] = []
  let id: string | undefined
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'id' in value) {
    const given = (value as { id: unknown }).id
    if (typeof given === 'string' && given.length >= 1 && given.length <= 255) id = given
    else
      problems.push({
        field: 'id',
        message: `must be a string of 1 to 255 characters, got ${describeValue(given)}`,
      })
  }
  const party = decodeParty(value)
  if (E.isLeft(party)) problems.push(...party.left.problems)
  if (problems.length > 0 || E.isLeft(party)) return E.left(problems)
  return E.right({ id, party: party.right })
}

// ---------------------------------------------------------------- thresholds

const flagOf: Readonly<Record<string, string>> = {
  hitThreshold: '--hit-threshold',
  possibleThreshold: '--possible-threshold',
}

const thresholdValue = (text: string): number | string =>
  /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : text

/** The screening configuration from the threshold flags, through the library's own checks. */
const configOf = (options: ScreenOptions): E.Either<string, ScreeningConfig> => {
  const given: Record<string, unknown> = {}
  if (options.hitThreshold !== undefined) given.hitThreshold = thresholdValue(options.hitThreshold)
  if (options.possibleThreshold !== undefined)
    given.possibleThreshold = thresholdValue(options.possibleThreshold)
  const config = decodeScreeningConfig(given)
  if (E.isRight(config)) return config
  return E.left(
    config.left.problems
      .map((p) => {
        const message = p.message.replace(/hitThreshold|possibleThreshold/g, (f) => flagOf[f] ?? f)
        return `${flagOf[p.field] ?? p.field}: ${message}`
      })
      .join('\n'),
  )
}

// ---------------------------------------------------------------- output

const score = (n: number): string => n.toFixed(3)

const findingOf = (line: number, screened: ScreenedParty, matches: ReadonlyArray<ScreeningMatch>) => {
  const [best] = matches
  return best === undefined
    ? undefined
    : ({
        line,
        ...(screened.id === undefined ? {} : { id: screened.id }),
        name: screened.party.name,
        outcome: best.outcome,
        score: best.score,
        matches: matches.map((m) => ({
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
      } satisfies ScreenFinding)
}

const partNames: Readonly<Record<OfacPart, string>> = { alt: '--alt', add: '--add', comments: '--comments' }

/** The summary as tables: the lists loaded, the counts, and every party to review with its matches. */
export const renderScreening = (s: ScreenSummary): string => {
  const out: string[] = []
  const lists = table(['list', 'files', 'rows', 'entries', 'rows rejected', 'warnings'])
  for (const l of s.lists) {
    const files = Object.entries(l.files).map(([part, file]) =>
      part === 'sdn' || part === 'entities'
        ? file
        : `${file} ${(l.found_beside as ReadonlyArray<string>).includes(part) ? '(found beside it)' : `(${partNames[part as OfacPart]})`}`,
    )
    lists.push([l.list, files.join('\n'), l.rows, l.entries, l.rejected, l.warnings])
  }
  out.push(`${pc.bold(`Sanctions lists: ${s.lists.reduce((n, l) => n + l.entries, 0)} entries`)}\n${lists}`)

  const counts = table(['parties screened', 'hit', 'possible_match', 'clear', 'bad lines skipped'])
  counts.push([s.parties, s.outcomes.hit, s.outcomes.possible_match, s.outcomes.clear, s.bad_lines])
  out.push(
    `${pc.bold(`Screened ${s.names}`)} (hit from ${s.thresholds.hit}, possible match from ${s.thresholds.possible_match})\n${counts}`,
  )

  if (s.findings.length > 0) {
    const review = table([
      'line',
      'party',
      'outcome',
      'list and entry',
      'matched name',
      'score',
      'agreed',
      'disagreed',
    ])
    for (const f of s.findings)
      f.matches.forEach((m, i) => {
        review.push([
          i === 0 ? f.line : '',
          i === 0 ? (f.id === undefined ? f.name : `${f.id}\n${f.name}`) : '',
          m.outcome,
          `${m.list} ${m.entry_id}\n${m.entry_name}`,
          m.matched_name,
          score(m.score),
          m.agreed.join('\n'),
          m.disagreed.join('\n') || '—',
        ])
      })
    out.push(`${pc.bold(`Parties to review: ${s.findings.length}`)}\n${review}`)
  } else out.push(pc.bold('Parties to review: none'))
  return `${out.join('\n\n')}\n`
}

// ---------------------------------------------------------------- the command

const maxWarningsShown = 20

/**
 * Runs `screen`; resolves to the exit code: 0 every party clear; 1 a hit or possible match, a bad
 * names line skipped or a list row rejected; 2 a usage or input error, or no list entry to screen
 * against (fail closed).
 */
export const screenCommand = async (options: ScreenOptions, io: CommandIo): Promise<number> => {
  const fail = (message: string) => {
    io.err.write(`payout-kernel screen: ${message}\n`)
    return exitCodes.input
  }
  const config = configOf(options)
  if (E.isLeft(config)) return fail(config.left)
  if (options.list.length === 0)
    return fail('no sanctions list given (--list): screening fails closed, nothing is reported clear')
  const sources = listSources(options)
  if (E.isLeft(sources)) return fail(sources.left)
  if (options.names.toLowerCase().endsWith('.csv'))
    return fail(`--names ${options.names}: must be NDJSON, one JSON object a line (CSV is not read)`)
  for (const file of [...sources.right.flatMap(filesOf), options.names]) {
    const readable = textFile(file)
    if (E.isLeft(readable)) return fail(`${readable.left.file} ${readable.left.message}`)
  }

  const summaries: ScreenListSummary[] = []
  const loads: ListLoad[] = []
  for (const source of sources.right) {
    const load = await loadList(source, io.err)
    const summary = summariseList(source, load)
    for (const r of summary.rejected_rows) io.err.write(`${describeBadLine(r.file, r)}\n`)
    load.warnings.slice(0, maxWarningsShown).forEach((w) => {
      for (const p of w.problems)
        io.err.write(
          `${pathOf(source, w.file)}:${w.line}: warning: ${p.field === '' ? '' : `${p.field}: `}${p.message} (row kept)\n`,
        )
    })
    if (load.warnings.length > maxWarningsShown)
      io.err.write(`… and ${load.warnings.length - maxWarningsShown} more warnings in list ${summary.list}\n`)
    summaries.push(summary)
    loads.push(load)
  }
  const rejected = summaries.reduce((n, s) => n + s.rejected, 0)
  if (options.strict && rejected > 0) return fail(`${rejected} list row(s) rejected (--strict)`)
  for (const s of summaries)
    if (s.entries === 0)
      return fail(
        `list ${s.list} (${Object.values(s.files).join(', ')}) has no entry${s.rejected > 0 ? ` (${s.rejected} row(s) rejected)` : ''}: screening fails closed`,
      )
  const index = buildSanctionsIndex(loads.map((l) => l.list))
  if (index.names === 0) return fail('the lists hold no name to screen against: screening fails closed')

  const outcomes: Record<ScreeningOutcome, number> = { hit: 0, possible_match: 0, clear: 0 }
  const findings: ScreenFinding[] = []
  let lines = 0
  let bad = 0
  for await (const { line, text } of linesOf(textOf(options.names, io.err))) {
    if (text !== undefined && text.trim() === '') continue
    lines += 1
    const screened =
      text === undefined
        ? E.left([{ field: '', message: `is longer than ${maxLineLength} characters` }])
        : partyOf(text)
    let problems: ReadonlyArray<ValidationProblem>
    if (E.isLeft(screened)) problems = screened.left
    else {
      const result = screenParty(index, screened.right.party, config.right)
      if (E.isRight(result)) {
        outcomes[result.right.outcome] += 1
        const finding = findingOf(line, screened.right, result.right.matches)
        if (finding !== undefined) findings.push(finding)
        continue
      }
      if (result.left._tag === 'NoListLoaded') return fail(result.left.message)
      // a name that normalises to nothing (honorifics only): `party.name` is the line's `name`
      problems = result.left.problems.map((p) => ({ ...p, field: p.field.replace(/^party\.?/, '') }))
    }
    bad += 1
    io.err.write(`${describeBadLine(options.names, { line, problems })}\n`)
    if (options.strict) return exitCodes.input
  }
  if (lines === 0) io.err.write(`payout-kernel screen: ${options.names} holds no party to screen\n`)

  const summary: ScreenSummary = {
    names: options.names,
    lists: summaries,
    thresholds: { hit: config.right.hitThreshold, possible_match: config.right.possibleThreshold },
    lines,
    parties: outcomes.hit + outcomes.possible_match + outcomes.clear,
    outcomes,
    bad_lines: bad,
    findings,
  }
  io.out.write(options.json ? `${JSON.stringify(summary)}\n` : renderScreening(summary))
  if (bad > 0) io.err.write(`${bad} bad line(s) skipped\n`)
  return findings.length > 0 || bad > 0 || rejected > 0 ? exitCodes.findings : exitCodes.ok
}
