// The free-text Remarks column of OFAC's sdn.csv: `DOB 10 Feb 1961; alt. DOB 1962; POB Tehran,
// Iran; nationality Iran; citizen Iran; a.k.a. 'X'; Gender Male.` Parts are separated by `;`.
import type { Alias, DateOfBirth } from '../ListEntry.js'
import { daysIn, isBirthYear } from './calendar.js'

const months: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
}

/** One OFAC date: `10 Feb 1961`, `Feb 1961` or `1961`. */
const oneDate = (text: string): DateOfBirth | undefined => {
  const m = /^(?:(\d{1,2})\s+)?(?:([A-Za-z]{3})[A-Za-z]*\.?\s+)?(\d{4})$/.exec(text.trim())
  if (m === null) return undefined
  const year = Number(m[3])
  if (!isBirthYear(year)) return undefined
  if (m[2] === undefined) return m[1] === undefined ? { year } : undefined
  const month = months[m[2].toLowerCase()]
  if (month === undefined) return undefined
  if (m[1] === undefined) return { year, month }
  const day = Number(m[1])
  return day >= 1 && day <= daysIn(year, month) ? { year, month, day } : undefined
}

/** The dates an OFAC DOB value means: one date, `circa` a date, or a range of years (`1958 to 1960`). */
export const ofacDates = (text: string): DateOfBirth[] | undefined => {
  const circa = /^circa\s+(.+)$/i.exec(text.trim())
  if (circa?.[1] !== undefined) {
    const d = oneDate(circa[1])
    return d === undefined ? undefined : [{ year: d.year, circa: true }]
  }
  const range = text.split(/\s+to\s+/i)
  if (range.length === 2) {
    const from = oneDate(range[0] ?? '')
    const to = oneDate(range[1] ?? '')
    if (from === undefined || to === undefined || to.year < from.year || to.year - from.year > 20)
      return undefined
    const years: DateOfBirth[] = []
    for (let y = from.year; y <= to.year; y++) years.push({ year: y })
    return years
  }
  const d = oneDate(text)
  return d === undefined ? undefined : [d]
}

/** What a Remarks column says about dates of birth, nationalities and other names. */
export interface OfacRemarks {
  readonly datesOfBirth: ReadonlyArray<string>
  readonly nationalities: ReadonlyArray<string>
  readonly aliases: ReadonlyArray<Alias>
}

/** What an empty Remarks column says: nothing. */
export const noRemarks: OfacRemarks = { datesOfBirth: [], nationalities: [], aliases: [] }

const aliasPattern = /\b([afn])\.k\.a\.,?\s+'([^']+)'/gi

/** The DOB values, nationality and citizenship names, and a.k.a. names in a Remarks column. */
export const readRemarks = (remarks: string): OfacRemarks => {
  const datesOfBirth: string[] = []
  const nationalities: string[] = []
  for (const raw of remarks.split(';')) {
    const part = raw.trim()
    // every part the patterns read starts with a, c, d or n (alt., citizen, DOB, nationality)
    const first = part.charCodeAt(0) | 0x20
    if (first !== 0x61 && first !== 0x63 && first !== 0x64 && first !== 0x6e) continue
    const text = part.charCodeAt(part.length - 1) === 0x2e ? part.slice(0, -1) : part
    const dob = /^(?:alt\.\s*)?DOB:?\s+(.+)$/i.exec(text)
    if (dob?.[1] !== undefined) {
      datesOfBirth.push(dob[1].trim())
      continue
    }
    const nationality = /^(?:alt\.\s*)?(?:nationality|citizen)\s*:?\s+(.+)$/i.exec(text)
    if (nationality?.[1] !== undefined) nationalities.push(nationality[1].trim())
  }
  const aliases: Alias[] = []
  if (/\.k\.a\./i.test(remarks))
    for (const m of remarks.matchAll(aliasPattern)) {
      const kind = (m[1] ?? 'a').toLowerCase()
      const name = (m[2] ?? '').trim()
      if (name !== '') aliases.push({ name, kind: kind === 'f' ? 'fka' : kind === 'n' ? 'nka' : 'aka' })
    }
  return { datesOfBirth, nationalities, aliases }
}
