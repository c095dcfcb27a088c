/**
 * Exact decimals for rule comparisons: `value = coef / 10^scale`. Amounts arrive as decimal strings
 * (`"1250.00"`) or JSON numbers; both are compared exactly, never through float arithmetic on the
 * decimal text. A JSON number is read as its shortest round-trip decimal (`String(n)`), which is
 * the literal its sender wrote whenever that literal had at most 15 significant digits.
 */

// ---------------------------------------------------------------- model

/** An exact decimal, normalised: no trailing zero in `coef` while `scale > 0`, and `0` has scale 0. */
export interface Decimal {
  readonly coef: bigint
  readonly scale: number
}

/** The longest decimal string read as a number; a longer string is not a number to the rules. */
export const maxDecimalLength = 100

/** A decimal string as rules and transactions write amounts: no exponent, no `+`, no spaces. */
export const decimalText = /^-?\d+(?:\.\d+)?$/

const numberText = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/

// ---------------------------------------------------------------- constructors

const normalise = (coef: bigint, scale: number): Decimal => {
  if (coef === 0n) return { coef: 0n, scale: 0 }
  let c = coef
  let s = scale
  while (s > 0 && c % 10n === 0n) {
    c /= 10n
    s -= 1
  }
  while (s < 0) {
    c *= 10n
    s += 1
  }
  return { coef: c, scale: s }
}

const fromParts = (sign: string, whole: string, fraction: string, exponent: number): Decimal => {
  const coef = BigInt(whole + fraction)
  return normalise(sign === '-' ? -coef : coef, fraction.length - exponent)
}

/** The decimal a decimal string stands for, or `undefined` if it is not one (or is too long). */
export const decimalOfString = (s: string): Decimal | undefined => {
  if (s.length > maxDecimalLength || !decimalText.test(s)) return undefined
  const dot = s.indexOf('.')
  const negative = s.startsWith('-')
  const whole = s.slice(negative ? 1 : 0, dot < 0 ? s.length : dot)
  const fraction = dot < 0 ? '' : s.slice(dot + 1)
  return fromParts(negative ? '-' : '', whole, fraction, 0)
}

/** The shortest round-trip decimal of a finite number (`0.1` is exactly one tenth). */
export const decimalOfNumber = (n: number): Decimal | undefined => {
  if (!Number.isFinite(n)) return undefined
  const match = numberText.exec(String(n))
  if (match === null) return undefined
  const [, sign = '', whole = '0', fraction = '', exponent = '0'] = match
  return fromParts(sign, whole, fraction, Number(exponent))
}

// ---------------------------------------------------------------- operations

/** How many significant digits a decimal has (0 has none). */
export const significantDigits = (d: Decimal): number => {
  if (d.coef === 0n) return 0
  const digits = (d.coef < 0n ? -d.coef : d.coef).toString()
  let end = digits.length
  while (end > 1 && digits[end - 1] === '0') end -= 1
  return end
}

/** Orders two decimals exactly: -1, 0 or 1. */
export const compareDecimals = (a: Decimal, b: Decimal): -1 | 0 | 1 => {
  const x = a.scale >= b.scale ? a.coef : a.coef * 10n ** BigInt(b.scale - a.scale)
  const y = b.scale >= a.scale ? b.coef : b.coef * 10n ** BigInt(a.scale - b.scale)
  return x < y ? -1 : x > y ? 1 : 0
}

/** The canonical text of a decimal (`800`, `0.1`, `-12.5`): equal decimals, equal text. */
export const canonicalText = (d: Decimal): string => {
  const negative = d.coef < 0n
  const digits = (negative ? -d.coef : d.coef).toString().padStart(d.scale + 1, '0')
  const whole = digits.slice(0, digits.length - d.scale)
  const fraction = d.scale > 0 ? `.${digits.slice(digits.length - d.scale)}` : ''
  return `${negative ? '-' : ''}${whole}${fraction}`
}

/**
 * The number a decimal stands for when that number reads back as the same decimal (at most 15
 * significant digits, well inside the double range), so that comparing doubles is comparing the
 * decimals exactly; `undefined` otherwise.
 */
export const exactDouble = (d: Decimal): number | undefined => {
  if (significantDigits(d) > 15) return undefined
  const n = Number(canonicalText(d))
  return Number.isFinite(n) && (n === 0 || Math.abs(n) > 1e-300) ? n : undefined
}
