// Sanctions screening on a generated list of 1M names (deterministic, seeded; realistic multi-token
// names from pools of given names and surnames, a fifth with a middle name, a tenth with an alias):
// - screening one party: the index against a scan of every name (`screenPartyByScan`), same run,
//   same parties (half near-duplicates of listed names, half unlisted names); target ≥ 100×;
// - loading the list (sdn.csv + alt.csv, 1 MiB chunks) against papaparse parsing the same text
//   alone, same chunks; target ≤ 2×; and building the index, apart.
// Size: SCREENING_NAMES=1000000 (entries are 10/11 of it; aliases the rest).

import {
  buildSanctionsIndex,
  loadOfacSdnSync,
  type ScreeningResult,
  screenParty,
  screenPartyByScan,
} from '@payout-kernel/screening'
import Papa from 'papaparse'
import * as E from '#fp-ts/Either'
import { heapUsed, timeOnce } from './harness.js'

const totalNames = Number(process.env.SCREENING_NAMES ?? 1_000_000)

/** mulberry32: every run generates the same list and the same parties. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const onsets = [
  'b',
  'd',
  'f',
  'g',
  'h',
  'k',
  'l',
  'm',
  'n',
  'r',
  's',
  't',
  'v',
  'z',
  'ch',
  'sh',
  'kh',
  'al',
  'j',
  'p',
]
const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ee', 'ia']
const codas = ['', '', '', 'n', 'r', 's', 'm', 'd', 'l', 'sh', 'v', 'k', 'z']

const word = (rnd: () => number, syllables: number): string => {
  let s = ''
  for (let i = 0; i < syllables; i++)
    s +=
      (onsets[Math.floor(rnd() * onsets.length)] ?? '') +
      (vowels[Math.floor(rnd() * vowels.length)] ?? '') +
      (codas[Math.floor(rnd() * codas.length)] ?? '')
  return s.toUpperCase()
}

/** Pools skewed like real names: a few given names are very common, surnames less so. */
const pools = (rnd: () => number) => {
  const given = Array.from({ length: 3000 }, () => word(rnd, 2 + Math.floor(rnd() * 2)))
  const surnames = Array.from({ length: 40000 }, () => word(rnd, 2 + Math.floor(rnd() * 3)))
  const skewed =
    <A>(xs: ReadonlyArray<A>) =>
    () =>
      xs[Math.floor(xs.length * rnd() ** 2)] as A
  return { given: skewed(given), surname: skewed(surnames) }
}

interface Files {
  readonly sdn: string
  readonly alt: string
  readonly names: ReadonlyArray<string>
}

const generate = (names: number): Files => {
  const rnd = prng(19)
  const pool = pools(rnd)
  const person = () => {
    const middle = rnd() < 0.2 ? ` ${pool.given()}` : ''
    return `${pool.surname()}, ${pool.given()}${middle}`
  }
  const entries = Math.round((names * 10) / 11)
  const sdn: string[] = []
  const alt: string[] = []
  const listed: string[] = []
  for (let i = 1; i <= entries; i++) {
    const name = person()
    if (i % 5000 === 0) listed.push(name)
    const year = 1940 + Math.floor(rnd() * 60)
    sdn.push(
      `${i},"${name}","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB ${1 + Math.floor(rnd() * 28)} Mar ${year}; nationality Iran."`,
    )
    if (alt.length < names - entries && rnd() < 0.11) alt.push(`${i},${i},"aka","${person()}",-0- `)
  }
  return { sdn: `${sdn.join('\r\n')}\r\n`, alt: `${alt.join('\r\n')}\r\n`, names: listed }
}

/** A text in 1 MiB pieces cut at line ends, as the CLI reads a file. */
const chunks = (text: string): string[] => {
  const out: string[] = []
  let start = 0
  while (start < text.length) {
    let end = Math.min(text.length, start + (1 << 20))
    const nl = text.indexOf('\n', end - 1)
    end = nl < 0 ? text.length : nl + 1
    out.push(text.slice(start, end))
    start = end
  }
  return out
}

const typo = (rnd: () => number, name: string): string => {
  const at = 1 + Math.floor(rnd() * (name.length - 2))
  return rnd() < 0.5
    ? name.slice(0, at) + name.charAt(at + 1) + name.charAt(at) + name.slice(at + 2)
    : name.slice(0, at) + name.slice(at + 1)
}

const ms = (n: number) => `${n.toFixed(1)} ms`

export const main = async (): Promise<void> => {
  const made = timeOnce(() => generate(totalNames))
  const files = made.result
  const sdnChunks = chunks(files.sdn)
  const altChunks = chunks(files.alt)
  process.stdout.write(
    `\ngenerated ${totalNames.toLocaleString('en')} names (${((files.sdn.length + files.alt.length) / 2 ** 20).toFixed(0)} MiB of sdn.csv + alt.csv) in ${ms(made.ms)}\n`,
  )

  // ------------------------------------------------------------ loading
  const parseOnly = () => {
    let rows = 0
    for (const c of [...sdnChunks, ...altChunks])
      rows += Papa.parse<string[]>(c, { delimiter: ',', newline: '\n' }).data.length
    return rows
  }
  const load = () => loadOfacSdnSync({ sdn: sdnChunks, alt: altChunks })
  const parses: number[] = []
  const loads: number[] = []
  let loaded = load()
  for (let run = 0; run < 2; run++) {
    parses.push(timeOnce(parseOnly).ms)
    const l = timeOnce(load)
    loads.push(l.ms)
    loaded = l.result
  }
  const parseMs = Math.min(...parses)
  const loadMs = Math.min(...loads)
  const before = heapUsed()
  const built = timeOnce(() => buildSanctionsIndex([loaded.list]))
  const index = built.result
  const indexBytes = heapUsed() - before
  process.stdout.write(
    `\nlist load (${loaded.counts.entries.toLocaleString('en')} entries, ${loaded.counts.rejected} rejected) against papaparse alone on the same 1 MiB chunks, best of 2\n` +
      `  baseline   papaparse only                               ${ms(parseMs)}\n` +
      `  candidate  loadOfacSdnSync (parse, decode, remarks)     ${ms(loadMs)}\n` +
      `  ratio      ${(loadMs / parseMs).toFixed(2)}x slower   (target at most 2x)\n` +
      `  index      buildSanctionsIndex ${index.names.toLocaleString('en')} names, ${index.tokens.toLocaleString('en')} tokens: ${ms(built.ms)}, ~${(indexBytes / 2 ** 20).toFixed(0)} MiB heap\n`,
  )

  // ------------------------------------------------------------ screening
  const rnd = prng(7)
  const pool = pools(prng(99))
  const parties = Array.from({ length: 400 }, (_, i) => {
    const listed = files.names[i % files.names.length] ?? 'X'
    return { name: i % 2 === 0 ? typo(rnd, listed) : `${pool.given()} ${pool.surname()}` }
  })
  const outcomes = (rs: ReadonlyArray<E.Either<unknown, ScreeningResult>>) =>
    rs.map((r) => (E.isRight(r) ? `${r.right.outcome}:${r.right.matches.length}` : 'error'))
  const indexed = timeOnce(() => parties.map((p) => screenParty(index, p)))
  const again = timeOnce(() => parties.map((p) => screenParty(index, p)))
  const perIndex = Math.min(indexed.ms, again.ms) / parties.length
  const scanned = parties.slice(0, 4)
  const scan = timeOnce(() => scanned.map((p) => screenPartyByScan(index, p)))
  const perScan = scan.ms / scanned.length
  const same = JSON.stringify(scan.result) === JSON.stringify(indexed.result.slice(0, scanned.length))
  const counts = outcomes(indexed.result).reduce<Record<string, number>>((acc, o) => {
    const k = o.split(':')[0] ?? o
    acc[k] = (acc[k] ?? 0) + 1
    return acc
  }, {})
  process.stdout.write(
    `\nscreening one party against ${index.names.toLocaleString('en')} names (${parties.length} parties: half typos of listed names, half unlisted)\n` +
      `  baseline   screenPartyByScan (every name scored)      ${ms(perScan)} per party (${scanned.length} parties)\n` +
      `  candidate  screenParty (index)                        ${ms(perIndex)} per party, ${(1000 / perIndex).toFixed(0)} parties/s\n` +
      `  ratio      ${(perScan / perIndex).toFixed(0)}x   (target at least 100x)\n` +
      `  outcomes   ${JSON.stringify(counts)}; index and scan agree on the scanned parties: ${same}\n`,
  )
}
