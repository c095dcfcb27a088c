import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { calendarPeriod, type VelocityWindow } from '../src/index.js'
import { arbTimeZone, interestingInstants } from '../src/testing/index.js'

type Calendar = Extract<VelocityWindow, { type: 'calendar' }>
const cal = (
  unit: Calendar['unit'],
  timeZone: string,
  weekStartsOn: Calendar['weekStartsOn'] = 1,
): Calendar => ({
  type: 'calendar',
  unit,
  timeZone,
  weekStartsOn,
})
const iso = (ms: number) => new Date(ms).toISOString()
const hour = 3_600_000

describe('calendar periods (pinned)', () => {
  it('New York days are 23 and 25 hours long on DST change days', () => {
    const spring = calendarPeriod(cal('day', 'America/New_York'), Date.UTC(2024, 2, 10, 12))
    expect([iso(spring.start), (spring.end - spring.start) / hour]).toEqual(['2024-03-10T05:00:00.000Z', 23])
    const fall = calendarPeriod(cal('day', 'America/New_York'), Date.UTC(2024, 10, 3, 12))
    expect([iso(fall.start), (fall.end - fall.start) / hour]).toEqual(['2024-11-03T04:00:00.000Z', 25])
  })
  it('London and Sydney change days, Santiago whose clocks skip midnight', () => {
    const london = calendarPeriod(cal('day', 'Europe/London'), Date.UTC(2024, 2, 31, 12))
    expect((london.end - london.start) / hour).toBe(23)
    const sydney = calendarPeriod(cal('day', 'Australia/Sydney'), Date.UTC(2024, 3, 6, 20))
    expect([iso(sydney.start), (sydney.end - sydney.start) / hour]).toEqual(['2024-04-06T13:00:00.000Z', 25])
    const santiago = calendarPeriod(cal('day', 'America/Santiago'), Date.UTC(2024, 8, 8, 12))
    expect([iso(santiago.start), (santiago.end - santiago.start) / hour]).toEqual([
      '2024-09-08T04:00:00.000Z',
      23,
    ])
  })
  it('months end on their last local day, leap February included; weeks start on the configured day', () => {
    const feb = calendarPeriod(cal('month', 'Asia/Kolkata'), Date.UTC(2024, 1, 29, 12))
    expect([iso(feb.start), iso(feb.end)]).toEqual(['2024-01-31T18:30:00.000Z', '2024-02-29T18:30:00.000Z'])
    const monday = calendarPeriod(cal('week', 'UTC'), Date.UTC(2024, 1, 29))
    expect(iso(monday.start)).toBe('2024-02-26T00:00:00.000Z')
    const sunday = calendarPeriod(cal('week', 'UTC', 0), Date.UTC(2024, 1, 29))
    expect(iso(sunday.start)).toBe('2024-02-25T00:00:00.000Z')
  })
})

describe('calendar periods (properties)', () => {
  const arbCalendar = fc
    .record({
      unit: fc.constantFrom('day', 'week', 'month'),
      zone: arbTimeZone,
      start: fc.integer({ min: 0, max: 6 }),
    })
    .map(({ unit, zone, start }) => cal(unit as Calendar['unit'], zone, start as Calendar['weekStartsOn']))
  const arbInstant = fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...interestingInstants),
        fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }),
      )
      .map(([a, d]) => a + d),
    fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
  )
  test.prop([arbCalendar, arbInstant], { numRuns: 2000 })(
    'a period holds its instant and the next one starts where it ends',
    (w, t) => {
      const p = calendarPeriod(w, t)
      expect(p.start <= t && t < p.end).toBe(true)
      expect(calendarPeriod(w, p.end).start).toBe(p.end)
      expect(calendarPeriod(w, p.end - 1)).toEqual(p)
      const hours = (p.end - p.start) / hour
      if (w.unit === 'day') expect(hours >= 22 && hours <= 26).toBe(true)
    },
    60_000,
  )
})
