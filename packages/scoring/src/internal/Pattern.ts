/**
 * Patterns of the `matches` operator, run in time linear in the value's length.
 *
 * A pattern is written as a JavaScript regular expression (with the `u` flag) and means what it
 * means there, but it is never run by JavaScript's backtracking engine: it is parsed by
 * `@eslint-community/regexpp` (the ECMAScript grammar, ES2024), checked, translated to RE2 syntax
 * and run by `re2js`, a port of RE2 that matches by automaton, in time proportional to the
 * value's length times the pattern's size, whatever the pattern and the value. Where the two
 * syntaxes mean different things the translation writes out what JavaScript means: `.`, `\s`,
 * `\S`, every character as `\x{…}`, property names.
 *
 * What a pattern may be (each refusal comes back as a reason naming the construct):
 * - at most `maxPatternLength` characters, valid with the `u` flag;
 * - no backreferences and no lookaround (RE2 has neither);
 * - no repeated group that contains a quantifier or an alternation (`(a+)+`, `(a|ab)*`): kept from
 *   the earlier backtracking-bounded language so that every rule set accepted before is accepted
 *   now and nothing refused before is accepted;
 * - counted repetitions up to `maxRepeat`, and at most `maxPatternSize` positions once counted
 *   repetitions are written out (`\d{4}-\d{2}` is 7), which bounds the automaton;
 * - `\p{…}`: a general category (`L`, `Lu`, `Letter`, `gc=Nd`, …; not `C`, `Cn`, `LC`, whose
 *   RE2 tables differ), a script by its long name (`Script=Greek`), `Any`, `ASCII` or
 *   `ASCII_Hex_Digit`.
 * The evaluator never tests a value longer than `maxMatchedLength` characters (it does not match).
 */
import type { AST } from '@eslint-community/regexpp'
import { RegExpParser } from '@eslint-community/regexpp'
import { RE2JS } from 're2js'
import * as E from '#fp-ts/Either'

// ---------------------------------------------------------------- model

/** The longest pattern accepted. */
export const maxPatternLength = 256
/** The largest bound of a counted repetition (`{n,m}`). */
export const maxRepeat = 1000
/** The most positions a pattern may span once its counted repetitions are written out. */
export const maxPatternSize = 1000
/** The longest field value a pattern is tested against; a longer value does not match. */
export const maxMatchedLength = 10_000

/** A checked pattern, ready to test values in linear time. */
export interface CompiledPattern {
  /** The RE2 syntax it runs as. */
  readonly re2: string
  /** Positions once counted repetitions are written out (at most `maxPatternSize`). */
  readonly size: number
  /** Whether the pattern matches somewhere in the value (as `RegExp.prototype.test` would). */
  readonly test: (value: string) => boolean
}

type Range = readonly [number, number]

class Refusal {
  constructor(readonly reason: string) {}
}

// ---------------------------------------------------------------- character sets

const maxCodePoint = 0x10ffff
const digit: ReadonlyArray<Range> = [[0x30, 0x39]]
const word: ReadonlyArray<Range> = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]
/** JavaScript's `\s`: WhiteSpace and LineTerminator (RE2's `\s` is ASCII only). */
const space: ReadonlyArray<Range> = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]
/** What JavaScript's `.` does not match without the `s` flag (RE2's `.` leaves out only `\n`). */
const lineTerminators: ReadonlyArray<Range> = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
]

/** The complement of sorted, disjoint ranges within 0..U+10FFFF. */
const complement = (ranges: ReadonlyArray<Range>): ReadonlyArray<Range> => {
  const out: Range[] = []
  let next = 0
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1])
    next = hi + 1
  }
  if (next <= maxCodePoint) out.push([next, maxCodePoint])
  return out
}

const hex = (cp: number): string => `\\x{${cp.toString(16).toUpperCase()}}`
const rangeText = ([lo, hi]: Range): string => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)
const classOf = (ranges: ReadonlyArray<Range>): string => `[${ranges.map(rangeText).join('')}]`
/** Ranges as a class of their own, or as members of the enclosing one. */
const rangesText = (ranges: ReadonlyArray<Range>, inClass: boolean): string =>
  inClass ? ranges.map(rangeText).join('') : classOf(ranges)

/** General categories by long and short name, as RE2 names them (short). */
const generalCategories: Readonly<Record<string, string>> = {
  Letter: 'L',
  Uppercase_Letter: 'Lu',
  Lowercase_Letter: 'Ll',
  Titlecase_Letter: 'Lt',
  Modifier_Letter: 'Lm',
  Other_Letter: 'Lo',
  Mark: 'M',
  Combining_Mark: 'M',
  Nonspacing_Mark: 'Mn',
  Spacing_Mark: 'Mc',
  Enclosing_Mark: 'Me',
  Number: 'N',
  Decimal_Number: 'Nd',
  digit: 'Nd',
  Letter_Number: 'Nl',
  Other_Number: 'No',
  Punctuation: 'P',
  punct: 'P',
  Connector_Punctuation: 'Pc',
  Dash_Punctuation: 'Pd',
  Open_Punctuation: 'Ps',
  Close_Punctuation: 'Pe',
  Initial_Punctuation: 'Pi',
  Final_Punctuation: 'Pf',
  Other_Punctuation: 'Po',
  Symbol: 'S',
  Math_Symbol: 'Sm',
  Currency_Symbol: 'Sc',
  Modifier_Symbol: 'Sk',
  Other_Symbol: 'So',
  Separator: 'Z',
  Space_Separator: 'Zs',
  Line_Separator: 'Zl',
  Paragraph_Separator: 'Zp',
  Control: 'Cc',
  cntrl: 'Cc',
  Format: 'Cf',
  Surrogate: 'Cs',
  Private_Use: 'Co',
}
const shortCategories = /* @__PURE__ */ new Set(/* @__PURE__ */ Object.values(generalCategories))

/** Binary properties written out as ranges. */
const binaryProperties: Readonly<Record<string, ReadonlyArray<Range>>> = {
  Any: [[0, maxCodePoint]],
  ASCII: [[0, 0x7f]],
  ASCII_Hex_Digit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
}

/** A `\p{…}` set: either ranges written out, or an RE2 property name. */
const property = (
  set: AST.UnicodePropertyCharacterSet,
): { ranges: ReadonlyArray<Range> } | { name: string } => {
  const { key, value } = set
  if (value === null) {
    const ranges = binaryProperties[key]
    if (ranges !== undefined) return { ranges }
    throw new Refusal(`must not use the property \\p{${key}}: not supported by the linear-time engine`)
  }
  if (key === 'General_Category' || key === 'gc') {
    const short = generalCategories[value] ?? (shortCategories.has(value) ? value : undefined)
    if (short !== undefined) return { name: short }
    throw new Refusal(
      `must not use the category \\p{${set.raw.slice(3, -1)}}: not supported by the linear-time engine (C, Cn and LC are not)`,
    )
  }
  if (key === 'Script' || key === 'sc') return { name: value }
  throw new Refusal(`must not use \\p{${key}=…}: not supported by the linear-time engine (use Script=)`)
}

// ---------------------------------------------------------------- checks

interface Shape {
  /** Positions once counted repetitions are written out. */
  readonly size: number
  /** Contains a quantifier. */
  readonly quantified: boolean
  /** Contains an alternation. */
  readonly alternation: boolean
}

const none: Shape = { size: 0, quantified: false, alternation: false }
const one: Shape = { size: 1, quantified: false, alternation: false }

const sumShapes = (shapes: ReadonlyArray<Shape>): Shape => ({
  size: shapes.reduce((s, x) => s + x.size, 0),
  quantified: shapes.some((x) => x.quantified),
  alternation: shapes.some((x) => x.alternation),
})

const alternativesShape = (alternatives: ReadonlyArray<AST.Alternative>): Shape => {
  const inner = sumShapes(alternatives.map((a) => sumShapes(a.elements.map(elementShape))))
  return alternatives.length > 1 ? { ...inner, alternation: true } : inner
}

const elementShape = (e: AST.Element): Shape => {
  switch (e.type) {
    case 'Character':
    case 'CharacterSet':
    case 'CharacterClass':
      return one
    case 'ExpressionCharacterClass':
      throw new Refusal('must not use set operations (they need the v flag)')
    case 'Backreference':
      throw new Refusal('must not use backreferences')
    case 'Assertion':
      if (e.kind === 'lookahead' || e.kind === 'lookbehind') throw new Refusal('must not use lookaround')
      return none
    case 'Group':
      if (e.modifiers !== null) throw new Refusal('must not use modifiers such as (?i:…)')
      return alternativesShape(e.alternatives)
    case 'CapturingGroup':
      return alternativesShape(e.alternatives)
    case 'Quantifier': {
      if (e.min > maxRepeat || (Number.isFinite(e.max) && e.max > maxRepeat))
        throw new Refusal(`must not repeat more than ${maxRepeat} times in a counted repetition`)
      const inner = elementShape(e.element)
      const isGroup = e.element.type === 'Group' || e.element.type === 'CapturingGroup'
      if (isGroup && e.max > 1 && (inner.quantified || inner.alternation))
        throw new Refusal(
          'must not repeat a group that contains a quantifier or an alternation (a rule of the pattern language kept from before the linear-time engine)',
        )
      const copies = Number.isFinite(e.max) ? e.max : e.min + 1
      return { size: inner.size * copies, quantified: true, alternation: inner.alternation }
    }
  }
}

// ---------------------------------------------------------------- translation

const setText = (set: AST.CharacterSet, inClass: boolean): string => {
  switch (set.kind) {
    case 'any':
      return classOf(complement(lineTerminators)) // never inside a class
    case 'digit':
    case 'word':
    case 'space': {
      const base = set.kind === 'digit' ? digit : set.kind === 'word' ? word : space
      return rangesText(set.negate ? complement(base) : base, inClass)
    }
    case 'property': {
      const p = property(set)
      if ('ranges' in p) return rangesText(set.negate ? complement(p.ranges) : p.ranges, inClass)
      return `\\${set.negate ? 'P' : 'p'}{${p.name}}`
    }
  }
}

const classText = (c: AST.CharacterClass): string => {
  const items = c.elements.map((el): string => {
    switch (el.type) {
      case 'Character':
        return hex(el.value)
      case 'CharacterClassRange':
        return rangeText([el.min.value, el.max.value])
      case 'CharacterSet':
        return setText(el, true)
      default:
        throw new Refusal('must not use set operations (they need the v flag)')
    }
  })
  // `[]` matches nothing and `[^]` any character; RE2 has neither spelling.
  if (items.length === 0)
    return c.negate ? classOf([[0, maxCodePoint]]) : `[^${rangeText([0, maxCodePoint])}]`
  return `[${c.negate ? '^' : ''}${items.join('')}]`
}

const alternativesText = (alternatives: ReadonlyArray<AST.Alternative>): string =>
  alternatives.map((a) => a.elements.map(elementText).join('')).join('|')

const elementText = (e: AST.Element): string => {
  switch (e.type) {
    case 'Character':
      return hex(e.value)
    case 'CharacterSet':
      return setText(e, false)
    case 'CharacterClass':
      return classText(e)
    case 'Group':
    case 'CapturingGroup':
      // Nothing reads captures: every group runs as a non-capturing one.
      return `(?:${alternativesText(e.alternatives)})`
    case 'Assertion':
      // Without the m flag both engines read ^ and $ as the ends of the whole value, and \b as an
      // ASCII word boundary. Lookaround was refused by the checks.
      return e.kind === 'start' ? '^' : e.kind === 'end' ? '$' : e.kind === 'word' && e.negate ? '\\B' : '\\b'
    case 'Quantifier': {
      // Laziness changes which match is found, never whether one is: only `test` is asked.
      const q =
        e.min === 0 && e.max === Number.POSITIVE_INFINITY
          ? '*'
          : e.min === 1 && e.max === Number.POSITIVE_INFINITY
            ? '+'
            : e.min === 0 && e.max === 1
              ? '?'
              : Number.isFinite(e.max)
                ? e.min === e.max
                  ? `{${e.min}}`
                  : `{${e.min},${e.max}}`
                : `{${e.min},}`
      return `${elementText(e.element)}${q}`
    }
    default:
      throw new Refusal('must not use set operations (they need the v flag)')
  }
}

// ---------------------------------------------------------------- operations

const parser = /* @__PURE__ */ new RegExpParser({ ecmaVersion: 2024 })

/**
 * Checks a pattern and compiles it for linear-time matching, or says why it is refused.
 * Total: never throws, whatever the string.
 */
export const compilePattern = (source: string): E.Either<string, CompiledPattern> => {
  if (source.length > maxPatternLength)
    return E.left(`must be at most ${maxPatternLength} characters, got ${source.length}`)
  let ast: AST.Pattern
  try {
    ast = parser.parsePattern(source, 0, source.length, { unicode: true })
  } catch {
    return E.left('is not a valid regular expression (with the u flag)')
  }
  try {
    const shape = alternativesShape(ast.alternatives)
    if (shape.size > maxPatternSize)
      return E.left(
        `must span at most ${maxPatternSize} positions once counted repetitions are written out, got ${shape.size}`,
      )
    const re2 = alternativesText(ast.alternatives)
    const compiled = RE2JS.compile(re2)
    return E.right({
      re2,
      size: shape.size,
      test: (value: string) => value.length <= maxMatchedLength && compiled.test(value),
    })
  } catch (e) {
    if (e instanceof Refusal) return E.left(e.reason)
    return E.left(
      `is not supported by the linear-time engine (${e instanceof Error ? e.message : String(e)})`,
    )
  }
}

/** Why a pattern is refused, or `undefined` when it is accepted. */
export const patternRefusal = (pattern: string): string | undefined => {
  const compiled = compilePattern(pattern)
  return E.isLeft(compiled) ? compiled.left : undefined
}
