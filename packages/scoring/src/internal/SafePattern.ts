/**
 * Bounded patterns for the `matches` operator. A pattern is accepted only when its matching time
 * cannot blow up exponentially on the regex engine's backtracking:
 * - at most `maxPatternLength` characters, valid with the `u` flag;
 * - no backreferences (`\1`, `\k<name>`) and no lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`);
 * - no repeated group that itself contains a quantifier or an alternation (`(a+)+`, `(a|ab)*`,
 *   `(x\d*){2,}` are refused; `(?:ab)+`, `(a+)?`, `[a-z]+\d{2}` are fine);
 * - counted repetitions up to `maxRepeat`.
 * What is left runs in polynomial time; the evaluator also never tests a value longer than
 * `maxMatchedLength` characters (such a value does not match).
 */

// ---------------------------------------------------------------- model

/** The longest pattern accepted. */
export const maxPatternLength = 256
/** The largest bound of a counted repetition (`{n,m}`). */
export const maxRepeat = 1000
/** The longest field value a pattern is tested against; a longer value does not match. */
export const maxMatchedLength = 10_000

interface Frame {
  quantified: boolean
  alternation: boolean
}

type Atom = { readonly kind: 'char' } | { readonly kind: 'group'; readonly frame: Frame }

// ---------------------------------------------------------------- operations

/** Why a pattern is not bounded, or `undefined` when it is. */
export const unboundedReason = (pattern: string): string | undefined => {
  if (pattern.length > maxPatternLength)
    return `must be at most ${maxPatternLength} characters, got ${pattern.length}`
  try {
    new RegExp(pattern, 'u')
  } catch {
    return 'is not a valid regular expression (with the u flag)'
  }
  const stack: Frame[] = [{ quantified: false, alternation: false }]
  let last: Atom | undefined
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i]
    const top = stack[stack.length - 1] ?? { quantified: false, alternation: false }
    if (c === '\\') {
      const n = pattern[i + 1] ?? ''
      if (/[1-9]/.test(n) || n === 'k') return 'must not use backreferences'
      if ((n === 'p' || n === 'P' || n === 'u') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3)
        i = close < 0 ? pattern.length : close + 1
      } else i += 2
      last = { kind: 'char' }
    } else if (c === '[') {
      i += 1
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1
      i += 1
      last = { kind: 'char' }
    } else if (c === '(') {
      if (/^\(\?(?:=|!|<=|<!)/.test(pattern.slice(i, i + 4))) return 'must not use lookaround'
      stack.push({ quantified: false, alternation: false })
      last = undefined
      const opening = /^\((?:\?:|\?<[A-Za-z_$][\w$]*>)?/.exec(pattern.slice(i, i + 260))
      i += opening?.[0].length ?? 1
    } else if (c === ')') {
      const frame = stack.pop() ?? { quantified: false, alternation: false }
      const parent = stack[stack.length - 1]
      if (parent !== undefined) {
        parent.quantified ||= frame.quantified
        parent.alternation ||= frame.alternation
      }
      last = { kind: 'group', frame }
      i += 1
    } else if (c === '|') {
      top.alternation = true
      last = undefined
      i += 1
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      let max = c === '?' ? 1 : Number.POSITIVE_INFINITY
      if (c === '{') {
        const q = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i))
        if (q === null) return 'is not a valid regular expression (with the u flag)'
        const lo = Number(q[1])
        const hi =
          q[2] === undefined
            ? lo
            : q[3] === '' || q[3] === undefined
              ? Number.POSITIVE_INFINITY
              : Number(q[3])
        if (lo > maxRepeat || (Number.isFinite(hi) && hi > maxRepeat))
          return `must not repeat more than ${maxRepeat} times in a counted repetition`
        max = hi
        i += q[0].length
      } else i += 1
      if (pattern[i] === '?') i += 1
      if (last?.kind === 'group' && max > 1 && (last.frame.quantified || last.frame.alternation))
        return 'must not repeat a group that contains a quantifier or an alternation (catastrophic backtracking)'
      top.quantified = true
      last = undefined
    } else {
      last = { kind: 'char' }
      i += 1
    }
  }
  return undefined
}
