/**
 * Velocity windows: which earlier payouts count towards a rule when a payout arrives at time `t`.
 * Per payout (only the payout itself), rolling `(t − w, t]`, calendar day / week / month in an IANA
 * time zone (DST-correct, computed with `@date-fns/tz`), or lifetime.
 */
import { TZDate } from '@date-fns/tz'
import { addDays, addMonths, addWeeks, startOfDay, startOfMonth, startOfWeek } from 'date-fns'

// ---------------------------------------------------------------- model

/**
 * The day a calendar week starts on: 0 Sunday … 6 Saturday (Monday, 1, by default).
 *
 * @example
 * import type { WeekStart } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const monday: WeekStart = 1
 * assert.equal(monday, 1)
 */
export type WeekStart = 0 | 1 | 2 | 3 | 4 | 5 | 6

/**
 * A velocity window (the JSON of a rule set spells its fields in snake_case).
 *
 * @example
 * import type { VelocityWindow } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const day: VelocityWindow = { type: 'calendar', unit: 'day', timeZone: 'America/New_York', weekStartsOn: 1 }
 * const hour: VelocityWindow = { type: 'rolling', seconds: 3600 }
 * assert.equal(day.type, 'calendar')
 * assert.equal(hour.type, 'rolling')
 */
export type VelocityWindow =
  | { readonly type: 'per_payout' }
  | { readonly type: 'rolling'; readonly seconds: number }
  | {
      readonly type: 'calendar'
      readonly unit: 'day' | 'week' | 'month'
      readonly timeZone: string
      readonly weekStartsOn: WeekStart
    }
  | { readonly type: 'lifetime' }

/**
 * One calendar period: `[start, end)` in epoch milliseconds.
 *
 * @example
 * import type { CalendarPeriod } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const p: CalendarPeriod = { start: 0, end: 86_400_000 }
 * assert.equal(p.end - p.start, 86_400_000)
 */
export interface CalendarPeriod {
  readonly start: number
  readonly end: number
}

// ---------------------------------------------------------------- constructors

/**
 * Whether a string names a time zone the runtime's IANA database knows (`UTC` included; numeric
 * offsets such as `+05:00` are refused: they have no DST rules and are not zone names).
 *
 * @example
 * import { isTimeZone } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * assert.ok(isTimeZone('Europe/Berlin'))
 * assert.ok(isTimeZone('UTC'))
 * assert.ok(!isTimeZone('Mars/Olympus_Mons'))
 * assert.ok(!isTimeZone('+05:00'))
 */
export const isTimeZone = (zone: string): boolean => {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone) || zone.length > 64) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

// ---------------------------------------------------------------- operations

/**
 * The calendar period of a calendar window that contains the instant `t`, computed in the window's
 * time zone with `@date-fns/tz`: a day is 23 or 25 hours long on DST change days, a month ends on
 * its last local day, a week starts on the configured day.
 *
 * @example
 * import { calendarPeriod } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * // 2024-03-10 is the spring-forward day in New York: its local day lasts 23 hours.
 * const day = { type: 'calendar', unit: 'day', timeZone: 'America/New_York', weekStartsOn: 1 } as const
 * const p = calendarPeriod(day, Date.UTC(2024, 2, 10, 12))
 * assert.equal(new Date(p.start).toISOString(), '2024-03-10T05:00:00.000Z')
 * assert.equal(p.end - p.start, 23 * 3_600_000)
 */
export const calendarPeriod = (
  window: Extract<VelocityWindow, { type: 'calendar' }>,
  t: number,
): CalendarPeriod => {
  const local = new TZDate(t, window.timeZone)
  switch (window.unit) {
    case 'day': {
      const start = startOfDay(local)
      return { start: start.getTime(), end: startOfDay(addDays(start, 1)).getTime() }
    }
    case 'week': {
      const options = { weekStartsOn: window.weekStartsOn }
      const start = startOfWeek(local, options)
      return { start: start.getTime(), end: startOfWeek(addWeeks(start, 1), options).getTime() }
    }
    case 'month': {
      const start = startOfMonth(local)
      return { start: start.getTime(), end: startOfMonth(addMonths(start, 1)).getTime() }
    }
  }
}

/**
 * Whether an earlier payout at `at` falls in the window of a payout at `t` (`at ≤ t`): rolling
 * windows are `(t − w, t]`, calendar windows the period holding `t`, lifetime everything, a
 * per-payout window nothing earlier.
 *
 * @example
 * import { inWindow } from '@payout-kernel/velocity'
 * import assert from 'node:assert/strict'
 *
 * const hour = { type: 'rolling', seconds: 3600 } as const
 * assert.ok(inWindow(hour, 3_600_000, 1))
 * assert.ok(!inWindow(hour, 3_600_000, 0)) // exactly w ago: no longer counts
 */
export const inWindow = (window: VelocityWindow, t: number, at: number): boolean => {
  if (at > t) return false
  switch (window.type) {
    case 'per_payout':
      return false
    case 'rolling':
      return at > t - window.seconds * 1000
    case 'calendar': {
      const p = calendarPeriod(window, t)
      return at >= p.start
    }
    case 'lifetime':
      return true
  }
}
