import { fc, test } from '@fast-check/vitest'
import { expect } from 'vitest'
import * as E from '#fp-ts/Either'
import { decodeWith, type EpochMillis, epochMillis, fromRfc3339, Rfc3339, toRfc3339 } from '../src/index.js'
import { arbGarbage } from '../src/testing/index.js'

const arbInstant = fc
  .integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 })
  .map((n) => n as EpochMillis)

test.prop([arbInstant], { numRuns: 5000 })('toRfc3339 then fromRfc3339 gives the same instant', (ms) => {
  const text = toRfc3339(ms)
  expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  expect(fromRfc3339(text)).toEqual(E.right(ms))
})

test.prop([
  fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
  fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
])('the same instant written with any offset reads back the same', (ms, offset) => {
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23)
  const sign = offset < 0 ? '-' : '+'
  const abs = Math.abs(offset)
  const text = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  expect(fromRfc3339(text)).toEqual(E.right(ms))
})

test('impossible dates, leap seconds and lost precision are refused', () => {
  for (const bad of [
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2016-12-31T23:59:60Z',
    '2024-01-01T00:00:00.0001Z',
    '2024-01-01 00:00:00Z',
    '2024-01-01T00:00:00',
    '2024-01-01T00:00:00+24:00',
  ])
    expect(E.isLeft(fromRfc3339(bad)), bad).toBe(true)
  expect(fromRfc3339('2024-02-29T00:00:00.123000Z')).toEqual(E.right(Date.UTC(2024, 1, 29, 0, 0, 0, 123)))
  expect(fromRfc3339('0099-01-01T00:00:00Z')).toEqual(
    E.right(Date.UTC(2099, 0, 1) - 2000 * 365.2425 * 86_400_000),
  )
})

test.prop([arbGarbage], { numRuns: 10_000 })('garbage is refused, never thrown', (u) => {
  const a = fromRfc3339(u)
  const b = epochMillis(u)
  const c = decodeWith(Rfc3339)(u)
  if (E.isRight(a) || E.isRight(c)) expect(typeof u).toBe('string')
  if (E.isRight(b)) expect(Number.isSafeInteger(u)).toBe(true)
})
