/** The calendar checks a date of birth passes, shared by the list decoders and the OFAC remarks reader. */

/** A year a date of birth may have (1800–2100). */
export const isBirthYear = (year: number): boolean => year >= 1800 && year <= 2100

/** How many days `month` (1–12) of `year` has, in the Gregorian calendar. */
export const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31
